"""The triage queue is scoped to the user's subtree; unscoped items are for
officers only; personal data is encrypted at rest and masked on the pages."""

from __future__ import annotations

import pytest
from django.db import connection

from gongzhi.accounts.constants import Role
from gongzhi.cases.models import Case
from gongzhi.intake.models import TriageItem
from gongzhi.org.models import Building
from tests.factories import make_user

pytestmark = pytest.mark.django_db

COMMUNITY = "340111002001"  # 常青街道, first community
STREET = "340111002"
OTHER_COMMUNITY_SAME_STREET = "340111002002"
OTHER_STREET = "340111003"
COUNTY = "340111"


def item(scope: str, text: str, **extra) -> TriageItem:
    n = TriageItem.objects.count() + 1
    return TriageItem.objects.create(
        channel="chat_group", source_ref=f"WX-{n}", scope=scope, text=text, **extra
    )


@pytest.fixture
def items():
    return {
        "own": item(COMMUNITY, "本社区楼道灯坏了"),
        "sibling": item(OTHER_COMMUNITY_SAME_STREET, "隔壁社区化粪池满溢"),
        "street": item(STREET, "街道群里反映菜市场占道"),
        "other_street": item(OTHER_STREET + "001", "外街道小区停车难"),
        "county": item(COUNTY, "县级群里反映公交晚点"),
        "none": item("", "没有区划的平台记录"),
    }


def visible(client, code, role) -> set[str]:
    client.force_login(make_user(code, role))
    html = client.get("/intake/triage/").content.decode()
    return {
        name
        for name, text in {
            "own": "本社区楼道灯坏了",
            "sibling": "隔壁社区化粪池满溢",
            "street": "街道群里反映菜市场占道",
            "other_street": "外街道小区停车难",
            "county": "县级群里反映公交晚点",
            "none": "没有区划的平台记录",
        }.items()
        if text in html
    }


def test_community_worker_sees_only_own_community(client, items):
    assert visible(client, COMMUNITY, Role.COMMUNITY_WORKER) == {"own"}


def test_street_staff_sees_own_street_subtree(client, items):
    assert visible(client, STREET, Role.STREET_STAFF) == {"own", "sibling", "street"}


def test_district_officer_sees_the_county_and_unscoped_items(client, items):
    assert visible(client, COUNTY, Role.DISTRICT_OFFICER) == {
        "own",
        "sibling",
        "street",
        "other_street",
        "county",
        "none",
    }


def test_detail_of_an_item_outside_the_subtree_is_404(client, items):
    client.force_login(make_user(STREET, Role.STREET_STAFF))
    for name in ("other_street", "county", "none"):
        assert client.get(f"/intake/triage/{items[name].pk}/").status_code == 404, name
        r = client.post(f"/intake/triage/{items[name].pk}/", {"action": "dismiss", "reason": "x"})
        assert r.status_code == 404, name
        items[name].refresh_from_db()
        assert items[name].state == TriageItem.State.PENDING
    assert client.get(f"/intake/triage/{items['own'].pk}/").status_code == 200


def test_confirm_cannot_place_a_case_outside_the_subtree(client, items):
    client.force_login(make_user(STREET, Role.STREET_STAFF))
    foreign = Building.objects.filter(code__startswith=OTHER_STREET).order_by("code").first()
    assert foreign is not None
    for place in (f"b:{foreign.code}", f"g:{foreign.grid.code}"):
        r = client.post(
            f"/intake/triage/{items['own'].pk}/",
            {"action": "confirm", "place_manual": place, "category": "UC05"},
        )
        assert r.status_code == 400, place
        assert "不在您的辖区内" in r.content.decode()
    items["own"].refresh_from_db()
    assert items["own"].state == TriageItem.State.PENDING
    assert not Case.objects.filter(division_path__startswith=OTHER_STREET).exists()


def test_sender_is_encrypted_at_rest_and_masked_on_the_pages(client):
    t = item(
        COMMUNITY,
        "3栋漏水,我电话13812345678,身份证34010419800101001X",
        sender="张三丰",
        sender_phone="13912345678",
    )
    with connection.cursor() as cur:
        cur.execute("SELECT sender, sender_phone FROM intake_triageitem WHERE id = %s", [t.pk])
        stored = cur.fetchone()
    assert "张三丰" not in stored[0] and "13912345678" not in stored[1]
    t.refresh_from_db()
    assert (t.sender, t.sender_phone) == ("张三丰", "13912345678")
    client.force_login(make_user(COMMUNITY, Role.COMMUNITY_WORKER))
    for url in ("/intake/triage/", f"/intake/triage/{t.pk}/"):
        html = client.get(url).content.decode()
        for secret in ("13812345678", "13912345678", "34010419800101001X", "张三丰"):
            assert secret not in html, (url, secret)
    detail = client.get(f"/intake/triage/{t.pk}/").content.decode()
    assert "138****5678" in detail and "139****5678" in detail and "张**" in detail
    assert "340104********001X" in detail


def test_confirm_at_the_platforms_point_must_be_inside_the_subtree(client, items):
    """An unscoped platform record confirmed "at the source's point" by a county
    officer: a point in another county is refused, one in the county is filed."""
    from gongzhi.org.models import Division

    def point_of(prefix):
        d = Division.objects.filter(code__startswith=prefix, center_lng__isnull=False)
        d = d.filter(code__regex=r"^\d{15}$").order_by("code").first()
        return {"lng": d.center_lng, "lat": d.center_lat, "crs": "wgs84", "address": d.name}

    user = make_user(COUNTY, Role.DISTRICT_OFFICER)
    client.force_login(user)
    unscoped = items["none"]
    unscoped.guesses = {"point": point_of("340202")}  # 芜湖 镜湖区
    unscoped.save(update_fields=["guesses"])
    r = client.post(
        f"/intake/triage/{unscoped.pk}/",
        {"action": "confirm", "place": "p:", "category": "UC05"},
    )
    assert r.status_code == 400
    assert "不在您的辖区内" in r.content.decode()
    unscoped.refresh_from_db()
    assert unscoped.state == TriageItem.State.PENDING
    assert not Case.objects.exists()

    unscoped.guesses = {"point": point_of(STREET)}
    unscoped.save(update_fields=["guesses"])
    r = client.post(
        f"/intake/triage/{unscoped.pk}/",
        {"action": "confirm", "place": "p:", "category": "UC05"},
    )
    assert r.status_code == 302
    case = Case.objects.get()
    assert case.division_path.startswith(COUNTY)
