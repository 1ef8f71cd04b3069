"""Compile cache, candidate index, parser positions, action catalogue and summaries."""

from __future__ import annotations

import json

import pytest

from policies.language import (
    CATALOGUE,
    GLOBAL_CONDITION_KEYS,
    PolicyCompileError,
    Request,
    cache_info,
    compile_policy,
    evaluate,
    invalidate,
    lookup_action,
    parse_policy,
    summarize,
)


def text(action: str) -> str:
    return json.dumps(
        {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": action, "Resource": "*"}}
    )


def test_compile_cache_returns_the_same_object_for_the_same_id_and_version():
    first = compile_policy(text("iam:GetUser"), "cache-a", "v1")
    assert compile_policy(text("iam:GetUser"), "cache-a", "v1") is first
    assert compile_policy(text("iam:GetUser"), "cache-a", "v2") is not first


def test_invalidate_drops_every_cached_version_of_a_policy():
    stale = compile_policy(text("iam:GetUser"), "cache-b", "")
    compile_policy(text("iam:GetUser"), "cache-b", "v9")
    assert invalidate("cache-b") == 2
    fresh = compile_policy(text("iam:ListUsers"), "cache-b", "")
    assert fresh is not stale
    request = Request("iam:ListUsers", "*")
    assert evaluate(request, [stale]).decision == "implicitDeny"
    assert evaluate(request, [fresh]).decision == "allowed"
    assert invalidate("cache-b") == 1
    assert invalidate("cache-b") == 0
    assert cache_info()["max_size"] == 2048


def test_compiling_non_json_raises_with_findings():
    with pytest.raises(PolicyCompileError) as excinfo:
        compile_policy("{nope", "broken", "1")
    assert [f.issue_code for f in excinfo.value.findings] == ["JSON_SYNTAX_ERROR"]


def test_index_offers_only_statements_that_can_match_the_action():
    doc = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"},
                {"Effect": "Allow", "Action": "iam:List*", "Resource": "*"},
                {"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"},
                {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"},
                {"Effect": "Allow", "Action": "*:Get*", "Resource": "*"},
            ],
        }
    )
    policy = compile_policy(doc, "index-test", "1")
    assert [s.index for s in policy.candidates("iam:getuser")] == [0, 1, 3, 4]
    assert [s.index for s in policy.candidates("sts:getcalleridentity")] == [2, 3, 4]
    assert [s.index for s in policy.candidates("s3:getobject")] == [3, 4]


def test_parser_keeps_line_and_column_of_every_element():
    source = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Sid": "A1",\n      "Effect": "Allow",\n      "Action": ["iam:GetUser",\n                 "iam:ListUsers"],\n      "Resource": "*",\n      "Condition": {"Bool": {"aws:SecureTransport": true}}\n    }\n  ]\n}'
    doc = parse_policy(source).document
    statement = doc.statements[0]
    assert (doc.version.line, doc.version.column) == (2, 14)
    assert (statement.line, statement.column, statement.path) == (4, 5, "Statement[0]")
    assert (statement.sid.value, statement.sid.line, statement.sid.column) == ("A1", 5, 14)
    assert [(a.value, a.line, a.column, a.path) for a in statement.action] == [
        ("iam:GetUser", 7, 18, "Statement[0].Action[0]"),
        ("iam:ListUsers", 8, 18, "Statement[0].Action[1]"),
    ]
    (clause,) = statement.condition
    assert (clause.operator.value, clause.operator.line, clause.operator.column) == ("Bool", 10, 21)
    assert (clause.key.value, clause.key.line, clause.key.column) == ("aws:SecureTransport", 10, 30)
    assert [(v.value, v.json_type, v.column) for v in clause.values] == [("true", "boolean", 53)]


def test_single_statement_object_and_string_values_are_accepted():
    doc = parse_policy('{"Statement": {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}}').document
    assert len(doc.statements) == 1 and doc.statements[0].path == "Statement"
    assert [a.value for a in doc.statements[0].action] == ["iam:*"]


@pytest.mark.parametrize(
    "action,level,resource_types",
    [
        ("iam:CreateUser", "Write", ("user",)),
        ("iam:AttachRolePolicy", "Permissions management", ("role",)),
        ("iam:ListUsers", "List", ()),
        ("iam:GetAccountAuthorizationDetails", "Read", ()),
        ("iam:TagRole", "Tagging", ("role",)),
        ("iam:UploadSSHPublicKey", "Write", ("user",)),
        ("iam:PassRole", "Write", ("role",)),
        ("iam:RevokeRoleSessions", "Write", ("role",)),
        ("sts:AssumeRole", "Write", ("role",)),
        ("sts:GetCallerIdentity", "Read", ()),
        ("sts:TagSession", "Tagging", ("role", "user")),
        ("sts:AssumeRoot", "Write", ("root",)),
    ],
)
def test_action_catalogue_levels_and_resource_types(action, level, resource_types):
    info = lookup_action(action)
    assert (info.full_name, info.access_level, info.resource_types) == (action, level, resource_types)


def test_catalogue_is_complete_enough():
    assert len(CATALOGUE["iam"]) >= 170
    assert {
        "assumerole",
        "assumerolewithsaml",
        "assumerolewithwebidentity",
        "assumeroot",
        "decodeauthorizationmessage",
        "getaccesskeyinfo",
        "getcalleridentity",
        "getfederationtoken",
        "getservicebearertoken",
        "getsessiontoken",
        "setsourceidentity",
        "tagsession",
        "setcontext",
    } <= set(CATALOGUE["sts"])
    assert lookup_action("iam:UploadSSHPublicKey").implemented is False
    assert "aws:PrincipalOrgID" in GLOBAL_CONDITION_KEYS and "aws:PrincipalTag/" in GLOBAL_CONDITION_KEYS


def test_summary_reports_access_levels_per_service():
    doc = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"},
                {
                    "Effect": "Allow",
                    "Action": "sts:*",
                    "Resource": "*",
                    "Condition": {"Bool": {"aws:SecureTransport": "true"}},
                },
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"},
                {
                    "Effect": "Deny",
                    "Action": "iam:DeleteUser",
                    "Resource": "arn:aws:iam::123456789012:user/admin",
                },
            ],
        }
    )
    by_key = {(s.effect, s.service): s for s in summarize(doc)}
    assert list(by_key) == [("Allow", "iam"), ("Allow", "s3"), ("Allow", "sts"), ("Deny", "iam")]
    assert by_key[("Allow", "iam")].access_levels == {"List": "Full", "Read": "Limited"}
    assert by_key[("Allow", "sts")].access_levels == {"Read": "Full", "Write": "Full", "Tagging": "Full"}
    assert by_key[("Allow", "sts")].has_conditions is True
    assert by_key[("Allow", "s3")].access_levels == {"Unknown": "Limited"}
    assert by_key[("Allow", "s3")].resources == ("arn:aws:s3:::bucket/*",)
    assert by_key[("Deny", "iam")].access_levels == {"Write": "Limited"}
    assert by_key[("Deny", "iam")].actions == ("iam:DeleteUser",)
