"""The AWS service principals Organizations recognises for trusted access (EnableAWSServiceAccess) and delegated
administration, after AWS's "services that work with Organizations" list; any other is refused as AWS refuses it."""

from __future__ import annotations

from organizations.errors import invalid_input

TRUSTED_SERVICES = frozenset({
    "access-analyzer.amazonaws.com", "account.amazonaws.com", "auditmanager.amazonaws.com",
    "aws-artifact-account-sync.amazonaws.com", "backup.amazonaws.com", "cloudtrail.amazonaws.com",
    "compute-optimizer.amazonaws.com", "config.amazonaws.com", "config-multiaccountsetup.amazonaws.com",
    "controltower.amazonaws.com", "cost-optimization-hub.bcm.amazonaws.com", "detective.amazonaws.com",
    "devops-guru.amazonaws.com", "ds.amazonaws.com", "fms.amazonaws.com", "guardduty.amazonaws.com",
    "health.amazonaws.com", "iam.amazonaws.com", "inspector2.amazonaws.com", "ipam.amazonaws.com",
    "license-management.marketplace.amazonaws.com", "license-manager.amazonaws.com",
    "license-manager.member-account.amazonaws.com", "macie.amazonaws.com", "malware-protection.guardduty.amazonaws.com",
    "member.org.stacksets.cloudformation.amazonaws.com", "mgn.amazonaws.com", "ram.amazonaws.com",
    "reachabilityanalyzer.networkinsights.amazonaws.com", "reporting.trustedadvisor.amazonaws.com",
    "securityhub.amazonaws.com", "securitylake.amazonaws.com", "servicecatalog.amazonaws.com",
    "servicequotas.amazonaws.com", "ssm.amazonaws.com", "ssm-quicksetup.amazonaws.com", "sso.amazonaws.com",
    "storage-lens.s3.amazonaws.com", "tagpolicies.tag.amazonaws.com", "wellarchitected.amazonaws.com",
})


def recognised(service_principal: str) -> str:
    """The principal, when AWS recognises it; InvalidInputException (UNRECOGNIZED_SERVICE_PRINCIPAL) else."""
    if service_principal not in TRUSTED_SERVICES:
        raise invalid_input("UNRECOGNIZED_SERVICE_PRINCIPAL",
                            f"You specified an unrecognized service principal: {service_principal[:128]!r}. Give "
                            "one of an AWS service that works with Organizations, such as sso.amazonaws.com.")
    return service_principal


# How many delegated administrators a service takes: one, unless AWS documents more for it.
_DELEGATED_ADMINISTRATORS = {"config.amazonaws.com": 3, "config-multiaccountsetup.amazonaws.com": 3,
                             "member.org.stacksets.cloudformation.amazonaws.com": 5}


def delegated_administrator_limit(service_principal: str) -> int:
    return _DELEGATED_ADMINISTRATORS.get(service_principal, 1)
