"""Backup drill: back up, restore into a fresh database, compare, decrypt."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from django.core.management import call_command
from django.db import connection

from gongzhi.core import crypto
from gongzhi.core.backup import sqlite_connect
from gongzhi.org.models import GridMember
from tests.factories import GridMemberFactory

TABLES = ["org_division", "org_gridmember", "accounts_auditentry", "accounts_user"]


def _fingerprint(rows) -> str:
    return hashlib.sha256(repr(sorted(rows, key=repr)).encode()).hexdigest()


def _live(table: str):
    if connection.vendor == "sqlite":
        # Raw rows, typed as the restored file will give them back.
        with sqlite_connect(connection.settings_dict["NAME"]) as db:
            return db.execute(f"SELECT * FROM {table}").fetchall()  # nosec B608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # nosec B608 - fixed table names
        return cursor.fetchall()


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_a_fresh_database_with_equal_rows(territory_live, tmp_path):
    GridMemberFactory(phone="13855667788")
    path = tmp_path / "drill.bak"
    call_command("backup", str(path))
    assert b"13855667788" not in path.read_bytes()
    expected = {t: _fingerprint(_live(t)) for t in TABLES}
    counts = {t: len(_live(t)) for t in TABLES}
    if connection.vendor == "sqlite":
        target = tmp_path / "restored.sqlite3"
        call_command("restore", str(path), into=str(target))
        with sqlite_connect(target) as db:
            assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            for table in TABLES:
                rows = db.execute(f"SELECT * FROM {table}").fetchall()  # nosec B608
                assert len(rows) == counts[table]
                assert _fingerprint(rows) == expected[table], table
            stored = db.execute("SELECT phone FROM org_gridmember WHERE phone <> ''").fetchall()
    else:
        import psycopg

        name = f"gongzhi_drill_{uuid.uuid4().hex[:8]}"
        call_command("restore", str(path), into=name)
        dsn = {**connection.get_connection_params(), "dbname": name}
        try:
            with psycopg.connect(**dsn) as db:
                for table in TABLES:
                    rows = db.execute(f"SELECT * FROM {table}").fetchall()  # nosec B608
                    assert len(rows) == counts[table]
                    assert _fingerprint(rows) == expected[table], table
                stored = db.execute("SELECT phone FROM org_gridmember WHERE phone <> ''").fetchall()
        finally:
            with psycopg.connect(**{**dsn, "dbname": "postgres"}, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    context = GridMember._meta.get_field("phone").crypto_context
    plain = {crypto.decrypt(value, context=context) for (value,) in stored}
    assert "13855667788" in plain
