"""Indicators over the API: the registry, and values for a scope and its children."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Query, Router, Schema

from .registry import Indicator, IndicatorValue, Period
from .selectors import indicator_breakdown_for_user, indicator_list

router = Router()


class ErrorOut(Schema):
    code: str
    message: str


class IndicatorOut(Schema):
    code: str = Field(description="稳定的英文标识")
    name: str = Field(description="指标名称")
    definition: str = Field(description="指标定义")
    numerator: str = Field(description="分子口径")
    denominator: str = Field(description="分母口径(计数类指标为空)")
    unit: str = Field(description="单位:count 个数 / percent 百分比")
    seed_figure: str = Field(description="对应的种子文章数字")
    seed_value: float | None = Field(None, description="种子文章中的数值(全省)")


class DivisionOut(Schema):
    code: str
    name: str
    level: str


class ValueOut(Schema):
    numerator: int | float
    denominator: int | float | None = Field(description="计数类指标为 null")
    value: float | None = Field(description="百分比指标为 0–100;分母为 0 时为 null")


class ChildValueOut(ValueOut):
    division: DivisionOut


class PeriodOut(Schema):
    start: dt.date
    end: dt.date
    year: int | None


class IndicatorValuesOut(Schema):
    indicator: IndicatorOut
    scope: DivisionOut
    period: PeriodOut
    value: ValueOut
    children: list[ChildValueOut]


class ValuesQuery(Schema):
    scope: str | None = Field(None, description="区划代码;缺省为本人所属区划")
    year: str | None = Field(None, description="统计年份(四位数字);缺省为当年")


def _indicator_out(ind: Indicator) -> dict:
    return {
        "code": ind.code,
        "name": str(ind.name),
        "definition": str(ind.definition),
        "numerator": str(ind.numerator),
        "denominator": str(ind.denominator),
        "unit": ind.unit,
        "seed_figure": str(ind.seed),
        "seed_value": ind.seed_value,
    }


def _value_out(v: IndicatorValue) -> dict:
    return {"numerator": v.numerator, "denominator": v.denominator, "value": v.value}


def _division_out(d) -> dict:
    return {"code": d.code, "name": d.name, "level": d.level}


@router.get(
    "/indicators",
    response=list[IndicatorOut],
    summary="指标目录",
    description="平台计算的全部指标:定义、分子分母口径、单位及对应的种子文章数字。",
)
def indicators(request):
    return [_indicator_out(ind) for ind in indicator_list()]


@router.get(
    "/indicators/{code}/values",
    response={200: IndicatorValuesOut, 400: ErrorOut, 404: ErrorOut},
    summary="指标取值",
    description=(
        "某一区划(限本人管辖范围)在统计年度的指标值,以及其各下级区划的取值。"
        "区划不存在或不在管辖范围内、指标不存在均返回 404;年份格式错误返回 400。"
    ),
)
def indicator_values(request, code: str, filters: Query[ValuesQuery]):
    period = Period.parse_year(filters.year)
    scope, breakdown = indicator_breakdown_for_user(
        user=request.user, indicator_code=code, scope_code=filters.scope, period=period
    )
    return {
        "indicator": _indicator_out(breakdown.indicator),
        "scope": _division_out(scope),
        "period": {"start": period.start, "end": period.end, "year": period.year},
        "value": _value_out(breakdown.value),
        "children": [
            {"division": _division_out(c.division), **_value_out(c.value)}
            for c in breakdown.children
        ],
    }
