"""audit_purge deletes rows past retention and leaves a chain audit_verify still checks."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from gongzhi.accounts import audit
from gongzhi.accounts.audit import PURGE_ACTION, audit_purge, audit_record, audit_verify
from gongzhi.accounts.constants import AuditAction
from gongzhi.accounts.models import AuditEntry
from tests.security.test_audit_log import TRIGGERS

pytestmark = pytest.mark.django_db


def _record_at(when, n):
    with mock.patch.object(audit.timezone, "now", return_value=when):
        return audit_record(action=AuditAction.EXPORT, username="a", detail={"rows": n})


def _history():
    now = timezone.now()
    old = [_record_at(now - timedelta(days=400 - i), i) for i in range(4)]
    recent = [_record_at(now - timedelta(days=10 - i), 10 + i) for i in range(3)]
    return old, recent


def test_purge_removes_only_rows_past_retention_and_the_chain_still_verifies(capsys):
    old, recent = _history()
    call_command("audit_purge")
    assert "已清理 4 条" in capsys.readouterr().out
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs[:3] == [e.seq for e in recent]
    anchor = AuditEntry.objects.get(action=PURGE_ACTION)
    assert anchor.seq == seqs[-1] == recent[-1].seq + 1
    assert anchor.detail["purged_through_seq"] == old[-1].seq
    assert anchor.detail["anchor_hash"] == old[-1].hash == recent[0].prev_hash
    result = audit_verify()
    assert result.ok and result.checked == 4
    call_command("audit_verify")
    # Nothing left to purge; a second run changes nothing and the chain holds.
    assert audit_purge().purged == 0
    audit_record(action=AuditAction.EXPORT, username="b")
    assert audit_verify().ok


def test_retention_below_180_days_is_refused():
    _history()
    with pytest.raises(CommandError, match="at least 180"):
        call_command("audit_purge", "--days", "30")
    assert AuditEntry.objects.count() == 7


def test_dry_run_deletes_nothing(capsys):
    _history()
    call_command("audit_purge", "--dry-run")
    assert "将清理 4 条" in capsys.readouterr().out
    assert AuditEntry.objects.count() == 7


def test_tampering_after_a_purge_is_still_detected():
    _old, recent = _history()
    audit_purge()
    disable, enable = TRIGGERS[connection.vendor]
    with connection.cursor() as cursor:
        cursor.execute(disable)
        cursor.execute(
            "UPDATE accounts_auditentry SET reason = 'nothing happened' WHERE id = %s",
            [recent[1].pk],
        )
        cursor.execute(enable)
    assert audit_verify().broken_seq == recent[1].seq
    with pytest.raises(CommandError, match=f"序号 {recent[1].seq}"):
        call_command("audit_verify")


def test_a_forged_anchor_or_removed_first_rows_are_detected():
    _old, recent = _history()
    audit_purge()
    anchor = AuditEntry.objects.get(action=PURGE_ACTION)
    disable, enable = TRIGGERS[connection.vendor]
    with connection.cursor() as cursor:
        cursor.execute(disable)
        # Removing the first kept row as if it had been purged: no anchor fits.
        cursor.execute("DELETE FROM accounts_auditentry WHERE id = %s", [recent[0].pk])
        cursor.execute(enable)
    result = audit_verify()
    assert not result.ok and result.broken_seq == recent[1].seq
    assert anchor.seq > recent[1].seq


def test_purge_refuses_a_broken_chain():
    old, _recent = _history()
    disable, enable = TRIGGERS[connection.vendor]
    with connection.cursor() as cursor:
        cursor.execute(disable)
        cursor.execute("UPDATE accounts_auditentry SET reason = 'x' WHERE id = %s", [old[1].pk])
        cursor.execute(enable)
    with pytest.raises(CommandError, match="broken"):
        call_command("audit_purge")
    assert AuditEntry.objects.count() == 7


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the DELETE trigger is PostgreSQL's")
def test_postgresql_trigger_refuses_delete_outside_a_purge_and_of_recent_rows():
    old, recent = _history()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_auditentry WHERE id = %s", [old[0].pk])
    # Even with the purge setting on, a row younger than 180 days stays.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL gongzhi.audit_purge = 'on'")
        cursor.execute("DELETE FROM accounts_auditentry WHERE id = %s", [recent[0].pk])
    assert AuditEntry.objects.count() == 7
