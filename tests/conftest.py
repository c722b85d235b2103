"""Shared fixtures.

The territory is loaded once per test database (per xdist worker): all of
Anhui's divisions from the real data, boundaries, and grids generated for the
counties the tests use, so every test sees a real tree of real places.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.test.utils import override_settings

# No personal data in any log record of the run (issue 6, item 9).
pytest_plugins = ["tests.logscan"]

# Counties whose grids the test territory generates: the seed article's places.
TEST_COUNTIES = ["340111", "340176", "340202", "340302"]


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    # Argon2 is the production hasher; tests only need a correct one.
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session", autouse=True)
def _private_rate_limit_counters():
    # One counter file per test process (xdist workers must not share counts);
    # emptied at the start, removed at the end.
    import os

    from django.conf import settings

    from gongzhi.core import ratelimit

    path = Path(settings.DATA_DIR) / f"test_ratelimit_{os.getpid()}.sqlite3"
    with override_settings(RATE_LIMIT_DB=path):
        ratelimit.reset()
        yield
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@pytest.fixture(autouse=True)
def _fresh_rate_limits(_private_rate_limit_counters):
    # Counters are keyed by account id or address, which tests reuse: every
    # test starts from zero.
    from gongzhi.core import ratelimit

    ratelimit.reset()


def load_test_territory() -> None:
    """Idempotent: all divisions, the outlines, grids for TEST_COUNTIES."""
    call_command("import_divisions", verbosity=0)
    call_command("import_boundaries", verbosity=0)
    call_command("generate_grids", counties=",".join(TEST_COUNTIES), verbosity=0)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_test_territory()
    yield


@pytest.fixture
def territory_live(transactional_db):
    """For transactional tests (live server, threads): each one ends by
    emptying every table, so the territory is loaded again at its start."""
    load_test_territory()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture
def browser():
    """Debian's Chromium driven by Playwright; skips, with the reason, where absent."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not installed at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
