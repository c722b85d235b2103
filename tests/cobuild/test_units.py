"""Resident units and their contacts through the pages and the API: scope
(a worker manages the units of their subtree, a liaison only their own unit),
masked contacts, Chinese errors with the form redisplayed and nothing saved;
ending a pairing and moving a project's status."""

from __future__ import annotations

import json

from gongzhi.accounts.constants import Role
from gongzhi.cobuild import services
from gongzhi.cobuild.models import Pairing, Project, ResidentUnit, UnitContact
from tests.factories import make_user
from tests.party.conftest import STREET


def _json(client, method, url, data=None):
    return getattr(client, method)(url, json.dumps(data or {}), content_type="application/json")


def test_worker_registers_a_unit_and_a_contact_through_the_pages(client, place):
    client.force_login(place["worker_a"])
    r = client.post(
        "/cobuild/units/new/",
        {
            "division_code": place["a"].code,
            "name": "包河区人民医院",
            "kind": "hospital",
            "address": "常青路1号",
            "party_members": "35",
        },
    )
    unit = ResidentUnit.objects.get(name="包河区人民医院")
    assert r.status_code == 302 and r.url == f"/cobuild/units/{unit.pk}/"
    assert (unit.division, unit.kind, unit.party_members) == (place["a"], "hospital", 35)
    client.post(
        f"/cobuild/units/{unit.pk}/contacts/",
        {"name": "王建国", "phone": "13912345678", "title": "党办主任"},
    )
    contact = UnitContact.objects.get(unit=unit)
    assert contact.phone == "13912345678"
    page = client.get(f"/cobuild/units/{unit.pk}/").content.decode()
    assert "王*" in page and "王建国" not in page and "13912345678" not in page
    assert "139****5678" in page
    listing = client.get("/cobuild/units/").content.decode()
    assert "包河区人民医院" in listing and "某科技公司" not in listing
    client.post(
        f"/cobuild/units/{unit.pk}/edit/",
        {
            "name": "包河区人民医院",
            "kind": "hospital",
            "address": "常青路2号",
            "party_members": "40",
        },
    )
    unit.refresh_from_db()
    assert (unit.address, unit.party_members) == ("常青路2号", 40)
    client.post(f"/cobuild/contacts/{contact.pk}/remove/")
    assert not UnitContact.objects.filter(unit=unit).exists()


def test_bad_unit_input_redisplays_the_form_with_the_values_and_saves_nothing(client, place):
    client.force_login(place["worker_a"])
    before = ResidentUnit.objects.count()
    for data, message in (
        ({"name": "", "kind": "agency"}, "请填写单位名称"),
        ({"name": "某单位", "kind": "castle"}, "单位类型"),
        ({"name": "某单位", "kind": "agency", "party_members": "很多"}, "党员人数须为整数"),
        ({"name": "包河区税务局", "kind": "agency"}, "同名单位"),
    ):
        r = client.post("/cobuild/units/new/", {"division_code": place["a"].code, **data})
        body = r.content.decode()
        assert r.status_code in (400, 409) and message in body, body[:200]
        assert 'id="uc-name"' in body  # the form, not an error page
        if data["name"]:
            assert f'value="{data["name"]}"' in body
    assert ResidentUnit.objects.count() == before
    r = client.post(
        f"/cobuild/units/{place['unit'].pk}/contacts/", {"name": "王建国", "phone": "12345"}
    )
    assert r.status_code == 400 and "11位手机号码" in r.content.decode()
    assert 'value="王建国"' in r.content.decode()
    assert UnitContact.objects.filter(unit=place["unit"]).count() == 1


def test_unit_scope_worker_subtree_and_liaison_own_unit(client, place):
    # Another community's worker cannot register a unit in community a.
    client.force_login(place["worker_b"])
    r = client.post(
        "/cobuild/units/new/",
        {"division_code": place["a"].code, "name": "越权单位", "kind": "agency"},
    )
    assert r.status_code == 404 and not ResidentUnit.objects.filter(name="越权单位").exists()
    r = client.post(f"/cobuild/units/{place['unit'].pk}/edit/", {"name": "改名", "kind": "agency"})
    assert r.status_code == 404
    # The liaison sees and edits only their own unit.
    client.force_login(place["liaison"])
    units = client.get("/api/v1/cobuild/units").json()
    assert [u["id"] for u in units] == [place["unit"].pk]
    assert client.get(f"/cobuild/units/{place['other'].pk}/").status_code == 404
    r = _json(
        client,
        "patch",
        f"/api/v1/cobuild/units/{place['unit'].pk}",
        {"name": "包河区税务局", "kind": "agency", "party_members": 12},
    )
    assert r.status_code == 200 and r.json()["party_members"] == 12
    assert (
        _json(
            client,
            "post",
            "/api/v1/cobuild/units",
            {"division_code": place["a"].code, "name": "联络员建单位", "kind": "agency"},
        ).status_code
        == 403
    )
    assert not ResidentUnit.objects.filter(name="联络员建单位").exists()
    # A resident has no unit list at all.
    client.force_login(place["resident"])
    assert client.get("/api/v1/cobuild/units").status_code == 403


def test_unit_and_contact_api_with_masked_phones_and_chinese_errors(client, place):
    street = make_user(STREET, Role.STREET_STAFF, username="street1")
    client.force_login(street)
    r = _json(
        client,
        "post",
        "/api/v1/cobuild/units",
        {"division_code": place["b"].code, "name": "常青中学", "kind": "school"},
    )
    assert r.status_code == 201 and r.json()["division_code"] == place["b"].code
    pk = r.json()["id"]
    bad = _json(client, "post", f"/api/v1/cobuild/units/{pk}/contacts", {"name": "", "phone": ""})
    assert bad.status_code == 400 and bad.json()["message"] == "请填写联系人姓名。"
    ok = _json(
        client,
        "post",
        f"/api/v1/cobuild/units/{pk}/contacts",
        {"name": "赵老师", "phone": "13800001234", "title": "书记"},
    )
    assert ok.status_code == 201
    assert ok.json()["phone"] == "138****1234" and ok.json()["name"] == "赵**"
    listed = client.get(f"/api/v1/cobuild/units/{pk}/contacts").json()
    assert [c["phone"] for c in listed] == ["138****1234"]
    cid = ok.json()["id"]
    edit = _json(
        client, "patch", f"/api/v1/cobuild/contacts/{cid}", {"name": "赵老师", "phone": "1"}
    )
    assert edit.status_code == 400 and UnitContact.objects.get(pk=cid).phone == "13800001234"
    dup = _json(
        client,
        "patch",
        f"/api/v1/cobuild/units/{pk}",
        {"name": "某科技公司", "kind": "school"},
    )
    assert dup.status_code == 409 and "同名" in dup.json()["message"]
    assert ResidentUnit.objects.get(pk=pk).name == "常青中学"
    # A liaison's contact (with an account) cannot be deleted.
    liaison_contact = UnitContact.objects.get(user=place["liaison"])
    r = client.delete(f"/api/v1/cobuild/contacts/{liaison_contact.pk}")
    assert r.status_code == 409 and UnitContact.objects.filter(pk=liaison_contact.pk).exists()
    assert client.delete(f"/api/v1/cobuild/contacts/{cid}").status_code == 204


def test_ending_a_pairing_and_moving_a_project_forward(client, place):
    pairing = Pairing.objects.get(unit=place["unit"])
    client.force_login(place["worker_a"])
    r = _json(
        client, "post", f"/api/v1/cobuild/pairings/{pairing.pk}/end", {"ended_on": "2024-12-31"}
    )
    assert r.status_code == 400 and "早于" in r.json()["message"]
    r = client.post(f"/cobuild/pairings/{pairing.pk}/end/", {"ended_on": "2026-06-30"})
    assert r.status_code == 302
    pairing.refresh_from_db()
    assert str(pairing.ended_on) == "2026-06-30"
    again = _json(
        client, "post", f"/api/v1/cobuild/pairings/{pairing.pk}/end", {"ended_on": "2026-07-01"}
    )
    assert again.status_code == 409 and str(Pairing.objects.get().ended_on) == "2026-06-30"
    project = services.project_create(
        actor=place["worker_a"], division=place["a"], title="义诊", linkage="welfare"
    )
    client.post(f"/cobuild/projects/{project.pk}/status/", {"status": "ongoing"})
    assert Project.objects.get().status == "ongoing"
    back = _json(
        client, "post", f"/api/v1/cobuild/projects/{project.pk}/status", {"status": "agreed"}
    )
    assert back.status_code == 409 and Project.objects.get().status == "ongoing"
    done = _json(
        client, "post", f"/api/v1/cobuild/projects/{project.pk}/status", {"status": "done"}
    )
    assert done.status_code == 200 and done.json()["status"] == "done"
    client.force_login(place["worker_b"])
    assert (
        client.post(f"/cobuild/pairings/{pairing.pk}/end/", {"ended_on": "2026-07-01"}).status_code
        == 404
    )
