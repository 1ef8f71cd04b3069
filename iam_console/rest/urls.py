"""REST API v1 routes (mounted under /api/v1/): AWS's operations as resources, snake_case JSON.

Policy ARNs appear in paths as they are. Routes are tried in order: policy routes come first.
Every route answers with and without its trailing slash (``slash_optional``).
"""

from django.urls import URLPattern, path, re_path
from django.urls.resolvers import RegexPattern

from iam_console.rest import (  # noqa: F401 - schema registers the authentication docs
    account,
    audit,
    authorization,
    credentials,
    federation,
    groups,
    last_accessed,
    mfa,
    organization,
    policies,
    policy_checks,
    reports,
    roles,
    schema,
    scim_tokens,
    sts,
    users,
)
from iam_console.rest import policy_attachments as attachments

POLICY_ARN = r"(?P<policy_arn>arn:[\w-]+:iam::(?:\d{12}|aws):policy/(?:[\x21-\x7e]*?))"
NAME = r"[\w+=,.@-]+"

urlpatterns = [
    path("organization/", organization.OrganizationView.as_view(), name="api-organization"),
    path("organization/roots/<str:root_id>/policy-types/<str:policy_type>/", organization.PolicyTypeView.as_view(),
         name="api-organization-policy-type"),
    path("organization/units/", organization.UnitListView.as_view(), name="api-organization-units"),
    path("organization/units/<str:unit_id>/", organization.UnitDetailView.as_view(), name="api-organization-unit"),
    path("organization/accounts/", organization.MemberListView.as_view(), name="api-organization-accounts"),
    path("organization/accounts/<str:account_id>/", organization.MemberDetailView.as_view(),
         name="api-organization-account"),
    path("organization/accounts/<str:account_id>/move/", organization.MemberMoveView.as_view(),
         name="api-organization-account-move"),
    path("organization/accounts/<str:account_id>/close/", organization.MemberCloseView.as_view(),
         name="api-organization-account-close"),
    path("organization/policies/", organization.GuardrailListView.as_view(), name="api-organization-policies"),
    path("organization/policies/<str:policy_id>/", organization.GuardrailDetailView.as_view(),
         name="api-organization-policy"),
    path("organization/policies/<str:policy_id>/targets/", organization.GuardrailTargetsView.as_view(),
         name="api-organization-policy-targets"),
    path("organization/policies/<str:policy_id>/targets/<str:target_id>/", organization.GuardrailTargetView.as_view(),
         name="api-organization-policy-target"),
    path("policies/", policies.PolicyListView.as_view(), name="api-policies"),
    path("policies/validate", policies.ValidatePolicyView.as_view(), name="api-policies-validate"),
    path("policies/simulate", policies.SimulateCustomPolicyView.as_view(), name="api-policies-simulate"),
    path("policy-checks/no-new-access", policy_checks.NoNewAccessView.as_view(), name="api-policy-checks-no-new-access"),
    path("policy-checks/access-not-granted", policy_checks.AccessNotGrantedView.as_view(),
         name="api-policy-checks-access-not-granted"),
    path("policy-checks/no-public-access", policy_checks.NoPublicAccessView.as_view(),
         name="api-policy-checks-no-public-access"),
    re_path(rf"^policies/{POLICY_ARN}/versions/(?P<version_id>v\d+)/$", policies.PolicyVersionDetailView.as_view(),
            name="api-policy-version"),
    re_path(rf"^policies/{POLICY_ARN}/versions/$", policies.PolicyVersionListView.as_view(), name="api-policy-versions"),
    re_path(rf"^policies/{POLICY_ARN}/default-version/$", policies.PolicyDefaultVersionView.as_view(),
            name="api-policy-default-version"),
    re_path(rf"^policies/{POLICY_ARN}/entities/$", policies.PolicyEntitiesView.as_view(), name="api-policy-entities"),
    re_path(rf"^policies/{POLICY_ARN}/tags/$", policies.PolicyTagsView.as_view(), name="api-policy-tags"),
    re_path(rf"^policies/{POLICY_ARN}/$", policies.PolicyDetailView.as_view(), name="api-policy"),
    re_path(rf"^users/(?P<user_name>{NAME})/attached-policies/$", attachments.UserAttachedPoliciesView.as_view(),
            name="api-user-attached-policies"),
    re_path(rf"^users/(?P<user_name>{NAME})/attached-policies/{POLICY_ARN}/$", attachments.UserAttachedPolicyView.as_view(),
            name="api-user-attached-policy"),
    re_path(rf"^users/(?P<user_name>{NAME})/inline-policies/$", attachments.UserInlinePoliciesView.as_view(),
            name="api-user-inline-policies"),
    re_path(rf"^users/(?P<user_name>{NAME})/inline-policies/(?P<policy_name>{NAME})/$",
            attachments.UserInlinePolicyView.as_view(), name="api-user-inline-policy"),
    re_path(rf"^users/(?P<user_name>{NAME})/permissions-boundary/$", attachments.UserPermissionsBoundaryView.as_view(),
            name="api-user-permissions-boundary"),
    re_path(rf"^users/(?P<user_name>{NAME})/simulate$", policies.SimulatePrincipalPolicyView.as_view(),
            name="api-user-simulate"),
    re_path(rf"^groups/(?P<group_name>{NAME})/attached-policies/$", attachments.GroupAttachedPoliciesView.as_view(),
            name="api-group-attached-policies"),
    re_path(rf"^groups/(?P<group_name>{NAME})/attached-policies/{POLICY_ARN}/$",
            attachments.GroupAttachedPolicyView.as_view(), name="api-group-attached-policy"),
    re_path(rf"^groups/(?P<group_name>{NAME})/inline-policies/$", attachments.GroupInlinePoliciesView.as_view(),
            name="api-group-inline-policies"),
    re_path(rf"^groups/(?P<group_name>{NAME})/inline-policies/(?P<policy_name>{NAME})/$",
            attachments.GroupInlinePolicyView.as_view(), name="api-group-inline-policy"),
    path("users/", users.UserListView.as_view(), name="api-users"),
    path("users/<str:user_name>/", users.UserDetailView.as_view(), name="api-user"),
    path("users/<str:user_name>/groups/", users.UserGroupsView.as_view(), name="api-user-groups"),
    path("users/<str:user_name>/tags/", users.UserTagsView.as_view(), name="api-user-tags"),
    path("users/<str:user_name>/access-keys/", credentials.AccessKeyListView.as_view(), name="api-access-keys"),
    path("users/<str:user_name>/access-keys/<str:access_key_id>/", credentials.AccessKeyDetailView.as_view(),
         name="api-access-key"),
    path("users/<str:user_name>/login-profile/", credentials.LoginProfileView.as_view(), name="api-login-profile"),
    path("groups/", groups.GroupListView.as_view(), name="api-groups"),
    path("groups/<str:group_name>/", groups.GroupDetailView.as_view(), name="api-group"),
    path("groups/<str:group_name>/members/", groups.GroupMembersView.as_view(), name="api-group-members"),
    path("groups/<str:group_name>/members/<str:user_name>/", groups.GroupMemberView.as_view(),
         name="api-group-member"),
    path("account/", account.AccountView.as_view(), name="api-account"),
    path("identity-store/scim-tokens/", scim_tokens.ScimTokenListView.as_view(), name="api-scim-tokens"),
    path("identity-store/scim-tokens/<str:token_id>/", scim_tokens.ScimTokenDetailView.as_view(),
         name="api-scim-token"),
    path("account/password-policy/", account.PasswordPolicyView.as_view(), name="api-password-policy"),
    path("account/policy-ceilings/", policy_checks.PolicyCeilingsView.as_view(), name="api-policy-ceilings"),
    path("me/", account.MeView.as_view(), name="api-me"),
    path("me/password/", account.ChangePasswordView.as_view(), name="api-me-password"),
    path("me/access-keys/", credentials.CallerAccessKeyListView.as_view(), name="api-me-access-keys"),
    path("me/access-keys/<str:access_key_id>/", credentials.CallerAccessKeyDetailView.as_view(),
         name="api-me-access-key"),
    path("audit-events/", audit.AuditEventListView.as_view(), name="api-audit-events"),
    path("roles/", roles.RoleListView.as_view(), name="api-roles"),
    path("roles/<str:role_name>/", roles.RoleDetailView.as_view(), name="api-role"),
    path("roles/<str:role_name>/trust-policy/", roles.RoleTrustPolicyView.as_view(), name="api-role-trust-policy"),
    path("roles/<str:role_name>/tags/", roles.RoleTagsView.as_view(), name="api-role-tags"),
    path("roles/<str:role_name>/revoke-sessions", roles.RoleSessionsRevocationView.as_view(),
         name="api-role-revoke-sessions"),
    path("users/<str:user_name>/revoke-sessions", roles.UserSessionsRevocationView.as_view(),
         name="api-user-revoke-sessions"),
    path("roles/<str:role_name>/attached-policies/", roles.RoleAttachedPoliciesView.as_view(),
         name="api-role-attached-policies"),
    re_path(r"^roles/(?P<role_name>[\w+=,.@-]+)/attached-policies/(?P<policy_arn>arn:[\w-]+:iam::(?:\d{12}|aws):"
            r"policy/(?:[\x21-\x7e]*?))/$", roles.RoleAttachedPolicyView.as_view(), name="api-role-attached-policy"),
    path("roles/<str:role_name>/inline-policies/", roles.RoleInlinePoliciesView.as_view(),
         name="api-role-inline-policies"),
    path("roles/<str:role_name>/inline-policies/<str:policy_name>/", roles.RoleInlinePolicyView.as_view(),
         name="api-role-inline-policy"),
    path("roles/<str:role_name>/permissions-boundary/", roles.RolePermissionsBoundaryView.as_view(),
         name="api-role-permissions-boundary"),
    path("users/<str:user_name>/mfa-devices/", mfa.MFADeviceListView.as_view(), name="api-mfa-devices"),
    path("users/<str:user_name>/mfa-devices/enable", mfa.EnableMFADeviceView.as_view(), name="api-mfa-device-enable"),
    path("users/<str:user_name>/mfa-devices/deactivate", mfa.DeactivateMFADeviceView.as_view(),
         name="api-mfa-device-deactivate"),
    path("users/<str:user_name>/mfa-devices/resync", mfa.ResyncMFADeviceView.as_view(), name="api-mfa-device-resync"),
    path("virtual-mfa-devices/", mfa.VirtualMFADeviceListView.as_view(), name="api-virtual-mfa-devices"),
    path("account/mfa-requirement/", mfa.MFARequirementView.as_view(), name="api-mfa-requirement"),
    path("credential-report", reports.CredentialReportView.as_view(), name="credential-report"),
    path("credential-reports/", reports.CredentialReportListView.as_view(), name="credential-report-list"),
    path("credential-reports/<int:report_id>", reports.CredentialReportDetailView.as_view(),
         name="credential-report-detail"),
    path("last-accessed-reports/", last_accessed.LastAccessedReportsView.as_view(), name="api-last-accessed-reports"),
    path("last-accessed-reports/<str:job_id>/", last_accessed.LastAccessedReportView.as_view(),
         name="api-last-accessed-report"),
    path("last-accessed-reports/<str:job_id>/services/<str:service_namespace>/entities/",
         last_accessed.LastAccessedEntitiesView.as_view(), name="api-last-accessed-entities"),
    path("sts/assume-role", sts.AssumeRoleView.as_view(), name="api-sts-assume-role"),
    path("sts/caller-identity", sts.CallerIdentityView.as_view(), name="api-sts-caller-identity"),
    # Other services: verify their callers' signatures, decide with the directory's policies, the catalogue.
    re_path(r"^authorization/verify/?$", authorization.VerifyView.as_view(), name="api-authorization-verify"),
    re_path(r"^authorization/decide/?$", authorization.DecideView.as_view(), name="api-authorization-decide"),
    re_path(r"^authorization/decide-batch/?$", authorization.DecideBatchView.as_view(),
            name="api-authorization-batch"),
    re_path(r"^services/?$", authorization.ServiceListView.as_view(), name="api-services"),
    re_path(r"^service-actions/?$", authorization.ServiceActionsView.as_view(), name="api-service-actions"),
    re_path(r"^services/(?P<service_prefix>[^/]+)/?$", authorization.ServiceDetailView.as_view(),
            name="api-service"),
    # OIDC and SAML providers, AssumeRoleWithWebIdentity and AssumeRoleWithSAML (their map is their module's).
    *federation.urlpatterns,
]


def slash_optional(patterns: list[URLPattern]) -> list[URLPattern]:
    """Each route also under its other spelling: with a trailing slash if written without, and without if
    written with. No redirect (a redirected POST would lose its body). The twin carries the route's name and
    comes first, so reverse() (which prefers the last route of a name) keeps the written form; the schema
    lists the written form only (twins are marked ``slash_twin``)."""
    routes: list[URLPattern] = []
    for pattern in patterns:
        text = str(pattern.pattern)
        if text.endswith("/?$"):  # already takes both spellings
            routes.append(pattern)
            continue
        if isinstance(pattern.pattern, RegexPattern):
            body = text.removesuffix("$")
            # Without the slash, the route must not end in one: a policy ARN (any printable text) would
            # otherwise take the trailing slash into itself.
            other = body.removesuffix("/") + "(?<!/)$" if body.endswith("/") else body + "/$"
            routes.append(re_path(other, _twin(pattern.callback), name=pattern.name))
        else:
            other = text.removesuffix("/") if text.endswith("/") else text + "/"
            routes.append(path(other, _twin(pattern.callback), name=pattern.name))
        routes.append(pattern)
    return routes


def _twin(callback):
    view = callback.cls.as_view(**callback.initkwargs)
    view.slash_twin = True
    return view


urlpatterns = slash_optional(urlpatterns)
