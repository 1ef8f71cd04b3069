"""The frame's own table: the keyed check value of the credential key the database was created under."""

from __future__ import annotations

from django.db import models


class CredentialKeyCheck(models.Model):
    """One row: HMAC(IAM_CREDENTIAL_KEY, a fixed label). It reveals nothing of the key, and a directory started
    (or a backup restored) under another key finds it does not match and refuses to start (credential_key.py)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    check_value = models.CharField(max_length=64)
    recorded_at = models.DateTimeField(auto_now_add=True)
