"""Co-building pages and API for pairings, projects and the community's
assessments of units: scope, bad input with nothing changed, query bounds."""

from __future__ import annotations

import json

from gongzhi.accounts.constants import Role
from gongzhi.cobuild import services
from gongzhi.cobuild.models import Need, Pairing, Project, ResidentUnit, UnitAssessment
from gongzhi.org.models import Division
from tests.factories import make_user
from tests.party.conftest import STREET


def _post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_worker_pairs_a_unit_from_another_district_through_the_page(client, place):
    far = ResidentUnit.objects.create(
        name="芜湖某研究院", kind="institution", division=Division.objects.get(code="340202")
    )
    client.force_login(place["worker_a"])
    assert "芜湖某研究院" in client.get("/cobuild/", {"unit_q": "研究院"}).content.decode()
    r = client.post(
        "/cobuild/pairings/",
        {"unit": far.pk, "division_code": place["a"].code, "started_on": "2026-01-05"},
    )
    assert r.status_code == 302
    assert Pairing.objects.filter(unit=far, division=place["a"]).exists()
    again = client.post(
        "/cobuild/pairings/",
        {"unit": far.pk, "division_code": place["a"].code, "started_on": "2026-01-05"},
    )
    assert again.status_code == 409 and "已与" in again.content.decode()
    assert Pairing.objects.filter(unit=far).count() == 1


def test_pairing_outside_the_subtree_or_at_a_grid_is_refused(client, place):
    client.force_login(place["worker_b"])
    body = {
        "unit_id": place["other"].pk,
        "division_code": place["a"].code,
        "started_on": "2026-01-05",
    }
    assert _post_json(client, "/api/v1/cobuild/pairings", body).status_code == 404
    grid = place["b"].children.order_by("code").first()
    body["division_code"] = grid.code
    r = _post_json(client, "/api/v1/cobuild/pairings", body)
    assert r.status_code == 400 and "街道或社区" in r.json()["message"]
    assert Pairing.objects.count() == 1  # the fixture's own


def test_project_from_the_page_and_the_api(client, place):
    need = services.need_raise(
        actor=place["worker_a"], community=place["a"], title="老年食堂场地", category="venue"
    )
    client.force_login(place["worker_a"])
    r = client.post(
        "/cobuild/projects/",
        {
            "division_code": place["a"].code,
            "title": "长者食堂共建",
            "linkage": "welfare",
            "unit": place["unit"].pk,
            "need": need.pk,
        },
    )
    assert r.status_code == 302
    project = Project.objects.get()
    assert (project.unit, project.need, project.linkage) == (place["unit"], need, "welfare")
    api = _post_json(
        client,
        "/api/v1/cobuild/projects",
        {"division_code": place["a"].code, "title": "治安联防", "linkage": "security"},
    )
    assert api.status_code == 201 and api.json()["linkage"] == "security"
    bad = _post_json(
        client,
        "/api/v1/cobuild/projects",
        {"division_code": place["a"].code, "title": "x", "linkage": "nonsense"},
    )
    assert bad.status_code == 400 and "联动类别" in bad.json()["message"]
    assert Project.objects.count() == 2
    listed = client.get("/api/v1/cobuild/projects").json()
    assert {p["title"] for p in listed} == {"长者食堂共建", "治安联防"}


def test_project_for_another_communitys_need_is_not_found(client, place):
    need = services.need_raise(
        actor=place["worker_b"], community=place["b"], title="场地", category="venue"
    )
    client.force_login(place["worker_a"])
    r = client.post(
        "/cobuild/projects/",
        {"division_code": place["a"].code, "title": "项目", "linkage": "welfare", "need": need.pk},
    )
    assert r.status_code == 404
    assert not Project.objects.exists() and Need.objects.count() == 1


def test_community_assesses_a_paired_unit_once_a_year(client, place):
    client.force_login(place["worker_a"])
    body = {
        "unit": place["unit"].pk,
        "community_code": place["a"].code,
        "year": "2026",
        "grade": "excellent",
    }
    assert client.post("/cobuild/assessments/", body).status_code == 302
    again = client.post("/cobuild/assessments/", body | {"grade": "good"})
    assert again.status_code == 409 and "本年度已评价" in again.content.decode()
    assert UnitAssessment.objects.get().grade == "excellent"
    client.force_login(place["liaison"])
    own = client.get("/api/v1/cobuild/assessments").json()
    assert [(a["unit_name"], a["grade"]) for a in own] == [("包河区税务局", "excellent")]
    client.force_login(place["other_liaison"])
    assert client.get("/api/v1/cobuild/assessments").json() == []


def test_bad_or_unrelated_assessments_change_nothing(client, place):
    client.force_login(place["worker_a"])
    body = {"unit_id": place["unit"].pk, "community_code": place["a"].code, "year": 2026}
    r = _post_json(client, "/api/v1/cobuild/assessments", body | {"grade": "superb"})
    assert r.status_code == 400 and "等次" in r.json()["message"]
    street = make_user(STREET, Role.STREET_STAFF, username="street1")
    client.force_login(street)
    unrelated = _post_json(
        client,
        "/api/v1/cobuild/assessments",
        body | {"unit_id": place["other"].pk, "grade": "good"},
    )
    assert unrelated.status_code == 400 and unrelated.json()["code"] == "unit_not_related"
    at_street = _post_json(
        client, "/api/v1/cobuild/assessments", body | {"community_code": STREET, "grade": "good"}
    )
    assert at_street.status_code == 400 and at_street.json()["code"] == "not_a_community"
    assert not UnitAssessment.objects.exists()


def test_list_pages_and_apis_run_a_bounded_number_of_queries(
    client, place, django_assert_max_num_queries
):
    for i in range(8):
        unit = ResidentUnit.objects.create(name=f"单位{i}", kind="enterprise", division=place["a"])
        Pairing.objects.create(unit=unit, division=place["a"], started_on="2025-01-01")
        services.resource_add(
            actor=place["worker_a"], unit=unit, title=f"资源{i}", category="venue"
        )
        services.need_raise(
            actor=place["worker_a"], community=place["a"], title=f"需求{i}", category="venue"
        )
    street = make_user(STREET, Role.STREET_STAFF, username="street1")
    client.force_login(street)
    for url, limit in (
        ("/cobuild/", 20),
        ("/api/v1/cobuild/units", 10),
        ("/api/v1/cobuild/needs", 10),
        ("/api/v1/cobuild/pairings", 10),
        ("/api/v1/cobuild/projects", 10),
        ("/api/v1/cobuild/assessments", 10),
    ):
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200, url


def test_list_page_suggestions_equal_the_single_need_suggestions(place):
    from gongzhi.cobuild import selectors

    street_unit = ResidentUnit.objects.create(
        name="街道结对医院", kind="hospital", division=place["b"]
    )
    Pairing.objects.create(
        unit=street_unit, division=Division.objects.get(code=STREET), started_on="2025-01-01"
    )
    services.resource_add(
        actor=place["worker_a"], unit=place["unit"], title="食堂", category="venue"
    )
    services.resource_add(
        actor=place["worker_b"], unit=street_unit, title="义诊", category="expertise"
    )
    services.resource_add(
        actor=place["worker_b"], unit=place["other"], title="会议室", category="venue"
    )
    needs = [
        services.need_raise(actor=place["worker_a"], community=place["a"], title=t, category=c)
        for t, c in (("义诊", "expertise"), ("场地", "venue"))
    ] + [
        services.need_raise(
            actor=place["worker_b"], community=place["b"], title="场地", category="venue"
        )
    ]
    batch = selectors.match_suggestions_for(needs=needs)
    assert {n.pk: selectors.match_suggestions(need=n) for n in needs} == batch
    assert [r.title for r in batch[needs[0].pk]] == ["义诊", "食堂"]
