"""Who hears about a timeline event. Called by the ``notify_event`` task;
idempotent, so a retried task notifies no one twice."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .constants import Action, NotificationKind, Status
from .models import CaseEvent, Notification

UNIT_ACTIONS = {
    Action.DISPATCH: NotificationKind.ASSIGNED,
    Action.RULE: NotificationKind.ASSIGNED,
    Action.WARN: NotificationKind.WARNED,
}


def _note(event: CaseEvent, kind: str, **target) -> int:
    case = event.case
    message = _("案件 %(number)s「%(title)s」:%(what)s") % {
        "number": case.number,
        "title": case.title[:60],
        "what": NotificationKind(kind).label,
    }
    _obj, created = Notification.objects.get_or_create(
        event=event,
        kind=kind,
        user=target.get("user"),
        division=target.get("division"),
        department=target.get("department"),
        defaults={"case": case, "message": message[:300]},
    )
    return int(created)


def _unit_target(case) -> dict:
    if case.unit_department_id:
        return {"department": case.unit_department}
    if case.unit_owner_id:
        return {"division": case.unit_owner.division}
    return {"division": case.unit_division}


def notify_for_event(event_id: int) -> int:
    event = (
        CaseEvent.objects.select_related(
            "case__unit_division",
            "case__unit_department",
            "case__unit_owner__division",
            "case__escalated_to",
            "case__dispatcher_division",
        )
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return 0
    case = event.case
    sent = 0
    if event.action in UNIT_ACTIONS:
        sent += _note(event, UNIT_ACTIONS[event.action], **_unit_target(case))
    elif event.action == Action.REJECT:
        kind = (
            NotificationKind.RULING
            if event.to_status == Status.RULING
            else NotificationKind.REJECTED
        )
        sent += _note(event, kind, division=case.unit_division)
    elif event.action in (Action.SUPERVISE, Action.ESCALATE):
        from gongzhi.org.models import Division

        code = event.payload.get("notify_division") or event.payload.get("to")
        division = Division.objects.filter(code=code).first() if code else None
        kind = (
            NotificationKind.SUPERVISED
            if event.action == Action.SUPERVISE
            else NotificationKind.ESCALATED
        )
        if division is not None:
            sent += _note(event, kind, division=division)
        sent += _note(event, kind, **_unit_target(case))
    elif event.action == Action.WHISTLE:
        for summons in case.summonses.select_related("department").filter(
            department_id__in=event.payload.get("departments", [])
        ):
            sent += _note(event, NotificationKind.SUMMONED, department=summons.department)
    if event.public and event.action != Action.SUBMIT:
        kind = NotificationKind.CLOSED if event.action == Action.CLOSE else NotificationKind.STATUS
        followers = {case.reporter_id} | set(
            case.reporters.exclude(user=None).values_list("user_id", flat=True)
        )
        followers.discard(None)
        followers.discard(event.actor_id)
        from django.contrib.auth import get_user_model

        for user in get_user_model().objects.filter(pk__in=followers):
            sent += _note(event, kind, user=user)
    return sent
