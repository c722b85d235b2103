"""The KPI league table (考核排名): units ranked within the user's subtree.

Units are street departments and district departments, communities (with
their grids) or streets, as the responsible unit of each case
(``cases.kpis.unit_scores``). A unit with fewer than the minimum volume
(``CASES_KPI_MIN_VOLUME``) is listed below the ranking, unranked, with its
figures; the rule is stated on the page. Cases ruled unreasonable are not
counted at all. The page costs a fixed number of queries whatever the number
of units (tests/cases/test_kpis.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongzhi.core.errors import PermissionDenied, ValidationFailed
from gongzhi.insights.registry import FIRST_YEAR, Period, today
from gongzhi.org.models import Department, Division
from gongzhi.org.selectors import division_get_for_user

from .kpis import (
    KPI_BY_CODE,
    KPIS,
    UNIT_KIND_LABELS,
    UNIT_KINDS,
    UnitScore,
    min_volume,
    unit_scores,
)

DEFAULT_SORT = "cases_on_time_rate"
DEFAULT_MONTHS = 6


@dataclass
class LeagueRow:
    rank: int | None
    key: str
    label: str
    code: str
    score: UnitScore

    @property
    def cells(self) -> list[tuple[str, str, str]]:
        """(kpi code, the value as shown, "numerator/denominator") per KPI."""
        out = []
        for k in KPIS:
            value = self.score.value(k.code)
            num, den = self.score.counts.get(k.code, (0, 0))
            if value is None:
                text = "—"
            elif k.percent:
                text = f"{value:.1f}%"
            elif k.denominator:
                text = f"{value:.1f}"
            else:
                text = f"{int(value)}"
            fraction = f"{num:g}/{den:g}" if den is not None else f"{num:g}"
            out.append((k.code, text, fraction))
        return out


@dataclass
class League:
    kind: str
    sort: str
    min_volume: int
    ranked: list[LeagueRow]
    unranked: list[LeagueRow]


def last_months(months: int = DEFAULT_MONTHS) -> Period:
    end = today()
    return Period(end - dt.timedelta(days=round(months * 30.5)), end)


def parse_period(params) -> Period:
    """``year`` (a calendar year) or ``start``/``end`` (dates); default the
    last six months. Raises ValidationFailed with a Chinese message."""
    if params.get("year"):
        return Period.parse_year(params.get("year"))
    start, end = params.get("start"), params.get("end")
    if not start and not end:
        return last_months()
    try:
        first = dt.date.fromisoformat(start) if start else last_months().start
        last = dt.date.fromisoformat(end) if end else today()
    except ValueError as exc:
        raise ValidationFailed(
            _("日期格式不正确,请按“2026-06-01”的格式填写。"), code="invalid_date"
        ) from exc
    if first > last or first.year < FIRST_YEAR:
        raise ValidationFailed(_("统计期的开始日期须早于结束日期。"), code="invalid_period")
    return Period(first, last)


def _labels(kind: str, keys: list[str]) -> dict[str, tuple[str, str]]:
    """key → (label, code), one query."""
    if kind == "department":
        ids = [int(k) for k in keys]
        depts = Department.objects.filter(pk__in=ids).select_related("division")
        return {str(d.pk): (f"{d.division.short_name}{d.name}", d.division.code) for d in depts}
    divisions = Division.objects.filter(code__in=keys).only("code", "name", "short_name")
    return {d.code: (d.short_name or d.name, d.code) for d in divisions}


def league(*, scope: Division, period: Period, kind: str, sort: str = DEFAULT_SORT) -> League:
    if kind not in UNIT_KINDS:
        raise ValidationFailed(_("未知的单位类型。"), code="invalid_kind")
    if sort not in KPI_BY_CODE:
        raise ValidationFailed(_("未知的排序指标。"), code="invalid_sort")
    scores = unit_scores(scope_code=scope.code, period=period, kind=kind)
    labels = _labels(kind, list(scores))
    threshold = min_volume()
    kpi = KPI_BY_CODE[sort]

    def order(s: UnitScore):
        value = s.value(sort)
        if value is None:
            return (1, 0.0, s.key)
        return (0, -value if kpi.higher_is_better else value, s.key)

    ranked, unranked = [], []
    for s in sorted(scores.values(), key=order):
        label, code = labels.get(s.key, (s.key, ""))
        row = LeagueRow(None, s.key, label, code, s)
        if s.volume >= threshold and s.value(sort) is not None:
            row.rank = len(ranked) + 1
            ranked.append(row)
        else:
            unranked.append(row)
    return League(kind, sort, threshold, ranked, unranked)


@require_GET
@login_required
def league_table(request, code: str):
    user = request.user
    if not user.is_staff_member:
        raise PermissionDenied(_("考核排名仅对工作人员开放。"))
    division = division_get_for_user(user=user, code=code)
    error = ""
    try:
        period = parse_period(request.GET)
    except ValidationFailed as exc:
        error, period = exc.message, last_months()
    kind = request.GET.get("kind") or "department"
    sort = request.GET.get("sort") or DEFAULT_SORT
    if kind not in UNIT_KINDS:
        error, kind = _("未知的单位类型。"), "department"
    if sort not in KPI_BY_CODE:
        error, sort = _("未知的排序指标。"), DEFAULT_SORT
    table = league(scope=division, period=period, kind=kind, sort=sort)
    return render(
        request,
        "cases/league.html",
        {
            "division": division,
            "period": period,
            "table": table,
            "kpis": KPIS,
            "sort_kpi": KPI_BY_CODE[sort],
            "kinds": [(k, UNIT_KIND_LABELS[k]) for k in UNIT_KINDS],
            "error_message": error,
        },
        status=400 if error else 200,
    )
