"""The workflow's rules beyond the table: rulings, rework, whistle lateness,
independent verification, stale versions, the sweep."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine

from gongzhi.cases.constants import Action, NotificationKind, Status, UnitType
from gongzhi.cases.deadlines import TZ
from gongzhi.cases.models import CaseEvent, Notification
from gongzhi.cases.services import (
    case_accept,
    case_dispatch,
    case_handle,
    case_register,
    case_reject,
    case_reopen,
    case_report_in,
    case_rule,
    case_verify,
    case_whistle,
)
from gongzhi.cases.services.base import StaleVersion
from gongzhi.cases.tasks import sweep
from gongzhi.cases.units import Unit
from gongzhi.core.errors import Conflict, PermissionDenied

from .factories import case_in


def test_default_route_is_the_street(world):
    case = case_in(Status.REGISTERED, world)
    case_dispatch(case=case, actor=world.community_worker)
    case.refresh_from_db()
    assert (case.unit_type, case.unit_division) == (UnitType.STREET, world.street)
    assert case.handle_due is not None


def test_second_rejection_goes_to_the_level_above_for_a_final_ruling(world):
    case = case_in(Status.REGISTERED, world)
    dept = Unit.of_department(world.street_dept)
    case_dispatch(case=case, actor=world.community_worker, unit=dept)
    case_reject(case=case, actor=world.street_dept_staff, reason="不属本部门")
    case.refresh_from_db()
    assert (case.status, case.rejection_count) == (Status.REJECTED, 1)
    case_dispatch(case=case, actor=world.community_worker, unit=dept)
    case_reject(case=case, actor=world.street_dept_staff, reason="仍不属本部门")
    case.refresh_from_db()
    # Dispatched by the community: the street (one level up) rules.
    assert (case.status, case.rejection_count) == (Status.RULING, 2)
    assert case.unit_division == world.street
    with pytest.raises(PermissionDenied):
        case_rule(case=case, actor=world.community_worker, unit=dept, ruling="x")
    case_rule(
        case=case, actor=world.street_staff, unit=dept, ruling="井盖属市政设施,由城市管理部办理"
    )
    case.refresh_from_db()
    assert (case.status, case.ruled, case.unit_department) == (
        Status.DISPATCHED,
        True,
        world.street_dept,
    )
    assert CaseEvent.objects.filter(case=case, action=Action.RULE).get().note.startswith("井盖")
    with pytest.raises(Conflict) as exc:
        case_reject(case=case, actor=world.street_dept_staff, reason="还是不归我们")
    assert exc.value.code == "ruling_final"


def test_verification_must_be_by_someone_other_than_the_handler(world):
    case = case_in(
        Status.IN_PROGRESS,
        world,
        unit_type=UnitType.COMMUNITY,
        unit_division=world.community,
        unit_department=None,
    )
    case_handle(case=case, actor=world.community_worker, result="已修复")
    with pytest.raises(PermissionDenied) as exc:
        case_verify(case=case, actor=world.community_worker)
    assert exc.value.code == "verifier_is_handler"
    case_verify(case=case, actor=world.community_worker2)
    case.refresh_from_db()
    assert case.status == Status.VERIFIED


def test_reopen_counts_rework_and_only_within_the_window(world):
    with time_machine.travel(datetime(2026, 11, 2, 10, 0, tzinfo=TZ), tick=False):
        case = case_in(Status.RATED, world)
    with time_machine.travel(datetime(2026, 11, 10, 10, 0, tzinfo=TZ), tick=False):
        with pytest.raises(PermissionDenied):
            case_reopen(case=case, actor=world.resident2, reason="又坏了")
        case_reopen(case=case, actor=world.resident, reason="又坏了")
    case.refresh_from_db()
    assert (case.status, case.rework_count, case.rating) == (Status.IN_PROGRESS, 1, "")
    late = case_in(Status.CLOSED, world, closed_at=datetime(2026, 10, 1, 10, 0, tzinfo=TZ))
    with (
        time_machine.travel(datetime(2026, 10, 20, 10, 0, tzinfo=TZ), tick=False),
        pytest.raises(Conflict) as exc,
    ):
        case_reopen(case=late, actor=world.resident, reason="又坏了")
    assert exc.value.code == "reopen_window_passed"


def test_whistle_report_in_on_time_and_late(world):
    case = case_in(Status.IN_PROGRESS, world)
    # Thu 8 Oct 2026 16:00: two working hours end Fri 9 Oct 09:30.
    with time_machine.travel(datetime(2026, 10, 8, 16, 0, tzinfo=TZ), tick=False):
        case_whistle(
            case=case,
            actor=world.street_staff,
            departments=[world.street_dept2.pk, world.county_dept.pk],
        )
    summons = {s.department_id: s for s in case.summonses.all()}
    assert summons[world.street_dept2.pk].report_due == datetime(2026, 10, 9, 9, 30, tzinfo=TZ)
    with time_machine.travel(datetime(2026, 10, 9, 9, 0, tzinfo=TZ), tick=False):
        case_report_in(case=case, actor=world.street_dept2_staff)
    with time_machine.travel(datetime(2026, 10, 9, 11, 0, tzinfo=TZ), tick=False):
        case_report_in(case=case, actor=world.county_dept_staff)
    late = dict(case.summonses.values_list("department_id", "late"))
    assert late == {world.street_dept2.pk: False, world.county_dept.pk: True}
    case.refresh_from_db()
    assert case.is_joint
    assert case.tasks.count() == 2
    with pytest.raises(Exception) as exc:
        case_handle(case=case, actor=world.street_dept_staff, result="完成")
    assert getattr(exc.value, "code", "") == "tasks_open"


def test_stale_version_is_a_conflict_and_changes_nothing(world):
    case = case_in(Status.SUBMITTED, world)
    with pytest.raises(StaleVersion) as exc:
        case_register(case=case, actor=world.community_worker, expected_version=7)
    assert (exc.value.status, exc.value.code) == (409, "stale_version")
    case.refresh_from_db()
    assert (case.status, case.version) == (Status.SUBMITTED, 1)


def test_actor_outside_the_unit_cannot_accept(world):
    case = case_in(Status.DISPATCHED, world)
    with pytest.raises(PermissionDenied):
        case_accept(case=case, actor=world.street_dept2_staff)
    with pytest.raises(PermissionDenied):
        case_register(case=case_in(Status.SUBMITTED, world), actor=world.other_grid_member)


def test_sweep_warns_escalates_once(world, django_capture_on_commit_callbacks):
    with time_machine.travel(datetime(2026, 10, 12, 9, 0, tzinfo=TZ), tick=False):
        case = case_in(Status.REGISTERED, world)
        case_dispatch(
            case=case, actor=world.community_worker, unit=Unit.of_department(world.street_dept)
        )
    case.refresh_from_db()
    assert case.limit_hours == 35
    # 30 of 35 working hours later (>80%): Fri 16 Oct 15:30.
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep(at=datetime(2026, 10, 16, 15, 30, tzinfo=TZ)) == {"warned": 1, "escalated": 0}
        assert sweep(at=datetime(2026, 10, 16, 15, 31, tzinfo=TZ)) == {"warned": 0, "escalated": 0}
        assert sweep(at=datetime(2026, 10, 19, 9, 0, tzinfo=TZ)) == {"warned": 0, "escalated": 1}
        assert sweep(at=datetime(2026, 10, 19, 9, 5, tzinfo=TZ)) == {"warned": 0, "escalated": 0}
    case.refresh_from_db()
    assert case.escalated_to == world.street
    assert case.events.filter(action=Action.WARN).count() == 1
    assert case.events.filter(action=Action.ESCALATE).count() == 1
    assert (
        Notification.objects.filter(
            case=case, kind=NotificationKind.ESCALATED, division=world.street
        ).count()
        == 1
    )
