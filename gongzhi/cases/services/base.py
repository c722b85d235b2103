"""What every case transition shares: lock, check, write one event, save.

A transition service reads::

    case, t = begin(case=case, action=Action.X, actor=actor, expected_version=v)
    ...change fields...
    finish(case=case, transition=t, actor=actor, fields=[...], note=..., public=...)

``begin`` locks the row (``select_for_update``; on SQLite the IMMEDIATE
transaction already holds the write lock), checks the version, the table and
the actor; ``finish`` sets the status, bumps the version, saves only the
named fields, writes exactly one CaseEvent and enqueues notifications on commit.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

from .. import workflow
from ..constants import Action, Status
from ..deadlines import near_due_moment, working_hours_between
from ..models import Case, CaseEvent, CaseReporter
from ..units import is_member, unit_of
from ..workflow import Transition

MAX_REJECTIONS = 2
REOPEN_DAYS = 15
REPORT_IN_HOURS = 2
ACCEPT_HOURS = {"normal": 4, "urgent": 1, "critical": 0.5}


def conf(name: str, default):
    return getattr(settings, name, default)


class StaleVersion(Conflict):
    code = "stale_version"


def now() -> datetime:
    return timezone.now()


def set_handle_due(case: Case, due: datetime) -> list[str]:
    """Set the handling deadline and, with it, the moment the case becomes
    near due (``warn_at``, on the same working-time clock), so lists flag
    临期 exactly and no sweep has to run first. Every write of
    ``handle_due`` goes through here; the fields changed are returned."""
    case.handle_due = due
    total = case.limit_hours
    if not total and case.dispatched_at is not None:
        total = working_hours_between(case.dispatched_at, due)
    case.warn_at = near_due_moment(due=due, total_hours=total)
    return ["handle_due", "warn_at"]


def lock(case: Case | int) -> Case:
    pk = case.pk if isinstance(case, Case) else case
    try:
        return (
            Case.objects.select_for_update(of=("self",))
            .select_related(
                "category",
                "grid",
                "unit_division",
                "unit_department__division",
                "unit_owner__division",
                "dispatcher_division",
            )
            .get(pk=pk)
        )
    except Case.DoesNotExist as exc:
        raise NotFound(_("案件不存在或不在您的管辖范围内。")) from exc


def in_jurisdiction(user, case: Case) -> bool:
    scope = getattr(user, "scope_code", None)
    return bool(scope) and case.division_path.startswith(scope)


def is_reporter(user, case: Case) -> bool:
    if user is None or not user.pk:
        return False
    if case.reporter_id == user.pk:
        return True
    return CaseReporter.objects.filter(case=case, user=user).exists()


def check_party(case: Case, transition: Transition, actor) -> None:
    """PermissionDenied unless ``actor`` may take ``transition`` on ``case``."""
    roles = transition.roles
    if roles is not None and not (actor.role_set & roles):
        raise PermissionDenied(_("您的角色不能执行“%(action)s”。") % {"action": _label(transition)})
    party = transition.party
    ok = True
    if party in (workflow.DISPATCHER, workflow.OFFICER, workflow.SUMMONER):
        ok = in_jurisdiction(actor, case) and actor.department_id is None
    elif party == workflow.UNIT:
        ok = is_member(actor, unit_of(case))
    elif party == workflow.REPORTER:
        ok = is_reporter(actor, case)
        if ok and transition.action == Action.RATE and actor.is_staff_member:
            # 满意率 is the residents' verdict: staff who filed the case
            # (patrol, 未诉先办, 内部转办) may reopen it, not rate it.
            raise PermissionDenied(_("工作人员上报或立案的案件由群众评价,工作人员不能评价。"))
    elif party == workflow.RULER:
        ruling = case.unit_division
        ok = (
            ruling is not None
            and actor.department_id is None
            and bool(actor.scope_code)
            and ruling.code.startswith(actor.scope_code)
        )
    elif party == workflow.SUMMONED:
        ok = (
            actor.department_id is not None
            and case.summonses.filter(department_id=actor.department_id).exists()
        )
    if not ok:
        raise PermissionDenied(
            _("您不是本案件“%(action)s”的责任人,无权操作。") % {"action": _label(transition)}
        )


def _label(transition: Transition) -> str:
    from ..constants import Action

    return str(Action(transition.action).label)


def begin(
    *, case: Case | int, action: str, actor, expected_version: int | None = None
) -> tuple[Case, Transition]:
    locked = lock(case)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion(
            _("案件已被他人更新(当前版本 %(current)d,您提交的版本 %(given)d),请刷新后重试。")
            % {"current": locked.version, "given": expected_version}
        )
    transition = workflow.transition_for(locked.status, action)
    check_party(locked, transition, actor)
    return locked, transition


def finish(
    *,
    case: Case,
    transition: Transition,
    actor,
    fields: list[str] | tuple[str, ...] = (),
    note: str = "",
    payload: dict | None = None,
    public: bool = False,
    to_status: str | None = None,
) -> CaseEvent:
    from_status = case.status
    case.status = to_status or transition.target(from_status)
    case.version += 1
    case.save(update_fields=sorted({*fields, "status", "version", "updated_at"}))
    return record_event(
        case=case,
        action=transition.action,
        from_status=from_status,
        actor=actor,
        note=note,
        payload=payload,
        public=public,
    )


# Callbacks run inside the transaction that writes each CaseEvent, after the
# row exists: other apps register here (e.g. intake's outbox, decision 0031)
# so that the cases app never imports them. A callback that raises rolls the
# transition back, so keep them to writing rows.
EVENT_HOOKS: list = []


def on_case_event(fn):
    """Register ``fn(event)`` to run in the transaction of every CaseEvent."""
    if fn not in EVENT_HOOKS:
        EVENT_HOOKS.append(fn)
    return fn


def record_event(
    *,
    case: Case,
    action: str,
    from_status: str,
    actor,
    note: str = "",
    payload: dict | None = None,
    public: bool = False,
) -> CaseEvent:
    event = CaseEvent.objects.create(
        case=case,
        action=action,
        from_status=from_status,
        to_status=case.status,
        actor=actor,
        actor_division_id=getattr(actor, "division_id", None),
        actor_department_id=getattr(actor, "department_id", None),
        note=note,
        payload=payload or {},
        public=public,
    )
    for hook in EVENT_HOOKS:
        hook(event)
    from ..tasks import notify_event

    event_id = event.pk
    transaction.on_commit(lambda: notify_event(event_id))
    return event


def require_text(value: str, what: str, *, max_length: int = 2000) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationFailed(_("请填写%(what)s。") % {"what": what}, code="missing_" + "text")
    if len(value) > max_length:
        raise ValidationFailed(
            _("%(what)s不能超过 %(n)d 个字符。") % {"what": what, "n": max_length},
            code="text_too_long",
        )
    return value


OPEN_FOR_MERGE = {
    Status.SUBMITTED,
    Status.REGISTERED,
    Status.DISPATCHED,
    Status.IN_PROGRESS,
    Status.REJECTED,
    Status.RULING,
    Status.EXTENSION_REQUESTED,
    Status.SUSPENDED,
}
