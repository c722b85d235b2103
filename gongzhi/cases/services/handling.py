"""Handling: handle, verify (not by the handler), close, extensions, suspension."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core.errors import PermissionDenied, ValidationFailed

from ..constants import Action, TaskStatus
from ..deadlines import add_working_hours, working_hours_between
from ..models import Case
from .base import begin, finish, now, require_text, set_handle_due


@transaction.atomic
def case_handle(*, case: Case, actor, result: str, expected_version: int | None = None) -> Case:
    case, t = begin(case=case, action=Action.HANDLE, actor=actor, expected_version=expected_version)
    case.result = require_text(result, _("处置结果"), max_length=2000)
    if case.is_joint and case.tasks.filter(status=TaskStatus.OPEN).exists():
        raise ValidationFailed(
            _("联合办理的各部门子任务尚未全部完成,不能反馈处置结果。"), code="tasks_open"
        )
    case.handled_by = actor
    case.handled_at = now()
    finish(
        case=case,
        transition=t,
        actor=actor,
        fields=["result", "handled_by", "handled_at"],
        note=case.result,
        public=True,
    )
    return case


def _not_the_handler(case: Case, actor) -> None:
    if case.handled_by_id == actor.pk:
        raise PermissionDenied(_("核查须由处置人以外的人员进行。"), code="verifier_is_handler")


@transaction.atomic
def case_verify(*, case: Case, actor, expected_version: int | None = None, note: str = "") -> Case:
    case, t = begin(case=case, action=Action.VERIFY, actor=actor, expected_version=expected_version)
    _not_the_handler(case, actor)
    finish(case=case, transition=t, actor=actor, note=note, public=True)
    return case


@transaction.atomic
def case_verify_fail(
    *, case: Case, actor, reason: str, expected_version: int | None = None
) -> Case:
    """Verification found the problem not fixed: back into progress, counted as rework."""
    case, t = begin(
        case=case, action=Action.VERIFY_FAIL, actor=actor, expected_version=expected_version
    )
    _not_the_handler(case, actor)
    reason = require_text(reason, _("核查意见"), max_length=1000)
    case.rework_count += 1
    finish(case=case, transition=t, actor=actor, fields=["rework_count"], note=reason, public=True)
    return case


@transaction.atomic
def case_close(*, case: Case, actor, expected_version: int | None = None, note: str = "") -> Case:
    case, t = begin(case=case, action=Action.CLOSE, actor=actor, expected_version=expected_version)
    case.closed_at = now()
    finish(case=case, transition=t, actor=actor, fields=["closed_at"], note=note, public=True)
    return case


@transaction.atomic
def case_request_extension(
    *, case: Case, actor, hours: int, reason: str, expected_version: int | None = None
) -> Case:
    case, t = begin(
        case=case, action=Action.REQUEST_EXTENSION, actor=actor, expected_version=expected_version
    )
    reason = require_text(reason, _("延期理由"), max_length=1000)
    if not isinstance(hours, int) or not 1 <= hours <= 35 * 4:
        raise ValidationFailed(
            _("延期时长应为 1 至 140 个工作小时。"), code="invalid_extension_hours"
        )
    case.extension_hours_requested = hours
    finish(
        case=case,
        transition=t,
        actor=actor,
        fields=["extension_hours_requested"],
        note=reason,
        payload={"hours": hours},
    )
    return case


@transaction.atomic
def case_approve_extension(
    *, case: Case, actor, expected_version: int | None = None, note: str = ""
) -> Case:
    case, t = begin(
        case=case, action=Action.APPROVE_EXTENSION, actor=actor, expected_version=expected_version
    )
    hours = case.extension_hours_requested
    base = case.handle_due or now()
    case.limit_hours += hours
    due_fields = set_handle_due(case, add_working_hours(base, hours))
    case.extension_count += 1
    case.extension_hours_requested = 0
    # A new deadline gets a new 80% warning.
    case.warned_at = None
    finish(
        case=case,
        transition=t,
        actor=actor,
        fields=[
            *due_fields,
            "limit_hours",
            "extension_count",
            "extension_hours_requested",
            "warned_at",
        ],
        note=note,
        payload={"hours": hours, "handle_due": case.handle_due.isoformat()},
        public=True,
    )
    return case


@transaction.atomic
def case_deny_extension(
    *, case: Case, actor, reason: str, expected_version: int | None = None
) -> Case:
    case, t = begin(
        case=case, action=Action.DENY_EXTENSION, actor=actor, expected_version=expected_version
    )
    reason = require_text(reason, _("驳回理由"), max_length=1000)
    case.extension_hours_requested = 0
    finish(
        case=case,
        transition=t,
        actor=actor,
        fields=["extension_hours_requested"],
        note=reason,
    )
    return case


@transaction.atomic
def case_suspend(*, case: Case, actor, reason: str, expected_version: int | None = None) -> Case:
    """Stop the clock (e.g. waiting for weather or a court): the remaining
    working hours are restored on resume."""
    case, t = begin(
        case=case, action=Action.SUSPEND, actor=actor, expected_version=expected_version
    )
    reason = require_text(reason, _("挂起原因"), max_length=1000)
    case.suspended_at = now()
    finish(case=case, transition=t, actor=actor, fields=["suspended_at"], note=reason, public=True)
    return case


@transaction.atomic
def case_resume(*, case: Case, actor, expected_version: int | None = None, note: str = "") -> Case:
    case, t = begin(case=case, action=Action.RESUME, actor=actor, expected_version=expected_version)
    at = now()
    fields = ["suspended_at"]
    if case.handle_due is not None and case.suspended_at is not None:
        remaining = max(working_hours_between(case.suspended_at, case.handle_due), 0.0)
        fields += set_handle_due(case, add_working_hours(at, remaining))
    case.suspended_at = None
    finish(case=case, transition=t, actor=actor, fields=fields, note=note, public=True)
    return case
