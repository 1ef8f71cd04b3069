"""The AWS CLI against the Organizations API: by --endpoint-url, by AWS_ENDPOINT_URL_ORGANIZATIONS, and by a
`services` section."""

from __future__ import annotations

from tests.query.test_aws_cli import cli  # noqa: F401 - the shared CLI fixture


def test_the_cli_manages_the_organization(cli, live_server, tmp_path, root_credentials):  # noqa: F811
    endpoint = ["--endpoint-url", live_server.url]
    refused = cli("organizations", "describe-organization", *endpoint, expect_ok=False)
    assert "AWSOrganizationsNotInUseException" in refused
    made = cli("organizations", "create-organization", "--feature-set", "ALL", *endpoint)["Organization"]
    described = cli("organizations", "describe-organization", *endpoint)["Organization"]
    assert described["Id"] == made["Id"] and described["MasterAccountId"] == "123456789012"
    by_variable = cli("organizations", "list-roots", env={"AWS_ENDPOINT_URL_ORGANIZATIONS": live_server.url})
    root = by_variable["Roots"][0]["Id"]
    (tmp_path / "config").write_text(f"[profile directory]\nregion = us-east-1\nservices = directory\n"
                                     f"aws_access_key_id = {root_credentials.access_key_id}\n"
                                     f"aws_secret_access_key = {root_credentials.secret_access_key}\n\n"
                                     f"[services directory]\norganizations =\n  endpoint_url = {live_server.url}\n")
    unit = cli("organizations", "create-organizational-unit", "--parent-id", root, "--name", "Workloads",
               "--profile", "directory")["OrganizationalUnit"]
    children = cli("organizations", "list-children", "--parent-id", root, "--child-type", "ORGANIZATIONAL_UNIT",
                   "--profile", "directory")["Children"]
    assert children == [{"Id": unit["Id"], "Type": "ORGANIZATIONAL_UNIT"}]
