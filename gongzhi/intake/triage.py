"""Chat messages (and any record the machine is unsure about) → a case, or
a human triage queue with the best guesses — never a silent wrong routing.

``analyse(text, scope)`` locates the message (``locate.locate_text``: estate →
building → grid), classifies it (``classify.load_current``) and reads its
urgency. ``submit_or_triage`` files a case through ``cases.case_submit`` only
when the place is sure *and* the category is confident; otherwise it writes a
:class:`TriageItem`. Staff confirm (possibly correcting place, category,
urgency) with ``triage_confirm`` or dismiss with ``triage_dismiss``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import Conflict, NotFound, ValidationFailed

from . import locate
from .models import TriageItem

logger = logging.getLogger(__name__)

# locate.urgency levels → the case's urgency
URGENCY_OF = {"urgent": "critical", "high": "urgent", "normal": "normal"}


@dataclass
class Analysis:
    text: str
    location: locate.Location | None
    category: str = ""  # our Category code, "" when unknown
    category_label: str = ""
    confidence: float = 0.0
    alternatives: list = field(default_factory=list)
    urgency: str = "normal"
    urgency_keywords: list = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def sure(self) -> bool:
        return not self.reasons

    def guesses(self) -> dict:
        loc = self.location
        return {
            "place": {
                "sure": bool(loc and loc.sure),
                "level": loc.level if loc else "none",
                "reason": loc.reason if loc else "",
                "number": loc.number if loc else None,
                "candidates": [
                    {
                        "estate": c.estate,
                        "score": round(c.score, 1),
                        "building_code": c.building_code,
                        "building_name": c.building_name,
                        "grid_code": c.grid_code,
                    }
                    for c in (loc.candidates if loc else [])
                ],
            },
            "category": self.category,
            "category_label": self.category_label,
            "confidence": round(self.confidence, 3),
            "alternatives": [[a, round(p, 3)] for a, p in self.alternatives],
            "urgency": self.urgency,
            "urgency_keywords": self.urgency_keywords,
        }


def category_code_for_label(label: str) -> str:
    """The citizen first-level Category (T01…) named ``label``, or ''."""
    from gongzhi.cases.models import Category

    row = (
        Category.objects.filter(source="citizen", parent__code="T", name=label, is_active=True)
        .values_list("code", flat=True)
        .first()
    )
    return row or ""


def classify_text(text: str, analysis: Analysis) -> None:
    from . import classify

    try:
        model = classify.load_current()
    except classify.ModelMissing:
        analysis.reasons.append(_("分类模型未就绪"))
        return
    pred = model.predict([text])[0]
    analysis.category_label = pred.label
    analysis.confidence = pred.confidence
    analysis.alternatives = list(pred.alternatives)
    analysis.category = category_code_for_label(pred.label)
    if pred.needs_triage:
        analysis.reasons.append(_("分类置信度不足(%(p).0f%%)") % {"p": pred.confidence * 100})
    elif not analysis.category:
        analysis.reasons.append(_("分类“%(label)s”不在事项目录中") % {"label": pred.label})


def analyse(
    text: str, scope: str = "", *, category: str = "", locate_place: bool = True
) -> Analysis:
    text = (text or "").strip()
    a = Analysis(text=text, location=None)
    if locate_place:
        a.location = locate.locate_text(text, scope=scope)
        if not a.location.sure:
            a.reasons.append(_("位置不确定:%(reason)s") % {"reason": a.location.reason})
    if category:
        a.category, a.confidence = category, 1.0
    else:
        classify_text(text, a)
    u = locate.urgency(text)
    a.urgency = URGENCY_OF.get(u.level, "normal")
    a.urgency_keywords = u.keywords
    return a


def place_point(*, building_code: str = "", grid_code: str = "") -> tuple[float, float, str]:
    """(lng, lat, address) of a building, or of a grid's centre."""
    from gongzhi.org.models import Building, Division

    if building_code:
        b = Building.objects.filter(code=building_code).first()
        if b is None:
            raise ValidationFailed(_("楼栋不存在。"), code="unknown_building")
        return b.lng, b.lat, b.address or f"{b.estate}{b.name}"
    if grid_code:
        g = Division.objects.filter(code=grid_code).first()
        if g is None or g.center_lng is None:
            raise ValidationFailed(_("网格不存在或没有中心点。"), code="unknown_grid")
        return g.center_lng, g.center_lat, g.name
    raise ValidationFailed(_("请选择楼栋或网格。"), code="missing_place")


def _title(text: str) -> str:
    from .channels.base import title_from

    return title_from(text) or _("群众反映")


@dataclass
class Outcome:
    kind: str  # "created", "existing", "triaged"
    case: object = None
    item: TriageItem | None = None


def submit_or_triage(
    *,
    channel: str,
    case_channel: str,
    source_ref: str,
    text: str,
    scope: str = "",
    title: str = "",
    sender: str = "",
    sender_phone: str = "",
    received_at=None,
    category: str = "",
    urgency: str = "",
    lng=None,
    lat=None,
    crs: str = "wgs84",
    address: str = "",
) -> Outcome:
    """A case when place and category are sure; otherwise a triage item.

    With ``lng``/``lat`` given the place is the point (not the text); with
    ``category`` given the classifier is not asked.
    """
    from gongzhi.cases.models import Case
    from gongzhi.cases.services import case_submit

    if source_ref:
        case = Case.objects.filter(channel=case_channel, source_ref=source_ref).first()
        if case is not None:
            return Outcome("existing", case=case)
        item = TriageItem.objects.filter(channel=channel, source_ref=source_ref).first()
        if item is not None:
            return Outcome("existing" if item.case_id else "triaged", case=item.case, item=item)
    has_point = lng not in (None, "") and lat not in (None, "")
    a = analyse(text, scope, category=category, locate_place=not has_point)
    if urgency:
        a.urgency = urgency
    if a.sure:
        if not has_point:
            best = a.location.best
            lng, lat, address = place_point(
                building_code=best.building_code or "", grid_code=best.grid_code or ""
            )
            crs = "wgs84"
        case, created = case_submit(
            actor=None,
            channel=case_channel,
            title=title or _title(text),
            description=text,
            category=a.category,
            lng=lng,
            lat=lat,
            crs=crs,
            urgency=a.urgency,
            address=address,
            source_ref=source_ref,
            reporter_name=sender,
            reporter_phone=sender_phone,
        )
        if created:
            _dedupe(case)
        return Outcome("created" if created else "existing", case=case)
    guesses = a.guesses()
    if has_point:
        guesses["point"] = {"lng": float(lng), "lat": float(lat), "crs": crs, "address": address}
    item = TriageItem.objects.create(
        channel=channel,
        source_ref=source_ref,
        scope=scope,
        text=text if not title or title in text else f"{title}\n{text}",
        sender=sender[:64],
        sender_phone=sender_phone[:32],
        received_at=received_at,
        guesses=guesses,
        reason=";".join(a.reasons)[:200],
    )
    return Outcome("triaged", item=item)


def _case_channel(channel: str) -> tuple[str, str]:
    from .channels import get_adapter

    adapter = get_adapter(channel)
    return adapter.case_channel, adapter.ref_prefix


def triage_confirm(
    *,
    item: TriageItem | int,
    actor,
    category: str,
    urgency: str = "normal",
    building_code: str = "",
    grid_code: str = "",
    use_point: bool = False,
    title: str = "",
):
    """A person decided: file the case through case_submit; returns the case."""
    from gongzhi.cases.services import case_submit

    with transaction.atomic():
        pk = item.pk if isinstance(item, TriageItem) else item
        locked = TriageItem.objects.select_for_update().filter(pk=pk).first()
        if locked is None:
            raise NotFound(_("研判事项不存在。"))
        if locked.state != TriageItem.State.PENDING:
            raise Conflict(_("该事项已处理。"))
        point = locked.guesses.get("point") if use_point else None
        if use_point and not point:
            raise ValidationFailed(_("该事项没有来源平台的坐标。"), code="missing_place")
        if point:
            lng, lat, crs, address = point["lng"], point["lat"], point["crs"], point["address"]
            _check_point_in_scope(actor, lng=lng, lat=lat, crs=crs)
        else:
            lng, lat, address = place_point(building_code=building_code, grid_code=grid_code)
            crs = "wgs84"
        case_channel, _prefix = _case_channel(locked.channel)
        case, _created = case_submit(
            actor=actor,
            channel=case_channel,
            title=title or _title(locked.text),
            description=locked.text,
            category=category,
            lng=lng,
            lat=lat,
            crs=crs,
            urgency=urgency,
            address=address,
            source_ref=locked.source_ref,
            reporter_name=locked.sender,
            reporter_phone=locked.sender_phone,
        )
        locked.state = TriageItem.State.ACCEPTED
        locked.case = case
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["state", "case", "decided_by", "decided_at"])
        if _created:
            _dedupe(case)
    return case


def _check_point_in_scope(actor, *, lng, lat, crs: str) -> None:
    """A person may file a case only inside their own subtree: the source
    platform's point must fall there (the page checks picked buildings/grids)."""
    from gongzhi.cases.services.intake import locate_point

    scope = getattr(actor, "scope_code", None)
    if actor is None or scope is None:
        return
    _lng, _lat, division = locate_point(lng=lng, lat=lat, crs=crs)
    if not division.code.startswith(scope):
        raise NotFound(_("该坐标不在您的辖区内。"))


def _dedupe(case) -> None:
    """Cross-channel duplicate merge right after a case was filed (docs/decisions/0032)."""
    from .dedupe import dedupe_case

    dedupe_case(case)


def triage_dismiss(*, item: TriageItem | int, actor, reason: str = "") -> TriageItem:
    with transaction.atomic():
        pk = item.pk if isinstance(item, TriageItem) else item
        locked = TriageItem.objects.select_for_update().filter(pk=pk).first()
        if locked is None:
            raise NotFound(_("研判事项不存在。"))
        if locked.state != TriageItem.State.PENDING:
            raise Conflict(_("该事项已处理。"))
        locked.state = TriageItem.State.DISMISSED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        if reason:
            locked.reason = (locked.reason + ";" + _("忽略:") + reason)[:200]
        locked.save(update_fields=["state", "decided_by", "decided_at", "reason"])
    return locked
