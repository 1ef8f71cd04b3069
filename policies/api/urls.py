"""REST API v1 routes for policies (mounted under /api/v1/). Policy ARNs appear in paths as they are."""

from django.urls import path, re_path

from policies.api import attachments as a
from policies.api import views as v

POLICY_ARN = r"(?P<policy_arn>arn:[\w-]+:iam::(?:\d{12}|aws):policy/(?:[\x21-\x7e]*?))"
NAME = r"[\w+=,.@-]+"

urlpatterns = [
    path("policies/", v.PolicyListView.as_view(), name="api-policies"),
    path("policies/validate", v.ValidatePolicyView.as_view(), name="api-policies-validate"),
    path("policies/simulate", v.SimulateCustomPolicyView.as_view(), name="api-policies-simulate"),
    re_path(rf"^policies/{POLICY_ARN}/versions/(?P<version_id>v\d+)/$", v.PolicyVersionDetailView.as_view(),
            name="api-policy-version"),
    re_path(rf"^policies/{POLICY_ARN}/versions/$", v.PolicyVersionListView.as_view(), name="api-policy-versions"),
    re_path(rf"^policies/{POLICY_ARN}/default-version/$", v.PolicyDefaultVersionView.as_view(),
            name="api-policy-default-version"),
    re_path(rf"^policies/{POLICY_ARN}/entities/$", v.PolicyEntitiesView.as_view(), name="api-policy-entities"),
    re_path(rf"^policies/{POLICY_ARN}/$", v.PolicyDetailView.as_view(), name="api-policy"),
    re_path(rf"^users/(?P<user_name>{NAME})/attached-policies/$", a.UserAttachedPoliciesView.as_view(),
            name="api-user-attached-policies"),
    re_path(rf"^users/(?P<user_name>{NAME})/attached-policies/{POLICY_ARN}/$", a.UserAttachedPolicyView.as_view(),
            name="api-user-attached-policy"),
    re_path(rf"^users/(?P<user_name>{NAME})/inline-policies/$", a.UserInlinePoliciesView.as_view(),
            name="api-user-inline-policies"),
    re_path(rf"^users/(?P<user_name>{NAME})/inline-policies/(?P<policy_name>{NAME})/$",
            a.UserInlinePolicyView.as_view(), name="api-user-inline-policy"),
    re_path(rf"^users/(?P<user_name>{NAME})/permissions-boundary/$", a.UserPermissionsBoundaryView.as_view(),
            name="api-user-permissions-boundary"),
    re_path(rf"^users/(?P<user_name>{NAME})/simulate$", v.SimulatePrincipalPolicyView.as_view(),
            name="api-user-simulate"),
    re_path(rf"^groups/(?P<group_name>{NAME})/attached-policies/$", a.GroupAttachedPoliciesView.as_view(),
            name="api-group-attached-policies"),
    re_path(rf"^groups/(?P<group_name>{NAME})/attached-policies/{POLICY_ARN}/$",
            a.GroupAttachedPolicyView.as_view(), name="api-group-attached-policy"),
    re_path(rf"^groups/(?P<group_name>{NAME})/inline-policies/$", a.GroupInlinePoliciesView.as_view(),
            name="api-group-inline-policies"),
    re_path(rf"^groups/(?P<group_name>{NAME})/inline-policies/(?P<policy_name>{NAME})/$",
            a.GroupInlinePolicyView.as_view(), name="api-group-inline-policy"),
]
