"""IAM Query API: managed policies and their versions, policy tags, ListEntitiesForPolicy, GetContextKeys*."""

from __future__ import annotations

from directory.services import attachments, simulation
from iam_console.query import iam_output as out
from iam_console.query.registry import operation
from policies.models import ManagedPolicy, PolicyVersion
from policies.services import managed, policy_tags


def _policy(policy: ManagedPolicy, *, tags: list | None = None, detailed: bool = True, created: bool = False) -> dict:
    """botocore's Policy shape; `detailed` adds what GetPolicy shows and ListPolicies leaves out. As AWS answers,
    CreatePolicy (`created`) shows no Description and Tags only when given; GetPolicy always shows Tags."""
    body = {"PolicyName": policy.policy_name, "PolicyId": policy.policy_id, "Arn": policy.arn, "Path": policy.path,
            "DefaultVersionId": policy.default_version_id, "IsAttachable": True,
            "CreateDate": policy.create_date, "UpdateDate": policy.update_date}
    # Counted by the service, within the caller's account (an AWS-managed policy is shared by every account).
    body["AttachmentCount"] = policy.attachment_count
    body["PermissionsBoundaryUsageCount"] = policy.boundary_count
    if detailed:
        if policy.description and not created:
            body["Description"] = policy.description
        if tags or not created:
            body["Tags"] = out.tags_out(tags or [])
    return body


def _version(version: PolicyVersion, *, with_document: bool) -> dict:
    body = {"VersionId": version.version_id, "IsDefaultVersion": version.is_default_version,
            "CreateDate": version.create_date}
    if with_document:
        body["Document"] = out.policy_document(version.document)
    return body


def _version_key(version: PolicyVersion) -> str:
    # Newest first, as IAM lists them; zero-padded so the text order is the numeric order.
    return f"{10**8 - int(version.version_id[1:]):09d}"


@operation("iam", "CreatePolicy")
def create_policy(caller, params: dict) -> dict:
    # Defaults and optional arguments as the REST API passes them: one operation, one audit record.
    tags = {"tags": out.tags_in(params)} if params.get("Tags") else {}
    policy = managed.create_policy(caller=caller, policy_name=params["PolicyName"],
                                   policy_document=params["PolicyDocument"], path=params.get("Path", "/"),
                                   description=params.get("Description", ""), **tags)
    return {"Policy": _policy(policy, tags=list(policy.tags.all()), created=True)}


@operation("iam", "GetPolicy")
def get_policy(caller, params: dict) -> dict:
    policy = managed.get_policy(caller=caller, policy_arn=params["PolicyArn"])
    return {"Policy": _policy(policy, tags=list(policy.tags.all()))}


@operation("iam", "ListPolicies")
def list_policies(caller, params: dict) -> dict:
    result = managed.list_policies(caller=caller, scope=params.get("Scope", "All"),
                                   only_attached=params.get("OnlyAttached", False),
                                   path_prefix=params.get("PathPrefix", "/"),
                                   usage_filter=params.get("PolicyUsageFilter"),
                                   marker=params.get("Marker"), max_items=params.get("MaxItems"))
    return out.page_out(result, "Policies", lambda policy: _policy(policy, detailed=False))


@operation("iam", "DeletePolicy")
def delete_policy(caller, params: dict) -> dict:
    managed.delete_policy(caller=caller, policy_arn=params["PolicyArn"])
    return {}


@operation("iam", "CreatePolicyVersion")
def create_policy_version(caller, params: dict) -> dict:
    version = managed.create_policy_version(caller=caller, policy_arn=params["PolicyArn"],
                                            policy_document=params["PolicyDocument"],
                                            set_as_default=params.get("SetAsDefault", False))
    return {"PolicyVersion": _version(version, with_document=False)}


@operation("iam", "GetPolicyVersion")
def get_policy_version(caller, params: dict) -> dict:
    version = managed.get_policy_version(caller=caller, policy_arn=params["PolicyArn"],
                                         version_id=params["VersionId"])
    return {"PolicyVersion": _version(version, with_document=True)}


@operation("iam", "ListPolicyVersions")
def list_policy_versions(caller, params: dict) -> dict:
    versions = managed.list_policy_versions(caller=caller, policy_arn=params["PolicyArn"])
    return out.shaped(out.page(versions, params, _version_key, "Versions"), "Versions",
                      lambda version: _version(version, with_document=False))


@operation("iam", "SetDefaultPolicyVersion")
def set_default_policy_version(caller, params: dict) -> dict:
    managed.set_default_policy_version(caller=caller, policy_arn=params["PolicyArn"], version_id=params["VersionId"])
    return {}


@operation("iam", "DeletePolicyVersion")
def delete_policy_version(caller, params: dict) -> dict:
    managed.delete_policy_version(caller=caller, policy_arn=params["PolicyArn"], version_id=params["VersionId"])
    return {}


@operation("iam", "TagPolicy")
def tag_policy(caller, params: dict) -> dict:
    policy_tags.tag_policy(caller=caller, policy_arn=params["PolicyArn"], tags=out.tags_in(params))
    return {}


@operation("iam", "UntagPolicy")
def untag_policy(caller, params: dict) -> dict:
    policy_tags.untag_policy(caller=caller, policy_arn=params["PolicyArn"], tag_keys=params["TagKeys"])
    return {}


@operation("iam", "ListPolicyTags")
def list_policy_tags(caller, params: dict) -> dict:
    tags = policy_tags.list_policy_tags(caller=caller, policy_arn=params["PolicyArn"])
    return out.shaped(out.page(tags, params, lambda tag: tag.key_lower, "Tags"), "Tags",
                      lambda tag: {"Key": tag.key, "Value": tag.value})


_ENTITY_LISTS = (("PolicyUsers", "UserName", "UserId", "user_name", "user_id"),
                 ("PolicyGroups", "GroupName", "GroupId", "group_name", "group_id"),
                 ("PolicyRoles", "RoleName", "RoleId", "role_name", "role_id"))


@operation("iam", "ListEntitiesForPolicy")
def list_entities_for_policy(caller, params: dict) -> dict:
    found = attachments.list_entities_for_policy(
        caller=caller, policy_arn=params["PolicyArn"], entity_filter=params.get("EntityFilter"),
        path_prefix=params.get("PathPrefix", "/"), usage_filter=params.get("PolicyUsageFilter"))
    # One list of (kind, entity) pages through all three kinds; an entity both attached and bounded is one entry.
    entries = {}
    for kind, entities in (("PolicyUsers", [*found.users, *found.boundary_users]), ("PolicyGroups", found.groups),
                           ("PolicyRoles", [*found.roles, *found.boundary_roles])):
        for entity in entities:
            entries[(kind, entity.pk)] = (kind, entity)
    body = out.page(list(entries.values()), params, lambda entry: f"{entry[0]}\x00{_name(entry[1]).lower()}",
                    "Entries")
    for name, name_key, id_key, name_attr, id_attr in _ENTITY_LISTS:
        body[name] = [{name_key: getattr(entity, name_attr), id_key: getattr(entity, id_attr)}
                      for kind, entity in body["Entries"] if kind == name]
    del body["Entries"]
    return body


def _name(entity) -> str:
    return getattr(entity, "user_name", None) or getattr(entity, "group_name", None) or entity.role_name


@operation("iam", "GetContextKeysForCustomPolicy")
def get_context_keys_for_custom_policy(caller, params: dict) -> dict:
    keys = simulation.get_context_keys_for_custom_policy(caller=caller, policy_input_list=params["PolicyInputList"])
    return {"ContextKeyNames": keys}


@operation("iam", "GetContextKeysForPrincipalPolicy")
def get_context_keys_for_principal_policy(caller, params: dict) -> dict:
    keys = simulation.get_context_keys_for_principal_policy(caller=caller,
                                                            policy_source_arn=params["PolicySourceArn"],
                                                            policy_input_list=params.get("PolicyInputList"))
    return {"ContextKeyNames": keys}
