"""A joint meeting's decision opens a case through the cases app's intake
service, located at a chosen building or the community's centre; the decision
records the case number; committee seats are edited and removed."""

from __future__ import annotations

import json

from gongzhi.cases.catalogue import seed_categories
from gongzhi.cases.constants import Channel
from gongzhi.cases.models import Case, Category
from gongzhi.org.models import Building
from gongzhi.party import services
from gongzhi.party.models import CommitteeSeat, JointConference, MeetingDecision, PartyOrganization


def _post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def _decisions(place, n=2):
    conference = JointConference.objects.create(
        division=place["a"], name="联席会议", established_on="2024-01-01"
    )
    meeting = services.meeting_record(
        actor=place["worker_a"],
        conference=conference,
        title="第一季度联席会议",
        held_on="2026-03-01",
        agenda="研究楼道堆物",
        decisions=[(f"清理楼道堆物{i}", "物业", None) for i in range(n)],
    )
    return list(meeting.decisions.order_by("pk"))


def test_decision_opens_a_case_at_a_building_from_the_page(client, place):
    seed_categories(Category)
    first, second = _decisions(place)
    building = Building.objects.filter(grid__code__startswith=place["a"].code).first()
    client.force_login(place["worker_a"])
    page = client.get(f"/party/meetings/{first.meeting_id}/").content.decode()
    assert "立为诉求案件" in page
    code = Category.objects.filter(is_active=True).order_by("code").first().code
    r = client.post(
        f"/party/decisions/{first.pk}/case/", {"category": code, "building": building.pk}
    )
    assert r.status_code == 302
    case = Case.objects.get()
    first.refresh_from_db()
    assert first.case_ref == case.number and first.status == "in_progress"
    assert (case.channel, case.source_ref) == (Channel.INTERNAL, f"party-decision:{first.pk}")
    assert case.division_path.startswith(place["a"].code) and case.title == "清理楼道堆物0"
    assert (case.lng, case.lat) == (building.lng, building.lat)
    # Twice: a Chinese conflict, still one case.
    again = client.post(f"/party/decisions/{first.pk}/case/", {"category": code})
    assert again.status_code == 409 and "已关联诉求" in again.content.decode()
    assert Case.objects.count() == 1
    # Through the API, at the community's centre.
    r = _post_json(client, f"/api/v1/party/decisions/{second.pk}/case", {"category": code})
    if place["a"].center_lng is not None:
        assert r.status_code == 201, r.json()
        second.refresh_from_db()
        assert second.case_ref == r.json()["case_number"]
        assert Case.objects.count() == 2
    else:
        assert r.status_code == 400 and "中心点" in r.json()["message"]


def test_bad_case_input_and_other_scope_change_nothing(client, place):
    seed_categories(Category)
    (decision,) = _decisions(place, 1)
    client.force_login(place["worker_a"])
    r = _post_json(client, f"/api/v1/party/decisions/{decision.pk}/case", {"category": "NOPE"})
    assert r.status_code == 400 and r.json()["message"] == "未知的事项分类。"
    far = Building.objects.exclude(grid__code__startswith=place["a"].code).first()
    code = Category.objects.filter(is_active=True).first().code
    r = _post_json(
        client,
        f"/api/v1/party/decisions/{decision.pk}/case",
        {"category": code, "building_id": far.pk},
    )
    assert r.status_code == 400 and "不在" in r.json()["message"]
    client.force_login(place["worker_b"])
    r = _post_json(client, f"/api/v1/party/decisions/{decision.pk}/case", {"category": code})
    assert r.status_code == 404
    decision.refresh_from_db()
    assert decision.case_ref == "" and not Case.objects.exists()
    assert MeetingDecision.objects.get().status == "open"


def test_cases_app_does_not_import_party():
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2] / "gongzhi" / "cases"
    offenders = [
        str(p)
        for p in root.rglob("*.py")
        if "gongzhi.party" in p.read_text(encoding="utf-8")
        or "from ..party" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_seat_edit_and_remove(client, place):
    org = PartyOrganization.objects.create(
        name="社区党委", kind="community_committee", division=place["a"]
    )
    seat = services.seat_appoint(
        actor=place["worker_a"], organization=org, holder_name="周红", role="secretary"
    )
    deputy = services.seat_appoint(
        actor=place["worker_a"], organization=org, holder_name="李明", role="deputy"
    )
    client.force_login(place["worker_a"])
    body = {"holder_name": "周红", "role": "secretary", "also_director": True}
    r = client.patch(f"/api/v1/party/seats/{seat.pk}", json.dumps(body), "application/json")
    assert r.status_code == 200 and r.json()["also_director"] is True
    r = client.patch(
        f"/api/v1/party/seats/{deputy.pk}",
        json.dumps({"holder_name": "李明", "role": "secretary"}),
        "application/json",
    )
    assert r.status_code == 409 and "已有书记" in r.json()["message"]
    assert CommitteeSeat.objects.get(pk=deputy.pk).role == "deputy"
    client.force_login(place["worker_b"])
    assert client.delete(f"/api/v1/party/seats/{deputy.pk}").status_code == 404
    client.force_login(place["worker_a"])
    assert client.post(f"/party/seats/{deputy.pk}/remove/").status_code == 302
    assert list(CommitteeSeat.objects.values_list("holder_name", flat=True)) == ["周红"]
