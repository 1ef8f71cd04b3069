"""REST API v1 routes (mounted under /api/v1/): AWS's operations as resources, snake_case JSON."""

from django.urls import path, re_path

from audit.api import AuditEventListView
from directory.api import account, credentials, groups, mfa, roles, schema, users  # noqa: F401 - schema registers auth docs

urlpatterns = [
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
    path("account/password-policy/", account.PasswordPolicyView.as_view(), name="api-password-policy"),
    path("me/", account.MeView.as_view(), name="api-me"),
    path("me/password/", account.ChangePasswordView.as_view(), name="api-me-password"),
    path("me/access-keys/", credentials.CallerAccessKeyListView.as_view(), name="api-me-access-keys"),
    path("me/access-keys/<str:access_key_id>/", credentials.CallerAccessKeyDetailView.as_view(),
         name="api-me-access-key"),
    path("audit-events/", AuditEventListView.as_view(), name="api-audit-events"),
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
]
