"""The browser console's URLs."""

from django.urls import include, path, re_path

from iam_console.console import (
    views_account,
    views_audit,
    views_auth,
    views_groups,
    views_self,
    views_simulator,
    views_users,
)
from iam_console.console import views_policies as policies
from iam_console.console import views_policy_permissions as permissions

# A managed policy's ARN, as it is, ends the URL (a policy name never holds a slash).
POLICY_ARN = r"(?P<policy_arn>arn:[\w-]+:iam::(?:\d{12}|aws):policy/[\x21-\x7e]*)"

app_name = "console"

urlpatterns = [
    path("sign-in/", views_auth.SignInView.as_view(), name="sign-in"),
    path("sign-out/", views_auth.SignOutView.as_view(), name="sign-out"),
    path("change-password/", views_auth.ChangePasswordView.as_view(), name="change-password"),
    path("", views_account.DashboardView.as_view(), name="dashboard"),
    path("my/security-credentials/", views_self.SecurityCredentialsView.as_view(), name="my-credentials"),
    path("users/", views_users.UserListView.as_view(), name="users"),
    path("users/create/", views_users.UserCreateView.as_view(), name="user-create"),
    path("users/<str:user_name>/", views_users.UserDetailView.as_view(), name="user-detail"),
    path("users/<str:user_name>/edit/", views_users.UserEditView.as_view(), name="user-edit"),
    path("users/<str:user_name>/delete/", views_users.UserDeleteView.as_view(), name="user-delete"),
    path("users/<str:user_name>/login-profile/", views_users.UserLoginProfileView.as_view(),
         name="user-login-profile"),
    path("users/<str:user_name>/unlock/", views_users.UserUnlockView.as_view(), name="user-unlock"),
    path("users/<str:user_name>/access-keys/", views_users.UserAccessKeysView.as_view(), name="user-access-keys"),
    path("users/<str:user_name>/tags/", views_users.UserTagsView.as_view(), name="user-tags"),
    path("users/<str:user_name>/groups/", views_users.UserGroupsView.as_view(), name="user-groups"),
    path("groups/", views_groups.GroupListView.as_view(), name="groups"),
    path("groups/create/", views_groups.GroupCreateView.as_view(), name="group-create"),
    path("groups/<str:group_name>/", views_groups.GroupDetailView.as_view(), name="group-detail"),
    path("groups/<str:group_name>/edit/", views_groups.GroupEditView.as_view(), name="group-edit"),
    path("groups/<str:group_name>/delete/", views_groups.GroupDeleteView.as_view(), name="group-delete"),
    path("groups/<str:group_name>/members/", views_groups.GroupMembersView.as_view(), name="group-members"),
    path("groups/<str:group_name>/user-picker/", views_groups.UserPickerView.as_view(), name="group-user-picker"),
    path("account/password-policy/", views_account.PasswordPolicyView.as_view(), name="password-policy"),
    path("account/password-policy/delete/", views_account.PasswordPolicyDeleteView.as_view(),
         name="password-policy-delete"),
    path("audit/", views_audit.AuditView.as_view(), name="audit"),
    path("policies/", policies.PolicyListView.as_view(), name="policies"),
    path("policies/create/", policies.PolicyCreateView.as_view(), name="policy-create"),
    path("policies/summary/", policies.PolicySummaryView.as_view(), name="policy-summary"),
    path("policies/simulator/", views_simulator.SimulatorView.as_view(), name="policy-simulator"),
    re_path(rf"^policies/detail/{POLICY_ARN}$", policies.PolicyDetailView.as_view(), name="policy-detail"),
    re_path(rf"^policies/new-version/{POLICY_ARN}$", policies.PolicyNewVersionView.as_view(),
            name="policy-new-version"),
    re_path(rf"^policies/versions/{POLICY_ARN}$", policies.PolicyVersionActionView.as_view(),
            name="policy-versions"),
    re_path(rf"^policies/compare/{POLICY_ARN}$", policies.PolicyCompareView.as_view(), name="policy-compare"),
    re_path(rf"^policies/delete/{POLICY_ARN}$", policies.PolicyDeleteView.as_view(), name="policy-delete"),
    path("users/<str:user_name>/permissions/", permissions.UserPermissionsView.as_view(), name="user-permissions"),
    path("users/<str:name>/add-inline-policy/", permissions.InlinePolicyEditView.as_view(kind="user"),
         name="user-inline-policy-create"),
    path("users/<str:name>/inline-policies/<str:policy_name>/", permissions.InlinePolicyEditView.as_view(kind="user"),
         name="user-inline-policy"),
    path("users/<str:name>/inline-policies/<str:policy_name>/delete/",
         permissions.InlinePolicyDeleteView.as_view(kind="user"), name="user-inline-policy-delete"),
    path("groups/<str:group_name>/permissions/", permissions.GroupPermissionsView.as_view(), name="group-permissions"),
    path("groups/<str:name>/add-inline-policy/", permissions.InlinePolicyEditView.as_view(kind="group"),
         name="group-inline-policy-create"),
    path("groups/<str:name>/inline-policies/<str:policy_name>/",
         permissions.InlinePolicyEditView.as_view(kind="group"), name="group-inline-policy"),
    path("groups/<str:name>/inline-policies/<str:policy_name>/delete/",
         permissions.InlinePolicyDeleteView.as_view(kind="group"), name="group-inline-policy-delete"),
    path("", include("directory.reports.console_urls")),
]
