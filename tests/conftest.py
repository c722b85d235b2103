"""Shared fixtures.

The territory is loaded once per test database (per xdist worker): all of
Anhui's divisions from the real data, boundaries, and grids generated for the
counties the tests use, so every test sees a real tree of real places.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test.utils import override_settings

# Counties whose grids the test territory generates: the seed article's places.
TEST_COUNTIES = ["340111", "340176", "340202", "340302"]


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    # Argon2 is the production hasher; tests only need a correct one.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("import_divisions", verbosity=0)
        call_command("import_boundaries", verbosity=0)
        call_command("generate_grids", counties=",".join(TEST_COUNTIES), verbosity=0)
    yield
