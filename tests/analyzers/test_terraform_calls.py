"""The calls, in order, that Terraform's aws_accessanalyzer_analyzer and aws_accessanalyzer_archive_rule make (the
AWS provider's internal/service/accessanalyzer): create with a client token, read back, tags by ARN, destroy, and
a read after destroy that must say ResourceNotFoundException so that Terraform drops the resource from its state."""

from __future__ import annotations

import uuid

import pytest

from tests.query.conftest import client_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def aa(transactional_db, live_server, root_credentials):
    return client_for(live_server, "accessanalyzer", root_credentials.access_key_id,
                      root_credentials.secret_access_key)


def test_analyzer_and_archive_rule_as_terraform_manages_them(aa):
    created = aa.create_analyzer(analyzerName="tf-analyzer", type="ACCOUNT", clientToken=str(uuid.uuid4()),
                                 tags={"env": "dev"})
    analyzer = aa.get_analyzer(analyzerName="tf-analyzer")["analyzer"]
    assert (analyzer["arn"], analyzer["name"], analyzer["type"], analyzer["tags"]) == (
        created["arn"], "tf-analyzer", "ACCOUNT", {"env": "dev"})

    # Tags change in place, by ARN (the resource's identifierAttribute).
    aa.tag_resource(resourceArn=created["arn"], tags={"owner": "platform"})
    aa.untag_resource(resourceArn=created["arn"], tagKeys=["env"])
    assert aa.list_tags_for_resource(resourceArn=created["arn"])["tags"] == {"owner": "platform"}
    assert aa.get_analyzer(analyzerName="tf-analyzer")["analyzer"]["tags"] == {"owner": "platform"}

    rule_filter = {"isPublic": {"eq": ["false"]}, "resourceType": {"eq": ["AWS::IAM::Role"]}}
    aa.create_archive_rule(analyzerName="tf-analyzer", ruleName="tf-rule", filter=rule_filter,
                           clientToken=str(uuid.uuid4()))
    rule = aa.get_archive_rule(analyzerName="tf-analyzer", ruleName="tf-rule")["archiveRule"]
    assert (rule["ruleName"], rule["filter"]) == ("tf-rule", rule_filter)
    aa.update_archive_rule(analyzerName="tf-analyzer", ruleName="tf-rule", filter={"isPublic": {"eq": ["true"]}},
                           clientToken=str(uuid.uuid4()))
    assert aa.get_archive_rule(analyzerName="tf-analyzer", ruleName="tf-rule")["archiveRule"]["filter"] == {
        "isPublic": {"eq": ["true"]}}

    aa.delete_archive_rule(analyzerName="tf-analyzer", ruleName="tf-rule", clientToken=str(uuid.uuid4()))
    with pytest.raises(aa.exceptions.ResourceNotFoundException):
        aa.get_archive_rule(analyzerName="tf-analyzer", ruleName="tf-rule")
    aa.delete_analyzer(analyzerName="tf-analyzer", clientToken=str(uuid.uuid4()))
    with pytest.raises(aa.exceptions.ResourceNotFoundException):
        aa.get_analyzer(analyzerName="tf-analyzer")
    with pytest.raises(aa.exceptions.ResourceNotFoundException):  # Terraform's destroy treats this as done
        aa.delete_analyzer(analyzerName="tf-analyzer", clientToken=str(uuid.uuid4()))


def test_an_unused_access_analyzer_without_an_age_tracks_ninety_days(aa):
    """Terraform sends `configuration.unusedAccess` without `unusedAccessAge` when the age is not set."""
    aa.create_analyzer(analyzerName="tf-unused", type="ACCOUNT_UNUSED_ACCESS", clientToken=str(uuid.uuid4()),
                       configuration={"unusedAccess": {}})
    configuration = aa.get_analyzer(analyzerName="tf-unused")["analyzer"]["configuration"]
    assert configuration["unusedAccess"]["unusedAccessAge"] == 90
