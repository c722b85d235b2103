"""Duplicate merge across channels ("me too" without anyone pressing it).

A new case is compared with the open, unmerged cases reported before it:

1. **place** — within ``INTAKE_DEDUPE_RADIUS_M`` (200 m, haversine) of the new
   case, which covers the same grid and the neighbouring ones; the database
   pre-filter is the county's path range, the time window and a lng/lat box;
2. **time** — created at most ``INTAKE_DEDUPE_WINDOW_DAYS`` (7) days before it;
3. **category** — the same first-level class (``T01…`` citizen classes, ``UC01…``
   / ``UE01…`` urban-management classes); a citizen class and an urban class
   do not exclude each other (数字城管 codes and 12345 classes describe the same
   pothole in two vocabularies), the text must then carry it;
4. **text** — cosine of character-bigram counts over the normalised title and
   the first 200 characters of the description.

The best candidate's score decides: ≥ ``INTAKE_DEDUPE_AUTO`` merges the new
case into it through ``cases.services.case_merge`` (system merge: reporters
follow the master, whose priority rises); ≥ ``INTAKE_DEDUPE_SUGGEST`` records a
:class:`DuplicateSuggestion` for a person to accept or dismiss; below, nothing.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.cases.constants import Status
from gongzhi.cases.models import Case
from gongzhi.cases.selectors import case_reporter_count
from gongzhi.cases.services.base import OPEN_FOR_MERGE
from gongzhi.intake.classify import normalize
from gongzhi.org.geo.coords import haversine_m

RADIUS_M = 200.0
WINDOW_DAYS = 7
AUTO = 0.8
SUGGEST = 0.45
TEXT_CHARS = 200
# Metres per degree of latitude; a longitude degree shrinks by cos(lat).
M_PER_DEG = 111_320.0


def conf(name: str, default):
    return getattr(settings, name, default)


def radius_m() -> float:
    return float(conf("INTAKE_DEDUPE_RADIUS_M", RADIUS_M))


def window_days() -> float:
    return float(conf("INTAKE_DEDUPE_WINDOW_DAYS", WINDOW_DAYS))


def thresholds() -> tuple[float, float]:
    return float(conf("INTAKE_DEDUPE_AUTO", AUTO)), float(conf("INTAKE_DEDUPE_SUGGEST", SUGGEST))


# --- similarity ---------------------------------------------------------------------------------


def text_key(title: str, description: str) -> str:
    return normalize(title or "") + normalize((description or "")[:TEXT_CHARS])


def bigrams(key: str) -> Counter:
    if len(key) < 2:
        return Counter([key]) if key else Counter()
    return Counter(key[i : i + 2] for i in range(len(key) - 1))


def cosine(a: Counter, b: Counter) -> float:
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = sum(v * b.get(k, 0) for k, v in a.items())
    if not dot:
        return 0.0
    na = math.sqrt(sum(v * v for v in a.values()))
    nb = math.sqrt(sum(v * v for v in b.values()))
    return dot / (na * nb)


def category_family(code: str) -> str:
    """First-level class: ``T0101001`` → ``T01``, ``UC0203`` → ``UC02``."""
    code = code or ""
    if code.startswith("U"):
        return code[:4]
    return code[:3]


def categories_compatible(a: str, b: str) -> bool:
    fa, fb = category_family(a), category_family(b)
    if fa == fb:
        return True
    # Different vocabularies (citizen vs urban management) do not exclude each other.
    return {fa[:1], fb[:1]} == {"T", "U"}


def box(lng: float, lat: float, radius: float) -> tuple[float, float, float, float]:
    dlat = radius / M_PER_DEG
    dlng = radius / (M_PER_DEG * max(math.cos(math.radians(lat)), 0.01))
    return lng - dlng, lat - dlat, lng + dlng, lat + dlat


# --- one case -----------------------------------------------------------------------------------


@dataclass
class Match:
    master: Case
    score: float
    reasons: dict = field(default_factory=dict)


@dataclass
class Outcome:
    action: str  # "merged" | "suggested" | "none"
    match: Match | None = None
    suggestion: object | None = None


def candidates(case: Case) -> list[Match]:
    """Open, unmerged cases near ``case`` in place, time and category, scored; best first."""
    radius = radius_m()
    x0, y0, x1, y1 = box(case.lng, case.lat, radius)
    since = case.created_at - timedelta(days=window_days())
    county = case.division_path[:6]
    qs = (
        Case.objects.filter(
            division_path__gte=county,
            division_path__lt=county + ":",
            created_at__gte=since,
            created_at__lte=case.created_at,
            status__in=OPEN_FOR_MERGE,
            master__isnull=True,
            lng__gte=x0,
            lng__lte=x1,
            lat__gte=y0,
            lat__lte=y1,
        )
        .exclude(pk=case.pk)
        .select_related("category")
        .order_by("created_at", "id")[:200]
    )
    mine = bigrams(text_key(case.title, case.description))
    out = []
    for other in qs:
        if not categories_compatible(case.category.code, other.category.code):
            continue
        dist = float(haversine_m(case.lng, case.lat, other.lng, other.lat))
        if dist > radius:
            continue
        score = cosine(mine, bigrams(text_key(other.title, other.description)))
        days = (case.created_at - other.created_at).total_seconds() / 86400
        out.append(
            Match(
                master=other,
                score=round(score, 4),
                reasons={
                    "distance_m": round(dist, 1),
                    "same_grid": other.grid_id == case.grid_id,
                    "days": round(days, 2),
                    "category": [case.category.code, other.category.code],
                    "text": round(score, 4),
                    "channels": [case.channel, other.channel],
                },
            )
        )
    # Best text first; on a tie the older case stays the master.
    out.sort(key=lambda m: (-m.score, m.master.created_at, m.master.pk))
    return out


def dedupe_case(case: Case) -> Outcome:
    """Called by the intake pipeline right after ``case`` was created.

    Auto-merges into the best candidate above the high threshold, records a
    pending suggestion above the low one, otherwise does nothing."""
    from gongzhi.cases.services import case_merge
    from gongzhi.intake.models import DuplicateSuggestion

    case = Case.objects.select_related("category").get(pk=case.pk)
    if case.master_id is not None or case.status not in OPEN_FOR_MERGE:
        return Outcome("none")
    found = candidates(case)
    if not found:
        return Outcome("none")
    best = found[0]
    auto, suggest = thresholds()
    if best.score >= auto:
        with transaction.atomic():
            case_merge(
                case=case,
                actor=None,
                system=True,
                master=best.master,
                note=_("系统自动合并:与 %(n)s 为同一问题(相似度 %(s).2f,相距 %(d).0f 米)")
                % {"n": best.master.number, "s": best.score, "d": best.reasons["distance_m"]},
                payload={"dedupe": best.reasons, "score": best.score},
            )
        return Outcome("merged", best)
    if best.score >= suggest:
        suggestion, _created = DuplicateSuggestion.objects.get_or_create(
            case=case,
            master=best.master,
            defaults={"score": best.score, "reasons": best.reasons},
        )
        return Outcome("suggested", best, suggestion)
    return Outcome("none", best)


# --- suggestions decided by a person ------------------------------------------------------------


def suggestions_for_user(user):
    """Pending suggestions whose case lies in the user's subtree (staff only)."""
    from gongzhi.intake.models import DuplicateSuggestion

    qs = DuplicateSuggestion.objects.filter(status=DuplicateSuggestion.State.PENDING)
    scope = getattr(user, "scope_code", "") or ""
    if not (user and user.is_authenticated and user.is_staff_member and scope):
        return qs.none()
    # A range on the indexed path, as cases.selectors.path_q (":" sorts after "9").
    qs = qs.filter(case__division_path__gte=scope, case__division_path__lt=scope + ":")
    return qs.select_related("case__category", "master__category").order_by("-score", "id")


def suggestion_get_for_user(*, user, pk: int):
    from gongzhi.core.errors import NotFound

    s = suggestions_for_user(user).filter(pk=pk).first()
    if s is None:
        raise NotFound(_("疑似重复记录不存在、已处理或不在您的管辖范围内。"))
    return s


@transaction.atomic
def suggestion_accept(*, suggestion, actor):
    """Merge the suggested case into its master (the actor's own merge right is checked)."""
    from gongzhi.cases.services import case_merge
    from gongzhi.core.errors import ValidationFailed
    from gongzhi.intake.models import DuplicateSuggestion

    s = DuplicateSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    if s.status != DuplicateSuggestion.State.PENDING:
        raise ValidationFailed(_("该疑似重复已处理。"), code="already_decided")
    case_merge(
        case=s.case,
        actor=actor,
        master=s.master,
        note=_("确认为重复(相似度 %(s).2f)") % {"s": s.score},
        payload={"dedupe": s.reasons, "score": s.score},
    )
    s.status = DuplicateSuggestion.State.MERGED
    s.decided_by = actor
    s.decided_at = timezone.now()
    s.save(update_fields=["status", "decided_by", "decided_at"])
    # Other open suggestions about the same case are moot now.
    DuplicateSuggestion.objects.filter(
        case=s.case, status=DuplicateSuggestion.State.PENDING
    ).update(status=DuplicateSuggestion.State.DISMISSED, decided_by=actor, decided_at=s.decided_at)
    return s


@transaction.atomic
def suggestion_dismiss(*, suggestion, actor):
    from gongzhi.core.errors import ValidationFailed
    from gongzhi.intake.models import DuplicateSuggestion

    s = DuplicateSuggestion.objects.select_for_update().get(pk=suggestion.pk)
    if s.status != DuplicateSuggestion.State.PENDING:
        raise ValidationFailed(_("该疑似重复已处理。"), code="already_decided")
    s.status = DuplicateSuggestion.State.DISMISSED
    s.decided_by = actor
    s.decided_at = timezone.now()
    s.save(update_fields=["status", "decided_by", "decided_at"])
    return s


def reporter_count(case: Case) -> int:
    """反映人数, counted as the case page counts it (cases.selectors)."""
    return case_reporter_count(case)


__all__ = ["Status", "candidates", "dedupe_case", "suggestion_accept", "suggestion_dismiss"]
