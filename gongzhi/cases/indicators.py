"""The case KPIs (``cases.kpis``) registered as insights indicators, per
territory node: a case counts for the node its division path lies in."""

from __future__ import annotations

from gongzhi.insights.registry import Counts, Period, Unit, register
from gongzhi.org.models import Division

from .kpis import KPIS, Kpi, node_counts


def _compute_for(kpi: Kpi):
    def compute(scope: Division, period: Period, by: int) -> Counts:
        numerator, denominator = node_counts(kpi, scope.code, period, by)
        return Counts(numerator=numerator, denominator=denominator)

    compute.__name__ = kpi.code
    compute.__doc__ = str(kpi.definition)
    return compute


def _unit(kpi: Kpi) -> str:
    # 平均办理时长 is a ratio of sums (hours / cases): a plain ratio, not a percentage.
    return Unit.PERCENT if kpi.percent else Unit.COUNT


for _kpi in KPIS:
    register(
        code=_kpi.code,
        name=_kpi.name,
        definition=_kpi.definition,
        numerator=_kpi.numerator,
        denominator=_kpi.denominator,
        unit=_unit(_kpi),
        seed=_kpi.seed,
    )(_compute_for(_kpi))
