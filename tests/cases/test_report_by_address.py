"""A resident reports with an address instead of a pin: the address is
resolved to one building of the resident's community (or street) through the
building registry, and the case takes that building's location. None or
several buildings → a Chinese message asking for a pin, nothing saved."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.cases.models import Case
from gongzhi.org.models import Building
from gongzhi.org.selectors import building_search

REPORT = reverse("cases:report")


def data(address: str, **extra) -> dict:
    d = {
        "title": "楼道灯不亮",
        "category": "UC01",
        "description": "楼道灯坏了一周,晚上看不见。",
        "address": address,
        "lng": "",
        "lat": "",
    }
    d.update(extra)
    return d


@pytest.fixture
def building(world):
    """A building of the resident's community whose name no other building
    of the street shares (names are generated: query them, do not guess)."""
    buildings = Building.objects.filter(code__startswith=world.community.code).order_by("code")
    for b in buildings:
        if not Building.objects.filter(code__startswith=world.street.code, name=b.name).exclude(
            pk=b.pk
        ):
            return b
    pytest.skip("no uniquely named building in the test community")


def test_selector_finds_estate_and_number_exactly(world, building):
    found = building_search(scope_code=world.community.code, text=building.name, limit=5)
    assert found == [building]
    spaced = f" {building.estate} {building.name.removeprefix(building.estate)} "
    assert building_search(scope_code=world.community.code, text=spaced, limit=5) == [building]


def test_selector_stays_inside_the_scope(world, building):
    other = world.other_grid_member.division.code[:9]
    assert building_search(scope_code=other, text=building.name, limit=5) == []
    assert building_search(scope_code=world.community.code, text="   ", limit=5) == []


def test_resident_reports_by_address_and_the_case_takes_the_building_pin(client, world, building):
    client.force_login(world.resident)
    resp = client.post(REPORT, data(f"{building.name}2单元门口"))
    assert resp.status_code == 302, resp.content.decode()[:2000]
    case = Case.objects.get()
    assert (case.lng, case.lat) == pytest.approx((building.lng, building.lat))
    assert case.address == f"{building.name}2单元门口"
    assert case.division_path.startswith(world.community.code)


def test_full_address_resolves_too(client, world, building):
    client.force_login(world.resident)
    resp = client.post(REPORT, data(building.address))
    assert resp.status_code == 302
    assert Case.objects.get().lng == pytest.approx(building.lng)


def test_a_pin_still_wins_over_the_address(client, world, building):
    client.force_login(world.resident)
    resp = client.post(
        REPORT, data(building.name, lng=world.grid.center_lng, lat=world.grid.center_lat)
    )
    assert resp.status_code == 302
    assert Case.objects.get().lng == pytest.approx(world.grid.center_lng)


def test_unknown_address_asks_for_a_pin_and_saves_nothing(client, world):
    client.force_login(world.resident)
    resp = client.post(REPORT, data("不存在的小区99栋"))
    assert resp.status_code == 400
    assert "请在地图上点选" in resp.content.decode()
    assert not Case.objects.exists()


def test_ambiguous_address_asks_for_a_pin_and_saves_nothing(client, world):
    estates = list(
        Building.objects.filter(code__startswith=world.community.code)
        .values_list("estate", flat=True)
        .distinct()
    )
    estate = next(
        e
        for e in estates
        if Building.objects.filter(code__startswith=world.community.code, estate=e).count() > 1
    )
    client.force_login(world.resident)
    resp = client.post(REPORT, data(estate))
    assert resp.status_code == 400
    body = resp.content.decode()
    assert "多个楼栋" in body and "在地图上点选" in body
    assert not Case.objects.exists()


def test_neither_pin_nor_address(client, world):
    client.force_login(world.resident)
    resp = client.post(REPORT, data(""))
    assert resp.status_code == 400
    assert "请在地图上点选问题所在位置" in resp.content.decode()
    assert not Case.objects.exists()


def test_a_building_of_another_street_is_not_found(client, world):
    other = (
        Building.objects.filter(code__startswith="340111")
        .exclude(code__startswith=world.street.code)
        .order_by("code")
        .first()
    )
    if Building.objects.filter(code__startswith=world.street.code, name=other.name).exists():
        pytest.skip("the other street's building name also exists here")
    client.force_login(world.resident)
    resp = client.post(REPORT, data(other.name))
    assert resp.status_code == 400
    assert not Case.objects.exists()
