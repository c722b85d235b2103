"""Bad input on the party pages re-renders the page holding the form with the
Chinese message and the user's values (400, 409 for a conflict), and nothing
is written: organisations, committee seats, joint conferences and meetings,
decisions' follow-ups, projects and cases, report-in confirmation and return."""

from __future__ import annotations

import datetime as dt

import pytest

from gongzhi.accounts.constants import Role
from gongzhi.cobuild.models import Project
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
from tests.cobuild.redisplay import assert_redisplayed
from tests.factories import GridFactory, make_user
from tests.party.conftest import STREET


@pytest.fixture
def org(place):
    return PartyOrganization.objects.create(
        name="社区党委", kind="community_committee", division=place["a"]
    )


@pytest.fixture
def decision(place):
    conference = services.conference_establish(
        actor=place["worker_a"], division=place["a"], established_on=dt.date(2024, 3, 1)
    )
    meeting = services.meeting_record(
        actor=place["worker_a"],
        conference=conference,
        title="第一次联席会议",
        held_on=dt.date(2024, 4, 1),
        agenda="议程",
        decisions=[("修缮车棚", "", None)],
    )
    return meeting.decisions.get()


def test_organisation_at_the_wrong_level_redisplays_the_form(client, place):
    client.force_login(place["worker_a"])
    r = client.post(
        "/party/orgs/new/",
        {"division_code": place["a"].code, "kind": "street_committee", "name": "某党工委"},
    )
    assert_redisplayed(
        r,
        "org",
        "不能建在这一层级",
        'value="某党工委"',
        '<option value="street_committee" selected>',
    )
    assert not PartyOrganization.objects.exists()


def test_organisation_with_a_bad_date_redisplays_the_form(client, place):
    client.force_login(place["worker_a"])
    r = client.post(
        "/party/orgs/new/",
        {
            "division_code": place["a"].code,
            "kind": "community_committee",
            "name": "社区党委",
            "established_on": "2024-13-01",
        },
    )
    assert_redisplayed(
        r, "org", "请按“年-月-日”填写成立日期。", 'value="社区党委"', 'value="2024-13-01"'
    )
    assert not PartyOrganization.objects.exists()


def test_cross_appointment_of_a_member_redisplays_the_seat_form(client, place, org):
    client.force_login(place["worker_a"])
    r = client.post(
        f"/party/orgs/{org.pk}/seats/",
        {"holder_name": "李华", "role": "member", "also_director": "on"},
    )
    assert_redisplayed(
        r,
        "seat",
        "只有书记可以兼任居委会主任或居务监督委员会主任。",
        'value="李华"',
        '<option value="member" selected>',
        'name="also_director" checked',
    )
    assert not CommitteeSeat.objects.exists()


def test_second_secretary_redisplays_the_seat_form_with_409(client, place, org):
    CommitteeSeat.objects.create(organization=org, holder_name="张明", role="secretary")
    client.force_login(place["worker_a"])
    r = client.post(f"/party/orgs/{org.pk}/seats/", {"holder_name": "李华", "role": "secretary"})
    assert_redisplayed(r, "seat", "该党组织已有书记,请先调整原书记。", 'value="李华"', status=409)
    assert CommitteeSeat.objects.count() == 1


def test_second_conference_redisplays_the_form_with_409(client, place, decision):
    client.force_login(place["worker_a"])
    r = client.post(
        "/party/conferences/new/",
        {"division_code": place["a"].code, "established_on": "2025-01-01", "name": "又一个"},
    )
    assert_redisplayed(r, "conference", "已建立党建工作联席会议。", 'value="又一个"', status=409)
    assert JointConference.objects.count() == 1


def test_conference_without_a_date_redisplays_the_form(client, place):
    client.force_login(place["worker_a"])
    r = client.post("/party/conferences/new/", {"division_code": place["a"].code})
    assert_redisplayed(r, "conference", "请按“年-月-日”填写建立日期。")
    assert not JointConference.objects.exists()


def test_meeting_without_an_agenda_redisplays_the_form(client, place, decision):
    conference = decision.meeting.conference
    client.force_login(place["worker_a"])
    r = client.post(
        f"/party/conferences/{conference.pk}/meetings/",
        {"title": "第二次会议", "held_on": "2024-05-01", "agenda": "", "decisions": "办食堂"},
    )
    assert_redisplayed(r, "meeting", "请填写议程。", 'value="第二次会议"', ">办食堂</textarea>")
    assert JointMeeting.objects.count() == 1


def test_empty_follow_up_redisplays_the_meeting_page(client, place, decision):
    client.force_login(place["worker_a"])
    r = client.post(f"/party/decisions/{decision.pk}/follow-ups/", {"note": " ", "status": "done"})
    assert_redisplayed(r, "follow_up", "请填写落实情况。", "修缮车棚")
    assert not DecisionFollowUp.objects.exists()
    assert MeetingDecision.objects.get().status == "open"


def test_second_project_redisplays_the_meeting_page_with_409(client, place, decision):
    services.decision_open_project(actor=place["worker_a"], decision=decision, linkage="welfare")
    client.force_login(place["worker_a"])
    r = client.post(f"/party/decisions/{decision.pk}/project/", {"linkage": "welfare"})
    assert_redisplayed(r, "project", "该议定事项已生成共建项目。", "修缮车棚", status=409)
    assert Project.objects.count() == 1


def test_project_with_a_bad_linkage_redisplays_the_meeting_page(client, place, decision):
    client.force_login(place["worker_a"])
    r = client.post(f"/party/decisions/{decision.pk}/project/", {"linkage": "nonsense"})
    assert_redisplayed(r, "project", "请选择正确的联动类别。")
    assert not Project.objects.exists()


def test_case_without_a_category_redisplays_the_meeting_page(client, place, decision):
    client.force_login(place["worker_a"])
    r = client.post(f"/party/decisions/{decision.pk}/case/", {"category": ""})
    assert_redisplayed(r, "case", "请填写事项分类。")
    assert MeetingDecision.objects.get().case_ref == ""


@pytest.fixture
def pending(place):
    return services.report_in_register(
        user=place["member"], community=place["a"], name="王建国", phone="13855556666"
    )


def test_confirming_with_another_communitys_grid_redisplays_the_row(client, place, pending):
    grid_b = GridFactory(parent=place["b"])
    client.force_login(make_user(STREET, Role.STREET_STAFF, username="street1"))
    r = client.post(
        f"/party/report-ins/{pending.pk}/confirm/", {"grid": grid_b.code, "tasks": "巡楼"}
    )
    assert_redisplayed(r, "confirm", "所选网格不属于该社区。", ">巡楼</textarea>")
    assert ReportIn.objects.get().status == "pending"


def test_returning_without_a_reason_redisplays_the_row(client, place, pending):
    client.force_login(place["worker_a"])
    r = client.post(f"/party/report-ins/{pending.pk}/reject/", {"note": ""})
    assert_redisplayed(r, "reject", "请填写退回原因。")
    assert ReportIn.objects.get().status == "pending"


def test_foreign_ids_still_answer_404_not_the_form(client, place, org, decision):
    client.force_login(place["worker_b"])
    assert client.post(f"/party/orgs/{org.pk}/seats/", {"role": "x"}).status_code == 404
    assert client.post(f"/party/decisions/{decision.pk}/follow-ups/", {}).status_code == 404
