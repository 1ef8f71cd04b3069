"""Validator findings: every issue code, with its exact line, column and path."""

from __future__ import annotations

import pytest

from policies.language import SIZE_LIMITS, Severity, validate

E, SW, W, S = Severity.ERROR, Severity.SECURITY_WARNING, Severity.WARNING, Severity.SUGGESTION


def at(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """1-based (line, column) of the nth occurrence of needle, found by plain string search."""
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def stmt(body: str, version: bool = True) -> str:
    head = '{\n  "Version": "2012-10-17",\n' if version else "{\n"
    return head + '  "Statement": [\n    ' + body + "\n  ]\n}"


OK = '"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"'

# Each row: id, policy type, text, needle locating the finding (nth occurrence),
# severity, issue code, path. Codes follow IAM Access Analyzer's policy check reference.
CASES = [
    (
        "json-syntax",
        "IDENTITY_POLICY",
        '{\n  "Version": "2012-10-17",\n  "Statement": [}\n}',
        ("}", 0),
        E,
        "JSON_SYNTAX_ERROR",
        "",
    ),
    (
        "json-trailing-comma",
        "IDENTITY_POLICY",
        '{"Statement": {"Effect": "Allow",}}',
        ("}", 0),
        E,
        "JSON_SYNTAX_ERROR",
        "",
    ),
    ("not-an-object", "IDENTITY_POLICY", "[1, 2]", ("[", 0), E, "INVALID_ELEMENT_TYPE", ""),
    (
        "effect-not-string",
        "IDENTITY_POLICY",
        stmt('{"Effect": 1, "Action": "iam:GetUser", "Resource": "*"}'),
        ("1,", 0),
        E,
        "INVALID_ELEMENT_TYPE",
        "Statement[0].Effect",
    ),
    (
        "unknown-element",
        "IDENTITY_POLICY",
        stmt("{" + OK + ', "Actions": "x"}'),
        ('"Actions"', 0),
        E,
        "UNKNOWN_ELEMENT",
        "Statement[0].Actions",
    ),
    (
        "misplaced-element",
        "IDENTITY_POLICY",
        '{"Version": "2012-10-17", "Effect": "Allow", "Statement": {' + OK + "}}",
        ('"Effect"', 0),
        E,
        "MISPLACED_ELEMENT",
        "Effect",
    ),
    (
        "duplicate-key",
        "IDENTITY_POLICY",
        stmt("{" + OK + ', "Effect": "Deny"}'),
        ('"Effect"', 1),
        W,
        "DUPLICATE_ELEMENT",
        "Statement[0].Effect",
    ),
    (
        "missing-statement",
        "IDENTITY_POLICY",
        '{"Version": "2012-10-17"}',
        ("{", 0),
        E,
        "MISSING_STATEMENT",
        "",
    ),
    (
        "empty-statement",
        "IDENTITY_POLICY",
        '{"Version": "2012-10-17", "Statement": []}',
        ('"Statement"', 0),
        E,
        "MISSING_STATEMENT",
        "Statement",
    ),
    (
        "missing-effect",
        "IDENTITY_POLICY",
        stmt('{"Action": "iam:GetUser", "Resource": "*"}'),
        ('{"Action"', 0),
        E,
        "MISSING_EFFECT",
        "Statement[0]",
    ),
    (
        "invalid-effect",
        "IDENTITY_POLICY",
        stmt('{"Effect": "allow", "Action": "iam:GetUser", "Resource": "*"}'),
        ('"allow"', 0),
        E,
        "INVALID_EFFECT",
        "Statement[0].Effect",
    ),
    (
        "missing-action",
        "IDENTITY_POLICY",
        stmt('{"Effect": "Allow", "Resource": "*"}'),
        ('{"Effect"', 0),
        E,
        "MISSING_ACTION",
        "Statement[0]",
    ),
    (
        "empty-action",
        "IDENTITY_POLICY",
        stmt('{"Effect": "Allow", "Action": [], "Resource": "*"}'),
        ('"Action"', 0),
        E,
        "MISSING_ACTION",
        "Statement[0].Action",
    ),
    (
        "missing-resource",
        "IDENTITY_POLICY",
        stmt('{"Effect": "Allow", "Action": "iam:GetUser"}'),
        ('{"Effect"', 0),
        E,
        "MISSING_RESOURCE",
        "Statement[0]",
    ),
    (
        "action-and-notaction",
        "IDENTITY_POLICY",
        stmt("{" + OK + ', "NotAction": "iam:ListUsers"}'),
        ('"NotAction"', 0),
        E,
        "ACTION_AND_NOT_ACTION",
        "Statement[0].NotAction",
    ),
    (
        "resource-and-notresource",
        "IDENTITY_POLICY",
        stmt("{" + OK + ', "NotResource": "*"}'),
        ('"NotResource"', 0),
        E,
        "RESOURCE_AND_NOT_RESOURCE",
        "Statement[0].NotResource",
    ),
    (
        "bad-action-format",
        "IDENTITY_POLICY",
        stmt('{"Effect": "Allow", "Action": ["iam:GetUser", "GetUser"], "Resource": "*"}'),
        ('"GetUser"', 0),
        E,
        "INVALID_ACTION_FORMAT",
        "Statement[0].Action[1]",
    ),
    (
        "unknown-iam-action",
        "IDENTITY_POLICY",
        stmt('{"Effect": "Allow", "Action": "iam:CreateUsr", "Resource": "*"}'),
        ('"iam:CreateUsr"', 0),
        E,
        "UNKNOWN_ACTION",
        "Statement[0].Action",
    ),
    (
        "unknown-sts-wildcard",
        "IDENTITY_POLICY",
        stmt('{"Effect": "Allow", "Action": "sts:Frobnicate*", "Resource": "*"}'),
        ('"sts:Frob', 0),
        E,
        "UNKNOWN_ACTION",
        "Statement[0].Action",
    ),
    (
        "invalid-arn",
        "IDENTITY_POLICY",
        stmt('{"Effect": "Allow", "Action": "iam:GetUser", "Resource": ["*", "user/alice"]}'),
        ('"user/alice"', 0),
        E,
        "INVALID_ARN",
        "Statement[0].Resource[1]",
    ),
    (
        "iam-arn-with-region",
        "IDENTITY_POLICY",
        stmt(
            '{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam:us-east-1:123456789012:user/a"}'
        ),
        ('"arn:', 0),
        E,
        "INVALID_ARN",
        "Statement[0].Resource",
    ),
    (
        "resource-type-mismatch",
        "IDENTITY_POLICY",
        stmt(
            '{"Effect": "Allow", "Action": "iam:CreateUser", "Resource": "arn:aws:iam::123456789012:group/x"}'
        ),
        ('"iam:CreateUser"', 0),
        W,
        "RESOURCE_TYPE_MISMATCH",
        "Statement[0].Action",
    ),
    (
        "no-resource-level-permissions",
        "IDENTITY_POLICY",
        stmt(
            '{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "arn:aws:iam::123456789012:user/x"}'
        ),
        ('"iam:ListUsers"', 0),
        W,
        "RESOURCE_TYPE_MISMATCH",
        "Statement[0].Action",
    ),
    (
        "unknown-operator",
        "IDENTITY_POLICY",
        stmt("{" + OK + ', "Condition": {"StringEqualz": {"aws:username": "a"}}}'),
        ('"StringEqualz"', 0),
        E,
        "UNKNOWN_CONDITION_OPERATOR",
        "Statement[0].Condition.StringEqualz",
    ),
    (
        "null-if-exists",
        "IDENTITY_POLICY",
        stmt("{" + OK + ', "Condition": {"NullIfExists": {"aws:username": "true"}}}'),
        ('"NullIfExists"', 0),
        E,
        "NULL_WITH_IF_EXISTS",
        "Statement[0].Condition.NullIfExists",
    ),
    (
        "bad-date",
        "IDENTITY_POLICY",
        stmt("{" + OK + ', "Condition": {"DateLessThan": {"aws:CurrentTime": "tomorrow"}}}'),
        ('"tomorrow"', 0),
        E,
        "INVALID_CONDITION_VALUE",
        "Statement[0].Condition.DateLessThan.aws:CurrentTime",
    ),
    (
        "bad-number",
        "IDENTITY_POLICY",
        stmt("{" + OK + ', "Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": ["10", "x"]}}}'),
        ('"x"', 0),
        E,
        "INVALID_CONDITION_VALUE",
        "Statement[0].Condition.NumericLessThan.aws:MultiFactorAuthAge[1]",
    ),
    (
        "bad-bool",
        "IDENTITY_POLICY",
        stmt("{" + OK + ', "Condition": {"Bool": {"aws:SecureTransport": "yes"}}}'),
        ('"yes"', 0),
        E,
        "INVALID_CONDITION_VALUE",
        "Statement[0].Condition.Bool.aws:SecureTransport",
    ),
    (
        "bad-ip",
        "IDENTITY_POLICY",
        stmt("{" + OK + ', "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.300/8"}}}'),
        ('"10.0', 0),
        E,
        "INVALID_CONDITION_VALUE",
        "Statement[0].Condition.IpAddress.aws:SourceIp",
    ),
    (
        "bad-arn-value",
        "IDENTITY_POLICY",
        stmt("{" + OK + ', "Condition": {"ArnLike": {"aws:SourceArn": "bucket"}}}'),
        ('"bucket"', 0),
        E,
        "INVALID_CONDITION_VALUE",
        "Statement[0].Condition.ArnLike.aws:SourceArn",
    ),
    (
        "bad-base64",
        "IDENTITY_POLICY",
        stmt("{" + OK + ', "Condition": {"BinaryEquals": {"x:blob": "***"}}}'),
        ('"***"', 0),
        E,
        "INVALID_CONDITION_VALUE",
        "Statement[0].Condition.BinaryEquals.x:blob",
    ),
    (
        "object-condition-value",
        "IDENTITY_POLICY",
        stmt("{" + OK + ', "Condition": {"StringEquals": {"aws:username": {"a": 1}}}}'),
        ('{"a"', 0),
        E,
        "INVALID_CONDITION_VALUE",
        "Statement[0].Condition.StringEquals.aws:username",
    ),
    (
        "unknown-global-key",
        "IDENTITY_POLICY",
        stmt("{" + OK + ', "Condition": {"StringEquals": {"aws:usernme": "a"}}}'),
        ('"aws:usernme"', 0),
        E,
        "UNKNOWN_GLOBAL_CONDITION_KEY",
        "Statement[0].Condition.StringEquals.aws:usernme",
    ),
    (
        "bad-key-format",
        "IDENTITY_POLICY",
        stmt("{" + OK + ', "Condition": {"StringEquals": {"username": "a"}}}'),
        ('"username"', 0),
        W,
        "INVALID_CONDITION_KEY",
        "Statement[0].Condition.StringEquals.username",
    ),
    (
        "variable-in-numeric",
        "IDENTITY_POLICY",
        stmt("{" + OK + ', "Condition": {"NumericEquals": {"aws:MultiFactorAuthAge": "${aws:username}"}}}'),
        ('"${', 0),
        E,
        "INVALID_VARIABLE_FOR_OPERATOR",
        "Statement[0].Condition.NumericEquals.aws:MultiFactorAuthAge",
    ),
    (
        "set-op-single-valued",
        "IDENTITY_POLICY",
        stmt("{" + OK + ', "Condition": {"ForAllValues:StringEquals": {"aws:username": "a"}}}'),
        ('"aws:username"', 0),
        W,
        "SET_OPERATOR_WITH_SINGLE_VALUED_KEY",
        "Statement[0].Condition.ForAllValues:StringEquals.aws:username",
    ),
    (
        "duplicate-sid",
        "IDENTITY_POLICY",
        stmt('{"Sid": "A", ' + OK + '},\n    {"Sid": "A", ' + OK + "}"),
        ('"A"', 1),
        E,
        "DUPLICATE_SID",
        "Statement[1].Sid",
    ),
    (
        "non-alnum-sid",
        "IDENTITY_POLICY",
        stmt('{"Sid": "read users", ' + OK + "}"),
        ('"read users"', 0),
        E,
        "INVALID_SID",
        "Statement[0].Sid",
    ),
    (
        "invalid-character",
        "IDENTITY_POLICY",
        stmt('{"Sid": "A", ' + OK + "}").replace('"A"', '"A\u2014"'),
        ("\u2014", 0),
        E,
        "INVALID_CHARACTER",
        "",
    ),
    (
        "pass-role-star",
        "IDENTITY_POLICY",
        stmt('{"Effect": "Allow", "Action": ["iam:GetRole", "iam:Pass*"], "Resource": "*"}'),
        ('"iam:Pass*"', 0),
        SW,
        "PASS_ROLE_WITH_STAR_RESOURCE",
        "Statement[0].Action[1]",
    ),
    (
        "allow-not-action",
        "IDENTITY_POLICY",
        stmt('{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}'),
        ('"NotAction"', 0),
        SW,
        "ALLOW_WITH_NOT_ACTION",
        "Statement[0].NotAction",
    ),
    (
        "allow-not-resource",
        "IDENTITY_POLICY",
        stmt(
            '{"Effect": "Allow", "Action": "iam:GetUser", "NotResource": "arn:aws:iam::123456789012:user/root*"}'
        ),
        ('"NotResource"', 0),
        SW,
        "ALLOW_WITH_NOT_RESOURCE",
        "Statement[0].NotResource",
    ),
    (
        "allow-all-on-all",
        "IDENTITY_POLICY",
        stmt('{"Effect": "Allow", "Action": "*", "Resource": "*"}'),
        ('"*"', 0),
        SW,
        "ALLOW_ALL_ON_ALL",
        "Statement[0].Action",
    ),
    (
        "identity-with-principal",
        "IDENTITY_POLICY",
        stmt("{" + OK + ', "Principal": "*"}'),
        ('"Principal"', 0),
        E,
        "UNSUPPORTED_PRINCIPAL",
        "Statement[0].Principal",
    ),
    (
        "trust-missing-principal",
        "TRUST_POLICY",
        stmt('{"Effect": "Allow", "Action": "sts:AssumeRole"}'),
        ('{"Effect"', 0),
        E,
        "MISSING_PRINCIPAL",
        "Statement[0]",
    ),
    (
        "trust-unknown-principal-type",
        "TRUST_POLICY",
        stmt('{"Effect": "Allow", "Principal": {"Aws": "123456789012"}, "Action": "sts:AssumeRole"}'),
        ('{"Aws"', 0),
        E,
        "UNSUPPORTED_PRINCIPAL",
        "Statement[0].Principal.Aws",
    ),
    (
        "trust-wildcard-principal-arn",
        "TRUST_POLICY",
        stmt(
            '{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/*"}, "Action": "sts:AssumeRole"}'
        ),
        ('"arn:', 0),
        E,
        "INVALID_PRINCIPAL",
        "Statement[0].Principal.AWS",
    ),
    (
        "trust-string-principal",
        "TRUST_POLICY",
        stmt('{"Effect": "Allow", "Principal": "123456789012", "Action": "sts:AssumeRole"}'),
        ('"123456789012"', 0),
        E,
        "INVALID_PRINCIPAL",
        "Statement[0].Principal",
    ),
    (
        "trust-principal-and-not",
        "TRUST_POLICY",
        stmt(
            '{"Effect": "Deny", "Principal": {"AWS": "123456789012"}, "NotPrincipal": {"AWS": "123456789012"}, "Action": "sts:AssumeRole"}'
        ),
        ('"NotPrincipal"', 0),
        E,
        "PRINCIPAL_AND_NOT_PRINCIPAL",
        "Statement[0].NotPrincipal",
    ),
    (
        "trust-allow-not-principal",
        "TRUST_POLICY",
        stmt('{"Effect": "Allow", "NotPrincipal": {"AWS": "123456789012"}, "Action": "sts:AssumeRole"}'),
        ('"NotPrincipal"', 0),
        E,
        "UNSUPPORTED_PRINCIPAL",
        "Statement[0].NotPrincipal",
    ),
    (
        "trust-allow-anyone",
        "TRUST_POLICY",
        stmt('{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}').replace(
            '{"AWS": "*"}', '"*"'
        ),
        ('"Principal"', 0),
        SW,
        "ALLOW_ANY_PRINCIPAL",
        "Statement[0].Principal",
    ),
    (
        "trust-with-resource",
        "TRUST_POLICY",
        stmt(
            '{"Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "sts:AssumeRole", "Resource": "*"}'
        ),
        ('"Resource"', 0),
        E,
        "UNSUPPORTED_ELEMENT",
        "Statement[0].Resource",
    ),
    (
        "trust-bad-action",
        "TRUST_POLICY",
        stmt(
            '{"Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": ["sts:AssumeRole", "iam:GetUser"]}'
        ),
        ('"iam:GetUser"', 0),
        E,
        "INVALID_TRUST_POLICY_ACTION",
        "Statement[0].Action[1]",
    ),
    (
        "invalid-version",
        "IDENTITY_POLICY",
        '{"Version": "2012-10-18", "Statement": {' + OK + "}}",
        ('"2012-10-18"', 0),
        E,
        "INVALID_VERSION",
        "Version",
    ),
    (
        "missing-version",
        "IDENTITY_POLICY",
        stmt("{" + OK + "}", version=False),
        ("{", 0),
        E,
        "INVALID_VERSION",
        "",
    ),
    (
        "trust-missing-version",
        "TRUST_POLICY",
        stmt('{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}',
             version=False),
        ("{", 0),
        S,
        "MISSING_VERSION",
        "",
    ),
    (
        "malformed-variable",
        "IDENTITY_POLICY",
        stmt(
            '{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::123456789012:user/${}"}'
        ),
        ('"arn:', 0),
        W,
        "INVALID_POLICY_VARIABLE",
        "Statement[0].Resource",
    ),
    (
        "variable-without-version",
        "IDENTITY_POLICY",
        stmt(
            '{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "arn:aws:iam::123456789012:user/${aws:username}"}',
            version=False,
        ),
        ('"arn:', 0),
        W,
        "VARIABLE_REQUIRES_2012_VERSION",
        "Statement[0].Resource",
    ),
]


@pytest.mark.parametrize(
    "policy_type,text,needle,severity,code,path", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_finding_code_with_exact_location(policy_type, text, needle, severity, code, path):
    result = validate(text, policy_type=policy_type)
    line, column = at(text, *needle)
    matching = [f for f in result.findings if f.issue_code == code]
    assert [(f.severity, f.line, f.column, f.path) for f in matching] == [(severity, line, column, path)], (
        result.findings
    )
    assert result.valid is (not any(f.blocking for f in result.findings))


def test_json_syntax_error_reports_line_and_column_of_the_offending_character():
    text = '{\n  "Version": "2012-10-17",\n  "Statement": [}\n}'
    (finding,) = validate(text).findings
    assert (finding.issue_code, finding.line, finding.column) == ("JSON_SYNTAX_ERROR", 3, 17)


def test_valid_policy_has_no_findings():
    result = validate(stmt('{"Sid": "ReadUsers", ' + OK + "}"))
    assert result.valid is True
    assert result.findings == []
    assert result.model is not None and result.model.statements[0].sid.value == "ReadUsers"


def test_unknown_action_suggests_the_nearest_real_action():
    (finding,) = validate(stmt('{"Effect": "Allow", "Action": "iam:CreateUsr", "Resource": "*"}')).findings
    assert finding.message == "iam:CreateUsr is not a known iam action. Did you mean iam:CreateUser?"


def test_actions_of_other_services_are_not_errors():
    assert (
        validate(
            stmt('{"Effect": "Allow", "Action": ["s3:GetObject", "ec2:Describe*"], "Resource": "*"}')
        ).findings
        == []
    )


def test_catalogued_actions_this_product_does_not_implement_are_still_valid():
    result = validate(
        stmt(
            '{"Effect": "Allow", "Action": "iam:UploadSSHPublicKey", "Resource": "arn:aws:iam::123456789012:user/a"}'
        )
    )
    assert result.findings == []


def test_sid_may_contain_spaces_in_resource_policies():
    text = stmt(
        '{"Sid": "allow read", "Effect": "Allow", "Principal": {"AWS": "123456789012"}, "Action": "iam:GetUser", "Resource": "*"}'
    )
    assert [f.issue_code for f in validate(text, policy_type="RESOURCE_POLICY").findings] == []


def test_trust_policy_with_every_assume_role_action_is_valid():
    text = stmt(
        '{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::123456789012:saml-provider/corp"}, '
        '"Action": ["sts:AssumeRoleWithSAML", "sts:TagSession", "sts:SetSourceIdentity"], '
        '"Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}},\n'
        '    {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}'
    )
    assert validate(text, policy_type="TRUST_POLICY").findings == []


@pytest.mark.parametrize(
    "limit,chars,expected",
    [
        ("user_inline", 2048, True),
        ("user_inline", 2049, False),
        ("managed", 6144, True),
        ("managed", 6145, False),
        (100, 101, False),
    ],
)
def test_policy_size_limit_counts_characters_without_whitespace(limit, chars, expected):
    # IAM User Guide: "IAM and AWS STS quotas" — "IAM doesn't count white space".
    skeleton = stmt('{"Sid": "X", ' + OK + "}")
    base = sum(1 for c in skeleton if not c.isspace())
    text = skeleton.replace('"X"', '"' + "X" * (chars - base + 1) + '"')
    text = text.replace("{", "{   \n\t ")  # whitespace must not count
    result = validate(text, size_limit=limit)
    codes = [f.issue_code for f in result.findings]
    assert ("POLICY_SIZE_EXCEEDED" not in codes) is expected
    assert result.valid is expected


def test_size_limits_table_matches_iam_quotas():
    assert SIZE_LIMITS == {
        "managed": 6144,
        "user_inline": 2048,
        "group_inline": 5120,
        "role_inline": 10240,
        "trust": 2048,
    }


def test_findings_are_sorted_by_position():
    text = stmt(
        '{"Effect": "allow", "Action": "iam:Nope", "Resource": "bad"},\n    {"Effect": "Deny", "Action": "x", "Resource": "*"}'
    )
    positions = [(f.line, f.column) for f in validate(text).findings]
    assert positions == sorted(positions)
    assert [f.issue_code for f in validate(text).findings] == [
        "INVALID_EFFECT",
        "UNKNOWN_ACTION",
        "INVALID_ARN",
        "INVALID_ACTION_FORMAT",
    ]


def test_global_condition_keys_are_case_insensitive_and_tag_keys_accepted():
    text = stmt(
        "{"
        + OK
        + ', "Condition": {"StringEquals": {"AWS:PrincipalTAG/CostCenter": "1", "aws:SOURCEVPCE": "v", "aws:ResourceOrgID": "o"}}}'
    )
    assert validate(text).findings == []
