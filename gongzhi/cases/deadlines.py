"""The working-day clock (docs/decisions/0005-working-hours.md).

A working day is a day that ``chinese-calendar`` says is a workday (statutory
holidays off, 调休 make-up days on), unless a :class:`CalendarOverride` says
otherwise; for years the package has no data for, Monday–Friday plus the
overrides. Working hours are the office hours of Chinese government service
halls: 09:00–12:00 and 13:30–17:30, seven hours a day, in Asia/Shanghai.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
from django.conf import settings

from .models import CalendarOverride

logger = logging.getLogger(__name__)

TZ = ZoneInfo("Asia/Shanghai")
WORKING_PERIODS: tuple[tuple[time, time], ...] = (
    (time(9, 0), time(12, 0)),
    (time(13, 30), time(17, 30)),
)
HOURS_PER_DAY = 7
NEAR_DUE_FRACTION = 0.8
# Guard against a calendar with no working days at all (a misconfigured override table).
MAX_DAYS = 3660

_unknown_years_logged: set[int] = set()


def _overrides(start: date, end: date) -> dict[date, bool]:
    return dict(
        CalendarOverride.objects.filter(date__gte=start, date__lte=end).values_list(
            "date", "is_workday"
        )
    )


def _calendar_workday(day: date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        if day.year not in _unknown_years_logged:
            _unknown_years_logged.add(day.year)
            logger.warning(
                "chinese-calendar has no data for %s: weekdays are working days unless "
                "CalendarOverride says otherwise",
                day.year,
            )
        return day.weekday() < 5


def is_workday(day: date, overrides: dict[date, bool] | None = None) -> bool:
    if overrides is None:
        overrides = _overrides(day, day)
    if day in overrides:
        return overrides[day]
    return _calendar_workday(day)


def _local(dt: datetime) -> datetime:
    if dt.tzinfo is None:
        raise ValueError("aware datetime required")
    return dt.astimezone(TZ)


def _periods(day: date) -> list[tuple[datetime, datetime]]:
    return [
        (datetime.combine(day, a, tzinfo=TZ), datetime.combine(day, b, tzinfo=TZ))
        for a, b in WORKING_PERIODS
    ]


def add_working_hours(start: datetime, hours: float) -> datetime:
    """The moment ``hours`` working hours after ``start`` (aware, returned in Asia/Shanghai)."""
    cursor = _local(start)
    remaining = timedelta(hours=hours)
    if remaining <= timedelta(0):
        return cursor
    # Enough days to cover the span and any holiday run.
    span_days = int(hours // HOURS_PER_DAY) * 2 + 30
    overrides = _overrides(cursor.date(), cursor.date() + timedelta(days=span_days))
    day = cursor.date()
    for _i in range(MAX_DAYS):
        if day > cursor.date() + timedelta(days=span_days):
            overrides.update(_overrides(day, day + timedelta(days=span_days)))
            span_days *= 2
        if is_workday(day, overrides):
            for a, b in _periods(day):
                begin = max(a, cursor)
                if begin >= b:
                    continue
                available = b - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += timedelta(days=1)
    raise RuntimeError("no working days found within ten years")


def add_working_days(start: datetime, days: int) -> datetime:
    return add_working_hours(start, days * HOURS_PER_DAY)


def working_hours_between(start: datetime, end: datetime) -> float:
    """Working hours from ``start`` to ``end`` (negative when end is earlier)."""
    a, b = _local(start), _local(end)
    if b < a:
        return -working_hours_between(end, start)
    overrides = _overrides(a.date(), b.date())
    total = timedelta(0)
    day = a.date()
    while day <= b.date():
        if is_workday(day, overrides):
            for p, q in _periods(day):
                lo, hi = max(p, a), min(q, b)
                if hi > lo:
                    total += hi - lo
        day += timedelta(days=1)
    return total.total_seconds() / 3600


@dataclass(frozen=True)
class Clock:
    """A case's handling clock at one moment: what staff and residents see."""

    due: datetime | None
    limit_hours: float
    elapsed_hours: float
    remaining_hours: float
    overdue: bool
    near_due: bool

    @property
    def fraction(self) -> float:
        return self.elapsed_hours / self.limit_hours if self.limit_hours else 0.0


def clock(
    *, started: datetime | None, due: datetime | None, now: datetime, limit_hours: float
) -> Clock:
    if started is None or due is None:
        return Clock(due, limit_hours, 0.0, limit_hours, False, False)
    remaining = working_hours_between(now, due)
    total = limit_hours or working_hours_between(started, due)
    elapsed = max(total - remaining, 0.0)
    overdue = now > due
    near = not overdue and total > 0 and elapsed >= NEAR_DUE_FRACTION * total
    return Clock(due, total, elapsed, remaining, overdue, near)


def setting(name: str, default):
    return getattr(settings, name, default)
