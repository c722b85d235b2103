"""The indicator registry: every figure the platform reports, defined once.

An indicator is a fraction (or a plain count) computed from live data for any
subtree of the territory and for a period. Each one carries its Chinese name,
its definition, what its numerator and denominator count, its unit and the
figure of the seed article it corresponds to, so that dashboards, the API,
exports and the generated briefing all say the same thing.

How another app adds an indicator
---------------------------------
Create ``<app>/indicators.py`` (or an ``indicators`` package). The insights
app imports that module for every installed app when Django starts
(``InsightsConfig.ready`` → ``autodiscover_modules("indicators")``), so the
registration below is all that is needed::

    from django.db.models import Q
    from django.utils.translation import gettext_lazy as _

    from gongzhi.insights.registry import Counts, Unit, group_count, register
    from gongzhi.cases.models import Case

    @register(
        code="cases_closed_on_time_rate",           # stable English identifier
        name=_("按期办结率"),
        definition=_("期内办结的诉求中,在办理时限内办结的比例。"),
        numerator=_("期内按期办结的诉求数"),
        denominator=_("期内办结的诉求数"),
        unit=Unit.PERCENT,
        seed=_("种子文章:……"),                       # the seed sentence it serves
        seed_value=None,                              # the seed's number, if any
    )
    def cases_closed_on_time_rate(scope, period, by) -> Counts:
        closed = Case.objects.filter(period.range_q("closed_at"))
        return Counts(
            numerator=group_count(closed.filter(on_time=True), "grid__code", scope, by),
            denominator=group_count(closed, "grid__code", scope, by),
        )

The decorated function receives the scope ``Division``, the ``Period`` and a
group length ``by`` and returns, per code prefix of length ``by``, the
numerator (and denominator) summed over the rows of the scope's subtree
(rows whose division code starts with ``scope.code``). ``group_count`` does
the filtering and grouping (``Substr`` over the code, one query per call), so
the value of the scope and the values of all of its children come from the
same constant number of queries, whatever the number of children.

The contract is that numerators and denominators are *additive* over disjoint
parts of the tree (counts and sums): the scope's value is then the sum over
its groups, and a rate is always sum(numerators) / sum(denominators), never an
average of the children's rates.

Periods: event indicators (cases, volunteer hours …) count rows inside the
period (``period.range_q(field)``); territory indicators are snapshots as of
the end of the period (``period.snapshot_q(field)``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.errors import NotFound, ValidationFailed
from gongzhi.org.constants import CODE_LENGTH, child_level
from gongzhi.org.models import Division

# Periods are calendar dates in China's time zone, whatever the server's.
TZ = ZoneInfo("Asia/Shanghai")
# The first year a period may start in (the platform holds no earlier data).
FIRST_YEAR = 2015

Number = int | float


class Unit(models.TextChoices):
    COUNT = "count", gettext_lazy("个数")
    PERCENT = "percent", gettext_lazy("百分比")


@dataclass(frozen=True)
class Period:
    """A closed range of calendar dates (Asia/Shanghai), ``start`` ≤ ``end``."""

    start: dt.date
    end: dt.date

    @classmethod
    def for_year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @classmethod
    def current(cls) -> Period:
        """The current calendar year in Asia/Shanghai."""
        return cls.for_year(today().year)

    @classmethod
    def parse_year(cls, raw: str | int | None) -> Period:
        """A year from user input; empty means the current year.

        Raises ``ValidationFailed`` with a Chinese message on bad input.
        """
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return cls.current()
        # NFKC folds full-width digits typed with a Chinese IME (２０２６).
        text = unicodedata.normalize("NFKC", str(raw)).strip()
        if not re.fullmatch(r"[0-9]{4}", text):
            raise ValidationFailed(
                _("年份“%(year)s”格式不正确,请填写四位数字年份,例如 %(example)s。")
                % {"year": text[:20], "example": today().year},
                code="invalid_year",
            )
        year = int(text)
        last = today().year
        if not FIRST_YEAR <= year <= last:
            raise ValidationFailed(
                _("年份须在 %(first)s 至 %(last)s 之间。") % {"first": FIRST_YEAR, "last": last},
                code="invalid_year",
            )
        return cls.for_year(year)

    @property
    def year(self) -> int | None:
        """The year when the period is exactly one calendar year."""
        if (self.start.month, self.start.day, self.end.month, self.end.day) == (1, 1, 12, 31) and (
            self.start.year == self.end.year
        ):
            return self.start.year
        return None

    @property
    def label(self) -> str:
        if self.year is not None:
            return _("%(year)s年") % {"year": self.year}
        return f"{self.start:%Y-%m-%d} — {self.end:%Y-%m-%d}"

    @property
    def start_at(self) -> dt.datetime:
        """The first instant of the period."""
        return dt.datetime.combine(self.start, dt.time.min, tzinfo=TZ)

    @property
    def end_before(self) -> dt.datetime:
        """The first instant after the period (exclusive upper bound)."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=TZ)

    def range_q(self, field: str) -> Q:
        """Rows whose ``field`` (a datetime) falls inside the period."""
        return Q(**{f"{field}__gte": self.start_at, f"{field}__lt": self.end_before})

    def snapshot_q(self, field: str = "created_at") -> Q:
        """Rows that existed at the end of the period (created before it ended)."""
        return Q(**{f"{field}__lt": self.end_before})


def today() -> dt.date:
    return dt.datetime.now(TZ).date()


@dataclass(frozen=True)
class Counts:
    """Per-group sums returned by an indicator's compute function.

    Keys are code prefixes of the requested length; a group missing from a
    dict counts as zero. ``denominator`` is ``None`` for plain counts.
    """

    numerator: dict[str, Number]
    denominator: dict[str, Number] | None = None


@dataclass(frozen=True)
class IndicatorValue:
    numerator: Number
    denominator: Number | None
    value: float | None  # None when the denominator is zero


ComputeFn = Callable[[Division, "Period", int], Counts]


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    definition: str
    numerator: str
    denominator: str
    unit: str
    seed: str
    seed_value: float | None
    counts: ComputeFn

    def make_value(self, numerator: Number, denominator: Number | None) -> IndicatorValue:
        if denominator is None:
            return IndicatorValue(numerator, None, numerator)
        if not denominator:
            return IndicatorValue(numerator, denominator, None)
        ratio = numerator / denominator
        value = ratio * 100 if self.unit == Unit.PERCENT else ratio
        return IndicatorValue(numerator, denominator, value)

    def compute(self, scope: Division, period: Period) -> IndicatorValue:
        """The value for the whole subtree of ``scope``."""
        counts = self.counts(scope, period, len(scope.code))
        num = sum(counts.numerator.values())
        den = None if counts.denominator is None else sum(counts.denominator.values())
        return self.make_value(num, den)

    def compute_breakdown(
        self, scope: Division, period: Period, children: Iterable[Division] | None = None
    ) -> tuple[IndicatorValue, dict[str, IndicatorValue]]:
        """The scope's value and each child's, from one grouped computation.

        Rows are grouped by the first ``len(child code)`` characters of their
        code; rows attached to the scope itself fall in a group of their own
        (their code is shorter), so the sum over all groups is the scope's
        total. ``children`` are the scope's child divisions (queried when not
        given); the result maps child code → value.
        """
        if children is None:
            children = list(Division.objects.filter(parent=scope).only("code"))
        codes = [c.code for c in children]
        level = child_level(scope.level)
        if level is None:
            return self.compute(scope, period), {}
        counts = self.counts(scope, period, CODE_LENGTH[level])
        num_total = sum(counts.numerator.values())
        den_total = None if counts.denominator is None else sum(counts.denominator.values())
        per_child = {}
        for code in codes:
            den = None if counts.denominator is None else counts.denominator.get(code, 0)
            per_child[code] = self.make_value(counts.numerator.get(code, 0), den)
        return self.make_value(num_total, den_total), per_child


class Registry:
    def __init__(self) -> None:
        self._items: dict[str, Indicator] = {}

    def add(self, indicator: Indicator) -> Indicator:
        if not indicator.code.isidentifier() or not indicator.code.isascii():
            raise ImproperlyConfigured(f"Indicator code {indicator.code!r} is not an identifier.")
        if indicator.code in self._items:
            raise ImproperlyConfigured(f"Indicator {indicator.code!r} is registered twice.")
        if indicator.unit not in Unit.values:
            raise ImproperlyConfigured(f"Indicator {indicator.code!r}: unknown unit.")
        self._items[indicator.code] = indicator
        return indicator

    def remove(self, code: str) -> None:
        """Drop an indicator (for tests that register a temporary one)."""
        self._items.pop(code, None)

    def get(self, code: str) -> Indicator:
        try:
            return self._items[code]
        except KeyError as exc:
            raise NotFound(
                _("指标“%(code)s”不存在。") % {"code": code[:64]}, code="indicator_not_found"
            ) from exc

    def all(self) -> list[Indicator]:
        """Indicators in registration order (apps in INSTALLED_APPS order)."""
        return list(self._items.values())

    def __contains__(self, code: str) -> bool:
        return code in self._items


registry = Registry()


def register(
    *,
    code: str,
    name: str,
    definition: str,
    numerator: str,
    unit: str,
    seed: str,
    denominator: str = "",
    seed_value: float | None = None,
) -> Callable[[ComputeFn], ComputeFn]:
    """Decorator registering ``fn(scope, period, by) -> Counts`` as an indicator."""

    def decorator(fn: ComputeFn) -> ComputeFn:
        registry.add(
            Indicator(
                code=code,
                name=name,
                definition=definition,
                numerator=numerator,
                denominator=denominator,
                unit=unit,
                seed=seed,
                seed_value=seed_value,
                counts=fn,
            )
        )
        return fn

    return decorator


def group_count(
    queryset: QuerySet,
    code_field: str,
    scope: Division,
    by: int,
    aggregate: models.Aggregate | None = None,
) -> dict[str, Number]:
    """``aggregate`` (default: row count) of ``queryset`` rows in the scope's
    subtree, grouped by the first ``by`` characters of ``code_field``.

    ``code_field`` is a lookup path to a division (or building) code, e.g.
    ``"code"``, ``"grid__code"``, ``"community__code"``. One query.
    """
    rows = (
        queryset.filter(**{f"{code_field}__startswith": scope.code})
        .annotate(_group=Substr(code_field, 1, by))
        .values("_group")
        .annotate(_n=aggregate if aggregate is not None else Count("pk"))
        .values_list("_group", "_n")
        .order_by()
    )
    return {group: n or 0 for group, n in rows}
