"""Catalogue of every iam and sts action with its access level and resource types."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

LIST = "List"
READ = "Read"
WRITE = "Write"
PERMISSIONS_MANAGEMENT = "Permissions management"
TAGGING = "Tagging"
UNKNOWN = "Unknown"
ACCESS_LEVELS = (LIST, READ, WRITE, PERMISSIONS_MANAGEMENT, TAGGING)

_LEVEL_CODES = {"L": LIST, "R": READ, "W": WRITE, "P": PERMISSIONS_MANAGEMENT, "T": TAGGING}


@dataclass(frozen=True, slots=True)
class ResourceType:
    """How a resource type's ARN looks: arn:<partition>:<service>::<account>:<prefix>..."""

    name: str
    arn_service: str
    resource_prefix: str  # "user/" matches user/path/name; "root" matches exactly root


@dataclass(frozen=True, slots=True)
class ActionInfo:
    service: str
    name: str  # canonical case, e.g. "CreateUser"
    access_level: str
    resource_types: tuple[str, ...]  # empty: the action supports only "Resource": "*"
    implemented: bool = True  # False for AWS actions this product does not serve

    @property
    def full_name(self) -> str:
        return f"{self.service}:{self.name}"


RESOURCE_TYPES: dict[str, ResourceType] = {
    rt.name: rt
    for rt in (
        ResourceType("user", "iam", "user/"),
        ResourceType("group", "iam", "group/"),
        ResourceType("role", "iam", "role/"),
        ResourceType("policy", "iam", "policy/"),
        ResourceType("mfa", "iam", "mfa/"),
        ResourceType("sms-mfa", "iam", "sms-mfa/"),
        ResourceType("instance-profile", "iam", "instance-profile/"),
        ResourceType("oidc-provider", "iam", "oidc-provider/"),
        ResourceType("saml-provider", "iam", "saml-provider/"),
        ResourceType("server-certificate", "iam", "server-certificate/"),
        ResourceType("access-report", "iam", "access-report/"),
        ResourceType("delegation-request", "iam", "delegation-request/"),
        ResourceType("root", "iam", "root"),
        # The directory's own: a service registered in its catalogue (arn:aws:iam::<account>:service/<prefix>).
        ResourceType("service", "iam", "service/"),
        ResourceType("assumed-role", "sts", "assumed-role/"),
        ResourceType("federated-user", "sts", "federated-user/"),
        # The identity store's (workforce users and groups apart from IAM's): its ARNs name no account but the
        # store's own.
        ResourceType("identitystore:Identitystore", "identitystore", "identitystore/"),
        ResourceType("identitystore:User", "identitystore", "user/"),
        ResourceType("identitystore:Group", "identitystore", "group/"),
        ResourceType("identitystore:GroupMembership", "identitystore", "membership/"),
        # IAM Access Analyzer's (arn:aws:access-analyzer:<region>:<account>:analyzer/<name>[/archive-rule/<rule>]).
        ResourceType("access-analyzer:Analyzer", "access-analyzer", "analyzer/"),
        ResourceType("access-analyzer:ArchiveRule", "access-analyzer", "analyzer/"),
    )
}

# Service Authorization Reference, "Actions defined by AWS Identity and Access Management"
# and "... by AWS Security Token Service". Columns: action, access level code
# (L/R/W/P/T), comma-separated resource types ("-" = none, i.e. "Resource": "*").
_IAM_TABLE = """
AcceptDelegationRequest W delegation-request
AddClientIDToOpenIDConnectProvider W oidc-provider
AddRoleToInstanceProfile W instance-profile
AddUserToGroup W group
AssociateDelegationRequest W delegation-request
AttachGroupPolicy P group
AttachRolePolicy P role
AttachUserPolicy P user
ChangePassword W user
CreateAccessKey W user
CreateAccountAlias W -
CreateDelegationRequest W -
CreateGroup W group
CreateInstanceProfile W instance-profile
CreateLoginProfile W user
CreateOpenIDConnectProvider W oidc-provider
CreatePolicy P policy
CreatePolicyVersion P policy
CreateRole W role
CreateSAMLProvider W saml-provider
CreateServiceLinkedRole W role
CreateServiceSpecificCredential W user
CreateUser W user
CreateVirtualMFADevice W mfa
DeactivateMFADevice W user
DeleteAccessKey W user
DeleteAccountAlias W -
DeleteAccountPasswordPolicy P -
DeleteCloudFrontPublicKey W -
DeleteGroup W group
DeleteGroupPolicy P group
DeleteInstanceProfile W instance-profile
DeleteLoginProfile W user
DeleteOpenIDConnectProvider W oidc-provider
DeletePolicy P policy
DeletePolicyVersion P policy
DeleteRole W role
DeleteRolePermissionsBoundary P role
DeleteRolePolicy P role
DeleteSAMLProvider W saml-provider
DeleteSSHPublicKey W user
DeleteServerCertificate W server-certificate
DeleteServiceLinkedRole W role
DeleteServiceSpecificCredential W user
DeleteSigningCertificate W user
DeleteUser W user
DeleteUserPermissionsBoundary P user
DeleteUserPolicy P user
DeleteVirtualMFADevice W mfa
DetachGroupPolicy P group
DetachRolePolicy P role
DetachUserPolicy P user
DisableOrganizationsRootCredentialsManagement W -
DisableOrganizationsRootSessions W -
DisableOutboundWebIdentityFederation W -
EnableMFADevice W user
EnableOrganizationsRootCredentialsManagement W -
EnableOrganizationsRootSessions W -
EnableOutboundWebIdentityFederation W -
FinalizeSmsMfaRegistration W sms-mfa
GenerateCredentialReport R -
GenerateOrganizationsAccessReport R access-report
GenerateServiceLastAccessedDetails R group,policy,role,user
GetAccessKeyLastUsed R user
GetAccountAuthorizationDetails R -
GetAccountEmailAddress R -
GetAccountName R -
GetAccountPasswordPolicy R -
GetAccountSummary L -
GetCloudFrontPublicKey R -
GetContextKeysForCustomPolicy R -
GetContextKeysForPrincipalPolicy R group,role,user
GetCredentialReport R -
GetDelegationRequest R delegation-request
GetGroup R group
GetGroupPolicy R group
GetInstanceProfile R instance-profile
GetLoginProfile R user
GetMFADevice R user
GetOpenIDConnectProvider R oidc-provider
GetOrganizationsAccessReport R -
GetOutboundWebIdentityFederationInfo R -
GetPolicy R policy
GetPolicyVersion R policy
GetRole R role
GetRolePolicy R role
GetSAMLProvider R saml-provider
GetSSHPublicKey R user
GetServerCertificate R server-certificate
GetServiceLastAccessedDetails R -
GetServiceLastAccessedDetailsWithEntities R -
GetServiceLinkedRoleDeletionStatus R role
GetUser R user
GetUserPolicy R user
ListAccessKeys L user
ListAccountAliases L -
ListAttachedGroupPolicies L group
ListAttachedRolePolicies L role
ListAttachedUserPolicies L user
ListCloudFrontPublicKeys L -
ListDelegationRequests L -
ListEntitiesForPolicy L policy
ListGroupPolicies L group
ListGroups L -
ListGroupsForUser L user
ListInstanceProfileTags L instance-profile
ListInstanceProfiles L -
ListInstanceProfilesForRole L role
ListMFADeviceTags L mfa
ListMFADevices L user
ListOpenIDConnectProviderTags L oidc-provider
ListOpenIDConnectProviders L -
ListOrganizationsFeatures L -
ListPolicies L -
ListPoliciesGrantingServiceAccess L group,role,user
ListPolicyTags L policy
ListPolicyVersions L policy
ListRolePolicies L role
ListRoleTags L role
ListRoles L -
ListSAMLProviderTags L saml-provider
ListSAMLProviders L -
ListSSHPublicKeys L user
ListSTSRegionalEndpointsStatus L -
ListServerCertificateTags L server-certificate
ListServerCertificates L -
ListServiceSpecificCredentials L user
ListSigningCertificates L user
ListUserPolicies L user
ListUserTags L user
ListUsers L -
ListVirtualMFADevices L -
PassRole W role
PutGroupPolicy P group
PutRolePermissionsBoundary P role
PutRolePolicy P role
PutUserPermissionsBoundary P user
PutUserPolicy P user
RejectDelegationRequest W delegation-request
RemoveClientIDFromOpenIDConnectProvider W oidc-provider
RemoveRoleFromInstanceProfile W instance-profile
RemoveUserFromGroup W group
RequestSmsMfaRegistration R -
ResetServiceSpecificCredential W user
ResyncMFADevice W user
SendDelegationToken W delegation-request
SetDefaultPolicyVersion P policy
SetSTSRegionalEndpointStatus W -
SetSecurityTokenServicePreferences W -
SimulateCustomPolicy R -
SimulatePrincipalPolicy R group,role,user
TagInstanceProfile T instance-profile
TagMFADevice T mfa
TagOpenIDConnectProvider T oidc-provider
TagPolicy T policy
TagRole T role
TagSAMLProvider T saml-provider
TagServerCertificate T server-certificate
TagUser T user
UntagInstanceProfile T instance-profile
UntagMFADevice T mfa
UntagOpenIDConnectProvider T oidc-provider
UntagPolicy T policy
UntagRole T role
UntagSAMLProvider T saml-provider
UntagServerCertificate T server-certificate
UntagUser T user
UpdateAccessKey W user
UpdateAccountEmailAddress W -
UpdateAccountName W -
UpdateAccountPasswordPolicy P -
UpdateAssumeRolePolicy P role
UpdateCloudFrontPublicKey W -
UpdateDelegationRequest W delegation-request
UpdateGroup W group
UpdateLoginProfile W user
UpdateOpenIDConnectProviderThumbprint W oidc-provider
UpdateRole W role
UpdateRoleDescription W role
UpdateSAMLProvider W saml-provider
UpdateSSHPublicKey W user
UpdateServerCertificate W server-certificate
UpdateServiceSpecificCredential W user
UpdateSigningCertificate W user
UpdateUser W user
UploadCloudFrontPublicKey W -
UploadSSHPublicKey W user
UploadServerCertificate W server-certificate
UploadSigningCertificate W user
"""

# This product's extensions: revoke every session issued for a role before now, or issued to a user; an account's
# policy ceilings (the highest grant a policy written under a path may make).
_IAM_EXTENSIONS = """
RevokeRoleSessions W role
RevokeUserSessions W user
AuthorizeRequest R service
PutServiceDefinition W service
GetServiceDefinition R service
ListServiceDefinitions L -
DeleteServiceDefinition W service
SetConsoleSignInProvider W oidc-provider,saml-provider
RemoveConsoleSignInProvider W oidc-provider,saml-provider
PutPolicyCeiling P -
DeletePolicyCeiling P -
ListPolicyCeilings L -
"""

_STS_TABLE = """
AssumeRole W role
AssumeRoleWithSAML W role
AssumeRoleWithWebIdentity W role
AssumeRoot W root
DecodeAuthorizationMessage W -
GetAccessKeyInfo R -
GetCallerIdentity R -
GetFederationToken R user
GetServiceBearerToken R -
GetSessionToken R -
GetWebIdentityToken R -
SetContext W role
SetSourceIdentity W role,user
TagSession T role,user
"""

# "Actions defined by AWS Identity Store" and the bearer-token actions of "AWS IAM Identity Center directory"
# (sso-directory), which issue and revoke SCIM tokens.
_IDENTITYSTORE_TABLE = """
CreateGroup W identitystore:Identitystore
CreateGroupMembership W identitystore:Identitystore,identitystore:Group,identitystore:User
CreateUser W identitystore:Identitystore
DeleteGroup W identitystore:Identitystore,identitystore:Group
DeleteGroupMembership W identitystore:Identitystore,identitystore:GroupMembership
DeleteUser W identitystore:Identitystore,identitystore:User
DescribeGroup R identitystore:Identitystore,identitystore:Group
DescribeGroupMembership R identitystore:Identitystore,identitystore:GroupMembership
DescribeIdentityStore R identitystore:Identitystore
DescribeUser R identitystore:Identitystore,identitystore:User
GetGroupId R identitystore:Identitystore,identitystore:Group
GetGroupMembershipId R identitystore:Identitystore,identitystore:GroupMembership
GetUserId R identitystore:Identitystore,identitystore:User
IsMemberInGroups R identitystore:Identitystore,identitystore:Group,identitystore:User
ListGroupMemberships L identitystore:Identitystore,identitystore:Group
ListGroupMembershipsForMember L identitystore:Identitystore,identitystore:User
ListGroups L identitystore:Identitystore
ListIdentityStores L -
ListUsers L identitystore:Identitystore
UpdateGroup W identitystore:Identitystore,identitystore:Group
UpdateUser W identitystore:Identitystore,identitystore:User
"""
_SSO_DIRECTORY_TABLE = """
CreateBearerToken W -
DeleteBearerToken W -
DescribeBearerTokens R -
"""

# "Actions defined by AWS Organizations" and "by AWS IAM Identity Center" (sso) that this directory serves: the
# organization's operations and sso-admin's. Their resources are not typed here, so any resource is accepted.
_ORGANIZATIONS_TABLE = """
AcceptHandshake W -
AttachPolicy W -
CancelHandshake W -
CloseAccount W -
CreateAccount W -
CreateGovCloudAccount W -
CreateOrganization W -
CreateOrganizationalUnit W -
CreatePolicy W -
DeclineHandshake W -
DeleteOrganization W -
DeleteOrganizationalUnit W -
DeletePolicy W -
DeleteResourcePolicy W -
DeregisterDelegatedAdministrator W -
DescribeAccount R -
DescribeCreateAccountStatus R -
DescribeEffectivePolicy R -
DescribeHandshake R -
DescribeOrganization R -
DescribeOrganizationalUnit R -
DescribePolicy R -
DescribeResourcePolicy R -
DetachPolicy W -
DisableAWSServiceAccess W -
DisablePolicyType W -
EnableAllFeatures W -
EnableAWSServiceAccess W -
EnablePolicyType W -
InviteAccountToOrganization W -
LeaveOrganization W -
ListAccounts L -
ListAccountsForParent L -
ListAWSServiceAccessForOrganization L -
ListChildren L -
ListCreateAccountStatus L -
ListDelegatedAdministrators L -
ListDelegatedServicesForAccount L -
ListHandshakesForAccount L -
ListHandshakesForOrganization L -
ListOrganizationalUnitsForParent L -
ListParents L -
ListPolicies L -
ListPoliciesForTarget L -
ListRoots L -
ListTagsForResource L -
ListTargetsForPolicy L -
MoveAccount W -
PutResourcePolicy W -
RegisterDelegatedAdministrator W -
RemoveAccountFromOrganization W -
TagResource T -
UntagResource T -
UpdateOrganizationalUnit W -
UpdatePolicy W -
"""
_SSO_TABLE = """
AttachCustomerManagedPolicyReferenceToPermissionSet W -
AttachManagedPolicyToPermissionSet W -
CreateAccountAssignment W -
CreateInstanceAccessControlAttributeConfiguration W -
CreatePermissionSet W -
DeleteAccountAssignment W -
DeleteInlinePolicyFromPermissionSet W -
DeleteInstanceAccessControlAttributeConfiguration W -
DeletePermissionSet W -
DeletePermissionsBoundaryFromPermissionSet W -
DescribeAccountAssignmentCreationStatus R -
DescribeAccountAssignmentDeletionStatus R -
DescribeInstance R -
DescribeInstanceAccessControlAttributeConfiguration R -
DescribePermissionSet R -
DescribePermissionSetProvisioningStatus R -
DescribeRegion R -
DetachCustomerManagedPolicyReferenceFromPermissionSet W -
DetachManagedPolicyFromPermissionSet W -
GetInlinePolicyForPermissionSet R -
GetPermissionsBoundaryForPermissionSet R -
ListAccountAssignmentCreationStatus L -
ListAccountAssignmentDeletionStatus L -
ListAccountAssignments L -
ListAccountAssignmentsForPrincipal L -
ListAccountsForProvisionedPermissionSet L -
ListCustomerManagedPolicyReferencesInPermissionSet L -
ListInstances L -
ListManagedPoliciesInPermissionSet L -
ListPermissionSetProvisioningStatus L -
ListPermissionSets L -
ListPermissionSetsProvisionedToAccount L -
ListRegions L -
ListTagsForResource L -
ProvisionPermissionSet W -
PutInlinePolicyToPermissionSet W -
PutPermissionsBoundaryToPermissionSet W -
TagResource T -
UntagResource T -
UpdateInstance W -
UpdateInstanceAccessControlAttributeConfiguration W -
UpdatePermissionSet W -
"""

# Service Authorization Reference, "Actions defined by AWS IAM Access Analyzer".
_ACCESS_ANALYZER_TABLE = """
ApplyArchiveRule W access-analyzer:Analyzer
CancelPolicyGeneration W -
CheckAccessNotGranted R -
CheckNoNewAccess R -
CheckNoPublicAccess R -
CreateAccessPreview W access-analyzer:Analyzer
CreateAnalyzer W access-analyzer:Analyzer
CreateArchiveRule W access-analyzer:ArchiveRule
CreateServiceLinkedAnalyzer W access-analyzer:Analyzer
DeleteAnalyzer W access-analyzer:Analyzer
DeleteArchiveRule W access-analyzer:ArchiveRule
DeleteServiceLinkedAnalyzer W access-analyzer:Analyzer
GenerateFindingRecommendation W access-analyzer:Analyzer
GetAccessPreview R access-analyzer:Analyzer
GetAnalyzedResource R access-analyzer:Analyzer
GetAnalyzer R access-analyzer:Analyzer
GetArchiveRule R access-analyzer:ArchiveRule
GetFinding R access-analyzer:Analyzer
GetFindingRecommendation R access-analyzer:Analyzer
GetFindingV2 R access-analyzer:Analyzer
GetFindingsStatistics R access-analyzer:Analyzer
GetGeneratedPolicy R -
ListAccessPreviewFindings R access-analyzer:Analyzer
ListAccessPreviews L access-analyzer:Analyzer
ListAnalyzedResources L access-analyzer:Analyzer
ListAnalyzers L -
ListArchiveRules L access-analyzer:Analyzer
ListFindings L access-analyzer:Analyzer
ListFindingsV2 L access-analyzer:Analyzer
ListPolicyGenerations R -
ListTagsForResource R access-analyzer:Analyzer,access-analyzer:ArchiveRule
StartPolicyGeneration W -
StartResourceScan W access-analyzer:Analyzer
TagResource T access-analyzer:Analyzer,access-analyzer:ArchiveRule
UntagResource T access-analyzer:Analyzer,access-analyzer:ArchiveRule
UpdateAnalyzer W access-analyzer:Analyzer
UpdateArchiveRule W access-analyzer:ArchiveRule
UpdateFindings W access-analyzer:Analyzer
ValidatePolicy R -
"""

# Actions this directory serves. Everything else in the tables is AWS's and is still
# valid in a policy (AWS accepts it), but requests for it never reach the evaluator.
_NOT_IMPLEMENTED = frozenset(
    {
        # Organizations' handshakes and GovCloud accounts.
        "organizations:accepthandshake",
        "organizations:cancelhandshake",
        "organizations:creategovcloudaccount",
        "organizations:declinehandshake",
        "organizations:describehandshake",
        "organizations:inviteaccounttoorganization",
        "organizations:listhandshakesforaccount",
        "organizations:listhandshakesfororganization",
        # Recommendations, analyzed resources and service-linked analyzers.
        "access-analyzer:createservicelinkedanalyzer",
        "access-analyzer:deleteservicelinkedanalyzer",
        "access-analyzer:generatefindingrecommendation",
        "access-analyzer:getfindingrecommendation",
        "access-analyzer:getanalyzedresource",
        "access-analyzer:listanalyzedresources",
        "iam:uploadsshpublickey",
        "iam:deletesshpublickey",
        "iam:getsshpublickey",
        "iam:listsshpublickeys",
        "iam:updatesshpublickey",
        "iam:deletecloudfrontpublickey",
        "iam:getcloudfrontpublickey",
        "iam:listcloudfrontpublickeys",
        "iam:updatecloudfrontpublickey",
        "iam:uploadcloudfrontpublickey",
        "iam:finalizesmsmfaregistration",
        "iam:requestsmsmfaregistration",
        "iam:generateorganizationsaccessreport",
        "iam:getorganizationsaccessreport",
        "iam:disableorganizationsrootcredentialsmanagement",
        "iam:disableorganizationsrootsessions",
        "iam:enableorganizationsrootcredentialsmanagement",
        "iam:enableorganizationsrootsessions",
        "iam:listorganizationsfeatures",
        "iam:acceptdelegationrequest",
        "iam:associatedelegationrequest",
        "iam:createdelegationrequest",
        "iam:getdelegationrequest",
        "iam:listdelegationrequests",
        "iam:rejectdelegationrequest",
        "iam:senddelegationtoken",
        "iam:updatedelegationrequest",
        "sts:assumeroot",
        "sts:getservicebearertoken",
        "sts:setcontext",
        "sts:getwebidentitytoken",
    }
)


def _load(service: str, table: str) -> dict[str, ActionInfo]:
    actions: dict[str, ActionInfo] = {}
    for row in table.split("\n"):
        if not row.strip():
            continue
        name, level, types = row.split()
        full = f"{service}:{name}".lower()
        actions[name.lower()] = ActionInfo(
            service,
            name,
            _LEVEL_CODES[level],
            () if types == "-" else tuple(types.split(",")),
            implemented=full not in _NOT_IMPLEMENTED,
        )
    return actions


# service prefix -> lower-case action name -> info
CATALOGUE: dict[str, dict[str, ActionInfo]] = {
    "iam": _load("iam", _IAM_TABLE + _IAM_EXTENSIONS),
    "sts": _load("sts", _STS_TABLE),
    "identitystore": _load("identitystore", _IDENTITYSTORE_TABLE),
    "sso-directory": _load("sso-directory", _SSO_DIRECTORY_TABLE),
    "organizations": _load("organizations", _ORGANIZATIONS_TABLE),
    "sso": _load("sso", _SSO_TABLE),
    "access-analyzer": _load("access-analyzer", _ACCESS_ANALYZER_TABLE),
}
BUILTIN_SERVICES = frozenset(CATALOGUE)
# Mutated in place by register_service(): modules that imported the name see registered services too.
KNOWN_SERVICES: set[str] = set(CATALOGUE)
# Condition keys of registered services (lower-case name -> canonical name), for the validator and editor.
SERVICE_CONDITION_KEYS: dict[str, str] = {}

# Actions a role trust policy may contain (IAM User Guide: "Role trust policy").
TRUST_POLICY_ACTIONS = frozenset(
    {
        "sts:assumerole",
        "sts:assumerolewithsaml",
        "sts:assumerolewithwebidentity",
        "sts:tagsession",
        "sts:setsourceidentity",
        "sts:setcontext",
    }
)

ACTION_FORMAT = re.compile(r"^[A-Za-z0-9_.*?-]+:[A-Za-z0-9*?]+$")


def _resource_prefix(arn_format: str) -> str:
    """The fixed start of an ARN format's resource part: "document/" for "arn:${Partition}:docs:::document/${Id}"."""
    resource = arn_format.split(":", 5)[5] if arn_format.count(":") >= 5 else arn_format
    return resource.split("${", 1)[0]


def register_service(prefix: str, *, actions: Iterable[tuple[str, str, Iterable[str]]],
                     resource_types: Iterable[tuple[str, str]] = (), condition_keys: Iterable[str] = ()) -> None:
    """Teach the catalogue another service's actions, as AWS's Service Authorization Reference lists them.

    `actions` are (name, access level, resource type names); `resource_types` are (name, ARN format). A service
    registered again replaces its earlier definition. The built-in iam and sts services cannot be replaced.
    """
    service = prefix.lower()
    if service in BUILTIN_SERVICES:
        raise ValueError(f"{prefix} is a built-in service and cannot be registered")
    unregister_service(service)
    for name, arn_format in resource_types:
        RESOURCE_TYPES[f"{service}:{name}"] = ResourceType(f"{service}:{name}", service, _resource_prefix(arn_format))
    CATALOGUE[service] = {
        name.lower(): ActionInfo(prefix, name, level, tuple(f"{service}:{rt}" for rt in types))
        for name, level, types in actions
    }
    for key in condition_keys:
        SERVICE_CONDITION_KEYS[key.lower()] = key
    KNOWN_SERVICES.add(service)
    expand.cache_clear()


def unregister_service(prefix: str) -> None:
    service = prefix.lower()
    if service in BUILTIN_SERVICES:
        return
    CATALOGUE.pop(service, None)
    KNOWN_SERVICES.discard(service)
    for name in [name for name in RESOURCE_TYPES if name.startswith(f"{service}:")]:
        del RESOURCE_TYPES[name]
    for key in [key for key in SERVICE_CONDITION_KEYS if key.startswith(f"{service}:")]:
        del SERVICE_CONDITION_KEYS[key]
    expand.cache_clear()


def lookup(action: str) -> ActionInfo | None:
    """Info for a literal ``service:Action`` (case-insensitive), or None."""
    service, _, name = action.partition(":")
    return CATALOGUE.get(service.lower(), {}).get(name.lower())


def all_actions(service: str | None = None) -> list[ActionInfo]:
    if service is None:
        return [info for svc in CATALOGUE.values() for info in svc.values()]
    return list(CATALOGUE.get(service.lower(), {}).values())


def wildcard_regex(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    """Regex equivalent of an IAM wildcard pattern: * = any run, ? = any one character."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


@lru_cache(maxsize=4096)
def expand(pattern: str) -> tuple[ActionInfo, ...]:
    """Catalogued actions matched by an action pattern such as ``iam:Get*`` or ``*``."""
    regex = wildcard_regex(pattern, ignore_case=True)
    return tuple(info for info in all_actions() if regex.fullmatch(info.full_name))


def suggest(action: str) -> str | None:
    """Closest real action for a near miss ("iam:CreateUsr" -> "iam:CreateUser")."""
    service, _, name = action.partition(":")
    names = {info.name.lower(): info.full_name for info in all_actions(service)}
    close = difflib.get_close_matches(name.lower(), list(names), n=1, cutoff=0.75)
    return names[close[0]] if close else None
