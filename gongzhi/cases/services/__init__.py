"""Every write to a case: one service per action (see ``cases.workflow``).

``case_act`` maps an action name and plain parameters (as the API and the
pages receive them) onto the right service, so views stay thin.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist as ObjectDoesNotExistError
from django.utils.translation import gettext as _

from gongzhi.core.errors import NotFound, ValidationFailed
from gongzhi.org.models import Department, Division

from ..constants import Action
from ..models import Case, ExternalOwner
from ..units import Unit
from ..workflow import transition_for
from .base import StaleVersion
from .dispatching import (
    BatchOutcome,
    case_accept,
    case_dispatch,
    case_dispatch_batch,
    case_reject,
    case_rule,
)
from .handling import (
    case_approve_extension,
    case_close,
    case_deny_extension,
    case_handle,
    case_request_extension,
    case_resume,
    case_suspend,
    case_verify,
    case_verify_fail,
)
from .intake import case_me_too, case_merge, case_register, case_submit, case_void
from .photos import case_act_with_photos, case_photo_add, case_report
from .resident import case_rate, case_reopen
from .supervision import case_escalate_if_overdue, case_supervise, case_warn_if_near_due
from .whistle import case_complete_task, case_report_in, case_whistle

SERVICES = {
    Action.REGISTER: (case_register, ["note"]),
    Action.VOID: (case_void, ["reason"]),
    Action.DISPATCH: (case_dispatch, ["unit", "note"]),
    Action.ACCEPT: (case_accept, ["note"]),
    Action.REJECT: (case_reject, ["reason"]),
    Action.RULE: (case_rule, ["unit", "ruling", "unreasonable"]),
    Action.REQUEST_EXTENSION: (case_request_extension, ["hours", "reason"]),
    Action.APPROVE_EXTENSION: (case_approve_extension, ["note"]),
    Action.DENY_EXTENSION: (case_deny_extension, ["reason"]),
    Action.SUSPEND: (case_suspend, ["reason"]),
    Action.RESUME: (case_resume, ["note"]),
    Action.HANDLE: (case_handle, ["result"]),
    Action.VERIFY: (case_verify, ["note"]),
    Action.VERIFY_FAIL: (case_verify_fail, ["reason"]),
    Action.CLOSE: (case_close, ["note"]),
    Action.RATE: (case_rate, ["rating", "comment"]),
    Action.REOPEN: (case_reopen, ["reason"]),
    Action.SUPERVISE: (case_supervise, ["note"]),
    Action.MERGE: (case_merge, ["master", "note"]),
    Action.ME_TOO: (case_me_too, []),
    Action.WHISTLE: (case_whistle, ["departments", "note"]),
    Action.REPORT_IN: (case_report_in, ["note"]),
    Action.COMPLETE_TASK: (case_complete_task, ["result"]),
}
REQUIRED = {"rating", "master", "departments", "hours"}
TEXT_PARAMS = {"reason", "result", "ruling", "note", "comment"}


def parse_unit(spec: dict | None) -> Unit | None:
    """``{"type": "department", "department": 12}`` / ``{"type": "street",
    "division": "340111002"}`` / ``{"type": "owner", "owner": 3}`` → Unit."""
    if not spec:
        return None
    unit_type = spec.get("type")
    try:
        if unit_type == "department":
            return Unit.of_department(
                Department.objects.select_related("division").get(pk=int(spec["department"]))
            )
        if unit_type == "owner":
            return Unit.of_owner(
                ExternalOwner.objects.select_related("division").get(pk=int(spec["owner"]))
            )
        division = Division.objects.get(code=str(spec["division"]))
        unit = Unit.of_division(division)
    except (KeyError, TypeError, ValueError, ObjectDoesNotExistError) as exc:
        raise ValidationFailed(_("责任单位不存在。"), code="unknown_unit") from exc
    if unit_type and unit.type != unit_type:
        raise ValidationFailed(_("责任单位类型与区划层级不符。"), code="unknown_unit")
    return unit


def case_act(
    *,
    case: Case,
    action: str,
    actor,
    expected_version: int | None = None,
    params: dict[str, Any] | None = None,
) -> Case:
    """Run ``action`` on ``case`` with ``params`` (unknown keys ignored)."""
    params = dict(params or {})
    if action not in SERVICES:
        if action in Action.values:
            # Known but not requestable (submit, warn, escalate) → as not allowed.
            transition_for(case.status, action)
        raise NotFound(_("未知的操作“%(action)s”。") % {"action": action}, code="unknown_action")
    service, names = SERVICES[action]
    kwargs: dict[str, Any] = {}
    for name in names:
        value = params.get(name)
        if value is not None:
            kwargs[name] = value
        elif name in TEXT_PARAMS:
            # Missing text is checked by the service, with a precise message.
            kwargs[name] = ""
        elif name in REQUIRED:
            transition_for(case.status, action)  # a 409 says more than a missing field
            raise ValidationFailed(
                _("缺少参数“%(name)s”。") % {"name": name}, code="missing_parameter"
            )
    if "unit" in kwargs:
        kwargs["unit"] = parse_unit(kwargs["unit"])
    if action == Action.RULE and kwargs.get("unit") is None:
        transition_for(case.status, action)
        raise ValidationFailed(_("请指定裁定的责任单位。"), code="missing_parameter")
    return service(case=case, actor=actor, expected_version=expected_version, **kwargs)


__all__ = [
    "SERVICES",
    "BatchOutcome",
    "StaleVersion",
    "case_accept",
    "case_act",
    "case_act_with_photos",
    "case_approve_extension",
    "case_close",
    "case_complete_task",
    "case_deny_extension",
    "case_dispatch",
    "case_dispatch_batch",
    "case_escalate_if_overdue",
    "case_handle",
    "case_me_too",
    "case_merge",
    "case_photo_add",
    "case_rate",
    "case_register",
    "case_reject",
    "case_reopen",
    "case_report",
    "case_report_in",
    "case_request_extension",
    "case_resume",
    "case_rule",
    "case_submit",
    "case_supervise",
    "case_suspend",
    "case_verify",
    "case_verify_fail",
    "case_void",
    "case_warn_if_near_due",
    "case_whistle",
]
