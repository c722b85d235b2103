"""Dispatch, accept, reject (with the ruling after repeated rejections), rule."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core.errors import Conflict, ValidationFailed

from .. import routing, workflow
from ..constants import Action, Status
from ..deadlines import add_working_hours
from ..models import Case
from ..units import Unit, assign, level_above, unit_of
from .base import (
    ACCEPT_HOURS,
    MAX_REJECTIONS,
    begin,
    conf,
    finish,
    now,
    require_text,
    set_handle_due,
)

CLOCK_FIELDS = [
    "accept_due",
    "handle_due",
    "warn_at",
    "limit_hours",
    "dispatched_at",
    "warned_at",
    "escalated_at",
    "escalated_to",
]


def _check_unit_covers_case(case: Case, unit: Unit) -> None:
    if unit.division is None or not case.division_path.startswith(unit.division.code):
        raise ValidationFailed(
            _("“%(unit)s”不负责该案件所在区域,不能派遣。") % {"unit": unit.label},
            code="unit_outside_territory",
        )


def _start_clocks(case: Case) -> list[str]:
    at = now()
    accept_hours = conf("CASES_ACCEPT_HOURS", ACCEPT_HOURS)[case.urgency]
    case.limit_hours = case.category.limit_hours(case.urgency)
    case.dispatched_at = at
    case.accept_due = add_working_hours(at, accept_hours)
    set_handle_due(case, add_working_hours(at, case.limit_hours))
    case.warned_at = None
    case.escalated_at = None
    case.escalated_to = None
    return list(CLOCK_FIELDS)


@transaction.atomic
def case_dispatch(
    *,
    case: Case,
    actor,
    unit: Unit | None = None,
    expected_version: int | None = None,
    note: str = "",
) -> Case:
    """Send the case to ``unit`` (by default where the routing rules say)."""
    case, t = begin(
        case=case, action=Action.DISPATCH, actor=actor, expected_version=expected_version
    )
    if unit is None:
        unit = routing.route(category=case.category, division_path=case.division_path)
    _check_unit_covers_case(case, unit)
    fields = assign(case, unit) + _start_clocks(case)
    case.dispatcher_division_id = actor.division_id
    fields.append("dispatcher_division")
    finish(
        case=case,
        transition=t,
        actor=actor,
        fields=fields,
        note=note,
        payload={"unit": unit.as_payload()},
        public=True,
    )
    return case


@transaction.atomic
def case_accept(*, case: Case, actor, expected_version: int | None = None, note: str = "") -> Case:
    case, t = begin(case=case, action=Action.ACCEPT, actor=actor, expected_version=expected_version)
    case.accepted_at = now()
    finish(case=case, transition=t, actor=actor, fields=["accepted_at"], note=note, public=True)
    return case


@transaction.atomic
def case_reject(*, case: Case, actor, reason: str, expected_version: int | None = None) -> Case:
    """Send the case back to its dispatcher. The N-th rejection (setting
    CASES_MAX_REJECTIONS, default 2) sends it one level above the dispatcher
    for a ruling instead; after a ruling no unit may reject again."""
    case, t = begin(case=case, action=Action.REJECT, actor=actor, expected_version=expected_version)
    reason = require_text(reason, _("退单理由"), max_length=500)
    if case.ruled:
        raise Conflict(
            _("该案件已由上级裁定责任单位,裁定为最终结果,不能再退单。"), code="ruling_final"
        )
    rejecting = unit_of(case)
    case.rejection_count += 1
    payload = {"unit": rejecting.as_payload() if rejecting else None}
    if case.rejection_count >= conf("CASES_MAX_REJECTIONS", MAX_REJECTIONS):
        dispatcher = case.dispatcher_division
        above = dispatcher.parent if dispatcher is not None else level_above(rejecting)
        to_status = workflow.REJECT_ESCALATES_TO
        fields = assign(case, Unit.of_division(above))
        payload["ruling_by"] = above.code
    else:
        to_status = Status.REJECTED
        fields = (
            assign(case, Unit.of_division(case.dispatcher_division))
            if case.dispatcher_division
            else []
        )
    finish(
        case=case,
        transition=t,
        actor=actor,
        fields=[*fields, "rejection_count"],
        note=reason,
        payload=payload,
        to_status=to_status,
    )
    return case


@transaction.atomic
def case_rule(
    *,
    case: Case,
    actor,
    unit: Unit,
    ruling: str,
    unreasonable: bool = False,
    expected_version: int | None = None,
) -> Case:
    """The level above decides who handles the case; final and recorded."""
    case, t = begin(case=case, action=Action.RULE, actor=actor, expected_version=expected_version)
    case.ruling = require_text(ruling, _("裁定意见"), max_length=2000)
    _check_unit_covers_case(case, unit)
    case.ruled = True
    case.ruled_unreasonable = bool(unreasonable)
    case.dispatcher_division_id = actor.division_id
    fields = [
        *assign(case, unit),
        *_start_clocks(case),
        "ruling",
        "ruled",
        "ruled_unreasonable",
        "dispatcher_division",
    ]
    finish(
        case=case,
        transition=t,
        actor=actor,
        fields=fields,
        note=ruling,
        payload={"unit": unit.as_payload(), "unreasonable": bool(unreasonable)},
        public=True,
    )
    return case


@dataclass(frozen=True)
class BatchOutcome:
    number: str
    ok: bool
    message: str


def case_dispatch_batch(
    *, cases: list[Case], actor, unit: Unit | None, note: str = ""
) -> list[BatchOutcome]:
    """Dispatch several cases to one unit: each through ``case_dispatch`` in
    its own transaction, so one refusal leaves the others dispatched and the
    caller gets a result per case."""
    from gongzhi.core.errors import DomainError

    outcomes = []
    for case in cases:
        try:
            case_dispatch(case=case, actor=actor, unit=unit, note=note)
        except DomainError as exc:
            outcomes.append(BatchOutcome(case.number, False, exc.message))
        else:
            outcomes.append(BatchOutcome(case.number, True, _("已派遣")))
    return outcomes
