"""AWS global condition context keys (aws:*), with their types and multi-valuedness."""

from __future__ import annotations

# IAM User Guide: "AWS global condition context keys". Name -> data type.
# Keys ending in "/" take a tag key (or other suffix) after the slash.
GLOBAL_CONDITION_KEYS: dict[str, str] = {
    "aws:AssumedRoot": "String",
    "aws:CalledVia": "ArrayOfString",
    "aws:CalledViaFirst": "String",
    "aws:CalledViaLast": "String",
    "aws:ChatbotSourceArn": "ARN",
    "aws:CurrentTime": "Date",
    "aws:Ec2InstanceSourcePrivateIPv4": "IPAddress",
    "aws:Ec2InstanceSourceVpc": "String",
    "aws:EpochTime": "Date",
    "aws:FederatedProvider": "String",
    "aws:IsMcpServiceAction": "Bool",
    "aws:MultiFactorAuthAge": "Numeric",
    "aws:MultiFactorAuthPresent": "Bool",
    "aws:PrincipalAccount": "String",
    "aws:PrincipalArn": "ARN",
    "aws:PrincipalIsAWSService": "Bool",
    "aws:PrincipalOrgID": "String",
    "aws:PrincipalOrgPaths": "ArrayOfString",
    "aws:PrincipalServiceName": "String",
    "aws:PrincipalServiceNamesList": "ArrayOfString",
    "aws:PrincipalTag/": "String",
    "aws:PrincipalType": "String",
    "aws:Referer": "String",
    "aws:RequestedRegion": "String",
    "aws:RequestTag/": "String",
    "aws:ResourceAccount": "String",
    "aws:ResourceOrgID": "String",
    "aws:ResourceOrgPaths": "ArrayOfString",
    "aws:ResourceTag/": "String",
    "aws:SecureTransport": "Bool",
    "aws:SourceAccount": "String",
    "aws:SourceArn": "ARN",
    "aws:SourceIdentity": "String",
    "aws:SourceIp": "IPAddress",
    "aws:SourceOrgID": "String",
    "aws:SourceOrgPaths": "ArrayOfString",
    "aws:SourceOwner": "String",
    "aws:SourceVpc": "String",
    "aws:SourceVpcArn": "ARN",
    "aws:SourceVpce": "String",
    "aws:TagKeys": "ArrayOfString",
    "aws:TokenIssueTime": "Date",
    "aws:UserAgent": "String",
    "aws:userid": "String",
    "aws:username": "String",
    "aws:ViaAWSService": "Bool",
    "aws:VpceAccount": "String",
    "aws:VpceOrgID": "String",
    "aws:VpceOrgPaths": "ArrayOfString",
    "aws:VpcSourceIp": "IPAddress",
}

# Condition keys are case-insensitive (IAM User Guide: Condition element).
_EXACT = {name.lower(): name for name in GLOBAL_CONDITION_KEYS if not name.endswith("/")}
_PREFIXED = {name.lower(): name for name in GLOBAL_CONDITION_KEYS if name.endswith("/")}


def global_key(name: str) -> str | None:
    """Canonical name of an aws:* key (the "aws:PrincipalTag/" family for tag keys), or None."""
    lowered = name.lower()
    if lowered in _EXACT:
        return _EXACT[lowered]
    for prefix, canonical in _PREFIXED.items():
        if lowered.startswith(prefix) and len(lowered) > len(prefix):
            return canonical
    return None


def key_type(name: str) -> str | None:
    canonical = global_key(name)
    return GLOBAL_CONDITION_KEYS[canonical] if canonical else None


def is_multivalued(name: str) -> bool | None:
    """True/False for known aws:* keys; None when we cannot tell (service keys)."""
    kind = key_type(name)
    return None if kind is None else kind.startswith("ArrayOf")
