"""IAM's rules, one row each, with the page that states the rule.

Verdict rows: does IAM store the document (CreatePolicy / PutUserPolicy / CreateRole), or
refuse it with MalformedPolicyDocument (or a size quota)? ``validate(...).valid`` must
give IAM's answer; advice findings never change it.

Decision rows: what AWS's evaluation logic decides for a request.

Sources, abbreviated:
  GRAMMAR   IAM User Guide, "Grammar of the IAM JSON policy language"
            https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
  VERSION   "IAM JSON policy elements: Version" (reference_policies_elements_version.html)
  SID       "IAM JSON policy elements: Sid" (reference_policies_elements_sid.html)
  EFFECT    "IAM JSON policy elements: Effect" (reference_policies_elements_effect.html)
  ACTION    "IAM JSON policy elements: Action" (reference_policies_elements_action.html)
  RESOURCE  "IAM JSON policy elements: Resource" (reference_policies_elements_resource.html)
  ARN       "IAM identifiers" / Service Authorization Reference resource types
  PRINCIPAL "AWS JSON policy elements: Principal" (reference_policies_elements_principal.html)
  NOTPRINC  "AWS JSON policy elements: NotPrincipal" (reference_policies_elements_notprincipal.html)
  CONDOPS   "IAM JSON policy elements: Condition operators" (reference_policies_elements_condition_operators.html)
  MULTI     "Multivalued context keys" / "Single-valued vs. multivalued context keys"
  VARS      "IAM policy elements: Variables and tags" (reference_policies_variables.html)
  QUOTAS    "IAM and AWS STS quotas" (reference_iam-quotas.html)
  EVAL      "Policy evaluation logic" (reference_policies_evaluation-logic.html)
  GCI       AWS STS API Reference, GetCallerIdentity
  OBSERVED  IAM's observed answer, quoted (MalformedPolicyDocument message) where the
            documentation is silent.
"""

from __future__ import annotations

import json

import pytest

from policies.language import Request, compile_policy, evaluate, validate

ID, TRUST, RES = "IDENTITY_POLICY", "TRUST_POLICY", "RESOURCE_POLICY"
ACCEPT, REJECT = True, False


def identity(*statements: dict, version: str | None = "2012-10-17", **top: object) -> str:
    document: dict = {} if version is None else {"Version": version}
    document.update(top)
    document["Statement"] = list(statements)
    return json.dumps(document)


def allow(**fields: object) -> dict:
    return {"Effect": "Allow", **fields}


def s3(resource: str) -> dict:
    return allow(Action="s3:ListBucket", Resource=resource)


def trust(*statements: dict, version: str | None = "2012-10-17") -> str:
    return identity(*statements, version=version)


def assume(**fields: object) -> dict:
    return {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole", **fields}


def cond(operator: str, key: str, value: object) -> dict:
    return allow(Action="s3:ListBucket", Resource="*", Condition={operator: {key: value}})


# (rule, policy type, document, IAM stores it?, source)
VERDICTS = [
    # ---- JSON and top level
    ("not JSON", ID, "This is not a json document", REJECT, "GRAMMAR; OBSERVED 'Syntax errors in policy.'"),
    ("top level must be an object", ID, "[]", REJECT, "GRAMMAR"),
    ("minimal identity policy", ID, identity(s3("arn:aws:s3:::example_bucket")), ACCEPT, "GRAMMAR"),
    ("Statement may be one object", ID, json.dumps({"Version": "2012-10-17", "Statement": s3("*")}), ACCEPT,
     "GRAMMAR (statement_block)"),
    ("Statement is required", ID, json.dumps({"Version": "2012-10-17"}), REJECT, "GRAMMAR"),
    ("Statement may not be empty", ID, json.dumps({"Version": "2012-10-17", "Statement": []}), REJECT, "GRAMMAR"),
    ("Statement items are objects", ID, json.dumps({"Version": "2012-10-17", "Statement": ["afd"]}), REJECT,
     "GRAMMAR"),
    ("unknown top-level element", ID, identity(s3("*"), **{"Extra field": "value"}), REJECT, "GRAMMAR"),
    ("element names are case-sensitive", ID, json.dumps({"version": "2012-10-17", "Statement": [s3("*")]}), REJECT,
     "GRAMMAR"),
    ("Id is a string", ID, identity(s3("*"), Id="sdfsdfsdf"), ACCEPT, "GRAMMAR (id_block)"),
    ("Id may not be a list", ID, identity(s3("*"), Id=["x"]), REJECT, "GRAMMAR"),
    ("Id may not be an object", ID, identity(s3("*"), Id={}), REJECT, "GRAMMAR"),
    # ---- Version
    ("identity policy without Version", ID, identity(s3("*"), version=None), REJECT,
     "VERSION; OBSERVED 'Policy document must be version 2012-10-17 or greater.'"),
    ("identity policy with 2008-10-17", ID, identity(s3("*"), version="2008-10-17"), REJECT,
     "VERSION; OBSERVED 'Policy document must be version 2012-10-17 or greater.'"),
    ("unknown Version", ID, identity(s3("*"), version="2013-10-17"), REJECT, "VERSION (only two values)"),
    ("trust policy with 2008-10-17", TRUST, trust(assume(), version="2008-10-17"), ACCEPT,
     "VERSION (2008-10-17 still valid); AWS service roles created with it"),
    ("trust policy without Version", TRUST, trust(assume(), version=None), ACCEPT, "VERSION (defaults to 2008-10-17)"),
    ("trust policy with unknown Version", TRUST, trust(assume(), version="2012-10-18"), REJECT, "VERSION"),
    ("resource policy with 2008-10-17", RES,
     identity({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
              version="2008-10-17"), ACCEPT, "VERSION"),
    # ---- Sid
    ("alphanumeric Sid", ID, identity({**s3("*"), "Sid": "dsfsdfsdfsdfsdfsadfsd"}), ACCEPT, "SID"),
    ("Sid with underscore (documentation wins over observed)", ID, identity({**s3("*"), "Sid": "Read_Only"}),
     REJECT, "SID: 'supports ASCII uppercase letters (A-Z), lowercase letters (a-z), and numbers (0-9)'"),
    ("Sid with a space in a trust policy", TRUST, trust({**assume(), "Sid": "Trust EC2"}), REJECT, "SID"),
    ("Sid with a space in a resource policy", RES,
     identity({"Sid": "Public read", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
               "Resource": "arn:aws:s3:::b/*"}), ACCEPT, "SID note: other services set their own Sid rules"),
    ("duplicate Sid", ID, identity({**s3("*"), "Sid": "sdf"}, {**s3("*"), "Sid": "sdf"}), REJECT,
     "SID ('must be unique within a JSON policy'); OBSERVED 'Statement IDs (SID) in a single policy must be unique.'"),
    ("Sids differing in case are distinct", ID, identity({**s3("*"), "Sid": "Read"}, {**s3("*"), "Sid": "READ"}),
     ACCEPT, "SID"),
    ("several empty Sids", ID, identity({**s3("*"), "Sid": ""}, {**s3("*"), "Sid": ""}), ACCEPT,
     "OBSERVED (empty Sids are not compared)"),
    ("Sid must be a string", ID, identity({**s3("*"), "Sid": []}), REJECT, "GRAMMAR (sid_string)"),
    # ---- Effect
    ("Effect is required", ID, identity({"Action": "s3:ListBucket", "Resource": "*"}), REJECT, "EFFECT"),
    ("Effect is case-sensitive", ID, identity({"Effect": "allow", "Action": "s3:ListBucket", "Resource": "*"}),
     REJECT, "EFFECT; OBSERVED 'The policy failed legacy parsing'"),
    ("Effect other value", ID, identity({"Effect": "invalid", "Action": "s3:ListBucket", "Resource": "*"}), REJECT,
     "EFFECT"),
    # ---- Action
    ("Action is required", ID, identity(allow(Resource="*")), REJECT,
     "GRAMMAR; OBSERVED 'Policy statement must contain actions.'"),
    ("Action may not be an empty list", ID, identity(allow(Action=[], Resource="*")), REJECT, "OBSERVED"),
    ("Action and NotAction together", ID, identity(allow(Action="s3:ListBucket", NotAction="iam:dsf", Resource="*")),
     REJECT, "GRAMMAR (Action | NotAction)"),
    ("Action without a vendor", ID, identity(allow(Action="invalid", Resource="*")), REJECT,
     "ACTION; OBSERVED 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.'"),
    ("empty action string", ID, identity(allow(NotAction="", Resource="*")), REJECT, "OBSERVED"),
    ("action with two colons", ID, identity(allow(Action="s3:List:Bucket", Resource="*")), REJECT,
     "OBSERVED 'Actions/Condition can contain only one colon.'"),
    ("vendor with a space", ID, identity(allow(Action="a a:ListBucket", Resource="*")), REJECT,
     "OBSERVED 'Vendor a a is not valid'"),
    ("vendor with a wildcard", ID, identity(allow(Action="s3*:ListBucket", Resource="*")), REJECT,
     "OBSERVED 'Vendor ... is not valid'"),
    ("unknown service's action", ID, identity(allow(Action="fsx:ListBucket", Resource="*")), ACCEPT, "ACTION"),
    ("hyphenated and dotted vendors", ID, identity(allow(Action=["s3-s:ListBucket", "s3.s:ListBucket"],
                                                         Resource="*")), ACCEPT, "OBSERVED"),
    ("hyphens in the action name", ID, identity(allow(Action="service-prefix:action-name", Resource="*")), ACCEPT,
     "OBSERVED (IAM checks only the vendor)"),
    ("spaces in the action name", ID, identity(allow(Action="iam: asdf safdsf af ", Resource="*")), ACCEPT,
     "OBSERVED"),
    ("unknown iam action", ID, identity(allow(Action="iam:CreateUsr", Resource="*")), ACCEPT,
     "ACTION (IAM does not check names)"),
    ("Action \"*\"", ID, identity(allow(Action="*", Resource="*")), ACCEPT, "ACTION"),
    ("Action is a string or list of strings", ID, identity(allow(Action={}, Resource="*")), REJECT, "GRAMMAR"),
    ("nested list in Action", ID, identity(allow(Action=[[]], Resource="*")), REJECT, "GRAMMAR"),
    # ---- Resource
    ("Resource is required in identity policies", ID, identity(allow(Action="s3:ListBucket")), REJECT,
     "RESOURCE; OBSERVED 'Policy statement must contain resources.'"),
    ("Resource may not be an empty list", ID, identity(allow(Action="s3:ListBucket", Resource=[])), REJECT,
     "OBSERVED"),
    ("Resource and NotResource together", ID, identity(allow(Action="s3:ListBucket", Resource="*",
                                                              NotResource="*")), REJECT, "GRAMMAR"),
    ("NotAction with NotResource", ID, identity(allow(NotAction="s3:ListBucket", NotResource="*")), ACCEPT,
     "GRAMMAR"),
    ("Resource not an ARN", ID, identity(s3("invalid resource")), REJECT,
     "RESOURCE; OBSERVED 'Resource invalid resource must be in ARN format or \"*\".'"),
    ("empty Resource string", ID, identity(s3("")), REJECT, "OBSERVED"),
    ("unknown partition", ID, identity(s3("arn:error:s3:::example_bucket")), REJECT,
     "ARN; OBSERVED 'Partition \"error\" is not valid for resource ...'"),
    ("partition missing its vendor", ID, identity(s3("arn:aws")), REJECT,
     "OBSERVED 'Resource vendor must be fully qualified and cannot contain regexes.'"),
    ("wildcard vendor", ID, identity(s3("arn:aws:s3*:::example_bucket")), REJECT,
     "OBSERVED 'Resource vendor must be fully qualified and cannot contain regexes.'"),
    ("empty vendor", ID, identity(s3("arn:aws::::example_bucket")), REJECT,
     "OBSERVED 'The policy failed legacy parsing'"),
    ("short ARN leaving a field empty", ID, identity(s3("arn:aws:s3::example_bucket")), REJECT,
     "OBSERVED 'The policy failed legacy parsing'"),
    ("short ARN", ID, identity(s3("arn:aws:fdsasf")), ACCEPT, "OBSERVED (short ARNs are stored)"),
    ("short ARN with a trailing wildcard", ID, identity(allow(Action="ec2:*", Resource="arn:aws:ec2:*")), ACCEPT,
     "RESOURCE (a trailing * spans the remaining fields)"),
    ("unknown service ARN", ID, identity(s3("arn:aws:invalid-service:us-east-1::example_bucket")), ACCEPT,
     "OBSERVED"),
    ("S3 bucket ARN", ID, identity(s3("arn:aws:s3:::example_bucket")), ACCEPT, "ARN (S3: no region, no account)"),
    ("S3 ARN with a region", ID, identity(s3("arn:aws:s3:us-east-1::example_bucket")), REJECT,
     "ARN; OBSERVED 'Resource ... can not contain region information.'"),
    ("S3 access point ARN has a region", ID,
     identity(s3("arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point")), ACCEPT,
     "ARN (Amazon S3 resource types: accesspoint)"),
    ("IAM ARN with a region", ID, identity(s3("arn:aws:iam:us-east-1::user/x")), REJECT,
     "ARN; OBSERVED 'IAM resource ... cannot contain region information.'"),
    ("IAM ARN naming no resource type", ID, identity(s3("arn:aws:iam:::example_bucket")), REJECT,
     "ARN; OBSERVED 'IAM resource path must either be \"*\" or start with user/, ...'"),
    ("IAM ARN with an empty account", ID, identity(s3("arn:aws:iam:::user/example_bucket")), ACCEPT,
     "OBSERVED (stored; advice: it never matches)"),
    ("IAM ARN with account wildcard", ID, identity(allow(Action="iam:GetUser",
                                                         Resource="arn:aws:iam::*:user/${aws:username}")), ACCEPT,
     "VARS"),
    ("AWS managed policy ARN", ID, identity(allow(Action="iam:GetPolicy", Resource="arn:aws:iam::aws:policy/*")),
     ACCEPT, "ARN (account 'aws' for AWS managed policies)"),
    ("IAM resource wildcard", ID, identity(allow(Action="iam:*", Resource="arn:aws:iam::123456789012:*")), ACCEPT,
     "OBSERVED ('either be \"*\" or start with ...')"),
    ("IAM resource type wildcard", ID, identity(allow(Action="iam:*", Resource="arn:aws:iam::123456789012:role*")),
     ACCEPT, "RESOURCE (wildcards)"),
    ("account root ARN (sts:AssumeRoot)", ID, identity(allow(Action="sts:AssumeRoot",
                                                             Resource="arn:aws:iam::123456789012:root")), ACCEPT,
     "Service Authorization Reference, AWS STS resource types: root"),
    ("China partition", ID, identity(s3("arn:aws-cn:s3:::example_bucket")), ACCEPT, "ARN (partitions)"),
    ("null inside the Resource list", ID, identity(allow(Action="kms:CreateGrant",
                                                         Resource=["arn:aws:kms:*:123456789012:key/*", None])),
     ACCEPT, "OBSERVED (null items are skipped)"),
    ("Resource null", ID, identity(allow(Action="s3:ListBucket", Resource=None)), REJECT, "GRAMMAR"),
    ("object inside the Resource list", ID, identity(allow(Action="s3:ListBucket", Resource=["adfdf", {}])),
     REJECT, "GRAMMAR"),
    # ---- Principal per policy kind
    ("Principal in an identity policy", ID, identity({**s3("*"), "Principal": "*"}), REJECT,
     "PRINCIPAL ('You cannot use the Principal element in an identity-based policy'); "
     "OBSERVED 'Has prohibited field Principal'"),
    ("NotPrincipal in an identity policy", ID, identity({**s3("*"), "NotPrincipal": {"AWS": "123456789012"}}),
     REJECT, "NOTPRINC"),
    ("trust policy needs a Principal", TRUST, trust({"Effect": "Allow", "Action": "sts:AssumeRole"}), REJECT,
     "PRINCIPAL ('You must use the Principal element in resource-based policies')"),
    ("trust policy with Resource", TRUST, trust(assume(Resource="arn:aws:s3:::example_bucket")), REJECT,
     "OBSERVED 'Has prohibited field Resource.'"),
    ("trust policy with NotPrincipal", TRUST,
     trust({"Effect": "Deny", "NotPrincipal": {"AWS": "123456789012"}, "Action": "sts:AssumeRole"}), REJECT,
     "NOTPRINC ('nor in an IAM role trust policy')"),
    ("trust policy with another action", TRUST, trust(assume(Action="sts:BadAssumeRole")), REJECT,
     "OBSERVED 'Trust Policy statement actions can only be sts:AssumeRole, ...'"),
    ("trust policy with session tags", TRUST, trust(assume(Action=["sts:AssumeRole", "sts:TagSession"])), ACCEPT,
     "IAM User Guide, 'Passing session tags in AWS STS'"),
    ("trust policy for a web identity", TRUST,
     trust({"Effect": "Allow", "Principal": {"Federated": "accounts.google.com"},
            "Action": "sts:AssumeRoleWithWebIdentity"}), ACCEPT, "PRINCIPAL (web identity providers)"),
    ("trust policy trusting an account", TRUST,
     trust({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}),
     ACCEPT, "PRINCIPAL (AWS account principals)"),
    ("trust policy with a wildcard in a principal ARN", TRUST,
     trust({"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:user/*"},
            "Action": "sts:AssumeRole"}), REJECT, "PRINCIPAL ('You cannot use a wildcard to match part of a "
                                                  "principal name or ARN')"),
    ("trust policy with an unknown principal type", TRUST,
     trust({"Effect": "Allow", "Principal": {"Person": "bob"}, "Action": "sts:AssumeRole"}), REJECT, "GRAMMAR"),
    ("resource policy with Allow and NotPrincipal", RES,
     identity({"Effect": "Allow", "NotPrincipal": {"AWS": "123456789012"}, "Action": "s3:GetObject",
               "Resource": "arn:aws:s3:::b/*"}), REJECT, "NOTPRINC ('Using it with \"Effect\":\"Allow\" is not "
                                                          "supported')"),
    ("resource policy with Deny and NotPrincipal", RES,
     identity({"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::123456789012:root"},
               "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}), ACCEPT, "NOTPRINC"),
    ("resource policy needs a Principal", RES,
     identity({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}), REJECT, "PRINCIPAL"),
    # ---- Condition
    ("empty Condition", ID, identity({**s3("*"), "Condition": {}}), ACCEPT, "OBSERVED"),
    ("Condition must be an object", ID, identity({**s3("*"), "Condition": []}), REJECT, "GRAMMAR"),
    ("operator block must be an object", ID, identity({**s3("*"), "Condition": {"DateGreaterThan": "b"}}), REJECT,
     "GRAMMAR"),
    ("condition value may not be an object", ID, identity(cond("DateGreaterThan", "a", {})), REJECT, "GRAMMAR"),
    ("unknown operator", ID, identity(cond("x", "a", "1")), REJECT, "CONDOPS; OBSERVED 'Syntax errors in policy.'"),
    ("operator names are case-sensitive", ID, identity(cond("stringequals", "aws:username", "a")), REJECT,
     "CONDOPS (names as listed)"),
    ("doubled colon in the set operator", ID, identity(cond("ForAnyValue::StringEqualsIfExists", "a", "asf")),
     REJECT, "OBSERVED"),
    ("unknown operator with an empty block", ID, identity({**s3("*"), "Condition": {"x": {}, "y": {}}}), ACCEPT,
     "OBSERVED"),
    ("condition key without a service prefix", ID, identity(cond("StringEqualsIfExists", "a", "asf")), ACCEPT,
     "OBSERVED (IAM does not check condition keys)"),
    ("unknown aws: condition key", ID, identity(cond("StringEquals", "aws:NoSuchKey", "x")), ACCEPT,
     "OBSERVED (advice only)"),
    ("set operator with IfExists", ID, identity(cond("ForAnyValue:StringEqualsIfExists", "a", "asf")), ACCEPT,
     "CONDOPS"),
    ("ForAllValues:Null", ID, identity(cond("ForAllValues:Null", "aws:TagKeys", "false")), ACCEPT, "CONDOPS, MULTI"),
    ("ForAnyValue:Null", ID, identity(cond("ForAnyValue:Null", "aws:TagKeys", "true")), ACCEPT, "CONDOPS, MULTI"),
    ("NullIfExists", ID, identity(cond("NullIfExists", "aws:TagKeys", "true")), ACCEPT,
     "OBSERVED (stored; advice: IfExists means nothing with Null)"),
    ("boolean values unquoted", ID, identity(cond("Bool", "aws:SecureTransport", True)), ACCEPT,
     "GRAMMAR ('Quotation marks are optional for numeric and Boolean values')"),
    ("numeric values unquoted", ID, identity(cond("NumericLessThan", "aws:MultiFactorAuthAge", 3600)), ACCEPT,
     "GRAMMAR"),
    ("condition value null", ID, identity(cond("StringEquals", "aws:username", None)), REJECT, "GRAMMAR"),
    ("empty list of condition values", ID, identity(cond("DateGreaterThan", "a", [])), ACCEPT, "OBSERVED"),
    ("Numeric value that is not a number", ID, identity(cond("NumericEquals", "aws:MultiFactorAuthAge", "ten")),
     ACCEPT, "OBSERVED (only Date values are parsed by IAM)"),
    ("Bool value other than true/false", ID, identity(cond("Bool", "aws:SecureTransport", "maybe")), ACCEPT,
     "OBSERVED"),
    ("IpAddress value that is not an address", ID, identity(cond("IpAddress", "aws:SourceIp", "somewhere")),
     ACCEPT, "OBSERVED"),
    ("Date value ISO 8601", ID, identity(cond("DateLessThanEquals", "aws:CurrentTime", "2019-07-01T13:20:15Z")),
     ACCEPT, "CONDOPS (Date: ISO 8601)"),
    ("Date value with offset and fraction", ID,
     identity(cond("DateLessThanEquals", "aws:CurrentTime", "2016-12-13T21:20:37.593194+00:00")), ACCEPT,
     "CONDOPS (W3C ISO 8601)"),
    ("Date value epoch seconds", ID, identity(cond("DateGreaterThan", "aws:EpochTime", "1700000000")), ACCEPT,
     "CONDOPS ('or in epoch (UNIX) time')"),
    ("Date value epoch seconds unquoted", ID, identity(cond("DateGreaterThan", "aws:EpochTime", 1700000000)),
     ACCEPT, "CONDOPS, GRAMMAR"),
    ("Date value that is not a date", ID, identity(cond("DateGreaterThan", "aws:CurrentTime", "sdfdsf")), REJECT,
     "OBSERVED 'The policy failed legacy parsing'"),
    ("Date value with month 13", ID, identity(cond("DateLessThanEquals", "aws:CurrentTime", "234-13")), REJECT,
     "OBSERVED"),
    ("Date value with a one-digit zone", ID,
     identity(cond("DateLessThanEquals", "aws:CurrentTime", "2016-12-13t2:00:00.593194+1")), REJECT, "OBSERVED"),
    ("Date epoch beyond 64 bits", ID, identity(cond("DateLessThan", "aws:EpochTime", "9223372036854775808")),
     REJECT, "OBSERVED"),
    ("Date value with decimal epoch", ID, identity(cond("DateLessThan", "aws:EpochTime", "1700000000.5")), REJECT,
     "OBSERVED (epoch values are whole seconds)"),
    ("Date value boolean", ID, identity(cond("DateLessThan", "aws:CurrentTime", True)), REJECT, "OBSERVED"),
    ("policy variables in Resource and conditions", ID,
     identity(allow(Action="s3:ListBucket", Resource="arn:aws:s3:::bucket-name",
                    Condition={"StringLike": {"s3:prefix": ["", "home/", "home/${aws:userid}/*"]}})), ACCEPT, "VARS"),
    # ---- characters and size quotas
    ("character outside U+0020-U+00FF", ID, identity(s3("arn:aws:s3:::b-EURO")).replace("EURO", "\u20ac"),
     REJECT, "IAM API Reference, CreatePolicy: PolicyDocument pattern [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+"),
    ("the same character escaped", ID, identity(s3("arn:aws:s3:::b-\u20ac")), ACCEPT,
     "IAM API Reference (the pattern applies to the document text; JSON escapes are ASCII)"),
]

SIZES = [
    # (size limit key, characters excluding whitespace, IAM stores it?, source)
    ("managed", 6144, ACCEPT, "QUOTAS: managed policy 6,144 characters"),
    ("managed", 6145, REJECT, "QUOTAS"),
    ("user_inline", 2048, ACCEPT, "QUOTAS: inline policies per user 2,048"),
    ("user_inline", 2049, REJECT, "QUOTAS"),
    ("group_inline", 5120, ACCEPT, "QUOTAS: inline policies per group 5,120"),
    ("group_inline", 5121, REJECT, "QUOTAS"),
    ("role_inline", 10240, ACCEPT, "QUOTAS: inline policies per role 10,240"),
    ("role_inline", 10241, REJECT, "QUOTAS"),
    ("trust", 2048, ACCEPT, "QUOTAS: role trust policy 2,048"),
    ("trust", 2049, REJECT, "QUOTAS"),
]


def _sized(characters: int, policy_type: str) -> str:
    """A policy IAM otherwise accepts, of exactly ``characters`` non-whitespace characters (plus whitespace)."""
    if policy_type == TRUST:
        base = trust({**assume(), "Sid": "PAD"})
    else:
        base = identity(allow(Action="s3:ListBucket", Resource="arn:aws:s3:::PAD"))
    padding = characters - len("".join(base.split())) + len("PAD")
    text = base.replace("PAD", "b" * padding)
    assert len("".join(text.split())) == characters
    return text + "   \n"


@pytest.mark.parametrize("rule,policy_type,document,stored,source", VERDICTS, ids=[v[0] for v in VERDICTS])
def test_iam_verdict(rule, policy_type, document, stored, source):
    result = validate(document, policy_type=policy_type)
    assert result.valid is stored, (rule, source, [(f.issue_code, f.message) for f in result.blocking()])
    # Blocking findings are what refuses the document; advice never does.
    assert bool(result.blocking()) is not stored


@pytest.mark.parametrize("limit,characters,stored,source", SIZES, ids=[f"{s[0]}-{s[1]}" for s in SIZES])
def test_iam_size_quota(limit, characters, stored, source):
    policy_type = TRUST if limit == "trust" else ID
    result = validate(_sized(characters, policy_type), policy_type=policy_type, size_limit=limit)
    assert result.valid is stored, [(f.issue_code, f.message) for f in result.blocking()]


# ---------------------------------------------------------------- decisions

USER = "arn:aws:iam::123456789012:user/alice"


def decide(statements: list[dict], action: str, resource: str = "*", context: dict | None = None,
           version: str = "2012-10-17") -> str:
    text = json.dumps({"Version": version, "Statement": statements})
    policy = compile_policy(text, f"rules-{hash(text)}", "1")
    return evaluate(Request(action, resource, context or {}), [policy]).decision


def when(operator: str, key: str, value: object, action: str = "s3:GetObject", effect: str = "Allow") -> list[dict]:
    return [{"Effect": effect, "Action": action, "Resource": "*", "Condition": {operator: {key: value}}}]


A, D, N = "allowed", "explicitDeny", "implicitDeny"
ALL = [{"Effect": "Allow", "Action": "*", "Resource": "*"}]

# (rule, statements, action, resource, context, expected decision, source)
DECISIONS = [
    # ---- evaluation logic
    ("default deny", [], "s3:GetObject", "*", {}, N, "EVAL (implicit deny)"),
    ("allow", ALL, "s3:GetObject", "*", {}, A, "EVAL"),
    ("explicit deny wins", ALL + [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}], "s3:GetObject", "*", {},
     D, "EVAL"),
    ("GetCallerIdentity with no policy", [], "sts:GetCallerIdentity", "*", {}, A, "GCI ('No permissions are "
                                                                                   "required')"),
    ("GetCallerIdentity under explicit Deny", [{"Effect": "Deny", "Action": "*", "Resource": "*"}],
     "sts:GetCallerIdentity", "*", {}, A, "GCI ('explicitly denies ... you can still perform this operation')"),
    ("GetCallerIdentity in any case", [{"Effect": "Deny", "Action": "sts:*", "Resource": "*"}],
     "STS:getcalleridentity", "*", {}, A, "GCI; ACTION (case-insensitive)"),
    # ---- actions and resources
    ("actions are case-insensitive", [{"Effect": "Allow", "Action": "S3:getobject", "Resource": "*"}],
     "s3:GetObject", "*", {}, A, "ACTION ('Action names are not case sensitive')"),
    ("action wildcards", [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}], "s3:GetObjectAcl", "*", {}, A,
     "ACTION (wildcards)"),
    ("single-character wildcard", [{"Effect": "Allow", "Action": "iam:?etUser", "Resource": "*"}], "iam:GetUser",
     "*", {}, A, "ACTION"),
    ("NotAction allows every other action", [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}],
     "s3:GetObject", "*", {}, A, "IAM JSON policy elements: NotAction"),
    ("NotAction excludes its actions", [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}],
     "iam:CreateUser", "*", {}, N, "NotAction"),
    ("resource ARNs are case-sensitive", [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::Bucket/*"}],
     "s3:GetObject", "arn:aws:s3:::bucket/key", {}, N, "RESOURCE ('Resource ARNs are case sensitive')"),
    ("resource wildcard spans slashes", [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}],
     "s3:GetObject", "arn:aws:s3:::b/a/b/c", {}, A, "RESOURCE"),
    ("NotResource allows other resources", [{"Effect": "Allow", "Action": "s3:*",
                                             "NotResource": "arn:aws:s3:::secret/*"}],
     "s3:GetObject", "arn:aws:s3:::public/x", {}, A, "IAM JSON policy elements: NotResource"),
    ("NotResource excludes its resources", [{"Effect": "Allow", "Action": "s3:*",
                                             "NotResource": "arn:aws:s3:::secret/*"}],
     "s3:GetObject", "arn:aws:s3:::secret/x", {}, N, "NotResource"),
    # ---- policy variables
    ("${aws:username} in Resource", [{"Effect": "Allow", "Action": "iam:GetUser",
                                      "Resource": "arn:aws:iam::*:user/${aws:username}"}],
     "iam:GetUser", USER, {"aws:username": "alice"}, A, "VARS"),
    ("${aws:username} for another user", [{"Effect": "Allow", "Action": "iam:GetUser",
                                           "Resource": "arn:aws:iam::*:user/${aws:username}"}],
     "iam:GetUser", "arn:aws:iam::123456789012:user/bob", {"aws:username": "alice"}, N, "VARS"),
    ("missing variable does not match", [{"Effect": "Allow", "Action": "iam:GetUser",
                                          "Resource": "arn:aws:iam::*:user/${aws:username}"}],
     "iam:GetUser", USER, {}, N, "VARS ('If the key is not present ... the policy element does not match')"),
    ("variable default value", [{"Effect": "Allow", "Action": "s3:GetObject",
                                 "Resource": "arn:aws:s3:::b/${aws:PrincipalTag/team, 'shared'}/*"}],
     "s3:GetObject", "arn:aws:s3:::b/shared/x", {}, A, "VARS (default values)"),
    ("${*} is a literal asterisk", [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${*}"}],
     "s3:GetObject", "arn:aws:s3:::b/anything", {}, N, "VARS (special characters)"),
    ("${*} matches an asterisk", [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${*}"}],
     "s3:GetObject", "arn:aws:s3:::b/*", {}, A, "VARS"),
    ("${?} matches a question mark", [{"Effect": "Allow", "Action": "s3:GetObject",
                                       "Resource": "arn:aws:s3:::b/${?}"}],
     "s3:GetObject", "arn:aws:s3:::b/?", {}, A, "VARS"),
    ("${$} matches a dollar", [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${$}x"}],
     "s3:GetObject", "arn:aws:s3:::b/$x", {}, A, "VARS"),
    ("variables are literal under 2008-10-17", [{"Effect": "Allow", "Action": "iam:GetUser",
                                                 "Resource": "arn:aws:iam::*:user/${aws:username}"}],
     "iam:GetUser", USER, {"aws:username": "alice"}, N, "VARS, VERSION"),
    # ---- condition keys and string operators
    ("condition key names are case-insensitive", when("StringEquals", "AWS:UserName", "alice"), "s3:GetObject", "*",
     {"aws:username": "alice"}, A, "CONDOPS ('Condition key names are not case-sensitive')"),
    ("StringEquals values are case-sensitive", when("StringEquals", "aws:username", "Alice"), "s3:GetObject", "*",
     {"aws:username": "alice"}, N, "CONDOPS"),
    ("StringEqualsIgnoreCase", when("StringEqualsIgnoreCase", "aws:username", "ALICE"), "s3:GetObject", "*",
     {"aws:username": "alice"}, A, "CONDOPS"),
    ("StringLike wildcard", when("StringLike", "s3:prefix", "home/*"), "s3:GetObject", "*", {"s3:prefix": "home/a"},
     A, "CONDOPS"),
    ("StringNotEquals on a missing key", when("StringNotEquals", "aws:username", "bob"), "s3:GetObject", "*", {}, A,
     "CONDOPS (negated operators match a missing key)"),
    ("StringEquals on a missing key", when("StringEquals", "aws:username", "bob"), "s3:GetObject", "*", {}, N,
     "CONDOPS"),
    ("IfExists on a missing key", when("StringEqualsIfExists", "aws:username", "bob"), "s3:GetObject", "*", {}, A,
     "CONDOPS (...IfExists)"),
    ("IfExists on a present key", when("StringEqualsIfExists", "aws:username", "bob"), "s3:GetObject", "*",
     {"aws:username": "alice"}, N, "CONDOPS"),
    ("variable in a condition value", when("StringEquals", "s3:prefix", "home/${aws:username}"), "s3:GetObject", "*",
     {"s3:prefix": "home/alice", "aws:username": "alice"}, A, "VARS"),
    # ---- Bool, Numeric, Date, IP, Binary, ARN
    ("Bool true", when("Bool", "aws:SecureTransport", "true"), "s3:GetObject", "*", {"aws:SecureTransport": True}, A,
     "CONDOPS (Boolean)"),
    ("Bool is case-insensitive", when("Bool", "aws:SecureTransport", "True"), "s3:GetObject", "*",
     {"aws:SecureTransport": "true"}, A, "OBSERVED (kms example: \"True\")"),
    ("Bool false against true", when("Bool", "aws:SecureTransport", "false"), "s3:GetObject", "*",
     {"aws:SecureTransport": True}, N, "CONDOPS"),
    ("Numeric with decimals", when("NumericLessThan", "s3:max-keys", "10.5"), "s3:GetObject", "*",
     {"s3:max-keys": "10"}, A, "CONDOPS (Numeric)"),
    ("Numeric unquoted", when("NumericLessThanEquals", "aws:MultiFactorAuthAge", 3600), "s3:GetObject", "*",
     {"aws:MultiFactorAuthAge": 3600}, A, "CONDOPS, GRAMMAR"),
    ("Numeric greater", when("NumericGreaterThan", "aws:MultiFactorAuthAge", "3600"), "s3:GetObject", "*",
     {"aws:MultiFactorAuthAge": "3599.9"}, N, "CONDOPS"),
    ("Date ISO 8601 against ISO", when("DateLessThan", "aws:CurrentTime", "2030-01-01T00:00:00Z"), "s3:GetObject",
     "*", {"aws:CurrentTime": "2025-06-01T12:00:00Z"}, A, "CONDOPS (Date)"),
    ("Date epoch in the policy", when("DateGreaterThan", "aws:CurrentTime", "1700000000"), "s3:GetObject", "*",
     {"aws:CurrentTime": "2025-06-01T12:00:00Z"}, A, "CONDOPS ('or in epoch (UNIX) time')"),
    ("Date epoch in the context", when("DateLessThan", "aws:EpochTime", "2030-01-01T00:00:00Z"), "s3:GetObject", "*",
     {"aws:EpochTime": 1700000000}, A, "CONDOPS"),
    ("Date with a zone offset", when("DateEquals", "aws:CurrentTime", "2025-01-01T05:00:00+05:00"), "s3:GetObject",
     "*", {"aws:CurrentTime": "2025-01-01T00:00:00Z"}, A, "CONDOPS (W3C ISO 8601)"),
    ("IpAddress IPv4 CIDR", when("IpAddress", "aws:SourceIp", "203.0.113.0/24"), "s3:GetObject", "*",
     {"aws:SourceIp": "203.0.113.9"}, A, "CONDOPS (IP address)"),
    ("IpAddress IPv6 CIDR", when("IpAddress", "aws:SourceIp", "2001:db8::/32"), "s3:GetObject", "*",
     {"aws:SourceIp": "2001:db8:1::5"}, A, "CONDOPS ('IPv4 or IPv6')"),
    ("IPv4 address against an IPv6 block", when("IpAddress", "aws:SourceIp", "2001:db8::/32"), "s3:GetObject", "*",
     {"aws:SourceIp": "203.0.113.9"}, N, "CONDOPS"),
    ("NotIpAddress", when("NotIpAddress", "aws:SourceIp", "203.0.113.0/24"), "s3:GetObject", "*",
     {"aws:SourceIp": "198.51.100.1"}, A, "CONDOPS"),
    ("BinaryEquals", when("BinaryEquals", "s3:key", "QmluYXJ5VmFsdWU="), "s3:GetObject", "*",
     {"s3:key": "QmluYXJ5VmFsdWU="}, A, "CONDOPS (Binary: base64)"),
    ("ArnLike per field", when("ArnLike", "aws:SourceArn", "arn:aws:s3:::bucket-*"), "s3:GetObject", "*",
     {"aws:SourceArn": "arn:aws:s3:::bucket-1"}, A, "CONDOPS (ARN)"),
    ("ArnEquals takes wildcards too", when("ArnEquals", "aws:PrincipalArn", "arn:aws:iam::*:role/admin"),
     "s3:GetObject", "*", {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/admin"}, A, "CONDOPS"),
    ("ArnLike is case-sensitive", when("ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:role/Admin"), "s3:GetObject",
     "*", {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/admin"}, N, "CONDOPS"),
    # ---- Null and set operators
    ("Null true on a missing key", when("Null", "aws:TokenIssueTime", "true"), "s3:GetObject", "*", {}, A,
     "CONDOPS (Null)"),
    ("Null false on a present key", when("Null", "aws:TokenIssueTime", "false"), "s3:GetObject", "*",
     {"aws:TokenIssueTime": "2025-01-01T00:00:00Z"}, A, "CONDOPS"),
    ("Null true on a present key", when("Null", "aws:TokenIssueTime", "true"), "s3:GetObject", "*",
     {"aws:TokenIssueTime": "2025-01-01T00:00:00Z"}, N, "CONDOPS"),
    ("ForAllValues on a missing key", when("ForAllValues:StringEquals", "aws:TagKeys", ["a", "b"]), "s3:GetObject",
     "*", {}, A, "MULTI ('returns true if there are no context keys in the request')"),
    ("ForAllValues all match", when("ForAllValues:StringEquals", "aws:TagKeys", ["a", "b"]), "s3:GetObject", "*",
     {"aws:TagKeys": ["a", "b"]}, A, "MULTI"),
    ("ForAllValues one outside", when("ForAllValues:StringEquals", "aws:TagKeys", ["a", "b"]), "s3:GetObject", "*",
     {"aws:TagKeys": ["a", "c"]}, N, "MULTI"),
    ("ForAllValues on an empty set", when("ForAllValues:StringEquals", "aws:TagKeys", ["a"]), "s3:GetObject", "*",
     {"aws:TagKeys": []}, A, "MULTI ('resolves to a null data set')"),
    ("ForAnyValue on a missing key", when("ForAnyValue:StringEquals", "aws:TagKeys", ["a"]), "s3:GetObject", "*", {},
     N, "MULTI ('returns false if there are no context keys')"),
    ("ForAnyValue one matches", when("ForAnyValue:StringEquals", "aws:TagKeys", ["a"]), "s3:GetObject", "*",
     {"aws:TagKeys": ["z", "a"]}, A, "MULTI"),
    ("ForAnyValue:StringNotEquals", when("ForAnyValue:StringNotEquals", "aws:TagKeys", ["a"]), "s3:GetObject", "*",
     {"aws:TagKeys": ["a", "b"]}, A, "MULTI (negated operator per value)"),
    ("ForAllValues:StringNotEquals", when("ForAllValues:StringNotEquals", "aws:TagKeys", ["a"]), "s3:GetObject",
     "*", {"aws:TagKeys": ["a", "b"]}, N, "MULTI"),
    ("ForAllValues:StringLike", when("ForAllValues:StringLike", "aws:TagKeys", ["team*"]), "s3:GetObject", "*",
     {"aws:TagKeys": ["team-a", "team-b"]}, A, "MULTI"),
    ("ForAnyValue:NumericGreaterThan", when("ForAnyValue:NumericGreaterThan", "s3:sizes", "10"), "s3:GetObject",
     "*", {"s3:sizes": [1, 20]}, A, "MULTI, CONDOPS"),
    ("ForAnyValue:IpAddress", when("ForAnyValue:IpAddress", "aws:SourceIp", "10.0.0.0/8"), "s3:GetObject", "*",
     {"aws:SourceIp": ["192.0.2.1", "10.1.2.3"]}, A, "MULTI, CONDOPS"),
    ("ForAllValues:ArnLike", when("ForAllValues:ArnLike", "aws:CalledVia", "arn:aws:iam::*:role/*"), "s3:GetObject",
     "*", {"aws:CalledVia": ["arn:aws:iam::1:role/a", "arn:aws:s3:::b"]}, N, "MULTI, CONDOPS"),
    ("ForAnyValue:Bool", when("ForAnyValue:Bool", "kms:GrantIsForAWSResource", "true"), "s3:GetObject", "*",
     {"kms:GrantIsForAWSResource": [False, True]}, A, "MULTI, CONDOPS"),
    ("ForAllValues:StringEqualsIfExists on a missing key",
     when("ForAllValues:StringEqualsIfExists", "aws:TagKeys", "a"), "s3:GetObject", "*", {}, A, "MULTI, CONDOPS"),
    ("ForAnyValue:StringEqualsIfExists on a missing key",
     when("ForAnyValue:StringEqualsIfExists", "aws:TagKeys", "a"), "s3:GetObject", "*", {}, A,
     "CONDOPS (IfExists: a missing key passes)"),
    ("ForAllValues:Null false on a missing key", when("ForAllValues:Null", "aws:TagKeys", "false"), "s3:GetObject",
     "*", {}, A, "MULTI (ForAllValues: a missing key is true)"),
    ("ForAllValues:Null true on present keys", when("ForAllValues:Null", "aws:TagKeys", "true"), "s3:GetObject",
     "*", {"aws:TagKeys": ["a"]}, N, "MULTI, CONDOPS (Null)"),
    ("ForAllValues:Null false on present keys", when("ForAllValues:Null", "aws:TagKeys", "false"), "s3:GetObject",
     "*", {"aws:TagKeys": ["a"]}, A, "MULTI, CONDOPS (Null)"),
    ("ForAnyValue:Null true on a missing key", when("ForAnyValue:Null", "aws:TagKeys", "true"), "s3:GetObject", "*",
     {}, N, "MULTI (ForAnyValue: a missing key is false)"),
    ("ForAnyValue:Null false on present keys", when("ForAnyValue:Null", "aws:TagKeys", "false"), "s3:GetObject",
     "*", {"aws:TagKeys": ["a"]}, A, "MULTI, CONDOPS (Null)"),
    ("Null true on an empty set", when("Null", "aws:TagKeys", "true"), "s3:GetObject", "*", {"aws:TagKeys": []}, A,
     "MULTI ('null data set')"),
    ("multivalued key without a set operator", when("StringEquals", "aws:TagKeys", "a"), "s3:GetObject", "*",
     {"aws:TagKeys": ["b", "a"]}, A, "MULTI (any value matches)"),
    ("Deny with a condition that holds", ALL + when("Bool", "aws:MultiFactorAuthPresent", "false", "*", "Deny"),
     "s3:GetObject", "*", {"aws:MultiFactorAuthPresent": False}, D, "EVAL, CONDOPS"),
    ("BoolIfExists deny skipped for a missing key",
     ALL + when("BoolIfExists", "aws:MultiFactorAuthPresent", "false", "*", "Deny"),
     "s3:GetObject", "*", {}, D, "CONDOPS (IfExists: a missing key passes, so the Deny applies)"),
]


@pytest.mark.parametrize("rule,statements,action,resource,context,expected,source", DECISIONS,
                         ids=[d[0] for d in DECISIONS])
def test_iam_decision(rule, statements, action, resource, context, expected, source):
    version = "2008-10-17" if "2008-10-17" in rule else "2012-10-17"
    assert decide(statements, action, resource, context, version) == expected, (rule, source)


def test_every_decision_row_uses_a_policy_iam_accepts():
    """The decision rows exercise documents IAM stores, so the two tables agree."""
    for rule, statements, *_rest in DECISIONS:
        if not statements:
            continue
        version = "2008-10-17" if "2008-10-17" in rule else "2012-10-17"
        text = json.dumps({"Version": version, "Statement": statements})
        if version == "2008-10-17":
            continue  # identity policies must be 2012-10-17; that row shows evaluation of a stored legacy one
        assert validate(text).valid, (rule, [f.message for f in validate(text).blocking()])


# Documents IAM stores that still deserve a finding: (rule, document, issue code, severity).
ADVICE = [
    ("condition key without a prefix", identity(cond("StringEquals", "team", "blue")), "INVALID_CONDITION_KEY",
     "WARNING"),
    ("unknown aws: key", identity(cond("StringEquals", "aws:UserNme", "x")), "UNKNOWN_GLOBAL_CONDITION_KEY", "ERROR"),
    ("unknown iam action", identity(allow(Action="iam:CreatUser", Resource="*")), "UNKNOWN_ACTION", "ERROR"),
    ("hyphenated action name", identity(allow(Action="s3:Get-Object", Resource="*")), "INVALID_ACTION_FORMAT",
     "ERROR"),
    ("IAM ARN with an empty account", identity(allow(Action="iam:GetUser", Resource="arn:aws:iam:::user/x")),
     "INVALID_ARN", "ERROR"),
    ("S3 bucket ARN with an account", identity(s3("arn:aws:s3::123456789012:bucket")), "INVALID_ARN", "ERROR"),
    ("Numeric value not a number", identity(cond("NumericEquals", "aws:MultiFactorAuthAge", "ten")),
     "INVALID_CONDITION_VALUE", "ERROR"),
    ("NullIfExists", identity(cond("NullIfExists", "aws:TagKeys", "true")), "NULL_WITH_IF_EXISTS", "ERROR"),
    ("empty list of condition values", identity(cond("StringEquals", "aws:username", [])), "EMPTY_CONDITION_VALUES",
     "WARNING"),
    ("null in a list", identity(allow(Action="s3:ListBucket", Resource=["*", None])), "NULL_VALUE", "WARNING"),
    ("trust policy on 2008-10-17", trust(assume(), version="2008-10-17"), "OLD_VERSION", "SUGGESTION"),
]


@pytest.mark.parametrize("rule,document,code,severity", ADVICE, ids=[a[0] for a in ADVICE])
def test_advice_is_reported_but_never_blocks(rule, document, code, severity):
    policy_type = TRUST if "trust" in rule else ID
    result = validate(document, policy_type=policy_type)
    assert result.valid, [(f.issue_code, f.message) for f in result.blocking()]
    assert [(f.severity.value, f.blocking) for f in result.findings if f.issue_code == code] == [(severity, False)]
