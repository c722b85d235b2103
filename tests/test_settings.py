"""Settings come from the environment and fail fast on bad values."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings

PROBE = (
    "import django; django.setup(); from django.conf import settings; "
    "from huey.contrib.djhuey import HUEY; "
    "print(settings.DATABASES['default']['ENGINE'], type(HUEY).__name__)"
)


def run_settings(tmp_path, **env):
    full_env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY"}
    }
    full_env.update(DJANGO_SETTINGS_MODULE="config.settings", GONGZHI_DATA_DIR=str(tmp_path))
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=settings.BASE_DIR,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_default_is_sqlite_and_huey_on_sqlite(tmp_path):
    result = run_settings(tmp_path)
    assert result.stdout.split() == ["django.db.backends.sqlite3", "SqliteHuey"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_redis_url_switches_huey_to_redis(tmp_path):
    result = run_settings(tmp_path, REDIS_URL="redis://127.0.0.1:6379/0")
    assert result.stdout.split()[1] == "PriorityRedisHuey"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "maybe"}, "DEBUG must be a boolean"),
        ({"DATABASE_URL": "mysql://root@localhost/x"}, "PostgreSQL or SQLite"),
        ({"DATABASE_URL": "nonsense"}, "DATABASE_URL"),
        ({"REDIS_URL": "http://127.0.0.1:6379"}, "REDIS_URL must start with"),
        ({"SECRET_KEY": "short"}, "at least 32 characters"),
        ({"HUEY_WORKERS": "zero"}, "HUEY_WORKERS must be an integer"),
    ],
)
def test_bad_values_fail_fast(tmp_path, env, message):
    result = run_settings(tmp_path, **env)
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="SQLite-specific pragmas; this run uses PostgreSQL",
)
@pytest.mark.django_db
def test_sqlite_runs_in_wal_with_foreign_keys_and_immediate_transactions():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal = cursor.fetchone()[0]
        cursor.execute("PRAGMA foreign_keys")
        foreign_keys = cursor.fetchone()[0]
    assert (journal, foreign_keys) == ("wal", 1)
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
