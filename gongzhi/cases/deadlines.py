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
from functools import lru_cache
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


@lru_cache(maxsize=8192)
def _calendar_workday(day: date) -> bool:
    # Cached: the package's tables are fixed for the process, and each of its
    # look-ups scans them for their first and last year (~40 µs a day).
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


@lru_cache(maxsize=8192)
def _periods(day: date) -> tuple[tuple[datetime, datetime], ...]:
    return tuple(
        (datetime.combine(day, a, tzinfo=TZ), datetime.combine(day, b, tzinfo=TZ))
        for a, b in WORKING_PERIODS
    )


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


def subtract_working_hours(
    end: datetime, hours: float, *, overrides: dict[date, bool] | None = None
) -> datetime:
    """The earliest moment from which ``hours`` working hours remain until
    ``end`` (returned in Asia/Shanghai): the inverse of ``add_working_hours``.
    When the hours run out exactly at the start of a period, the answer is
    the end of the working period before it (12:00 rather than 13:30, the
    last working day's 17:30 rather than the next one's 09:00), since from
    there on the same working time remains.

    ``overrides``: every CalendarOverride row that may matter, when the
    caller has loaded them (the data migration, for many cases at once);
    otherwise they are read here."""
    cursor = _local(end)
    remaining = timedelta(hours=hours)
    if remaining <= timedelta(0):
        return cursor
    span_days = int(hours // HOURS_PER_DAY) * 2 + 30
    preloaded = overrides is not None
    if overrides is None:
        overrides = _overrides(cursor.date() - timedelta(days=span_days), cursor.date())
    day = cursor.date()
    for _i in range(MAX_DAYS):
        if not preloaded and day < cursor.date() - timedelta(days=span_days):
            overrides.update(_overrides(day - timedelta(days=span_days), day))
            span_days *= 2
        if is_workday(day, overrides):
            for a, b in reversed(_periods(day)):
                stop = min(b, cursor)
                if stop <= a:
                    continue
                available = stop - a
                if remaining < available:
                    return stop - remaining
                remaining -= available
        day -= timedelta(days=1)
    raise RuntimeError("no working days found within ten years")


def near_due_moment(
    *, due: datetime, total_hours: float, overrides: dict[date, bool] | None = None
) -> datetime:
    """When a case whose clock runs ``total_hours`` working hours up to
    ``due`` becomes near due: the earliest moment at which
    ``NEAR_DUE_FRACTION`` of them have passed, i.e. from which the rest
    remains (the clock's definition below: elapsed = total - remaining, so
    time spent suspended does not count). Stored as ``Case.warn_at`` so lists
    flag 临期 exactly, with no calendar per row (docs/decisions/0005)."""
    # Whole seconds: 0.2 × 35 h is not exact in binary floating point.
    lead = round(total_hours * (1 - NEAR_DUE_FRACTION) * 3600)
    return subtract_working_hours(due, lead / 3600, overrides=overrides)


def all_overrides() -> dict[date, bool]:
    """Every override row (a small table), for many look-ups at once."""
    return dict(CalendarOverride.objects.values_list("date", "is_workday"))


def add_working_days(start: datetime, days: int) -> datetime:
    return add_working_hours(start, days * HOURS_PER_DAY)


def working_hours_between(
    start: datetime, end: datetime, *, overrides: dict[date, bool] | None = None
) -> float:
    """Working hours from ``start`` to ``end`` (negative when end is earlier)."""
    a, b = _local(start), _local(end)
    if b < a:
        return -working_hours_between(end, start, overrides=overrides)
    if overrides is None:
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
    *,
    started: datetime | None,
    due: datetime | None,
    now: datetime,
    limit_hours: float,
    warn_at: datetime | None = None,
) -> Clock:
    """``warn_at``: the stored near-due moment (``near_due_moment``), so a
    case page says 临期 exactly when the lists do."""
    if started is None or due is None:
        return Clock(due, limit_hours, 0.0, limit_hours, False, False)
    remaining = working_hours_between(now, due)
    total = limit_hours or working_hours_between(started, due)
    elapsed = max(total - remaining, 0.0)
    overdue = now > due
    if warn_at is not None:
        near = not overdue and now >= warn_at
    else:
        # In whole seconds, as near_due_moment counts: 0.8 × 7 h is not exact
        # in binary floating point.
        lead = round(total * (1 - NEAR_DUE_FRACTION) * 3600)
        near = not overdue and total > 0 and round(remaining * 3600) <= lead
    return Clock(due, total, elapsed, remaining, overdue, near)


def setting(name: str, default):
    return getattr(settings, name, default)
