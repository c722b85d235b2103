"""The transition table, exhaustively: every allowed (status, action) pair
goes where the table says with one event; every other pair is refused with
409, the allowed actions listed, and nothing changed."""

from __future__ import annotations

import pytest
from django.utils import timezone

from gongzhi.cases import workflow
from gongzhi.cases.constants import Status
from gongzhi.cases.models import Case, CaseTask, WhistleSummons
from gongzhi.cases.selectors import actions_for_user
from gongzhi.cases.services import SERVICES, case_act
from gongzhi.cases.workflow import ActionNotAllowed

from .factories import case_in

ALLOWED = sorted(workflow.TRANSITIONS)
FORBIDDEN = sorted(
    (str(status), str(action))
    for status in Status
    for action in SERVICES
    if (str(status), str(action)) not in workflow.TRANSITIONS
)


def _summon(case, department, *, reported=False):
    now = timezone.now()
    summons = WhistleSummons.objects.create(
        case=case,
        department=department,
        summoned_at=now,
        report_due=now + timezone.timedelta(hours=2),
        reported_at=now if reported else None,
    )
    CaseTask.objects.create(case=case, department=department, summons=summons)
    case.is_joint = True
    case.save(update_fields=["is_joint"])


def actor_and_params(action: str, case: Case, w) -> tuple[object, dict]:
    """Someone allowed to take ``action`` on ``case``, and valid parameters."""
    if action == "merge":
        master = case_in(Status.REGISTERED, w)
        return w.community_worker, {"master": master.number}
    if action == "rule":
        return w.street_staff, {
            "unit": {"type": "department", "department": w.street_dept2.pk},
            "ruling": "属城市管理部职责",
        }
    if action == "whistle":
        return w.street_staff, {"departments": [w.street_dept2.pk]}
    if action == "report_in":
        _summon(case, w.street_dept2)
        return w.street_dept2_staff, {}
    if action == "complete_task":
        _summon(case, w.street_dept2, reported=True)
        return w.street_dept2_staff, {"result": "已清理"}
    table = {
        "register": (w.community_worker, {}),
        "void": (w.community_worker, {"reason": "重复反映"}),
        "dispatch": (w.community_worker, {}),
        "accept": (w.street_dept_staff, {}),
        "reject": (w.street_dept_staff, {"reason": "不属本部门职责"}),
        "request_extension": (w.street_dept_staff, {"hours": 7, "reason": "需采购配件"}),
        "approve_extension": (w.community_worker, {}),
        "deny_extension": (w.community_worker, {"reason": "可按期完成"}),
        "suspend": (w.community_worker, {"reason": "等待产权单位确认"}),
        "resume": (w.community_worker, {}),
        "handle": (w.street_dept_staff, {"result": "已更换灯泡"}),
        "verify": (w.community_worker, {}),
        "verify_fail": (w.community_worker, {"reason": "仍不亮"}),
        "close": (w.community_worker, {}),
        "rate": (w.resident, {"rating": "satisfied", "comment": "很快"}),
        "reopen": (w.resident, {"reason": "又坏了"}),
        "supervise": (w.district_officer, {"note": "请加快办理"}),
        "me_too": (w.resident2, {}),
    }
    return table[action]


@pytest.mark.parametrize(("status", "action"), ALLOWED, ids=[f"{s}-{a}" for s, a in ALLOWED])
def test_allowed_transition_goes_where_the_table_says(world, status, action):
    case = case_in(status, world)
    actor, params = actor_and_params(action, case, world)
    before_events = case.events.count()
    case_act(case=case, action=action, actor=actor, expected_version=case.version, params=params)
    case.refresh_from_db()
    assert case.status == workflow.TRANSITIONS[(status, action)].target(status)
    assert case.version == 2
    assert case.events.count() == before_events + 1
    event = case.events.latest("id")
    assert (event.action, event.from_status, event.to_status) == (action, status, case.status)


@pytest.mark.parametrize(("status", "action"), FORBIDDEN, ids=[f"{s}-{a}" for s, a in FORBIDDEN])
def test_forbidden_transition_is_refused_and_changes_nothing(world, status, action):
    case = case_in(status, world)
    with pytest.raises(ActionNotAllowed) as exc:
        case_act(case=case, action=action, actor=world.community_worker, params={})
    assert exc.value.status == 409
    assert exc.value.allowed_actions == workflow.allowed_actions(status)
    fresh = Case.objects.get(pk=case.pk)
    assert (fresh.status, fresh.version, fresh.updated_at) == (
        status,
        case.version,
        case.updated_at,
    )
    assert fresh.events.count() == 0


def test_every_status_appears_in_the_table():
    assert {s for s, _a in workflow.TRANSITIONS} | {Status.VOIDED, Status.MERGED} == set(
        Status.values
    )


def test_conflict_message_lists_allowed_actions_in_chinese(world):
    case = case_in(Status.CLOSED, world)
    with pytest.raises(ActionNotAllowed) as exc:
        case_act(case=case, action="dispatch", actor=world.community_worker, params={})
    assert "评价" in exc.value.message
    assert "重新办理" in exc.value.message
    assert exc.value.as_dict()["allowed_actions"] == ["rate", "reopen"]


def test_staff_who_filed_a_case_may_reopen_it_but_not_rate_it(world):
    """满意率 counts residents' ratings: an officer who opened a 未诉先办 case
    (or a grid member who reported on patrol) is its reporter, yet a rating
    from them would grade their own work."""
    from gongzhi.core.errors import PermissionDenied

    case = case_in(Status.CLOSED, world, reporter=world.district_officer)
    with pytest.raises(PermissionDenied) as exc:
        case_act(case=case, action="rate", actor=world.district_officer,
                 params={"rating": "satisfied", "comment": ""})  # fmt: skip
    assert "工作人员不能评价" in exc.value.message
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.status == Status.CLOSED and fresh.events.count() == 0
    reopened = case_act(case=fresh, action="reopen", actor=world.district_officer,
                        params={"reason": "复查仍未解决"})  # fmt: skip
    assert reopened.status == Status.IN_PROGRESS


def test_me_too_is_the_residents_not_the_staffs(world):
    """我也遇到 raises 反映人数 and the priority: a resident's word, not staff's."""
    from gongzhi.core.errors import PermissionDenied

    case = case_in(Status.DISPATCHED, world)
    for staff in (world.district_officer, world.community_worker):
        with pytest.raises(PermissionDenied):
            case_act(case=case, action="me_too", actor=staff, params={})
    assert Case.objects.get(pk=case.pk).priority == case.priority
    assert "me_too" not in actions_for_user(case=case, user=world.district_officer)
    assert "me_too" in actions_for_user(case=case, user=world.resident2)
