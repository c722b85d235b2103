"""Intake: submit (idempotent on channel + source reference), register,
void, merge a duplicate into a master, "me too"."""

from __future__ import annotations

import math
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from gongzhi.core.errors import NotFound, PermissionDenied, RateLimited, ValidationFailed
from gongzhi.core.ratelimit import rate_limit_hit
from gongzhi.org.constants import CODE_LENGTH, Level
from gongzhi.org.geo import coords
from gongzhi.org.geo.index import locate_many
from gongzhi.org.models import Division

from .. import workflow
from ..constants import Action, Channel, Status, Urgency
from ..models import DESCRIPTION_MAX, Case, CaseReporter, CaseSequence, Category
from .base import (
    OPEN_FOR_MERGE,
    begin,
    finish,
    in_jurisdiction,
    is_reporter,
    lock,
    now,
    record_event,
    require_text,
)


def next_number(at: datetime) -> str:
    """GZ + local date + 5-digit daily sequence, e.g. GZ2026112900001.

    The UPDATE takes the row's write lock until the caller's transaction
    ends, so the value read back is this transaction's alone."""
    from ..deadlines import TZ

    day = at.astimezone(TZ).date()
    days = CaseSequence.objects.filter(day=day)
    if not days.update(last=F("last") + 1):
        CaseSequence.objects.get_or_create(day=day)
        days.update(last=F("last") + 1)
    last = days.values_list("last", flat=True).get()
    return f"GZ{day:%Y%m%d}{last:05d}"


def _by_source(channel: str, source_ref: str) -> Case | None:
    """The case stored for (channel, source_ref), unique when source_ref is
    set. Its id first: most reports are new, and selecting (and compiling)
    every column of a row that is not there costs more than the lookup."""
    pk = Case.objects.filter(channel=channel, source_ref=source_ref).values_list("pk", flat=True)
    found = next(iter(pk.order_by()[:1]), None)
    return None if found is None else Case.objects.get(pk=found)


def locate_point(*, lng, lat, crs: str = "wgs84") -> tuple[float, float, Division]:
    """WGS-84 coordinates and the finest node (grid or community) at the point."""
    try:
        x, y = float(lng), float(lat)
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(_("坐标缺失或格式不正确。"), code="invalid_coordinates") from exc
    if not (math.isfinite(x) and math.isfinite(y)):
        raise ValidationFailed(_("坐标缺失或格式不正确。"), code="invalid_coordinates")
    try:
        wx, wy = coords.to_wgs84(x, y, crs)
    except ValueError as exc:
        raise ValidationFailed(str(exc), code="invalid_coordinates") from exc
    code = locate_many([wx], [wy])[0]
    if code is None:
        raise ValidationFailed(
            _("该位置不在本平台的服务区域(安徽省)内。"), code="outside_territory"
        )
    if len(code) < CODE_LENGTH[Level.COMMUNITY]:
        raise ValidationFailed(
            _("该位置尚未划分社区或网格,无法受理,请联系所在街道。"), code="no_grid"
        )
    division = Division.objects.get(code=code)
    return float(wx), float(wy), division


def case_submit(
    *,
    actor,
    channel: str,
    title: str,
    description: str,
    category: Category | str,
    lng,
    lat,
    crs: str = "wgs84",
    urgency: str = Urgency.NORMAL,
    address: str = "",
    source_ref: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
) -> tuple[Case, bool]:
    """Create a case, or return the existing one for (channel, source_ref).

    Returns ``(case, created)``. Staff may only report inside their
    jurisdiction; residents anywhere in the territory.

    The checks and lookups run before the write transaction, which then
    holds the write lock (SQLite: from BEGIN IMMEDIATE) only for the number,
    the row and its event; a concurrent submit of the same (channel,
    source_ref) that passed the check too is stopped by the unique
    constraint and answered with the stored case.
    """
    source_ref = (source_ref or "").strip()
    if channel not in Channel.values:
        raise ValidationFailed(_("未知的来源渠道。"), code="invalid_channel")
    if source_ref:
        existing = _by_source(channel, source_ref)
        if existing is not None:
            return existing, False
    if actor is not None and not (actor.role_set & workflow.REPORTING_ROLES):
        raise PermissionDenied(_("您的角色不能上报案件。"))
    title = require_text(title, _("标题"), max_length=100)
    description = (description or "").strip()
    if not description:
        raise ValidationFailed(_("请填写问题描述。"), code="missing_description")
    if len(description) > DESCRIPTION_MAX:
        raise ValidationFailed(
            _("问题描述不能超过 %(n)d 个字符(当前 %(m)d 个)。")
            % {"n": DESCRIPTION_MAX, "m": len(description)},
            code="description_too_long",
        )
    if urgency not in Urgency.values:
        raise ValidationFailed(_("未知的紧急程度。"), code="invalid_urgency")
    if not isinstance(category, Category):
        category = Category.objects.filter(code=str(category), is_active=True).first()
        if category is None:
            raise ValidationFailed(_("未知的事项分类。"), code="unknown_category")
    elif not category.is_active:
        raise ValidationFailed(_("未知的事项分类。"), code="unknown_category")
    wlng, wlat, division = locate_point(lng=lng, lat=lat, crs=crs)
    if actor is not None and actor.is_staff_member and not in_jurisdiction_code(actor, division):
        raise ValidationFailed(_("该位置不在您的管辖范围内。"), code="outside_jurisdiction")
    _check_resident_rate(actor)
    return _case_create(
        actor=actor,
        channel=channel,
        source_ref=source_ref,
        title=title,
        description=description,
        category=category,
        urgency=urgency,
        lng=wlng,
        lat=wlat,
        address=address,
        division=division,
        reporter_name=reporter_name,
        reporter_phone=reporter_phone,
    )


def _check_resident_rate(actor) -> None:
    """A resident account files at most CASE_SUBMIT_RATE_LIMIT new reports a
    minute (web, app and API alike); staff and source platforms are not limited
    here (platforms have their own per-address limit on the webhook)."""
    if actor is None or not actor.pk or actor.is_staff_member:
        return
    limit = settings.CASE_SUBMIT_RATE_LIMIT
    if rate_limit_hit("case-submit", str(actor.pk), limit=limit, window=60):
        raise RateLimited(_("提交过于频繁:每分钟最多上报 %(n)d 件,请稍后再试。") % {"n": limit})


@transaction.atomic
def _case_create(
    *,
    actor,
    channel: str,
    source_ref: str,
    title: str,
    description: str,
    category: Category,
    urgency: str,
    lng: float,
    lat: float,
    address: str,
    division: Division,
    reporter_name: str,
    reporter_phone: str,
) -> tuple[Case, bool]:
    at = now()
    try:
        with transaction.atomic():
            case = Case.objects.create(
                number=next_number(at),
                channel=channel,
                source_ref=source_ref,
                title=title,
                description=description,
                category=category,
                urgency=urgency,
                lng=lng,
                lat=lat,
                address=(address or "").strip()[:200],
                grid=division,
                division_path=division.code,
                reporter=actor if actor is not None and actor.pk else None,
                reporter_name=(reporter_name or "").strip()[:32],
                reporter_phone=(reporter_phone or "").strip()[:32],
            )
    except IntegrityError:
        # A concurrent submit of the same (channel, source_ref) won the race.
        existing = _by_source(channel, source_ref)
        if source_ref and existing is not None:
            return existing, False
        raise
    record_event(
        case=case,
        action=Action.SUBMIT,
        from_status="",
        actor=actor,
        payload={"channel": channel, "source_ref": source_ref},
        public=True,
    )
    return case, True


def in_jurisdiction_code(user, division: Division) -> bool:
    scope = getattr(user, "scope_code", None)
    return bool(scope) and division.code.startswith(scope)


@transaction.atomic
def case_register(
    *, case: Case, actor, expected_version: int | None = None, note: str = ""
) -> Case:
    case, t = begin(
        case=case, action=Action.REGISTER, actor=actor, expected_version=expected_version
    )
    finish(case=case, transition=t, actor=actor, note=note, public=True)
    return case


@transaction.atomic
def case_void(*, case: Case, actor, reason: str, expected_version: int | None = None) -> Case:
    case, t = begin(case=case, action=Action.VOID, actor=actor, expected_version=expected_version)
    case.void_reason = require_text(reason, _("不予立案原因"), max_length=500)
    finish(case=case, transition=t, actor=actor, fields=["void_reason"], note=reason, public=True)
    return case


@transaction.atomic
def case_merge(
    *,
    case: Case,
    actor,
    master: Case | str,
    expected_version: int | None = None,
    note: str = "",
    system: bool = False,
    payload: dict | None = None,
) -> Case:
    """Merge the duplicate ``case`` into ``master``: its reporters follow the
    master, whose priority rises by one for every reporter it gains.

    ``system=True`` (with ``actor=None``) is the automatic duplicate merge of
    the intake pipeline (``intake.dedupe``): no person, so no party or
    jurisdiction check; the table must still allow the merge."""
    master_number = master.number if isinstance(master, Case) else str(master)
    master_row = Case.objects.filter(number=master_number).only("pk").first()
    if master_row is None:
        raise NotFound(_("主案件不存在或不在您的管辖范围内。"), code="master_not_found")
    # Lock both rows in id order so two merges cannot deadlock.
    first, second = sorted([case.pk, master_row.pk])
    lock(first)
    lock(second)
    if system:
        case = lock(case.pk)
        t = workflow.transition_for(case.status, Action.MERGE)
    else:
        case, t = begin(
            case=case, action=Action.MERGE, actor=actor, expected_version=expected_version
        )
    master_case = lock(master_row.pk)
    if master_case.pk == case.pk:
        raise ValidationFailed(_("不能与自身合并。"), code="merge_into_self")
    if not system and not in_jurisdiction(actor, master_case):
        raise NotFound(_("主案件不存在或不在您的管辖范围内。"), code="master_not_found")
    if master_case.status not in OPEN_FOR_MERGE:
        raise ValidationFailed(_("主案件已办结或已撤销,不能合并。"), code="master_closed")
    followers = [
        (case.reporter_id, case.reporter_name, case.reporter_phone),
        *case.reporters.values_list("user_id", "name", "phone"),
    ]
    known = set(master_case.reporters.exclude(user=None).values_list("user_id", flat=True))
    known.add(master_case.reporter_id)
    gained = 0
    for user_id, name, phone in followers:
        if user_id is not None and user_id in known:
            continue
        if user_id is None and not (name or phone):
            continue
        known.add(user_id)
        CaseReporter.objects.create(
            case=master_case, user_id=user_id, name=name, phone=phone, via_case=case
        )
        gained += 1
    # More people reporting the same problem: the master moves up the queue.
    master_case.priority += max(gained, 1)
    master_case.version += 1
    master_case.save(update_fields=["priority", "version", "updated_at"])
    case.master = master_case
    finish(
        case=case,
        transition=t,
        actor=actor,
        fields=["master"],
        note=note,
        payload={"master": master_case.number, **(payload or {})},
        public=True,
    )
    # The master's own timeline says what it absorbed. Same action, no status
    # change (so nothing is pushed to the master's source platform); the
    # payload's "duplicate" key tells this side from the merged case's event.
    record_event(
        case=master_case,
        action=Action.MERGE,
        from_status=master_case.status,
        actor=actor,
        note=_("合并了重复案件 %(n)s(%(c)s)") % {"n": case.number, "c": case.get_channel_display()},
        payload={
            "duplicate": case.number,
            "channel": case.channel,
            "gained": gained,
            "priority": master_case.priority,
        },
    )
    return case


@transaction.atomic
def case_me_too(*, case: Case, actor, expected_version: int | None = None) -> Case:
    """A resident reports the same problem on an open case and follows it."""
    case, t = begin(case=case, action=Action.ME_TOO, actor=actor, expected_version=expected_version)
    if is_reporter(actor, case):
        raise ValidationFailed(_("您已在关注此案件。"), code="already_following")
    CaseReporter.objects.create(case=case, user=actor, name=actor.display_name or "")
    finish(case=case, transition=t, actor=actor, public=True)
    return case


__all__ = [
    "Status",
    "case_me_too",
    "case_merge",
    "case_register",
    "case_submit",
    "case_void",
    "locate_point",
    "next_number",
]
