"""吹哨报到: a street or community summons departments onto a case; each
reports in within CASES_REPORT_IN_HOURS working hours (default 2) and works
its own sub-task of the now joint case."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core.errors import ValidationFailed
from gongzhi.org.models import Department

from ..constants import Action, TaskStatus
from ..deadlines import add_working_hours
from ..models import Case, CaseTask, WhistleSummons
from .base import REPORT_IN_HOURS, begin, conf, finish, now, require_text


@transaction.atomic
def case_whistle(
    *,
    case: Case,
    actor,
    departments: list[Department | int],
    note: str = "",
    expected_version: int | None = None,
) -> Case:
    case, t = begin(
        case=case, action=Action.WHISTLE, actor=actor, expected_version=expected_version
    )
    ids = sorted({d.pk if isinstance(d, Department) else int(d) for d in departments})
    if not ids:
        raise ValidationFailed(_("请至少选择一个被召集的部门。"), code="no_departments")
    found = list(Department.objects.select_related("division").filter(pk__in=ids))
    # Only departments of the case's own street or county can be summoned.
    usable = [d for d in found if case.division_path.startswith(d.division.code)]
    if len(usable) != len(ids):
        raise ValidationFailed(
            _("所选部门不存在或不负责该案件所在区域。"), code="department_outside_territory"
        )
    already = set(
        case.summonses.filter(department_id__in=ids).values_list("department_id", flat=True)
    )
    if already:
        raise ValidationFailed(_("所选部门已被召集。"), code="already_summoned")
    at = now()
    due = add_working_hours(at, conf("CASES_REPORT_IN_HOURS", REPORT_IN_HOURS))
    for department in usable:
        summons = WhistleSummons.objects.create(
            case=case, department=department, summoned_by=actor, summoned_at=at, report_due=due
        )
        CaseTask.objects.create(case=case, department=department, summons=summons)
    case.is_joint = True
    finish(
        case=case,
        transition=t,
        actor=actor,
        fields=["is_joint"],
        note=note,
        payload={"departments": ids, "report_due": due.isoformat()},
    )
    return case


@transaction.atomic
def case_report_in(
    *, case: Case, actor, expected_version: int | None = None, note: str = ""
) -> Case:
    """The actor's department reports in; late if after ``report_due``."""
    case, t = begin(
        case=case, action=Action.REPORT_IN, actor=actor, expected_version=expected_version
    )
    summons = WhistleSummons.objects.select_for_update().get(
        case=case, department_id=actor.department_id
    )
    if summons.reported_at is not None:
        raise ValidationFailed(_("本部门已报到。"), code="already_reported")
    at = now()
    summons.reported_at = at
    summons.reported_by = actor
    summons.late = at > summons.report_due
    summons.save(update_fields=["reported_at", "reported_by", "late", "updated_at"])
    finish(
        case=case,
        transition=t,
        actor=actor,
        note=note,
        payload={"department": actor.department_id, "late": summons.late},
    )
    return case


@transaction.atomic
def case_complete_task(
    *, case: Case, actor, result: str, expected_version: int | None = None
) -> Case:
    case, t = begin(
        case=case, action=Action.COMPLETE_TASK, actor=actor, expected_version=expected_version
    )
    result = require_text(result, _("办理结果"), max_length=2000)
    task = CaseTask.objects.select_for_update().get(case=case, department_id=actor.department_id)
    if task.status == TaskStatus.DONE:
        raise ValidationFailed(_("本部门子任务已完成。"), code="task_done")
    summons = task.summons
    if summons is not None and summons.reported_at is None:
        raise ValidationFailed(_("请先报到,再反馈子任务结果。"), code="not_reported_in")
    task.status = TaskStatus.DONE
    task.result = result
    task.done_at = now()
    task.done_by = actor
    task.save(update_fields=["status", "result", "done_at", "done_by", "updated_at"])
    finish(
        case=case,
        transition=t,
        actor=actor,
        note=result,
        payload={"department": actor.department_id},
    )
    return case
