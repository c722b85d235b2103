"""Real threads on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from gongzhi.cases.constants import Action, Channel, NotificationKind, Status
from gongzhi.cases.models import Case, CaseEvent, Notification
from gongzhi.cases.services import case_dispatch, case_submit
from gongzhi.core.errors import Conflict

from .factories import case_in, make_world


def run_together(fn, n: int = 2) -> list:
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def worker(i: int) -> None:
        try:
            barrier.wait()
            results[i] = fn()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_threads_dispatching_one_case_dispatch_it_once(territory_live):
    world = make_world()
    case = case_in(Status.REGISTERED, world)
    results = run_together(lambda: case_dispatch(case=case, actor=world.community_worker))
    assert sum(isinstance(r, Case) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 1
    assert CaseEvent.objects.filter(case=case, action=Action.DISPATCH).count() == 1
    assert Notification.objects.filter(case=case, kind=NotificationKind.ASSIGNED).count() == 1
    case.refresh_from_db()
    assert (case.status, case.version) == (Status.DISPATCHED, 2)


@pytest.mark.django_db(transaction=True)
def test_two_threads_submitting_the_same_source_ref_make_one_case(territory_live):
    world = make_world()
    grid = world.grid

    def submit():
        return case_submit(
            actor=world.grid_member,
            channel=Channel.HOTLINE_12345,
            source_ref="12345-2026-000777",
            title="井盖缺失",
            description="路口井盖缺失,有安全隐患。",
            category="UC01",
            lng=grid.center_lng,
            lat=grid.center_lat,
        )

    results = run_together(submit)
    assert all(isinstance(r, tuple) for r in results), results
    assert sorted(created for _case, created in results) == [False, True]
    assert len({case.pk for case, _created in results}) == 1
    assert Case.objects.filter(source_ref="12345-2026-000777").count() == 1
    assert CaseEvent.objects.filter(action=Action.SUBMIT).count() == 1
