"""Reads for dashboards and the API, scoped to the user's subtree.

Every function here costs a constant number of queries whatever the number of
children: one for the children, then each indicator's grouped queries.
"""

from __future__ import annotations

from dataclasses import dataclass

from gongzhi.org.models import Division
from gongzhi.org.selectors import division_breadcrumb, division_get_for_user

from .registry import Indicator, IndicatorValue, Period, registry


@dataclass(frozen=True)
class ChildValue:
    division: Division
    value: IndicatorValue


@dataclass(frozen=True)
class Breakdown:
    indicator: Indicator
    value: IndicatorValue
    children: list[ChildValue]


@dataclass(frozen=True)
class Dashboard:
    division: Division
    breadcrumb: list[Division]
    period: Period
    children: list[Division]
    breakdowns: list[Breakdown]


def indicator_list() -> list[Indicator]:
    return registry.all()


def indicator_get(*, code: str) -> Indicator:
    """The indicator with this code; ``NotFound`` (code indicator_not_found) if none."""
    return registry.get(code)


def division_children_list(*, division: Division) -> list[Division]:
    return list(
        Division.objects.filter(parent=division).only("code", "name", "level", "kind", "parent_id")
    )


def indicator_value(*, indicator: Indicator, scope: Division, period: Period) -> IndicatorValue:
    return indicator.compute(scope, period)


def indicator_breakdown(
    *,
    indicator: Indicator,
    scope: Division,
    period: Period,
    children: list[Division] | None = None,
) -> Breakdown:
    """The scope's value plus one value per child, in the indicator's few queries."""
    if children is None:
        children = division_children_list(division=scope)
    total, per_child = indicator.compute_breakdown(scope, period, children)
    return Breakdown(
        indicator=indicator,
        value=total,
        children=[ChildValue(division=c, value=per_child[c.code]) for c in children],
    )


def indicator_breakdown_for_user(
    *, user, indicator_code: str, scope_code: str | None, period: Period
) -> tuple[Division, Breakdown]:
    """The breakdown for a scope the user may see (their own node by default)."""
    indicator = indicator_get(code=indicator_code)
    code = scope_code or getattr(user, "scope_code", None) or ""
    scope = division_get_for_user(user=user, code=code)
    return scope, indicator_breakdown(indicator=indicator, scope=scope, period=period)


def dashboard_for_user(*, user, code: str, period: Period) -> Dashboard:
    """Everything the dashboard page shows for one node.

    Raises ``NotFound`` when the node does not exist or is outside the user's
    subtree.
    """
    division = division_get_for_user(user=user, code=code)
    children = division_children_list(division=division)
    breakdowns = [
        indicator_breakdown(indicator=ind, scope=division, period=period, children=children)
        for ind in indicator_list()
    ]
    return Dashboard(
        division=division,
        breadcrumb=division_breadcrumb(user=user, division=division),
        period=period,
        children=children,
        breakdowns=breakdowns,
    )
