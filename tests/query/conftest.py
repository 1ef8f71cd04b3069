"""Fixtures for the AWS Query API: boto3 clients against a live server, signed with the directory's keys."""

from __future__ import annotations

from urllib.parse import urlencode
from xml.etree import ElementTree

import boto3
import pytest
from botocore.config import Config

from tests.sts.conftest import make_role  # noqa: F401 - shared role fixture
from tests.support.signing import SignedClient

FORM = "application/x-www-form-urlencoded; charset=utf-8"

# Retries off: a test must see the first answer, and botocore would retry a 5xx or a throttle silently.
NO_RETRIES = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=10, read_timeout=60)


def client_for(live_server, service: str, access_key_id: str, secret_access_key: str,
               session_token: str | None = None, *, validate: bool = True):
    """`validate=False` turns botocore's own checks off, so the server's ValidationError can be seen."""
    config = NO_RETRIES.merge(Config(parameter_validation=validate))
    session = boto3.session.Session(aws_access_key_id=access_key_id, aws_secret_access_key=secret_access_key,
                                    aws_session_token=session_token, region_name="us-east-1")
    return session.client(service, endpoint_url=live_server.url, config=config)


@pytest.fixture
def aws(transactional_db, live_server, root_credentials):
    """Make a boto3 client: aws("iam") signs with the root user's key; aws("sts", key=(id, secret[, token]))."""

    def make(service: str = "iam", key: tuple | None = None, *, validate: bool = True):
        key = key or (root_credentials.access_key_id, root_credentials.secret_access_key)
        return client_for(live_server, service, *key, validate=validate)

    return make


@pytest.fixture
def iam(aws):
    return aws("iam")


@pytest.fixture
def sts(aws):
    return aws("sts")


class QueryClient:
    """The Query API through Django's test client: form bodies (or GET query strings) signed as botocore does."""

    def __init__(self, access_key_id: str | None, secret_access_key: str | None, *, service: str = "iam",
                 session_token: str | None = None, remote_addr: str = "127.0.0.1") -> None:
        self.signer = SignedClient(access_key_id or "", secret_access_key or "", session_token=session_token,
                                   service=service, remote_addr=remote_addr)

    def call(self, action: str, *, version: str | None = None, method: str = "POST", sign: bool = True,
             **params: str):
        fields = {"Action": action, **params}
        if version is not False:
            fields["Version"] = version or ("2011-06-15" if self.signer.service == "sts" else "2010-05-08")
        return self.send(fields, method=method, sign=sign)

    def send(self, fields: dict, *, method: str = "POST", sign: bool = True, body: bytes | None = None):
        encoded = urlencode(fields).encode() if body is None else body
        path = "/" if method == "POST" else f"/?{encoded.decode()}"
        payload = encoded if method == "POST" else b""
        content_type = FORM if method == "POST" else None
        extra = {"HTTP_HOST": self.signer.host}
        if sign:
            headers = self.signer.signed_headers(method, path, payload, content_type)
            extra.update({f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers.items()
                          if name.lower() not in {"content-type", "host"}})
        return self.signer.client.generic(method, path, data=payload,
                                          content_type=content_type or "application/octet-stream", **extra)


def xml_error(response) -> tuple[int, str, str]:
    """(HTTP status, error code, message) of an ErrorResponse."""
    root = ElementTree.fromstring(response.content)
    ns = {"aws": root.tag.split("}")[0].strip("{")}
    return (response.status_code, root.findtext("aws:Error/aws:Code", namespaces=ns),
            root.findtext("aws:Error/aws:Message", namespaces=ns))


@pytest.fixture
def query(root_credentials):
    """Call the Query API as the root user through the test client: query("ListUsers", MaxItems="2")."""
    return QueryClient(root_credentials.access_key_id, root_credentials.secret_access_key)
