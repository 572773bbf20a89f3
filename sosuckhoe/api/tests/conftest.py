"""API tests play with the root cast, the vaccination tests' fixtures, and a key per role."""

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.api.services import api_token_create
from sosuckhoe.api.tests.world import World, world_build
from sosuckhoe.vaccination.tests.conftest import (  # noqa: F401  (fixtures)
    answers,
    comirnaty,
    group,
    make_session,
    reference,
    reference_rows,
    screened,
    site,
    site_b,
    stock,
)


@pytest.fixture
def api_for(cast) -> Callable[[str], APIClient]:
    """A client that calls the API with a new key of the role's user; no key for "anonymous"."""

    def make(role: str) -> APIClient:
        client = APIClient()
        if role != "anonymous":
            user = cast.users[role]
            _token, key = api_token_create(actor=Actor.system("tests"), user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make


@pytest.fixture
def world(cast, site, stock, make_session, answers) -> World:  # noqa: F811
    return world_build(cast, site, stock, make_session, answers)
