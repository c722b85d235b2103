"""Bad input on the co-building page re-renders it with the Chinese message
beside the form and the user's values (400, 409 for a conflict), and nothing
is written: resources, matching, assessments, ending a pairing, project status."""

from __future__ import annotations

from gongzhi.cobuild import services
from gongzhi.cobuild.models import Need, Pairing, Project, Resource, UnitAssessment, UnitContact
from tests.cobuild.redisplay import assert_redisplayed


def test_resource_without_a_title_redisplays_the_form(client, place):
    client.force_login(place["worker_a"])
    r = client.post(
        "/cobuild/resources/", {"unit": place["unit"].pk, "title": " ", "category": "venue"}
    )
    assert_redisplayed(r, "resource", "请填写资源名称。", '<option value="venue" selected>')
    assert not Resource.objects.exists()


def test_matching_an_unpaired_units_resource_redisplays_the_need_row(client, place):
    need = Need.objects.create(division=place["a"], title="活动场地", category="venue")
    resource = Resource.objects.create(unit=place["other"], title="会议室", category="venue")
    client.force_login(place["worker_a"])
    r = client.post(f"/cobuild/needs/{need.pk}/match/", {"resource": resource.pk})
    assert_redisplayed(r, "match", "未与本社区或所在街道结对共建", "活动场地")
    need.refresh_from_db()
    assert (need.status, need.resource) == ("open", None)


def test_assessment_with_a_bad_year_redisplays_the_form(client, place):
    client.force_login(place["worker_a"])
    data = {
        "unit": place["unit"].pk,
        "community_code": place["a"].code,
        "year": "明年",
        "grade": "good",
        "comment": "积极参与共建",
    }
    r = client.post("/cobuild/assessments/", data)
    assert_redisplayed(
        r, "assessment", "年度须为整数。", 'value="明年"', ">积极参与共建</textarea>"
    )
    assert not UnitAssessment.objects.exists()


def test_second_assessment_of_the_year_redisplays_the_form_with_409(client, place):
    services.unit_assess(
        actor=place["worker_a"], unit=place["unit"], community=place["a"], year=2025, grade="good"
    )
    client.force_login(place["worker_a"])
    data = {"unit": place["unit"].pk, "community_code": place["a"].code, "year": "2025"}
    r = client.post("/cobuild/assessments/", {**data, "grade": "excellent"})
    assert_redisplayed(
        r, "assessment", "该单位本年度已评价。", '<option value="excellent" selected>', status=409
    )
    assert UnitAssessment.objects.get().grade == "good"


def test_ending_a_pairing_before_it_began_redisplays_the_row(client, place):
    pairing = Pairing.objects.get()
    client.force_login(place["worker_a"])
    r = client.post(f"/cobuild/pairings/{pairing.pk}/end/", {"ended_on": "2024-06-30"})
    assert_redisplayed(r, "pairing_end", "结束日期不能早于结对日期。", 'value="2024-06-30"')
    pairing.refresh_from_db()
    assert pairing.ended_on is None


def test_moving_a_finished_project_back_redisplays_the_list_with_409(client, place):
    project = Project.objects.create(
        division=place["a"], title="助老食堂", linkage="welfare", status="done"
    )
    client.force_login(place["worker_a"])
    r = client.post(f"/cobuild/projects/{project.pk}/status/", {"status": "ongoing"})
    assert_redisplayed(r, "project_status", "不能改为", "助老食堂", status=409)
    project.refresh_from_db()
    assert project.status == "done"


def test_removing_the_liaisons_contact_redisplays_the_unit_page_with_409(client, place):
    contact = UnitContact.objects.get(user=place["liaison"])
    client.force_login(place["worker_a"])
    r = client.post(f"/cobuild/contacts/{contact.pk}/remove/")
    assert_redisplayed(
        r, "contact_remove", "该联系人绑定了联络员账号,不能删除", "包河区税务局", status=409
    )
    assert UnitContact.objects.filter(pk=contact.pk).exists()
