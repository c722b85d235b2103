"""Chat-message location against real generated buildings of the test territory."""

from __future__ import annotations

import pytest

from gongzhi.intake import locate
from gongzhi.org.models import Building

pytestmark = pytest.mark.django_db

SCOPES = ("340176403", "340111002")


def sample_building(scope: str) -> Building:
    b = Building.objects.filter(code__startswith=scope).order_by("code")[3]
    assert locate.building_number(b.name) is not None
    return b


@pytest.mark.parametrize("scope", SCOPES)
def test_estate_and_number_find_the_building(scope):
    b = sample_building(scope)
    n = locate.building_number(b.name)
    text = f"{b.estate}{n}栋楼道灯坏了好几天了"
    found = locate.locate_text(text, scope=scope[:6])
    assert found.sure, found.reason
    assert found.level == "building"
    assert found.best.building_code == b.code
    assert found.best.grid_code == b.grid.code
    assert found.best.community_code == b.grid.code[:12]


def test_chinese_numerals_and_号楼():
    b = sample_building("340176403")
    n = locate.building_number(b.name)
    assert n < 10
    numeral = "零一二三四五六七八九"[n]
    found = locate.locate_text(f"{b.estate}{numeral}号楼电梯又坏了", scope="340176")
    assert found.sure and found.best.building_code == b.code


def test_unknown_estate_goes_to_triage():
    found = locate.locate_text("楼道灯坏了好几天了,没人管", scope="340176")
    assert not found.sure and found.needs_triage
    assert found.level == "none"


def test_missing_building_number_is_not_a_silent_match():
    b = sample_building("340111002")
    numbers = {
        locate.building_number(x.name)
        for x in Building.objects.filter(code__startswith="340111", estate=b.estate)
    }
    absent = max(numbers) + 50
    found = locate.locate_text(f"{b.estate}{absent}栋门口垃圾没人清", scope="340111")
    assert not found.sure
    assert found.candidates and found.best.estate == b.estate
    assert found.best.building_code is None


def test_misspelt_estate_is_a_candidate_but_not_sure():
    b = sample_building("340176403")
    n = locate.building_number(b.name)
    typo = b.estate[0] + "x" + b.estate[1:]  # one inserted character
    found = locate.locate_text(f"{typo}{n}栋下水道堵了", scope="340176")
    if found.sure:  # a sure answer must then be the right building
        assert found.best.building_code == b.code
    else:
        assert any(c.estate == b.estate for c in found.candidates)


def test_index_is_cached_and_rebuilt_when_buildings_change():
    b = sample_building("340176403")
    first = locate.get_index("340176403")
    assert locate.get_index("340176403") is first
    Building.objects.filter(pk=b.pk).update(estate="测试新苑")
    b.refresh_from_db()
    b.save()  # bumps updated_at
    second = locate.get_index("340176403")
    assert second is not first
    assert "测试新苑" in second.estates


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("3栋厨房燃气味道很重", "urgent"),
        ("救命!楼下着火了", "urgent"),
        ("五楼火很大", "urgent"),
        ("楼上漏水到我家", "high"),
        ("坐火车回来发现路灯坏了", "normal"),
        ("小区绿化带杂草多", "normal"),
    ],
)
def test_urgency(text, level):
    assert locate.urgency(text).level == level


def test_parse_number():
    assert locate.parse_number("12") == 12
    assert locate.parse_number("十二") == 12
    assert locate.parse_number("二十") == 20
    assert locate.parse_number("三") == 3
