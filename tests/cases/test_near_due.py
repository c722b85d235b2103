"""Near due (临期) is exact: the moment 80 % of the working-time limit has
passed is stored with the deadline (``Case.warn_at``), so the staff queue,
the API and the selector filter flag a case from that very second, across
weekends, the 2026 National Day holiday and its 调休 Saturday, before any
sweep has run; the sweep still warns exactly once. Every service that sets
``handle_due`` sets ``warn_at`` with it; the data migration fills it for
running cases on the same clock."""

from __future__ import annotations

import importlib
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.urls import reverse

from gongzhi.cases import selectors
from gongzhi.cases.constants import Action, NotificationKind, Status
from gongzhi.cases.deadlines import TZ, working_hours_between
from gongzhi.cases.models import Case, Notification
from gongzhi.cases.services import (
    case_accept,
    case_approve_extension,
    case_dispatch,
    case_request_extension,
    case_resume,
    case_suspend,
)
from gongzhi.cases.tasks import sweep
from gongzhi.cases.units import Unit

from .factories import case_in

QUEUE = reverse("cases:queue")
API = "/api/v1/cases/"
SECOND = timedelta(seconds=1)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


# Dispatched Tue 29 Sep 10:00 with 35 working hours (5 working days): 6 h on
# 29 Sep, 7 on 30 Sep, Oct 1–7 off, 7 on Thu 8 and Fri 9 Oct (27 h), so 28 h
# are reached at 10:00 on Sat 10 Oct, a 调休 working day; Sun 11 Oct is off
# and the deadline is Mon 12 Oct 10:00.
START = at(2026, 9, 29, 10, 0)
WARN = at(2026, 10, 10, 10, 0)
DUE = at(2026, 10, 12, 10, 0)


def dispatch_at(moment: datetime, world) -> Case:
    with time_machine.travel(moment, tick=False):
        case = case_in(Status.REGISTERED, world)
        case_dispatch(
            case=case, actor=world.community_worker, unit=Unit.of_department(world.street_dept)
        )
    case.refresh_from_db()
    return case


@pytest.fixture
def dispatched(world) -> Case:
    return dispatch_at(START, world)


def test_warn_at_is_80_percent_of_the_working_time_across_national_day(dispatched):
    assert dispatched.limit_hours == 35
    assert (dispatched.warn_at, dispatched.handle_due) == (WARN, DUE)
    assert working_hours_between(START, WARN) == 28
    assert working_hours_between(WARN, DUE) == 7


def near_due_everywhere(client, world, case: Case) -> dict[str, bool]:
    """The case's 临期 as each list says it, read as the community worker."""
    client.force_login(world.community_worker)
    queue = client.get(QUEUE)
    row = next(r for r in queue.context["rows"] if r.case.number == case.number)
    filtered_page = client.get(QUEUE, {"due": "near_due"}).context["rows"]
    api_items = client.get(API, {"q": case.number}).json()["items"]
    api_filtered = client.get(API, {"near_due": "true"}).json()["items"]
    search = selectors.case_search(
        user=world.community_worker, filters=selectors.CaseFilters(near_due=True)
    )
    return {
        "queue_flag": row.near_due,
        "queue_flag_shown": 'class="flag flag-near"' in queue.content.decode(),
        "queue_filter": case.number in {r.case.number for r in filtered_page},
        "api_flag": api_items[0]["near_due"],
        "api_filter": case.number in {i["number"] for i in api_filtered},
        "api_detail": client.get(f"{API}{case.number}").json()["near_due"],
        "selector_filter": search.filter(pk=case.pk).exists(),
    }


@pytest.mark.parametrize(
    ("moment", "near"),
    [
        (WARN - SECOND, False),  # Sat 10 Oct 09:59:59: 27.9997 of 35 h
        (WARN, True),  # the 80 % moment exactly
        (at(2026, 10, 11, 15, 0), True),  # Sunday: no working time passes
        (DUE, True),
        (DUE + SECOND, False),  # overdue instead
    ],
)
def test_lists_flag_near_due_from_the_exact_moment_without_a_sweep(
    client, world, dispatched, moment, near
):
    with time_machine.travel(moment, tick=False):
        flags = near_due_everywhere(client, world, dispatched)
    assert flags == dict.fromkeys(flags, near)
    dispatched.refresh_from_db()
    assert dispatched.warned_at is None
    assert not dispatched.events.filter(action=Action.WARN).exists()


def test_the_sweep_warns_exactly_once_from_warn_at(
    world, dispatched, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep(at=WARN - SECOND) == {"warned": 0, "escalated": 0}
        assert sweep(at=WARN) == {"warned": 1, "escalated": 0}
        assert sweep(at=WARN + timedelta(minutes=10)) == {"warned": 0, "escalated": 0}
    dispatched.refresh_from_db()
    assert dispatched.warned_at == WARN
    assert dispatched.events.filter(action=Action.WARN).count() == 1
    warned = Notification.objects.filter(case=dispatched, kind=NotificationKind.WARNED)
    assert warned.count() == 1


def test_an_approved_extension_moves_the_near_due_moment(world):
    # Mon 12 Oct 09:00 + 35 h → Fri 16 Oct 17:30; 28 h → Thu 15 Oct 17:30.
    case = dispatch_at(at(2026, 10, 12, 9, 0), world)
    assert case.warn_at == at(2026, 10, 15, 17, 30)
    with time_machine.travel(at(2026, 10, 13, 9, 0), tick=False):
        case_accept(case=case, actor=world.street_dept_staff)
        case_request_extension(case=case, actor=world.street_dept_staff, hours=7, reason="等材料")
        case_approve_extension(case=case, actor=world.community_worker)
    case.refresh_from_db()
    # 42 h up to Mon 19 Oct 17:30; 20 % is 8.4 h: Monday's 7 h and 1 h 24 min
    # of Friday afternoon.
    assert (case.limit_hours, case.handle_due) == (42, at(2026, 10, 19, 17, 30))
    assert case.warn_at == at(2026, 10, 16, 16, 6)


def test_resuming_a_suspended_case_moves_the_near_due_moment(world):
    case = dispatch_at(at(2026, 10, 12, 9, 0), world)
    with time_machine.travel(at(2026, 10, 15, 9, 0), tick=False):
        case_accept(case=case, actor=world.street_dept_staff)
        case_suspend(case=case, actor=world.community_worker, reason="等待天气好转")
    with time_machine.travel(at(2026, 10, 19, 9, 0), tick=False):
        case_resume(case=case, actor=world.community_worker)
    case.refresh_from_db()
    # 14 working hours were left (Thu and Fri): Mon 19 and Tue 20 Oct. The
    # last 7 h are Tuesday's, so near due from Monday 17:30.
    assert case.handle_due == at(2026, 10, 20, 17, 30)
    assert case.warn_at == at(2026, 10, 19, 17, 30)


def test_the_data_migration_fills_running_cases_on_the_same_clock(world):
    migration = importlib.import_module("gongzhi.cases.migrations.0008_case_warn_at")
    running = dispatch_at(START, world)
    other = dispatch_at(at(2026, 10, 12, 9, 0), world)
    closed = case_in(Status.CLOSED, world, warn_at=None)
    Case.objects.update(warn_at=None)

    migration.fill_warn_at(apps, SimpleNamespace(connection=connection))

    got = dict(Case.objects.values_list("pk", "warn_at"))
    assert got == {
        running.pk: WARN,
        other.pk: at(2026, 10, 15, 17, 30),
        closed.pk: None,
    }
