"""gunicorn as production runs it (its config file): a long URL is answered by the door it was meant for, in that
door's shape (JSON under /api/, XML on the Query API), whether the application or gunicorn itself refuses it."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree

import pytest

from tests.support.gunicorn import gunicorn, send

pytestmark = pytest.mark.processes


@pytest.fixture(scope="module", params=[1, 2], ids=["sync-worker", "threaded-worker"])
def web(request, django_db_setup, tmp_path_factory):
    """gunicorn on the test database (unsigned requests, which these are, never reach it)."""
    with gunicorn(tmp_path_factory.mktemp("gunicorn"), threads=request.param) as port:
        yield port


@pytest.mark.parametrize("length", [5_000, 20_000, 100_000])
def test_a_long_api_url_is_answered_with_the_apis_json_error(web, length):
    status, headers, body = send(web, "GET", "/api/v1/users/" + "n" * length + "/")
    assert status >= 400 and headers["content-type"].startswith("application/json"), body[:200]
    error = json.loads(body)["error"]
    assert error["code"] and error["message"] and error["request_id"]
    if length > 8190:
        assert (status, error["code"]) == (414, "RequestURITooLong")


@pytest.mark.parametrize("length", [5_000, 20_000, 100_000])
def test_a_long_query_api_url_is_answered_with_the_query_apis_xml_error(web, length):
    status, headers, body = send(web, "GET", "/?Action=ListUsers&Version=2010-05-08&Marker=" + "m" * length)
    assert status >= 400 and headers["content-type"].startswith("text/xml"), body[:200]
    root = ElementTree.fromstring(body)
    namespace = {"aws": root.tag.split("}")[0].strip("{")}
    assert root.findtext("aws:Error/aws:Code", namespaces=namespace)
    assert root.findtext("aws:RequestId", namespaces=namespace)
    if length > 8190:
        assert (status, root.findtext("aws:Error/aws:Code", namespaces=namespace)) == (414, "RequestURITooLong")
