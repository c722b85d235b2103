"""Case KPIs: each formula on a hand-built set, the fairness rules, the
league table's scope and query count."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongzhi.cases import deadlines
from gongzhi.cases.constants import Action, Rating, Status, UnitType
from gongzhi.cases.kpis import KPI_BY_CODE, WorkingCalendar, unit_scores
from gongzhi.cases.league import league
from gongzhi.cases.models import Case, CaseEvent, WhistleSummons
from gongzhi.insights.registry import Period, registry
from gongzhi.org.models import Department
from tests.factories import DEFAULT_PASSWORD

from .factories import case_in, unit_fields

TZ = deadlines.TZ
JUNE = Period(date(2026, 6, 1), date(2026, 6, 30))


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


def make(world, status: str, *, created: datetime, **fields) -> Case:
    case = case_in(status, world, **fields)
    Case.objects.filter(pk=case.pk).update(created_at=created)
    case.refresh_from_db()
    return case


def timed(dispatched, accepted, accept_due, handled, handle_due, closed=None) -> dict:
    return {
        "dispatched_at": dispatched,
        "accepted_at": accepted,
        "accept_due": accept_due,
        "handled_at": handled,
        "handle_due": handle_due,
        "closed_at": closed,
    }


@pytest.fixture
def june(world):
    """The hand-built set (all handled by the street's 城市管理部, unless noted).

    A rated 满意, on time, 7 h;  B rated 不满意, late everywhere, reopened, extended, 14 h;
    C closed, on time, verify-failed once, 2 h;  D in progress;  E voided;  F merged;
    G rated 满意 but ruled unreasonable;  H dispatched, never accepted;
    I submitted and dispatched in May, closed in June, rated 基本满意, 7 h.
    """
    mon = (6, 8)  # Monday 8 June 2026
    c = {}
    c["A"] = make(
        world,
        Status.RATED,
        created=at(*mon, 8),
        rating=Rating.SATISFIED,
        **timed(
            at(*mon, 9), at(*mon, 10), at(*mon, 14, 30), at(6, 9, 9), at(6, 15, 9), at(6, 9, 10)
        ),
    )
    c["B"] = make(
        world,
        Status.RATED,
        created=at(*mon, 8),
        rating=Rating.UNSATISFIED,
        rework_count=1,
        extension_count=1,
        **timed(
            at(*mon, 9), at(*mon, 16), at(*mon, 14, 30), at(6, 10, 9), at(6, 9, 17), at(6, 10, 11)
        ),
    )
    CaseEvent.objects.create(
        case=c["B"], action=Action.REOPEN, from_status=Status.CLOSED, to_status=Status.IN_PROGRESS
    )
    c["C"] = make(
        world,
        Status.CLOSED,
        created=at(*mon, 8),
        rework_count=1,
        **timed(
            at(*mon, 9), at(*mon, 9, 30), at(*mon, 14, 30), at(*mon, 11), at(6, 15, 9), at(6, 9, 9)
        ),
    )
    c["D"] = make(
        world,
        Status.IN_PROGRESS,
        created=at(*mon, 8),
        **timed(at(*mon, 9), at(*mon, 10), at(*mon, 14, 30), None, at(6, 15, 9)),
    )
    c["E"] = make(world, Status.VOIDED, created=at(*mon, 8), void_reason="重复")
    c["F"] = make(world, Status.MERGED, created=at(*mon, 8), master=c["D"])
    c["G"] = make(
        world,
        Status.RATED,
        created=at(*mon, 8),
        rating=Rating.SATISFIED,
        ruled=True,
        ruled_unreasonable=True,
        **timed(
            at(*mon, 9), at(*mon, 10), at(*mon, 14, 30), at(6, 9, 9), at(6, 15, 9), at(6, 9, 10)
        ),
    )
    c["H"] = make(
        world,
        Status.DISPATCHED,
        created=at(*mon, 8),
        **timed(at(*mon, 9), None, at(*mon, 14, 30), None, at(6, 15, 9)),
    )
    c["I"] = make(
        world,
        Status.RATED,
        created=at(5, 28, 16),
        rating=Rating.BASICALLY,
        # Friday 29 May 09:00 → Monday 1 June 09:00 = 7 working hours.
        **timed(
            at(5, 29, 9), at(5, 29, 10), at(5, 29, 14, 30), at(6, 1, 9), at(6, 5, 9), at(6, 2, 9)
        ),
    )
    for dept, reported, late in [
        (world.street_dept, at(*mon, 10), False),
        (world.street_dept2, at(*mon, 15), True),
    ]:
        WhistleSummons.objects.create(
            case=c["A"],
            department=dept,
            summoned_at=at(*mon, 9),
            report_due=at(*mon, 11),
            reported_at=reported,
            late=late,
        )
    WhistleSummons.objects.create(
        case=c["G"],
        department=world.street_dept2,
        summoned_at=at(*mon, 9),
        report_due=at(*mon, 11),
    )
    return c


EXPECTED = {
    "cases_intake": (5, None),  # A B C D H
    "cases_response_rate": (3, 5),  # A C D of A B C D H
    "cases_on_time_rate": (3, 4),  # A C I of A B C I
    "cases_solved_rate": (2, 3),  # A I of A B I (B reopened)
    "cases_satisfaction_rate": (2, 3),  # A I
    "cases_rework_rate": (2, 4),  # B C
    "cases_extension_rate": (1, 4),  # B
    "cases_handling_hours": (7 + 14 + 2 + 7, 4),
    "cases_whistle_on_time_rate": (1, 2),  # G's summons left out
}


@pytest.mark.parametrize("code", list(EXPECTED))
def test_each_kpi_formula_per_territory_node(world, june, code):
    value = registry.get(code).compute(world.street, JUNE)
    num, den = EXPECTED[code]
    assert value.numerator == pytest.approx(num)
    assert value.denominator == (None if den is None else pytest.approx(den))
    # The county's breakdown gives the same figures to the street (additive).
    total, children = registry.get(code).compute_breakdown(world.county, JUNE)
    assert children[world.street.code].numerator == pytest.approx(num)
    assert total.numerator == pytest.approx(num)


def test_average_handling_hours_is_a_ratio_of_sums(world, june):
    value = registry.get("cases_handling_hours").compute(world.street, JUNE)
    assert value.value == pytest.approx(30 / 4)


@pytest.mark.parametrize("code", [c for c in EXPECTED if c != "cases_whistle_on_time_rate"])
def test_each_kpi_formula_per_unit(world, june, code):
    scores = unit_scores(scope_code=world.county.code, period=JUNE, kind="department")
    dept = scores[str(world.street_dept.pk)]
    num, den = dept.counts[code]
    assert (num, den) == (pytest.approx(EXPECTED[code][0]), EXPECTED[code][1])


def test_whistle_on_time_is_per_summoned_department(world, june):
    scores = unit_scores(scope_code=world.street.code, period=JUNE, kind="department")
    code = "cases_whistle_on_time_rate"
    assert scores[str(world.street_dept.pk)].counts[code] == (1, 1)
    # street_dept2 was late on A; its summons on G (ruled unreasonable) is not counted.
    assert scores[str(world.street_dept2.pk)].counts[code] == (0, 1)


def test_ruled_unreasonable_cases_are_excluded(world, june):
    before = registry.get("cases_satisfaction_rate").compute(world.street, JUNE)
    Case.objects.filter(pk=june["A"].pk).update(ruled_unreasonable=True)
    after = registry.get("cases_satisfaction_rate").compute(world.street, JUNE)
    assert (before.numerator, before.denominator) == (2, 3)
    assert (after.numerator, after.denominator) == (1, 2)


def test_communities_include_their_grids_and_streets_only_their_own_cases(world, june):
    Case.objects.filter(pk=june["C"].pk).update(**unit_fields(UnitType.GRID, division=world.grid))
    Case.objects.filter(pk=june["D"].pk).update(
        **unit_fields(UnitType.STREET, division=world.street)
    )
    communities = unit_scores(scope_code=world.street.code, period=JUNE, kind="community")
    assert list(communities) == [world.community.code]
    assert communities[world.community.code].volume == 1  # C, via its grid
    streets = unit_scores(scope_code=world.street.code, period=JUNE, kind="street")
    assert streets[world.street.code].volume == 1  # D


def test_minimum_volume_decides_who_is_ranked(world, june, settings):
    settings.CASES_KPI_MIN_VOLUME = 5
    table = league(scope=world.street, period=JUNE, kind="department")
    assert [r.key for r in table.ranked] == [str(world.street_dept.pk)]
    # street_dept2 has only a summons, no cases of its own: listed, not ranked.
    assert [r.key for r in table.unranked] == [str(world.street_dept2.pk)]
    settings.CASES_KPI_MIN_VOLUME = 6
    table = league(scope=world.street, period=JUNE, kind="department")
    assert table.ranked == []
    assert {r.key for r in table.unranked} == {
        str(world.street_dept.pk),
        str(world.street_dept2.pk),
    }


def test_league_orders_by_the_chosen_kpi(world, june, settings):
    settings.CASES_KPI_MIN_VOLUME = 1
    # A second department with a perfect on-time record ranks first.
    other = Department.objects.create(division=world.street, name="社会事务部", kind="street")
    make(
        world,
        Status.CLOSED,
        created=at(6, 8, 8),
        **unit_fields(UnitType.DEPARTMENT, department=other),
        **timed(
            at(6, 8, 9), at(6, 8, 10), at(6, 8, 14, 30), at(6, 8, 11), at(6, 15, 9), at(6, 9, 9)
        ),
    )
    table = league(scope=world.street, period=JUNE, kind="department", sort="cases_on_time_rate")
    assert [r.key for r in table.ranked] == [str(other.pk), str(world.street_dept.pk)]
    assert table.ranked[0].rank == 1
    # Lower is better for 返工率: other (0 %) before street_dept (50 %).
    table = league(scope=world.street, period=JUNE, kind="department", sort="cases_rework_rate")
    assert [r.key for r in table.ranked] == [str(other.pk), str(world.street_dept.pk)]


def _page(client, user, code, **params):
    client.login(username=user.username, password=DEFAULT_PASSWORD)
    return client.get(reverse("cases:league", kwargs={"code": code}), params)


def test_league_page_is_scoped(client, world, june):
    # A community worker cannot open the street's table; an officer of the district can.
    assert _page(client, world.community_worker, world.street.code).status_code == 404
    response = _page(
        client, world.district_officer, world.street.code, start="2026-06-01", end="2026-06-30"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "城市管理部" in body
    assert "min-volume-rule" in body and "不少于 20 件" in body
    # Residents have no league table at all.
    assert _page(client, world.resident, world.community.code).status_code == 403


def test_league_page_bad_dates_are_a_clear_error(client, world, june):
    response = _page(client, world.district_officer, world.street.code, start="2026-13-01")
    assert response.status_code == 400
    assert "日期格式不正确" in response.content.decode()


def test_league_page_query_count_does_not_grow_with_units(client, world, june):
    def count() -> int:
        client.login(username=world.district_officer.username, password=DEFAULT_PASSWORD)
        url = reverse("cases:league", kwargs={"code": world.county.code})
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url, {"start": "2026-06-01", "end": "2026-06-30"})
        assert response.status_code == 200
        return len(ctx.captured_queries)

    first = count()
    for i in range(5):
        dept = Department.objects.create(division=world.street, name=f"部门{i}", kind="street")
        make(
            world,
            Status.CLOSED,
            created=at(6, 8, 8),
            **unit_fields(UnitType.DEPARTMENT, department=dept),
            **timed(
                at(6, 8, 9), at(6, 8, 10), at(6, 8, 14, 30), at(6, 8, 11), at(6, 15, 9), at(6, 9, 9)
            ),
        )
    assert count() == first
    assert first <= 15


def test_fast_working_calendar_matches_the_clock(db):
    # Across the 2026 National Day holiday and its 调休 make-up working day.
    pairs = [
        (at(9, 30, 10), at(10, 9, 15)),
        (at(9, 28, 8), at(10, 12, 18)),
        (at(6, 8, 9), at(6, 8, 11)),
        (at(6, 8, 12, 30), at(6, 8, 14)),
        (at(6, 5, 16), at(6, 8, 10)),
    ]
    cal = WorkingCalendar(date(2026, 5, 1), date(2026, 10, 31))
    for a, b in pairs:
        assert cal.hours(a, b) == pytest.approx(deadlines.working_hours_between(a, b))


def test_every_kpi_is_registered_and_cites_the_seed():
    for code, kpi in KPI_BY_CODE.items():
        indicator = registry.get(code)
        assert indicator.name == kpi.name
        assert str(indicator.seed).startswith("种子文章")
