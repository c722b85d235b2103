"""热点 (未诉先办) and 每月一题 for officers.

Hotspots are clusters of similar live cases in the officer's subtree
(``intake.hotspots.find_hotspots`` over the most recent cases), or — for the
demo — of the citizen messages in ``messages_with_votes.csv``. One click opens
a proactive case from a hotspot through ``cases.services.case_submit``
(idempotent on the hotspot's key, so a second click returns the same case).
"""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_POST

from gongzhi.cases.constants import Channel, Status
from gongzhi.cases.models import Case, Category
from gongzhi.cases.selectors import path_q
from gongzhi.core.access import require_territorial_staff
from gongzhi.core.errors import NotFound, ValidationFailed
from gongzhi.intake import hotspots as H
from gongzhi.org.models import Division

# Cases from the last LOOKBACK_DAYS, at most MAX_CASES of them (newest first):
# one sparse product over that many texts stays well under a second.
LOOKBACK_DAYS = 90
MAX_CASES = 5000
TOP = 30
# 未诉先办 is opened by staff who found the problem themselves; the catalogue
# of channels has no "proactive" entry yet, so it is filed as a patrol find.
PROACTIVE_CHANNEL = Channel.PROACTIVE
SOURCES = ("cases", "messages")


def messages_file() -> Path:
    return Path(settings.BASE_DIR) / "data" / "citizen-messages" / "messages_with_votes.csv"


# Hotspots span a whole subtree: the division's own staff, not a department's.
STAFF_ONLY = gettext_noop("热点分析仅供辖区工作人员使用。")


def case_messages(user, *, days: int = LOOKBACK_DAYS, limit: int = MAX_CASES) -> list[H.Message]:
    """Live (not merged, not voided) cases of the user's subtree as hotspot messages.

    Place is the community (a grid code's first 12 digits): similar cases of
    neighbouring grids in one community cluster, other communities' do not."""
    since = timezone.now() - timedelta(days=days)
    rows = (
        Case.objects.filter(path_q(user.scope_code), created_at__gte=since, master__isnull=True)
        .exclude(status__in=[Status.MERGED, Status.VOIDED])
        .exclude(source_ref__startswith="hotspot-")
        .order_by("-created_at")
        .values_list(
            "number",
            "title",
            "description",
            "created_at",
            "priority",
            "reporter_id",
            "division_path",
        )[:limit]
    )
    return [
        H.Message(id=n, title=t, detail=d, time=c, votes=p, sender=str(r or n), place=path[:12])
        for n, t, d, c, p, r, path in rows
    ]


@lru_cache(maxsize=2)
def _file_messages(path: str, mtime: float) -> tuple[H.Message, ...]:
    return tuple(H.read_messages(Path(path)))


def file_messages() -> list[H.Message]:
    f = messages_file()
    if not f.exists():
        return []
    return list(_file_messages(str(f), f.stat().st_mtime))


@lru_cache(maxsize=2)
def _file_hotspots(path: str, mtime: float) -> tuple[list, dict]:
    msgs = _file_messages(path, mtime)
    return H.find_hotspots(msgs), H.monthly_hard_problems(msgs)


def compute(user, source: str) -> tuple[list[H.Hotspot], dict[str, list[H.Hotspot]]]:
    if source == "messages":
        f = messages_file()
        if not f.exists():
            return [], {}
        return _file_hotspots(str(f), f.stat().st_mtime)
    msgs = case_messages(user)
    return H.find_hotspots(msgs, now=timezone.now()), H.monthly_hard_problems(msgs)


def place_names(hotspots: list[H.Hotspot]) -> dict[str, str]:
    """The division codes hotspots name (cases: a community or street code) →
    the division's name, in one query; places of the messages source are
    already names and are left as they are."""
    codes = {p for h in hotspots for p in h.places if p.isdigit()}
    if not codes:
        return {}
    found = Division.objects.filter(code__in=codes).only("code", "name")
    return {d.code: d.short_name for d in found}


def _places(h: H.Hotspot, names: dict[str, str]) -> list[str]:
    return [names.get(p, p) for p in h.places]


def _source(request) -> str:
    source = request.GET.get("source") or request.POST.get("source") or "cases"
    return source if source in SOURCES else "cases"


@login_required
@require_GET
def hotspots(request):
    require_territorial_staff(request.user, _(STAFF_ONLY))
    source = _source(request)
    found, _monthly = compute(request.user, source)
    opened = set(
        Case.objects.filter(
            channel=PROACTIVE_CHANNEL, source_ref__in=[_ref(h) for h in found[:TOP]]
        ).values_list("source_ref", flat=True)
    )
    names = place_names(found[:TOP])
    rows = [
        {"h": h, "rep": h.representative, "opened": _ref(h) in opened, "places": _places(h, names)}
        for h in found[:TOP]
    ]
    return render(
        request, "intake/hotspots.html", {"rows": rows, "source": source, "total": len(found)}
    )


@login_required
@require_GET
def hard_problems(request):
    require_territorial_staff(request.user, _(STAFF_ONLY))
    source = _source(request)
    _found, monthly = compute(request.user, source)
    shown = sorted(monthly.items(), reverse=True)[:24]
    names = place_names([hs[0] for _m, hs in shown])
    months = [
        {"month": m, "h": hs[0], "rep": hs[0].representative, "places": _places(hs[0], names)}
        for m, hs in shown
    ]
    return render(request, "intake/hotspots_monthly.html", {"months": months, "source": source})


def _ref(h: H.Hotspot) -> str:
    return f"hotspot-{h.key}"[:64]


def _category_for(h: H.Hotspot, payload: dict, source: str) -> Category:
    if payload.get("category"):
        found = (
            Category.objects.filter(name=payload["category"], code__startswith="T", is_active=True)
            .order_by("code")
            .first()
        )
        if found is not None:
            return found
    if source == "cases":
        rep = Case.objects.select_related("category").get(number=h.representative.id)
        return rep.category
    raise ValidationFailed(_("无法确定该热点的事项分类(分类模型未训练)。"), code="no_category")


def _place_for(user, h: H.Hotspot, source: str) -> tuple[float, float]:
    if source == "cases":
        rep = Case.objects.only("lng", "lat").get(number=h.representative.id)
        return rep.lng, rep.lat
    # Messages without coordinates: the officer's own node.
    node = user.division
    if node is None or node.center_lng is None:
        raise ValidationFailed(_("该热点没有位置,无法立案。"), code="no_location")
    return node.center_lng, node.center_lat


@login_required
@require_POST
def open_case(request):
    from gongzhi.cases.services import case_submit

    user = request.user
    require_territorial_staff(user, _(STAFF_ONLY))
    source = _source(request)
    key = request.POST.get("key", "")
    found, _monthly = compute(user, source)
    h = next((x for x in found if x.key == key), None)
    if h is None:
        raise NotFound(_("热点不存在或已变化,请刷新后重试。"))
    classifier = None
    try:
        from gongzhi.intake.classify import load_current

        classifier = load_current()
    except Exception:  # no trained model: the representative case's category
        classifier = None
    payload = H.case_payload(h, classifier)
    lng, lat = _place_for(user, h, source)
    case, created = case_submit(
        actor=user,
        channel=PROACTIVE_CHANNEL,
        source_ref=_ref(h),
        title=payload["title"][:100],
        description=payload["description"]
        + "\n"
        + _("关联诉求:%(refs)s") % {"refs": "、".join(payload["member_refs"][:50])},
        category=_category_for(h, payload, source),
        lng=lng,
        lat=lat,
    )
    if created:
        messages.success(request, _("已按未诉先办立案:%(n)s") % {"n": case.number})
    else:
        messages.info(request, _("该热点已立案:%(n)s") % {"n": case.number})
    return redirect("cases:detail", case.number)
