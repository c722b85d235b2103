"""Party pages and API for organisations, committee seats, joint conferences,
meetings, decision follow-ups and projects, the employer drop-down and the
officer's overview: scope, bad input with nothing changed, query bounds."""

from __future__ import annotations

import json

import pytest

from gongzhi.accounts.constants import Role
from gongzhi.cobuild.models import Pairing, Project, ResidentUnit
from gongzhi.party import services
from gongzhi.party.models import (
    CommitteeSeat,
    DecisionFollowUp,
    JointConference,
    JointMeeting,
    MeetingDecision,
    PartyOrganization,
    ReportIn,
)
from tests.factories import make_user
from tests.party.conftest import STREET


def _post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


@pytest.fixture
def street_worker(place):
    return make_user(STREET, Role.STREET_STAFF, username="street1")


def test_worker_creates_an_organisation_and_appoints_a_secretary_from_the_page(client, place):
    client.force_login(place["worker_a"])
    r = client.post(
        "/party/orgs/new/",
        {"division_code": place["a"].code, "kind": "community_committee", "name": "社区党委"},
    )
    org = PartyOrganization.objects.get()
    assert r.status_code == 302 and r.url == f"/party/orgs/{org.pk}/"
    r = client.post(
        f"/party/orgs/{org.pk}/seats/",
        {"holder_name": "张明", "role": "secretary", "also_director": "on"},
    )
    assert r.status_code == 302
    seat = CommitteeSeat.objects.get()
    assert (seat.role, seat.also_director, seat.also_supervision_chair) == (
        "secretary",
        True,
        False,
    )
    page = client.get(f"/party/orgs/{org.pk}/").content.decode()
    assert "张*" in page and "兼任居委会主任" in page


def test_organisation_at_the_wrong_level_is_refused_and_nothing_saved(client, place):
    client.force_login(place["worker_a"])
    r = client.post(
        "/party/orgs/new/",
        {"division_code": place["a"].code, "kind": "street_committee", "name": "街道党工委"},
    )
    assert r.status_code == 400 and "不能建在这一层级" in r.content.decode()
    assert not PartyOrganization.objects.exists()


def test_organisation_in_another_community_is_not_found(client, place):
    client.force_login(place["worker_b"])
    r = client.post(
        "/party/orgs/new/",
        {"division_code": place["a"].code, "kind": "community_committee", "name": "社区党委"},
    )
    assert r.status_code == 404
    assert not PartyOrganization.objects.exists()


def test_second_secretary_and_cross_appointment_of_a_member_are_refused(client, place):
    org = PartyOrganization.objects.create(
        name="社区党委", kind="community_committee", division=place["a"]
    )
    client.force_login(place["worker_a"])
    client.post(f"/party/orgs/{org.pk}/seats/", {"holder_name": "张明", "role": "secretary"})
    second = _post_json(
        client, f"/api/v1/party/orgs/{org.pk}/seats", {"holder_name": "李华", "role": "secretary"}
    )
    assert second.status_code == 409 and second.json()["code"] == "secretary_exists"
    member = _post_json(
        client,
        f"/api/v1/party/orgs/{org.pk}/seats",
        {"holder_name": "李华", "role": "member", "also_director": True},
    )
    assert member.status_code == 400 and "只有书记" in member.json()["message"]
    assert CommitteeSeat.objects.count() == 1


def test_part_time_member_from_a_resident_unit_through_the_api(client, place):
    org = PartyOrganization.objects.create(
        name="社区大党委", kind="community_committee", division=place["a"], is_joint_committee=True
    )
    client.force_login(place["worker_a"])
    r = _post_json(
        client,
        f"/api/v1/party/orgs/{org.pk}/seats",
        {
            "holder_name": "赵刚",
            "role": "member",
            "is_part_time": True,
            "resident_unit_id": place["unit"].pk,
        },
    )
    assert r.status_code == 201
    assert r.json() | {"id": 0} == {
        "id": 0,
        "holder_name": "赵*",
        "role": "member",
        "role_label": "委员",
        "resident_unit": "包河区税务局",
        "is_part_time": True,
        "also_director": False,
        "also_supervision_chair": False,
    }


def test_meeting_from_the_page_then_follow_up_and_project(client, place):
    client.force_login(place["worker_a"])
    client.post(
        "/party/conferences/new/",
        {"division_code": place["a"].code, "established_on": "2024-03-01"},
    )
    conference = JointConference.objects.get()
    r = client.post(
        f"/party/conferences/{conference.pk}/meetings/",
        {
            "title": "第一季度联席会议",
            "held_on": "2026-03-15",
            "agenda": "研究停车难",
            "attendees": "周红\n李明",
            "decisions": "开放单位停车场\n组织义诊",
        },
    )
    meeting = JointMeeting.objects.get()
    assert r.url == f"/party/meetings/{meeting.pk}/"
    first, second = MeetingDecision.objects.order_by("pk")
    client.post(f"/party/decisions/{first.pk}/follow-ups/", {"note": "已协调", "status": "done"})
    client.post(
        f"/party/decisions/{second.pk}/project/", {"linkage": "welfare", "unit": place["unit"].pk}
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, DecisionFollowUp.objects.get().note) == ("done", "已协调")
    assert (second.status, second.project.unit, second.project.linkage) == (
        "in_progress",
        place["unit"],
        "welfare",
    )
    page = client.get(f"/party/meetings/{meeting.pk}/").content.decode()
    assert "周*" in page and "周红" not in page and "已协调" in page
    detail = client.get(f"/api/v1/party/meetings/{meeting.pk}").json()
    assert detail["attendees"] == ["周*", "李*"]
    assert [d["status"] for d in detail["decisions"]] == ["done", "in_progress"]


def test_bad_meeting_input_changes_nothing(client, place):
    conference = JointConference.objects.create(
        division=place["a"], name="联席会议", established_on="2024-01-01"
    )
    client.force_login(place["worker_a"])
    for data, message in (
        ({"title": "会议", "held_on": "2026-13-01", "agenda": "议程"}, "年-月-日"),
        ({"title": "会议", "held_on": "2026-03-01", "agenda": ""}, "议程"),
        (
            {"title": "会议", "held_on": "2026-03-01", "agenda": "议程", "attendees": "周红\n周红"},
            "重复",
        ),
    ):
        r = client.post(f"/party/conferences/{conference.pk}/meetings/", data)
        assert r.status_code == 400 and message in r.content.decode()
    assert not JointMeeting.objects.exists()


def test_follow_up_of_another_communitys_decision_is_not_found(client, place):
    conference = JointConference.objects.create(
        division=place["a"], name="联席会议", established_on="2024-01-01"
    )
    meeting = services.meeting_record(
        actor=place["worker_a"],
        conference=conference,
        title="会议",
        held_on="2026-03-01",
        agenda="议程",
        decisions=[("开放停车场", "", None)],
    )
    decision = meeting.decisions.get()
    client.force_login(place["worker_b"])
    assert (
        client.post(f"/party/decisions/{decision.pk}/follow-ups/", {"note": "x"}).status_code == 404
    )
    api = _post_json(client, f"/api/v1/party/decisions/{decision.pk}/follow-ups", {"note": "x"})
    assert api.status_code == 404
    assert (
        client.post(f"/party/decisions/{decision.pk}/project/", {"linkage": "welfare"}).status_code
        == 404
    )
    assert not DecisionFollowUp.objects.exists() and not Project.objects.exists()


def test_employer_choices_are_the_districts_units_or_a_name_search(client, place):
    far = ResidentUnit.objects.create(
        name="芜湖某研究院",
        kind="institution",
        division=place["a"].__class__.objects.get(code="340202"),
    )
    paired_far = ResidentUnit.objects.create(
        name="合肥某医院", kind="hospital", division=place["a"].__class__.objects.get(code="340102")
    )
    Pairing.objects.create(unit=paired_far, division=place["b"], started_on="2025-01-01")
    client.force_login(place["member"])
    page = client.get("/party/").content.decode()
    assert "包河区税务局" in page and "合肥某医院" in page and "芜湖某研究院" not in page
    found = client.get("/party/", {"unit_q": "研究院"}).content.decode()
    assert "芜湖某研究院" in found
    api = client.get("/api/v1/party/employers", {"q": "研究院"}).json()
    assert api == [{"id": far.pk, "name": "芜湖某研究院"}]


def test_officer_overview_counts_the_subtree_per_child(client, place, street_worker):
    services.report_in_register(user=place["member"], community=place["a"], name="王建国")
    r = ReportIn.objects.get()
    services.report_in_confirm(actor=place["worker_a"], report_in=r)
    PartyOrganization.objects.create(
        name="网格党支部", kind="grid_branch", division=place["a"].children.first()
    )
    officer = make_user("340111", Role.DISTRICT_OFFICER, username="officer1")
    client.force_login(officer)
    page = client.get(f"/party/overview/{STREET}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert f'href="/insights/{STREET}/"' in body
    data = client.get(f"/api/v1/party/overview/{STREET}").json()
    assert (
        data["totals"]["report_ins"],
        data["totals"]["grid_orgs"],
        data["totals"]["pairings"],
    ) == (1, 1, 1)
    row = next(c for c in data["children"] if c["code"] == place["a"].code)
    assert row["counts"]["report_ins"] == 1 and row["counts"]["units"] == 1
    assert sum(c["counts"]["report_ins"] for c in data["children"]) == 1
    assert data["dashboard_url"] == f"/insights/{STREET}/"


def test_overview_outside_the_subtree_is_not_found(client, place):
    client.force_login(place["worker_b"])
    assert client.get(f"/party/overview/{place['a'].code}/").status_code == 404
    assert client.get(f"/api/v1/party/overview/{STREET}").status_code == 404


def _members(place, n):
    for i in range(n):
        user = make_user(place["a"].code, Role.PARTY_MEMBER, username=f"m{i}")
        services.report_in_register(user=user, community=place["a"], name=f"党员{i}")


def test_list_pages_and_apis_run_a_bounded_number_of_queries(
    client, place, street_worker, django_assert_max_num_queries
):
    _members(place, 12)
    for i in range(5):
        PartyOrganization.objects.create(
            name=f"支部{i}", kind="community_branch", division=place["a"]
        )
    client.force_login(street_worker)
    for url, limit in (
        ("/party/", 20),
        ("/party/orgs/", 20),
        (f"/party/overview/{STREET}/", 25),
        ("/api/v1/party/report-ins", 15),
        ("/api/v1/party/orgs", 12),
        (f"/api/v1/party/overview/{STREET}", 20),
    ):
        with django_assert_max_num_queries(limit):
            assert client.get(url).status_code == 200, url
