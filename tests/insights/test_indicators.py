"""The registry and the four territory indicators on a constructed subtree."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured

from gongzhi.core.errors import NotFound, ValidationFailed
from gongzhi.insights.registry import TZ, Counts, Period, Unit, register, registry, today
from gongzhi.insights.selectors import indicator_breakdown
from gongzhi.org.constants import Kind, Level
from gongzhi.org.models import Division, GridMember, PostQuota, StaffPost

from .factories import make_grid, make_members, make_posts

TERRITORY_CODES = [
    "grid_count",
    "community_grid_coverage",
    "part_time_grid_members",
    "staffing_rate",
]

YEAR = Period.current()


def value(code, scope, period=YEAR):
    v = registry.get(code).compute(scope, period)
    return v.numerator, v.denominator


def residents_committees(prefix: str) -> int:
    return Division.objects.filter(
        code__startswith=prefix, level=Level.COMMUNITY, kind=Kind.RESIDENTS_COMMITTEE
    ).count()


# --- registry -----------------------------------------------------------------


def test_registry_lists_the_territory_indicators_with_their_metadata():
    codes = [ind.code for ind in registry.all()]
    assert codes[:4] == TERRITORY_CODES or set(TERRITORY_CODES) <= set(codes)
    for code in TERRITORY_CODES:
        ind = registry.get(code)
        assert str(ind.name) and str(ind.definition) and str(ind.numerator)
        assert str(ind.seed).startswith("种子文章")
        assert ind.unit in Unit.values
    assert registry.get("community_grid_coverage").unit == Unit.PERCENT
    assert registry.get("staffing_rate").unit == Unit.PERCENT
    assert str(registry.get("staffing_rate").denominator)
    assert registry.get("grid_count").unit == Unit.COUNT
    assert "2.4万" in str(registry.get("grid_count").seed)
    assert "97%" in str(registry.get("community_grid_coverage").seed)
    assert "3.4万" in str(registry.get("part_time_grid_members").seed)
    assert "3.6万" in str(registry.get("staffing_rate").seed)


def test_unknown_indicator_is_not_found():
    with pytest.raises(NotFound) as exc:
        registry.get("no_such_indicator")
    assert exc.value.code == "indicator_not_found"


def test_register_decorator_adds_and_rejects_duplicates():
    @register(
        code="tmp_constant",
        name="临时指标",
        definition="测试用",
        numerator="一",
        unit=Unit.COUNT,
        seed="种子文章:无",
    )
    def tmp_constant(scope, period, by):
        return Counts(numerator={scope.code[:by]: 1})

    try:
        assert "tmp_constant" in registry
        with pytest.raises(ImproperlyConfigured):
            register(
                code="tmp_constant",
                name="重复",
                definition="",
                numerator="",
                unit=Unit.COUNT,
                seed="",
            )(tmp_constant)
    finally:
        registry.remove("tmp_constant")
    assert "tmp_constant" not in registry


# --- values on the constructed subtree ------------------------------------------


@pytest.mark.django_db
def test_grid_count(territory):
    t = territory
    assert value("grid_count", t.street) == (4, None)
    assert value("grid_count", t.meishan) == (3, None)
    assert value("grid_count", t.erli) == (0, None)
    assert value("grid_count", t.town) == (1, None)
    assert value("grid_count", t.county) == (5, None)
    assert registry.get("grid_count").compute(t.street, YEAR).value == 4


@pytest.mark.django_db
def test_community_grid_coverage_counts_residents_committees_only(territory):
    t = territory
    # 梅山路 and 绩溪路 have grids; 鸡鸣村 has one too but is a villagers' committee.
    assert value("community_grid_coverage", t.street) == (2, residents_committees("340104001"))
    assert residents_committees("340104001") == 6
    assert value("community_grid_coverage", t.meishan) == (1, 1)
    assert value("community_grid_coverage", t.erli) == (0, 1)
    assert value("community_grid_coverage", t.jiming) == (0, 0)
    assert registry.get("community_grid_coverage").compute(t.jiming, YEAR).value is None
    assert value("community_grid_coverage", t.county) == (2, residents_committees("340104"))
    v = registry.get("community_grid_coverage").compute(t.street, YEAR)
    assert v.value == pytest.approx(100 * 2 / 6)


@pytest.mark.django_db
def test_part_time_grid_members_counts_active_part_time_only(territory):
    t = territory
    assert value("part_time_grid_members", t.meishan) == (3, None)
    assert value("part_time_grid_members", t.grids[0]) == (2, None)
    assert value("part_time_grid_members", t.street) == (3, None)
    assert value("part_time_grid_members", t.county) == (4, None)


@pytest.mark.django_db
def test_staffing_rate(territory):
    t = territory
    assert value("staffing_rate", t.meishan) == (5, 7)
    assert value("staffing_rate", t.erli) == (0, 4)
    assert value("staffing_rate", t.street) == (10, 16)
    assert registry.get("staffing_rate").compute(t.street, YEAR).value == pytest.approx(62.5)
    assert value("staffing_rate", t.town) == (0, 0)
    assert registry.get("staffing_rate").compute(t.town, YEAR).value is None
    assert value("staffing_rate", t.county) == (10, 16)


@pytest.mark.django_db
def test_deltas_under_a_community_of_a_generated_county():
    """常青街道's 姚公社区 may already hold generated grids: assert deltas."""
    community = Division.objects.get(code="340111002001")
    street = Division.objects.get(code="340111002")
    before = {c: value(c, street) for c in TERRITORY_CODES}
    had_grid = Division.objects.filter(parent=community, level=Level.GRID).exists()
    used = set(Division.objects.filter(parent=community).values_list("code", flat=True))
    suffixes = [f"{n:03d}" for n in range(999, 0, -1) if community.code + f"{n:03d}" not in used]
    grid = make_grid(community, suffixes[0])
    make_members(grid, part_time=2, full_time=1)
    quota, created = PostQuota.objects.get_or_create(community=community, defaults={"approved": 3})
    added_quota = 3 if created else 0
    make_posts(community, active=2)

    after = {c: value(c, street) for c in TERRITORY_CODES}
    assert after["grid_count"][0] - before["grid_count"][0] == 1
    coverage_delta = 0 if had_grid else 1
    assert after["community_grid_coverage"][0] - before["community_grid_coverage"][0] == (
        coverage_delta
    )
    assert after["community_grid_coverage"][1] == before["community_grid_coverage"][1]
    assert after["part_time_grid_members"][0] - before["part_time_grid_members"][0] == 2
    assert after["staffing_rate"][0] - before["staffing_rate"][0] == 2
    assert after["staffing_rate"][1] - before["staffing_rate"][1] == added_quota
    assert quota.pk


# --- children -----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("code", TERRITORY_CODES)
@pytest.mark.parametrize("scope_attr", ["county", "street", "meishan"])
def test_children_values_equal_per_child_computation(territory, code, scope_attr):
    scope = getattr(territory, scope_attr)
    indicator = registry.get(code)
    breakdown = indicator_breakdown(indicator=indicator, scope=scope, period=YEAR)
    children = list(Division.objects.filter(parent=scope))
    assert [c.division.code for c in breakdown.children] == [c.code for c in children]
    for row in breakdown.children:
        assert row.value == indicator.compute(row.division, YEAR), row.division.code
    assert breakdown.value == indicator.compute(scope, YEAR)


@pytest.mark.django_db
def test_children_breakdown_values_of_the_street(territory):
    indicator = registry.get("staffing_rate")
    breakdown = indicator_breakdown(indicator=indicator, scope=territory.street, period=YEAR)
    by_code = {c.division.code: c.value for c in breakdown.children}
    assert (by_code["340104001001"].numerator, by_code["340104001001"].denominator) == (5, 7)
    assert (by_code["340104001002"].numerator, by_code["340104001002"].denominator) == (5, 5)
    assert by_code["340104001002"].value == 100
    assert by_code["340104001004"].value is None  # no quota approved


@pytest.mark.django_db
def test_breakdown_costs_constant_queries(territory, django_assert_num_queries):
    """Children values are grouped queries: same cost for 16 cities as for 3 grids."""
    province = Division.objects.get(code="34")
    children = list(Division.objects.filter(parent=province))
    assert len(children) == 16
    for code, queries in [
        ("grid_count", 1),
        ("community_grid_coverage", 2),
        ("part_time_grid_members", 1),
        ("staffing_rate", 2),
    ]:
        indicator = registry.get(code)
        with django_assert_num_queries(queries):
            indicator_breakdown(indicator=indicator, scope=province, period=YEAR, children=children)


# --- periods ----------------------------------------------------------------


@pytest.mark.django_db
def test_territory_indicators_are_snapshots_at_period_end(territory):
    t = territory
    last_year = Period.for_year(today().year - 1)
    # Everything was created now: nothing existed at the end of last year.
    assert value("grid_count", t.street, last_year) == (0, None)
    assert value("part_time_grid_members", t.street, last_year) == (0, None)
    assert value("staffing_rate", t.street, last_year) == (0, 0)
    # Backdate one grid and its members: they count from their creation on.
    backdated = dt.datetime(today().year - 1, 12, 31, 23, 0, tzinfo=TZ)
    Division.objects.filter(pk=t.grids[0].pk).update(created_at=backdated)
    GridMember.objects.filter(grid=t.grids[0]).update(created_at=backdated)
    PostQuota.objects.filter(community=t.meishan).update(created_at=backdated)
    StaffPost.objects.filter(community=t.meishan).update(created_at=backdated)
    assert value("grid_count", t.street, last_year) == (1, None)
    assert value("community_grid_coverage", t.street, last_year) == (1, 6)
    assert value("part_time_grid_members", t.street, last_year) == (2, None)
    assert value("staffing_rate", t.street, last_year) == (5, 7)
    # One hour into the new year (Asia/Shanghai) is outside last year.
    Division.objects.filter(pk=t.grids[1].pk).update(
        created_at=dt.datetime(today().year, 1, 1, 0, 30, tzinfo=TZ)
    )
    assert value("grid_count", t.street, last_year) == (1, None)


def test_period_parsing():
    assert Period.parse_year(None) == Period.current()
    assert Period.parse_year("") == Period.current()
    assert Period.parse_year("2024") == Period(dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert Period.parse_year(" ２０２４ ") == Period.for_year(2024)  # full-width digits
    assert Period.for_year(2024).year == 2024
    assert Period.current().year == dt.datetime.now(TZ).year
    for bad in ["abc", "20x4", "1999", "2014", str(today().year + 1), "-2024", "٢٠٢٤", "²⁰²⁴x"]:
        with pytest.raises(ValidationFailed) as exc:
            Period.parse_year(bad)
        assert exc.value.code == "invalid_year"
        assert "年份" in exc.value.message
