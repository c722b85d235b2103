"""The working-day clock across the 2026 National Day holiday (Oct 1–8 off;
Sunday 2026-09-20 and Saturday 2026-10-10 are 调休 working days, as in
chinese-calendar's data), overrides, and years the package does not know."""

from datetime import date, datetime, timedelta

import chinese_calendar
import pytest

from gongzhi.cases.deadlines import (
    TZ,
    add_working_days,
    add_working_hours,
    clock,
    is_workday,
    near_due_moment,
    subtract_working_hours,
    working_hours_between,
)
from gongzhi.cases.models import CalendarOverride


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


def test_real_calendar_2026_national_day():
    assert not chinese_calendar.is_workday(date(2026, 10, 1))
    assert not chinese_calendar.is_workday(date(2026, 10, 7))
    assert chinese_calendar.is_workday(date(2026, 9, 20))  # Sunday, 调休
    assert chinese_calendar.is_workday(date(2026, 10, 10))  # Saturday, 调休


@pytest.mark.django_db
def test_one_working_day_from_the_last_day_before_the_holiday_lands_after_it():
    # Wed 30 Sep 17:30 + 7h: Oct 1–7 are off, Thu 8 Oct is the next working day.
    assert add_working_hours(at(2026, 9, 30, 17, 30), 7) == at(2026, 10, 8, 17, 30)
    assert add_working_hours(at(2026, 9, 30, 16, 0), 2) == at(2026, 10, 8, 9, 30)


@pytest.mark.django_db
def test_make_up_saturday_counts():
    # Fri 9 Oct 17:00 + 1h → Sat 10 Oct (调休) 09:30.
    assert add_working_hours(at(2026, 10, 9, 17, 0), 1) == at(2026, 10, 10, 9, 30)
    # Sat 19 Sep is a plain weekend day; Sunday 20 Sep is a make-up workday.
    assert add_working_hours(at(2026, 9, 18, 17, 30), 1) == at(2026, 9, 20, 10, 0)


@pytest.mark.django_db
def test_lunch_break_is_not_counted():
    assert add_working_hours(at(2026, 9, 28, 11, 0), 2) == at(2026, 9, 28, 14, 30)
    assert working_hours_between(at(2026, 9, 28, 11, 0), at(2026, 9, 28, 14, 30)) == 2


@pytest.mark.django_db
def test_five_working_days_over_the_holiday():
    # Mon 28 Sep 09:00 + 5 days: 28, 29, 30 Sep, 8, 9 Oct → 9 Oct 17:30.
    assert add_working_days(at(2026, 9, 28, 9, 0), 5) == at(2026, 10, 9, 17, 30)
    assert working_hours_between(at(2026, 9, 28, 9, 0), at(2026, 10, 9, 17, 30)) == 35


@pytest.mark.django_db
def test_override_wins_over_the_package():
    CalendarOverride.objects.create(date=date(2026, 10, 8), is_workday=False, note="台风停工")
    assert not is_workday(date(2026, 10, 8))
    assert add_working_hours(at(2026, 9, 30, 17, 30), 7) == at(2026, 10, 9, 17, 30)


@pytest.mark.django_db
def test_unknown_year_falls_back_to_weekdays_and_overrides(caplog):
    # 2030 is beyond the package's data: Monday–Friday, plus overrides.
    assert is_workday(date(2030, 1, 7))  # Monday
    assert not is_workday(date(2030, 1, 5))  # Saturday
    CalendarOverride.objects.create(date=date(2030, 1, 7), is_workday=False, note="元旦调休")
    assert add_working_hours(at(2030, 1, 4, 17, 30), 1) == at(2030, 1, 8, 10, 0)


@pytest.mark.django_db
def test_clock_flags_near_due_at_80_percent_and_overdue():
    start = at(2026, 9, 28, 9, 0)
    due = add_working_hours(start, 10)
    early = clock(started=start, due=due, now=at(2026, 9, 28, 10, 0), limit_hours=10)
    assert (early.near_due, early.overdue) == (False, False)
    near = clock(started=start, due=due, now=add_working_hours(start, 8), limit_hours=10)
    assert (near.near_due, near.overdue) == (True, False)
    late = clock(started=start, due=due, now=add_working_hours(start, 11), limit_hours=10)
    assert (late.near_due, late.overdue) == (False, True)


@pytest.mark.django_db
def test_subtracting_working_hours_lands_on_the_earliest_moment_with_that_much_left():
    # 2 h before Thu 8 Oct 10:00: 1 h that morning, then back over the
    # holiday to Wed 30 Sep 16:30.
    assert subtract_working_hours(at(2026, 10, 8, 10, 0), 2) == at(2026, 9, 30, 16, 30)
    # Used up exactly at 13:30: the same time remains from 12:00 on.
    assert subtract_working_hours(at(2026, 9, 28, 14, 30), 1) == at(2026, 9, 28, 12, 0)
    # … and at a day's 09:00: from the previous working day's 17:30, here the
    # 调休 Sunday 20 Sep.
    assert subtract_working_hours(at(2026, 9, 21, 10, 0), 1) == at(2026, 9, 20, 17, 30)


@pytest.mark.django_db
def test_near_due_moment_is_where_80_percent_of_the_limit_has_passed():
    # Every half hour from Fri 25 Sep to Mon 12 Oct 2026, limits of 2 h to
    # 10 working days: the stored moment is 80 % of the way on the clock
    # used for the deadline, holiday and 调休 days included.
    start = at(2026, 9, 25, 8, 0)
    for step in range(0, 17 * 48):
        begin = start + timedelta(minutes=30 * step)
        for limit in (2, 7, 35, 70):
            due = add_working_hours(begin, limit)
            moment = near_due_moment(due=due, total_hours=limit)
            assert moment == add_working_hours(begin, 0.8 * limit), (begin, limit)
            near = clock(started=begin, due=due, now=moment, limit_hours=limit)
            before = clock(
                started=begin, due=due, now=moment - timedelta(seconds=1), limit_hours=limit
            )
            assert (near.near_due, before.near_due) == (True, False), (begin, limit)
