"""Fetching an identity provider's published documents: HTTPS only, public addresses only, bounded in time and size.

The issuer URL comes from an administrator and the JWKS URL from the issuer's own discovery document, so both are
untrusted input to a server-side request. Each host name is resolved once, every address is vetted (no private,
loopback, link-local or reserved address unless IAM_FEDERATION_ALLOW_PRIVATE_ISSUERS), and the connection goes to
the vetted address itself, so a second DNS answer cannot point the request elsewhere. TLS still verifies the
certificate against the host name. No redirects are followed.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import ssl
import time
from urllib.parse import urlencode, urlsplit

from django.conf import settings

from iam_console import metrics
from iam_console.errors import IAMError, IDPCommunicationError

MAX_DOCUMENT_BYTES = 256 * 1024
_CHUNK = 16 * 1024


def _refuse(url: str, why: str) -> IDPCommunicationError:
    return IDPCommunicationError(f"Could not fetch {url[:200]}: {why}")


def _tls_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    bundle = getattr(settings, "IAM_FEDERATION_CA_BUNDLE", None)
    if bundle:
        context.load_verify_locations(cafile=bundle)
    return context


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def vetted_addresses(url: str, host: str, port: int) -> list[str]:
    """The addresses `host` resolves to, refused when any of them is not a public address (and not allowed)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise _refuse(url, f"the host name does not resolve ({error.__class__.__name__})") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not settings.IAM_FEDERATION_ALLOW_PRIVATE_ISSUERS:
        private = [address for address in addresses if not is_public_address(address)]
        if private:
            raise _refuse(url, f"{host} resolves to a private or reserved address ({private[0]}); an administrator "
                               "may allow internal identity providers with IAM_FEDERATION_ALLOW_PRIVATE_ISSUERS")
    return addresses


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to one vetted address, with the certificate checked against the URL's host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def fetch_json(url: str, *, purpose: str, form: dict[str, str] | None = None) -> dict:
    """GET (or POST `form` to) an https URL for a JSON object, within IAM_FEDERATION_HTTP_TIMEOUT_SECONDS.

    `purpose` (discovery, jwks, token) labels the fetch in the metrics, with whether it succeeded."""
    try:
        document = _fetch_json(url, form=form)
    except IAMError:
        metrics.federation_fetch(purpose, ok=False)
        raise
    metrics.federation_fetch(purpose, ok=True)
    return document


def _fetch_json(url: str, *, form: dict[str, str] | None) -> dict:
    try:
        parts = urlsplit(url)
    except ValueError:
        raise _refuse(url, "it is not a URL") from None
    if parts.scheme != "https" or not parts.hostname:
        raise _refuse(url, "only https URLs are fetched")
    try:
        port = parts.port or 443
    except ValueError:
        raise _refuse(url, "the port is not a number") from None
    timeout = float(settings.IAM_FEDERATION_HTTP_TIMEOUT_SECONDS)
    deadline = time.monotonic() + timeout
    address = vetted_addresses(url, parts.hostname, port)[0]
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection = _PinnedHTTPSConnection(parts.hostname, port, address, timeout, _tls_context())
    try:
        headers = {"Accept": "application/json", "User-Agent": "iam-console"}
        if form is None:
            connection.request("GET", target, headers=headers)
        else:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            connection.request("POST", target, body=urlencode(form), headers=headers)
        response = connection.getresponse()
        if response.status != 200:
            raise _refuse(url, f"the server answered HTTP {response.status}")
        body = _read_bounded(url, response, deadline)
    except (OSError, http.client.HTTPException) as error:  # timeouts, refused connections, TLS failures
        raise _refuse(url, f"{error.__class__.__name__}: {str(error)[:200]}") from None
    finally:
        connection.close()
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise _refuse(url, "the response is not JSON") from None
    if not isinstance(document, dict):
        raise _refuse(url, "the response is not a JSON object")
    return document


def _read_bounded(url: str, response: http.client.HTTPResponse, deadline: float) -> bytes:
    """The body, refusing one past MAX_DOCUMENT_BYTES or a server that drips it out past the deadline."""
    length = response.getheader("Content-Length")
    if length and length.isdigit() and int(length) > MAX_DOCUMENT_BYTES:
        raise _refuse(url, f"the document is larger than {MAX_DOCUMENT_BYTES} bytes")
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise _refuse(url, "the server did not answer in time")
        chunk = response.read1(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_DOCUMENT_BYTES:
            raise _refuse(url, f"the document is larger than {MAX_DOCUMENT_BYTES} bytes")
        chunks.append(chunk)
