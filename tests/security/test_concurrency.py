"""Concurrent writers: no "database is locked", and the audit chain stays whole.

Real threads on the real test database (transactional test, SQLite or
PostgreSQL as configured): 8 writers × 200 writes, each write its own
transaction, half audit entries (which serialise on the chain head) and half
encrypted grid-member rows.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from gongzhi.accounts.audit import audit_record, audit_verify
from gongzhi.accounts.constants import AuditAction
from gongzhi.accounts.models import AuditEntry
from gongzhi.org.models import Division, GridMember

WRITERS = 8
WRITES = 200


@pytest.mark.django_db(transaction=True)
def test_eight_writers_times_two_hundred_writes(territory_live):
    grid = Division.objects.filter(code__startswith="340111002001", level="grid").first()
    errors: list[str] = []
    start = threading.Barrier(WRITERS)

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(WRITES):
                if i % 2:
                    audit_record(action=AuditAction.EXPORT, username=f"t{n}", detail={"i": i})
                else:
                    GridMember.objects.create(
                        grid=grid, name=f"压测{n}", phone=f"139{n:04d}{i:04d}"
                    )
        except Exception as exc:  # collected and asserted below
            errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT).count() == WRITERS * WRITES // 2
    assert GridMember.objects.filter(name__startswith="压测").count() == WRITERS * WRITES // 2
    assert GridMember.objects.filter(phone="13900070198").count() == 1
    assert audit_verify().ok
