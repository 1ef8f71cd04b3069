"""SCIM filters (RFC 7644 §3.4.2.2) over the identity store, as ORM conditions.

scim2-filter-parser reads the grammar and builds Django Q objects; here its attribute map names our columns, an
attribute outside the map is refused (the library would drop it silently, and a dropped condition widens a
search), and the equality tests that must stay fast are rewritten to use the indexes: `userName eq` to the
lower-cased unique key, `externalId eq` and `emails.value eq` to JSON containment under GIN indexes."""

from __future__ import annotations

from django.db.models import Q
from scim2_filter_parser.lexer import SCIMLexer
from scim2_filter_parser.parser import SCIMParser
from scim2_filter_parser.transpilers.django_q_object import Transpiler

from identitystore.errors import Invalid
from identitystore.models import SCIM_ISSUER

FILTER_MAX = 2048
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user"

USER_ATTRIBUTES = {
    ("id", None, None): "user_id",
    ("username", None, None): "user_name_key",
    ("externalid", None, None): "scim_external_id",
    ("displayname", None, None): "display_name",
    ("active", None, None): "active",
    ("name", "givenname", None): "profile.Name.GivenName",
    ("name", "familyname", None): "profile.Name.FamilyName",
    ("name", "formatted", None): "profile.Name.Formatted",
    ("emails", "value", None): "scim_email",
    ("emails", None, None): "scim_email",
    ("emails", "type", None): "profile.Emails.0.Type",
    ("title", None, None): "profile.Title",
    ("usertype", None, None): "profile.UserType",
    ("nickname", None, None): "profile.NickName",
    ("locale", None, None): "profile.Locale",
    ("meta", "created", None): "created_at",
    ("meta", "lastmodified", None): "updated_at",
    ("employeenumber", None, ENTERPRISE): "profile.Extensions.aws:identitystore:enterprise.employeeNumber",
    ("department", None, ENTERPRISE): "profile.Extensions.aws:identitystore:enterprise.department",
}
GROUP_ATTRIBUTES = {
    ("id", None, None): "group_id",
    ("displayname", None, None): "display_name_key",
    ("externalid", None, None): "scim_external_id",
    ("members", "value", None): "memberships.user.user_id",
    ("members", None, None): "memberships.user.user_id",
    ("meta", "created", None): "created_at",
    ("meta", "lastmodified", None): "updated_at",
}


class InvalidFilter(Invalid):
    """scimType invalidFilter: the filter is not SCIM's grammar, or names an attribute that cannot be filtered."""


class _StrictTranspiler(Transpiler):
    def visit_AttrPath(self, node):  # noqa: N802 - the library's visitor names
        column = super().visit_AttrPath(node)
        if column is None:
            raise InvalidFilter(f"{node.attr_name} cannot be filtered on.")
        return column


def _indexed(condition: Q, attributes: dict) -> Q:
    """The same condition, with the equality tests the indexes serve rewritten to use them."""
    rewritten = Q()
    rewritten.connector, rewritten.negated = condition.connector, condition.negated
    for child in condition.children:
        if isinstance(child, Q):
            rewritten.children.append(_indexed(child, attributes))
            continue
        lookup, value = child
        column, _, operator = lookup.rpartition("__")
        if isinstance(value, bool | int | float) and column in {"scim_email", "scim_external_id"}:
            value = str(value)
        if column.endswith("_key") and isinstance(value, str):
            rewritten.children.append((f"{column}__{'exact' if operator == 'iexact' else operator}",
                                       value.lower() if operator in ("iexact", "exact") else value))
        elif column == "scim_external_id" and operator in ("iexact", "exact") and attributes is USER_ATTRIBUTES:
            rewritten.children.append(("scim_external_id", value))  # externalId is caseExact (RFC 7643 §3.1)
        elif column == "scim_external_id" and operator in ("iexact", "exact"):
            rewritten.children.append(("external_ids__contains", [{"Issuer": SCIM_ISSUER, "Id": value}]))
        elif column == "scim_email" and operator in ("iexact", "exact"):
            rewritten.children.append(("profile__contains", {"Emails": [{"Value": value}]}))
        elif column == "scim_email":
            rewritten.children.append((f"profile__Emails__0__Value__{operator}", value))
        elif column == "scim_external_id" and attributes is USER_ATTRIBUTES and operator == "isnull":
            rewritten.children.append((lookup, value))
        elif column == "scim_external_id" and operator == "isnull":  # `externalId pr`
            rewritten.children.append(("external_ids__contains", [{"Issuer": SCIM_ISSUER}]))
        elif column == "scim_external_id":
            raise InvalidFilter("externalId is compared with eq and pr only.")
        else:
            rewritten.children.append((lookup, value))
    return rewritten


def condition_for(text: str, attributes: dict) -> Q:
    """The ORM condition of a SCIM filter; InvalidFilter (never a server error) for anything else."""
    if not isinstance(text, str) or not text.strip() or len(text) > FILTER_MAX:
        raise InvalidFilter(f"A filter is from 1 to {FILTER_MAX} characters long.")
    try:
        tree = SCIMParser().parse(SCIMLexer().tokenize(text))
        condition = _StrictTranspiler(attributes).transpile(tree)
    except InvalidFilter:
        raise
    except Exception:  # noqa: BLE001 - the library's lexer and parser raise many kinds for a bad filter
        raise InvalidFilter("The filter is not valid SCIM filter syntax.") from None
    if not isinstance(condition, Q):
        raise InvalidFilter("The filter is not valid SCIM filter syntax.")
    return _indexed(condition, attributes)
