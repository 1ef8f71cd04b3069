"""An existing and a missing entity of every kind, and plausible values for every other parameter the doors take.

The existing entities belong to the management account (123456789012); the walks also call as another account's
administrator, for whom they must be exactly as missing as the missing ones.

Parameters are matched by their normalised name (lower case, no separators: `UserName`, `user_name` and
`userName` are all `username`), so the Query API, the REST API and console forms share one table. A parameter that
names an entity but matches no kind here fails test_every_entity_parameter_has_samples: a new kind of entity
joins the walks by adding its row to KINDS and creating one in `create_existing_entities`.
"""

from __future__ import annotations

import json
import re

ACCOUNT = "123456789012"
IAM = f"arn:aws:iam::{ACCOUNT}:"
ANALYZER = f"arn:aws:access-analyzer:us-east-1:{ACCOUNT}:analyzer/"
POLICY_DOCUMENT = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]})
TRUST_DOCUMENT = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": f"{IAM}root"}, "Action": "sts:AssumeRole"}]})

# kind -> (existing, missing). The existing ones are made by create_existing_entities().
KINDS: dict[str, tuple[str, str]] = {
    "user": ("victim", "nobody-here"),
    "group": ("victims", "no-such-group"),
    "role": ("victim-role", "no-such-role"),
    "policy_arn": (f"{IAM}policy/victim-policy", f"{IAM}policy/no-such-policy"),
    "inline_policy": ("inline", "no-such-inline"),
    "policy_version": ("v1", "v5"),
    "access_key": ("", "AKIAAAAAAAAAAAAAAAAA"),  # the existing key's id is only known once it is made
    "mfa_serial": (f"{IAM}mfa/victim-device", f"{IAM}mfa/no-such-device"),
    "mfa_name": ("victim-device", "no-such-device"),
    "oidc_arn": (f"{IAM}oidc-provider/token.example.com", f"{IAM}oidc-provider/nobody.example.com"),
    "oidc_url": ("https://token.example.com", "https://nobody.example.com"),
    "saml_arn": (f"{IAM}saml-provider/VictimIdP", f"{IAM}saml-provider/NoSuchIdP"),
    "saml_name": ("VictimIdP", "NoSuchIdP"),
    "service": ("victimsvc", "nosuchsvc"),
    "alias": ("victim-alias", "no-such-alias"),
    "user_arn": (f"{IAM}user/victim", f"{IAM}user/nobody-here"),
    "role_arn": (f"{IAM}role/victim-role", f"{IAM}role/no-such-role"),
    "account": (ACCOUNT, "999999999999"),  # an account id the sign-in and Switch role forms take
    # A last-accessed report job of the root user's (its id is only known once it is made).
    "last_accessed_job": ("", "00000000-0000-4000-8000-000000000000"),
    # IAM Access Analyzer's analyzers and archive rules (arn:aws:access-analyzer:<region>:<account>:analyzer/<name>).
    "analyzer": ("victim-analyzer", "no-such-analyzer"),
    "analyzer_arn": (f"{ANALYZER}victim-analyzer", f"{ANALYZER}no-such-analyzer"),
    "archive_rule": ("victim-rule", "no-such-rule"),
}
# Names unique across the whole directory, not per account (AWS's account aliases are; so are the prefixes of
# registered services): creating one that any account holds is refused, which is all another account learns.
GLOBALLY_UNIQUE = ("alias", "service")

# Normalised parameter name -> kind of entity it names.
ENTITY_PARAMETERS: dict[str, str] = {
    "username": "user", "groupname": "group", "rolename": "role", "policyarn": "policy_arn",
    "policyname": "inline_policy", "versionid": "policy_version", "accesskeyid": "access_key", "serialnumber": "mfa_serial",
    "virtualmfadevicename": "mfa_name", "openidconnectproviderarn": "oidc_arn", "url": "oidc_url",
    "samlproviderarn": "saml_arn", "name": "saml_name", "serviceprefix": "service", "accountalias": "alias",
    "policysourcearn": "user_arn", "rolearn": "role_arn", "permissionsboundary": "policy_arn",
    "principalarn": "saml_arn", "arn": "user_arn", "account": "account", "jobid": "last_accessed_job",
    "analyzername": "analyzer", "analyzerarn": "analyzer_arn", "resourcearn": "analyzer_arn",
    "rulename": "archive_rule",
}

# Normalised parameter name -> a value that passes the doors' own parsing.
PLAUSIBLE: dict[str, str] = {
    "path": "/", "pathprefix": "/", "newpath": "/", "newusername": "renamed", "newgroupname": "renamed",
    "policydocument": POLICY_DOCUMENT, "assumerolepolicydocument": TRUST_DOCUMENT, "policy": POLICY_DOCUMENT,
    "resourcepolicy": POLICY_DOCUMENT, "password": "Str0ng-Passw0rd-1!", "newpassword": "Str0ng-Passw0rd-2!",
    "oldpassword": "Str0ng-Passw0rd-0!", "status": "Inactive", "description": "walked",
    "maxitems": "10", "durationseconds": "3600", "maxsessionduration": "3600",
    "rolesessionname": "walk", "authenticationcode1": "123456", "authenticationcode2": "654321",
    "tokencode": "123456", "clientid": "sts.amazonaws.com", "thumbprintlist": "a" * 40,
    "tagkeys": "team", "key": "team", "value": "walked", "actionnames": "iam:GetUser",
    "servicenamespaces": "iam", "entityfilter": "User", "scope": "All", "onlyattached": "false",
    "policyinputlist": POLICY_DOCUMENT, "webidentitytoken": "x" * 20, "samlassertion": "x" * 20,
    "samlmetadatadocument": "<md:EntityDescriptor/>" + " " * 1000, "minimumpasswordlength": "12",
    "resourcearns": "*", "callerarn": f"{IAM}user/victim",
    "assignmentstatus": "Any", "policyusagefilter": "PermissionsPolicy", "setasdefault": "false",
    "allusers": "false", "confirmname": "victim", "externalid": "walk-external-id", "reportid": "1",
    "eventid": "1", "pk": "1",
}

_SEPARATORS = re.compile(r"[_\-. ]")


def normalise(name: str) -> str:
    return _SEPARATORS.sub("", name).lower()


def kind_of(name: str) -> str | None:
    return ENTITY_PARAMETERS.get(normalise(name))


def sample(name: str, samples: dict[str, str]) -> str | None:
    """The value of parameter `name` for `samples` (existing or missing entities), else a plausible one."""
    kind = kind_of(name)
    if kind is not None:
        return samples[kind]
    return PLAUSIBLE.get(normalise(name))


def create_existing_entities(root_caller, make_user) -> dict[str, str]:
    """One entity of every kind, each owned by or attached to the user `victim`; returns the existing samples."""
    from analyzers.services import analyzers
    from directory.mfa import services as mfa
    from directory.services import account_aliases, groups, inline, role_policies, roles
    from evidence import last_accessed
    from policies.services import catalogue, managed
    from sts.federation import oidc_providers, saml_providers
    from tests.federation.saml_idp import LocalSAMLIdP

    victim = make_user("victim", password="Victim-Passw0rd!", access_key=True)
    groups.create_group(caller=root_caller, group_name="victims")
    groups.add_user_to_group(caller=root_caller, group_name="victims", user_name="victim")
    roles.create_role(caller=root_caller, role_name="victim-role", assume_role_policy_document=TRUST_DOCUMENT)
    managed.create_policy(caller=root_caller, policy_name="victim-policy", policy_document=POLICY_DOCUMENT)
    inline.put_user_policy(caller=root_caller, user_name="victim", policy_name="inline",
                           policy_document=POLICY_DOCUMENT)
    inline.put_group_policy(caller=root_caller, group_name="victims", policy_name="inline",
                            policy_document=POLICY_DOCUMENT)
    role_policies.put_role_policy(caller=root_caller, role_name="victim-role", policy_name="inline",
                                  policy_document=POLICY_DOCUMENT)
    mfa.create_virtual_mfa_device(caller=root_caller, virtual_mfa_device_name="victim-device",
                                  user_name="victim")
    oidc_providers.create_open_id_connect_provider(caller=root_caller, url="https://token.example.com",
                                                   client_id_list=["sts.amazonaws.com"])
    saml_providers.create_saml_provider(caller=root_caller, name="VictimIdP",
                                        saml_metadata_document=LocalSAMLIdP().metadata())
    catalogue.put_service_definition(caller=root_caller, service_prefix="victimsvc", name="Victim service",
                                     actions=[{"name": "GetThing", "access_level": "Read"}])
    account_aliases.create_account_alias(caller=root_caller, account_alias="victim-alias")
    analyzers.create_analyzer(caller=root_caller, analyzer_name="victim-analyzer", type="ACCOUNT_UNUSED_ACCESS",
                              archive_rules=[{"ruleName": "victim-rule", "filter": {"status": {"eq": ["ACTIVE"]}}}])
    existing = {kind: values[0] for kind, values in KINDS.items()}
    existing["access_key"] = victim.test_access_key[0]
    existing["last_accessed_job"] = str(last_accessed.generate_service_last_accessed_details(
        caller=root_caller, arn=victim.arn).job_id)
    return existing


def missing_entities() -> dict[str, str]:
    return {kind: values[1] for kind, values in KINDS.items()}
