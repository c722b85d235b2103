"""Case KPIs (考核指标) per responsible unit and per territory node.

One place defines what each KPI counts; ``cases.indicators`` registers them
in the insights registry (per territory node, grouped by the case's division
path) and ``cases.league`` ranks units with them. Every KPI is a numerator
over a denominator of *additive* counts (or sums), so a node's value is the
sum over its parts, never an average of rates.

Fair by construction (docs/decisions/0050-case-kpis.md):

- cases ruled unreasonable (``Case.ruled_unreasonable``, set by the ruling
  after repeated rejections) and merged duplicates (counted once, in their
  master) are left out of every KPI;
- a unit is ranked only with at least ``CASES_KPI_MIN_VOLUME`` (default 20)
  cases submitted in the period (受理量); below that its figures are shown
  but not ranked.

Periods: each KPI counts the cases whose *anchor* moment falls inside the
period — submission for 受理量, (latest) dispatch for 响应率, closure for
the closure-based rates, the summons for 吹哨报到及时率.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from . import deadlines
from .constants import Action, Rating, Status, UnitType
from .models import Case, CaseEvent, WhistleSummons

MIN_VOLUME = 20

CLOSED_STATUSES = (Status.CLOSED, Status.RATED)
GOOD_RATINGS = (Rating.SATISFIED, Rating.BASICALLY)


def min_volume() -> int:
    return int(getattr(settings, "CASES_KPI_MIN_VOLUME", MIN_VOLUME))


def kpi_cases() -> QuerySet[Case]:
    """The cases every KPI counts: not merged away, not ruled unreasonable."""
    return Case.objects.filter(ruled_unreasonable=False).exclude(status=Status.MERGED)


def kpi_summonses() -> QuerySet[WhistleSummons]:
    return WhistleSummons.objects.filter(case__ruled_unreasonable=False).exclude(
        case__status=Status.MERGED
    )


def _reopened() -> Exists:
    return Exists(CaseEvent.objects.filter(case=OuterRef("pk"), action=Action.REOPEN))


@dataclass(frozen=True)
class Kpi:
    """One KPI: what it counts, on which rows, anchored on which moment.

    ``base`` (Q, relative to the anchor rows) selects the denominator rows
    and ``good`` the numerator rows among them. ``higher_is_better`` orders
    the league table. ``kind`` is "cases" (a Case count), "hours" (a sum of
    working hours over a count of cases) or "whistle" (WhistleSummons rows).
    """

    code: str
    name: str
    definition: str
    numerator: str
    denominator: str
    seed: str
    anchor: str
    good: Q | None = None
    base: Q = field(default_factory=Q)
    kind: str = "cases"
    percent: bool = True
    higher_is_better: bool = True


SEED_WHISTLE = _(
    "种子文章:常青街道实行大部制管理,“一个哨子吹到底,一支队伍管到边”,工作效能大幅提升。"
)
SEED_GONGZHI = _(
    "种子文章:合肥包河区打造“共治”平台,建立区、街道、社区三级共治网络,"
    "实现“单兵作战”向“联勤联动”转变。"
)
SEED_RESPONSIVE = _("种子文章:让群众需求能够及时反映、迅速解决。")

KPIS: list[Kpi] = [
    Kpi(
        code="cases_intake",
        name=_("受理量"),
        definition=_(
            "统计期内上报并受理的诉求件数(不含不予立案、被合并的重复件和裁定为不合理诉求的案件)。"
        ),
        numerator=_("期内上报的诉求件数"),
        denominator="",
        seed=SEED_GONGZHI,
        anchor="created_at",
        good=~Q(status=Status.VOIDED),
        percent=False,
    ),
    Kpi(
        code="cases_response_rate",
        name=_("响应率"),
        definition=_(
            "统计期内派遣的案件中,责任单位在签收时限(一般件4个工作小时)内签收的比例。"
            "按最近一次派遣计。"
        ),
        numerator=_("期内派遣且按时签收的案件数"),
        denominator=_("期内派遣的案件数"),
        seed=SEED_RESPONSIVE,
        anchor="dispatched_at",
        good=Q(accepted_at__isnull=False, accepted_at__lte=F("accept_due")),
    ),
    Kpi(
        code="cases_on_time_rate",
        name=_("按期办结率"),
        definition=_("统计期内结案的案件中,在办结期限(含批准的延期)内处置反馈的比例。"),
        numerator=_("期内结案且按期处置的案件数"),
        denominator=_("期内结案的案件数"),
        seed=SEED_WHISTLE,
        anchor="closed_at",
        base=Q(status__in=CLOSED_STATUSES),
        good=Q(handled_at__isnull=False, handled_at__lte=F("handle_due")),
    ),
    Kpi(
        code="cases_solved_rate",
        name=_("解决率"),
        definition=_(
            "统计期内结案并经居民评价的案件中,居民以评价确认问题已解决、从未要求重新办理的比例。"
        ),
        numerator=_("期内结案、已评价且居民未要求重新办理的案件数"),
        denominator=_("期内结案且已评价的案件数"),
        seed=SEED_RESPONSIVE,
        anchor="closed_at",
        base=Q(status=Status.RATED),
        good=~Q(_reopened()),
    ),
    Kpi(
        code="cases_satisfaction_rate",
        name=_("满意率"),
        definition=_("统计期内结案并经居民评价的案件中,评价为“满意”或“基本满意”的比例。"),
        numerator=_("期内评价为满意或基本满意的案件数"),
        denominator=_("期内结案且已评价的案件数"),
        seed=SEED_RESPONSIVE,
        anchor="closed_at",
        base=Q(status=Status.RATED),
        good=Q(rating__in=GOOD_RATINGS),
    ),
    Kpi(
        code="cases_rework_rate",
        name=_("返工率"),
        definition=_("统计期内结案的案件中,曾被居民要求重新办理或核查不通过(返工)的比例。"),
        numerator=_("期内结案且返工过的案件数"),
        denominator=_("期内结案的案件数"),
        seed=SEED_WHISTLE,
        anchor="closed_at",
        base=Q(status__in=CLOSED_STATUSES),
        good=Q(rework_count__gt=0),
        higher_is_better=False,
    ),
    Kpi(
        code="cases_extension_rate",
        name=_("延期率"),
        definition=_("统计期内结案的案件中,经批准延期办理的比例。"),
        numerator=_("期内结案且批准过延期的案件数"),
        denominator=_("期内结案的案件数"),
        seed=SEED_WHISTLE,
        anchor="closed_at",
        base=Q(status__in=CLOSED_STATUSES),
        good=Q(extension_count__gt=0),
        higher_is_better=False,
    ),
    Kpi(
        code="cases_handling_hours",
        name=_("平均办理时长"),
        definition=_(
            "统计期内结案的案件从(最近一次)派遣到处置反馈所用的工作小时"
            "(工作日 9:00–12:00、13:30–17:30,法定节假日和调休按国家安排)的平均值。"
        ),
        numerator=_("期内结案案件的办理工作小时合计"),
        denominator=_("期内结案且有派遣、处置时间的案件数"),
        seed=SEED_WHISTLE,
        anchor="closed_at",
        base=Q(status__in=CLOSED_STATUSES, dispatched_at__isnull=False, handled_at__isnull=False),
        kind="hours",
        percent=False,
        higher_is_better=False,
    ),
    Kpi(
        code="cases_whistle_on_time_rate",
        name=_("吹哨报到及时率"),
        definition=_("统计期内被吹哨召集的部门中,在报到时限(默认2个工作小时)内报到的比例。"),
        numerator=_("期内按时报到的召集数"),
        denominator=_("期内吹哨召集的部门次数"),
        seed=SEED_WHISTLE,
        anchor="summoned_at",
        good=Q(reported_at__isnull=False, late=False),
        kind="whistle",
    ),
]
KPI_BY_CODE = {k.code: k for k in KPIS}


def rows_for(kpi: Kpi, period) -> QuerySet:
    """The denominator rows of ``kpi`` in ``period`` (cases or summonses)."""
    qs = kpi_summonses() if kpi.kind == "whistle" else kpi_cases()
    return qs.filter(period.range_q(kpi.anchor)).filter(kpi.base)


# ---------------------------------------------------------------- working hours


class WorkingCalendar:
    """Working hours between many pairs of moments with one query for the
    overrides (``deadlines.working_hours_between`` queries per call)."""

    def __init__(self, first: date, last: date):
        self.first, self.last = first, last
        overrides = deadlines._overrides(first, last)
        self.workdays: list[int] = []
        self._set: set[date] = set()
        day = first
        while day <= last:
            if deadlines.is_workday(day, overrides):
                self.workdays.append(day.toordinal())
                self._set.add(day)
            day += timedelta(days=1)

    def _day_hours(self, day: date, lo: datetime | None, hi: datetime | None) -> float:
        if day not in self._set:
            return 0.0
        total = 0.0
        for p, q in deadlines._periods(day):
            a = max(p, lo) if lo is not None else p
            b = min(q, hi) if hi is not None else q
            if b > a:
                total += (b - a).total_seconds()
        return total / 3600

    def hours(self, start: datetime, end: datetime) -> float:
        a, b = start.astimezone(deadlines.TZ), end.astimezone(deadlines.TZ)
        if b <= a:
            return 0.0
        if not (self.first <= a.date() and b.date() <= self.last):
            return deadlines.working_hours_between(a, b)
        if a.date() == b.date():
            return self._day_hours(a.date(), a, b)
        full = bisect.bisect_left(self.workdays, b.date().toordinal()) - bisect.bisect_right(
            self.workdays, a.date().toordinal()
        )
        return (
            self._day_hours(a.date(), a, None)
            + self._day_hours(b.date(), None, b)
            + full * deadlines.HOURS_PER_DAY
        )


def handling_hours(pairs: Iterable[tuple[datetime, datetime]]) -> list[float]:
    pairs = list(pairs)
    if not pairs:
        return []
    first = min(a for a, _b in pairs).astimezone(deadlines.TZ).date()
    last = max(b for _a, b in pairs).astimezone(deadlines.TZ).date()
    cal = WorkingCalendar(first, last)
    return [round(cal.hours(a, b), 4) for a, b in pairs]


# ---------------------------------------------------------------- per node


def node_counts(kpi: Kpi, scope_code: str, period, by: int) -> tuple[dict, dict | None]:
    """Numerator and denominator per code prefix of length ``by`` in the
    subtree of ``scope_code`` (the case's division path decides the node)."""
    from gongzhi.insights.registry import group_count

    class _Scope:
        code = scope_code

    rows = rows_for(kpi, period)
    path = "case__division_path" if kpi.kind == "whistle" else "division_path"
    if kpi.kind == "hours":
        data = list(
            rows.filter(division_path__startswith=scope_code).values_list(
                "division_path", "dispatched_at", "handled_at"
            )
        )
        hours = handling_hours((a, b) for _p, a, b in data)
        num: dict[str, float] = defaultdict(float)
        den: dict[str, int] = defaultdict(int)
        for (code, _a, _b), h in zip(data, hours, strict=True):
            num[code[:by]] += h
            den[code[:by]] += 1
        return dict(num), dict(den)
    good = group_count(rows.filter(kpi.good), path, _Scope, by)
    if not kpi.denominator:
        return good, None
    return good, group_count(rows, path, _Scope, by)


# ---------------------------------------------------------------- per unit

UNIT_KINDS = ("department", "community", "street")
UNIT_KIND_LABELS = {
    "department": _("街道大部门与区直部门"),
    "community": _("社区(含所属网格)"),
    "street": _("街道"),
}
_UNIT_TYPES = {
    "department": (UnitType.DEPARTMENT,),
    "community": (UnitType.COMMUNITY, UnitType.GRID),
    "street": (UnitType.STREET,),
}
COMMUNITY_CODE_LENGTH = 12


@dataclass
class UnitScore:
    """One unit's KPI counts for a period: ``counts[code] = (num, den)``."""

    key: str  # department id or division code
    counts: dict[str, tuple[float, float | None]] = field(default_factory=dict)

    def value(self, code: str) -> float | None:
        num, den = self.counts.get(code, (0, 0))
        kpi = KPI_BY_CODE[code]
        if den is None:
            return float(num)
        if not den:
            return None
        ratio = num / den
        return ratio * 100 if kpi.percent else ratio

    @property
    def volume(self) -> int:
        return int(self.counts.get("cases_intake", (0, None))[0])


def _unit_key(kind: str, unit_type: str, department_id, division_code: str | None) -> str | None:
    if kind == "department":
        return str(department_id) if department_id else None
    if not division_code:
        return None
    if kind == "community":
        return division_code[:COMMUNITY_CODE_LENGTH]
    return division_code


def unit_scores(*, scope_code: str, period, kind: str) -> dict[str, UnitScore]:
    """KPI counts for every unit of ``kind`` responsible for cases in the
    subtree of ``scope_code``. A fixed number of queries (one for all case
    counts, one for working hours, one for summonses), whatever the number of
    units. Units are the unit responsible *now* (at the end of the case)."""
    if kind not in UNIT_KINDS:
        raise ValueError(kind)
    unit_types = _UNIT_TYPES[kind]
    scores: dict[str, UnitScore] = {}

    def score(key: str) -> UnitScore:
        if key not in scores:
            scores[key] = UnitScore(key)
        return scores[key]

    case_kpis = [k for k in KPIS if k.kind == "cases"]
    anchors = {k.anchor for k in case_kpis} | {"closed_at"}
    in_period = Q()
    for anchor in anchors:
        in_period |= period.range_q(anchor)
    rows = kpi_cases().filter(
        in_period, division_path__startswith=scope_code, unit_type__in=unit_types
    )
    aggregates = {}
    for k in case_kpis:
        base = period.range_q(k.anchor) & k.base
        aggregates[f"{k.code}__den"] = Count("pk", filter=base)
        aggregates[f"{k.code}__num"] = Count("pk", filter=base & k.good)
    grouped = (
        rows.values("unit_type", "unit_department_id", "unit_division__code")
        .annotate(**aggregates)
        .order_by()
    )
    for row in grouped:
        key = _unit_key(
            kind, row["unit_type"], row["unit_department_id"], row["unit_division__code"]
        )
        if key is None:
            continue
        s = score(key)
        for k in case_kpis:
            num, den = s.counts.get(k.code, (0, 0))
            s.counts[k.code] = (
                num + row[f"{k.code}__num"],
                None if not k.denominator else (den or 0) + row[f"{k.code}__den"],
            )

    hours_kpi = KPI_BY_CODE["cases_handling_hours"]
    data = list(
        rows_for(hours_kpi, period)
        .filter(division_path__startswith=scope_code, unit_type__in=unit_types)
        .values_list(
            "unit_type", "unit_department_id", "unit_division__code", "dispatched_at", "handled_at"
        )
    )
    for (utype, dept, code, _a, _b), h in zip(
        data, handling_hours((a, b) for *_x, a, b in data), strict=True
    ):
        key = _unit_key(kind, utype, dept, code)
        if key is None:
            continue
        s = score(key)
        num, den = s.counts.get(hours_kpi.code, (0.0, 0))
        s.counts[hours_kpi.code] = (num + h, den + 1)

    if kind == "department":
        whistle = KPI_BY_CODE["cases_whistle_on_time_rate"]
        summoned = (
            rows_for(whistle, period)
            .filter(case__division_path__startswith=scope_code)
            .values("department_id")
            .annotate(den=Count("pk"), num=Count("pk", filter=whistle.good))
            .order_by()
        )
        for row in summoned:
            score(str(row["department_id"])).counts[whistle.code] = (row["num"], row["den"])
    return scores


__all__ = [
    "KPIS",
    "KPI_BY_CODE",
    "Kpi",
    "UnitScore",
    "WorkingCalendar",
    "handling_hours",
    "kpi_cases",
    "min_volume",
    "node_counts",
    "unit_scores",
]
