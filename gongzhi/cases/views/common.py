"""The case page (a resident's or a staff member's view of it), the actions
posted from it, and its photos."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import shapely
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_POST

from gongzhi.core.errors import Conflict, ValidationFailed
from gongzhi.core.masking import mask_name, mask_phone

from .. import selectors, services
from ..constants import CLOCK_STATUSES, Action, Channel, Rating, Status
from ..deadlines import HOURS_PER_DAY, clock
from ..forms import action_params, parse_version, read_photos
from ..models import Case, CaseEvent
from ..services.base import REOPEN_DAYS, StaleVersion, conf
from ..units import unit_of

# What a resident may read of a public event: the result, a refusal's reason,
# their own words. Other notes (dispatch notes, verification remarks) are
# staff internals even on public events.
RESIDENT_NOTE_ACTIONS = frozenset(
    {Action.SUBMIT, Action.VOID, Action.HANDLE, Action.RATE, Action.REOPEN}
)
# Actions whose form carries a photo upload.
PHOTO_ACTIONS = frozenset({Action.HANDLE})
STALE_MESSAGE = gettext_noop("案件已被他人更新,请刷新后重试")


@login_required
@require_GET
def home(request):
    if request.user.is_staff_member:
        return redirect("cases:queue")
    return redirect("cases:mine")


@dataclass(frozen=True)
class TimelineRow:
    event: CaseEvent
    label: str
    note: str
    who: str
    # A case the line names (a merge's master or duplicate), shown as a link
    # after the label, then ``ref_suffix`` (the duplicate's channel).
    ref: str = ""
    ref_suffix: str = ""


@dataclass(frozen=True)
class ClockView:
    """The handling clock as shown: due time, working time left, flags."""

    due: object
    running: bool
    overdue: bool
    near_due: bool
    remaining_text: str
    percent: int


def working_time_text(hours: float) -> str:
    hours = max(hours, 0.0)
    days, rest = divmod(round(hours * 2) / 2, HOURS_PER_DAY)
    if days and rest:
        return _("%(d)d 个工作日 %(h)s 小时") % {"d": days, "h": f"{rest:g}"}
    if days:
        return _("%(d)d 个工作日") % {"d": days}
    return _("%(h)s 个工作小时") % {"h": f"{rest:g}"}


def clock_view(case: Case) -> ClockView | None:
    if case.handle_due is None:
        return None
    c = clock(
        started=case.dispatched_at,
        due=case.handle_due,
        now=timezone.now(),
        limit_hours=case.limit_hours,
        warn_at=case.warn_at,
    )
    running = case.status in CLOCK_STATUSES
    return ClockView(
        due=case.handle_due,
        running=running,
        overdue=running and c.overdue,
        near_due=running and c.near_due,
        remaining_text=working_time_text(c.remaining_hours),
        percent=min(100, round(c.fraction * 100)),
    )


# Actions only a reporter takes: their name is personal data, never shown.
REPORTER_ACTIONS = frozenset({Action.SUBMIT, Action.RATE, Action.REOPEN, Action.ME_TOO})


def _who(event: CaseEvent, *, staff: bool, staff_opened: bool = False) -> str:
    if staff_opened and event.action == Action.SUBMIT and event.actor_id is not None:
        # An officer who opens a case themselves (未诉先办) is not its reporter.
        place = event.actor_division.short_name if event.actor_division_id else ""
        if not staff:
            return place
        name = event.actor.display_name or event.actor.username
        return " · ".join(x for x in (_("立案人"), place, name) if x)
    if event.action in REPORTER_ACTIONS and event.actor_department_id is None:
        return _("反映人") if staff else ""
    if event.actor_department_id:
        place = event.actor_division.short_name if event.actor_division else ""
        return f"{place}{event.actor_department.name}"
    if event.actor_division_id:
        name = event.actor_division.short_name
        if staff and event.actor is not None:
            return f"{name} · {event.actor.display_name or event.actor.username}"
        return name
    return ""


def _merge_label(event: CaseEvent) -> tuple[str, str, str]:
    """(label, linked case number, suffix) of a merge line: the master's side
    names the duplicate it absorbed, the duplicate's side names its master."""
    if "duplicate" in event.payload:
        channel = event.payload.get("channel", "")
        suffix = f"({Channel(channel).label})" if channel in Channel.values else ""
        return _("合并了重复案件"), str(event.payload["duplicate"]), suffix
    if "master" in event.payload:
        return _("已合并至"), str(event.payload["master"]), ""
    return str(event.get_action_display()), "", ""


def timeline(case: Case, *, staff: bool) -> list[TimelineRow]:
    rows = []
    staff_opened = case.channel in selectors.STAFF_OPENED_CHANNELS
    for e in selectors.case_timeline(case=case, public_only=not staff):
        label, ref, suffix = str(e.get_action_display()), "", ""
        if e.action == Action.RATE and e.payload.get("rating") in Rating.values:
            label = f"{label}:{Rating(e.payload['rating']).label}"
        if e.action == Action.MERGE:
            label, ref, suffix = _merge_label(e)
        note = e.note if staff or e.action in RESIDENT_NOTE_ACTIONS else ""
        if e.action == Action.SUBMIT and not staff:
            note = ""
        if ref and note == label + " " + ref + suffix:
            note = ""  # the master's line already says it
        who = _who(e, staff=staff, staff_opened=staff_opened)
        rows.append(TimelineRow(e, label, note, who, ref, suffix))
    return rows


def map_data(case: Case) -> dict:
    outline = None
    geometry = case.grid.geometry if case.grid_id else None
    if geometry is not None:
        simplified = shapely.simplify(geometry, 0.00002, preserve_topology=True)
        outline = json.loads(shapely.to_geojson(simplified))
    return {
        "point": [case.lng, case.lat],
        "outline": outline,
        "label": case.grid.short_name if case.grid_id else "",
        "tileUrl": settings.MAP_TILE_URL,
        "tileAttribution": settings.MAP_TILE_ATTRIBUTION,
    }


def _resident_context(case: Case, user, actions: list[str]) -> dict:
    reopen_until = None
    if case.closed_at is not None:
        reopen_until = case.closed_at + timedelta(days=conf("CASES_REOPEN_DAYS", REOPEN_DAYS))
        if timezone.now() > reopen_until:
            actions = [a for a in actions if a != Action.REOPEN]
    return {
        "template": "cases/resident_detail.html",
        "timeline": timeline(case, staff=False),
        "actions": actions,
        "reopen_until": reopen_until,
        "ratings": Rating.choices,
    }


def _staff_context(case: Case, user, actions: list[str]) -> dict:
    rows = timeline(case, staff=True)
    ctx = {
        "template": "cases/staff_detail.html",
        "timeline": rows,
        "merge": selectors.case_merge_view(case=case, user=user),
        "priority_label": case.priority_label,
        # 督办 is an officer's supervision on record, not any raised priority.
        "supervised": any(r.event.action == Action.SUPERVISE for r in rows),
        "actions": actions,
        "action_items": [(a, str(Action(a).label)) for a in actions],
        "unit": unit_of(case),
        "reporter_name": mask_name(case.reporter_name) if case.reporter_name else "",
        "reporter_phone": mask_phone(case.reporter_phone) if case.reporter_phone else "",
        "summonses": list(case.summonses.select_related("department__division")),
        "tasks": list(case.tasks.select_related("department")),
        "accept_overdue": (
            case.status == Status.DISPATCHED
            and case.accept_due is not None
            and case.accept_due < timezone.now()
        ),
        "map_data": map_data(case),
    }
    if Action.DISPATCH in actions or Action.RULE in actions:
        ctx["unit_choices"] = selectors.unit_choices(path=case.division_path)
    if Action.WHISTLE in actions:
        ctx["whistle_departments"] = list(selectors.whistle_departments(path=case.division_path))
    return ctx


def render_case(request, case: Case, *, error: str = "", status: int = 200):
    user = request.user
    actions = selectors.actions_for_user(case=case, user=user)
    staff = user.is_staff_member
    ctx = _staff_context(case, user, actions) if staff else _resident_context(case, user, actions)
    ctx.update(
        {
            "case": case,
            "clock": clock_view(case),
            "photos": list(case.photos.all()),
            "error": error,
            "photo_actions": PHOTO_ACTIONS,
        }
    )
    return render(request, ctx.pop("template"), ctx, status=status)


@login_required
@require_GET
def case_detail(request, number: str):
    case = selectors.case_get_for_user(user=request.user, number=number)
    return render_case(request, case)


@login_required
@require_POST
def case_act(request, number: str, action: str):
    """One action from the case page; on a refusal the page is shown again,
    as it is now, with the reason (and nothing changed)."""
    case = selectors.case_get_for_user(user=request.user, number=number)
    try:
        services.case_act_with_photos(
            case=case,
            action=action,
            actor=request.user,
            expected_version=parse_version(request.POST),
            params=action_params(action, request.POST),
            photos=read_photos(request.FILES),
        )
    except StaleVersion:
        case = selectors.case_get_for_user(user=request.user, number=number)
        return render_case(request, case, error=_(STALE_MESSAGE), status=409)
    except (ValidationFailed, Conflict) as exc:
        case = selectors.case_get_for_user(user=request.user, number=number)
        return render_case(request, case, error=exc.message, status=exc.status)
    label = Action(action).label if action in Action.values else action
    messages.success(request, _("“%(action)s”已完成。") % {"action": label})
    return redirect("cases:detail", number=number)


@login_required
@require_GET
def case_photo(request, number: str, pk: int):
    case = selectors.case_get_for_user(user=request.user, number=number)
    photo = case.photos.filter(pk=pk).first()
    if photo is None:
        raise Http404
    response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
