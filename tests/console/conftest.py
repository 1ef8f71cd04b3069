"""Console fixtures: Django test clients signed in through the real sign-in page."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import ROOT_PASSWORD

USER_PASSWORD = "Us3r-Passw0rd!"


def sign_in(client: Client, user_name: str, password: str):
    return client.post("/sign-in/", {"user_name": user_name, "password": password})


@pytest.fixture
def root_console(root) -> Client:
    client = Client()
    response = sign_in(client, root.user_name, ROOT_PASSWORD)
    assert response.status_code == 302, response.content
    return client


@pytest.fixture
def user_console(make_user):
    """A console client signed in as a fresh IAM user with no policies; returns (user, client)."""

    def make(user_name: str = "alice", password: str = USER_PASSWORD, **kwargs):
        user = make_user(user_name, password=password, **kwargs)
        client = Client()
        response = sign_in(client, user_name, password)
        assert response.status_code == 302, response.content
        return user, client

    return make
