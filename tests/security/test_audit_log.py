"""The audit log is append-only and hash-chained; audit_verify names the first broken row."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from gongzhi.accounts.audit import audit_record, audit_verify
from gongzhi.accounts.constants import AuditAction, Role
from gongzhi.accounts.models import AppendOnlyError, AuditEntry
from gongzhi.accounts.services import user_grant_role, user_revoke_role
from tests.factories import make_user

pytestmark = pytest.mark.django_db

TRIGGERS = {
    "sqlite": (
        "DROP TRIGGER accounts_auditentry_no_update",
        "CREATE TRIGGER accounts_auditentry_no_update BEFORE UPDATE ON accounts_auditentry "
        "BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END",
    ),
    "postgresql": (
        "ALTER TABLE accounts_auditentry DISABLE TRIGGER accounts_auditentry_no_change",
        "ALTER TABLE accounts_auditentry ENABLE TRIGGER accounts_auditentry_no_change",
    ),
}


def _three_entries():
    return [
        audit_record(action=AuditAction.EXPORT, username="a", detail={"rows": n}) for n in range(3)
    ]


def test_each_row_carries_the_hash_of_the_one_before():
    first, second, third = _three_entries()
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert audit_verify().ok


def test_orm_refuses_updates_and_deletes():
    entry = _three_entries()[0]
    entry.reason = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.update(reason="x")


def test_database_refuses_raw_updates():
    entry = _three_entries()[0]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_auditentry SET reason = 'x' WHERE id = %s", [entry.pk])


def test_audit_verify_names_the_first_tampered_row():
    entries = _three_entries()
    disable, enable = TRIGGERS[connection.vendor]
    with connection.cursor() as cursor:
        # An attacker with DDL rights gets past the trigger; the chain still tells.
        cursor.execute(disable)
        cursor.execute(
            "UPDATE accounts_auditentry SET reason = 'nothing happened' WHERE id = %s",
            [entries[1].pk],
        )
        cursor.execute(enable)
    result = audit_verify()
    assert result.broken_seq == entries[1].seq
    with pytest.raises(CommandError, match=f"序号 {entries[1].seq}"):
        call_command("audit_verify")


def test_audit_verify_notices_a_removed_row():
    entries = _three_entries()
    disable, enable = TRIGGERS[connection.vendor]
    with connection.cursor() as cursor:
        cursor.execute(disable)
        cursor.execute("DELETE FROM accounts_auditentry WHERE id = %s", [entries[1].pk])
        cursor.execute(enable)
    assert audit_verify().broken_seq == entries[2].seq


def test_audit_verify_command_reports_an_intact_chain(capsys):
    _three_entries()
    call_command("audit_verify")
    assert "完好" in capsys.readouterr().out


def test_role_changes_are_audited():
    admin = make_user("34", Role.SYSTEM_ADMIN, username="sys")
    user = make_user("340111002", Role.STREET_STAFF, username="w")
    user_grant_role(user=user, role=Role.PARTY_MEMBER, actor=admin)
    user_revoke_role(user=user, role=Role.PARTY_MEMBER, actor=admin)
    actions = list(
        AuditEntry.objects.filter(target_id=str(user.pk))
        .order_by("seq")
        .values_list("action", "actor_username")
    )
    assert actions == [
        (AuditAction.USER_CREATE, ""),
        (AuditAction.ROLE_GRANT, "sys"),
        (AuditAction.ROLE_REVOKE, "sys"),
    ]


def test_retention_shorter_than_180_days_is_refused_at_start_up():
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import django, os; django.setup()"],
        env={
            **__import__("os").environ,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "AUDIT_RETENTION_DAYS": "90",
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "AUDIT_RETENTION_DAYS must be at least 180" in result.stderr
