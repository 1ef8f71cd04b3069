"""Fixtures for the identity store: the management account's store, seen by its root user."""

from __future__ import annotations

import pytest

from identitystore.services.store import identity_store_of


@pytest.fixture
def store(root_caller):
    return identity_store_of(root_caller.account_id)
