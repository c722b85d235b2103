"""Cross-channel duplicate merge: the same problem from the hotline and a chat
group becomes one case with two reporters; weaker matches become suggestions;
other places and other weeks are left alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from gongzhi.cases.constants import Channel, Status
from gongzhi.cases.models import Case
from gongzhi.cases.services import case_submit
from gongzhi.intake import dedupe
from gongzhi.intake.models import DuplicateSuggestion
from tests.cases.factories import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


def submit(world, channel, ref, title, desc, *, dx=0.0, dy=0.0, category="UC01", name="", phone=""):
    g = world.grid
    case, _ = case_submit(
        actor=None,
        channel=channel,
        source_ref=ref,
        title=title,
        description=desc,
        category=category,
        lng=g.center_lng + dx,
        lat=g.center_lat + dy,
        reporter_name=name,
        reporter_phone=phone,
    )
    return case


LAMP = "蜀麓苑3栋楼道灯坏了好几天了,晚上上下楼很不方便,请尽快维修。"


def test_hotline_and_chat_become_one_case_with_two_reporters(world):
    hot = submit(world, Channel.HOTLINE_12345, "12345-001", "楼道灯坏了", LAMP,
                 name="张三", phone="13800000001")  # fmt: skip
    assert dedupe.dedupe_case(hot).action == "none"
    chat = submit(world, Channel.CHAT_GROUP, "chat-001", "楼道灯坏了", LAMP,
                  dx=0.0003, name="李四", phone="13800000002")  # fmt: skip
    out = dedupe.dedupe_case(chat)
    assert out.action == "merged"
    chat.refresh_from_db()
    hot.refresh_from_db()
    assert chat.status == Status.MERGED and chat.master_id == hot.pk
    assert dedupe.reporter_count(hot) == 2
    assert list(hot.reporters.values_list("name", flat=True)) == ["李四"]
    assert hot.priority == 1
    assert Case.objects.filter(master__isnull=True, status=Status.SUBMITTED).count() == 1
    ev = chat.events.get(action="merge")
    assert ev.actor is None and ev.payload["master"] == hot.number
    assert ev.payload["dedupe"]["distance_m"] < 200


def test_similar_but_not_same_becomes_a_suggestion_and_is_decided(world, client):
    hot = submit(world, Channel.HOTLINE_12345, "12345-002", "楼道灯坏了", LAMP)
    other = submit(world, Channel.CHAT_GROUP, "chat-002", "3栋楼道灯坏了",
                   "楼道灯坏了好几天了")  # fmt: skip
    out = dedupe.dedupe_case(other)
    assert out.action == "suggested", out.match and out.match.score
    s = DuplicateSuggestion.objects.get(case=other)
    assert s.master_id == hot.pk and s.status == "pending"
    assert 0.45 <= s.score < 0.8

    # The page: scoped listing, accept merges through the cases service.
    client.force_login(world.other_grid_member)
    assert other.number not in client.get(reverse("intake:dedupe")).content.decode()
    client.force_login(world.community_worker)
    page = client.get(reverse("intake:dedupe")).content.decode()
    assert other.number in page and hot.number in page
    r = client.post(reverse("intake:dedupe-decide", args=[s.pk]), {"decision": "merge"})
    assert r.status_code == 302
    s.refresh_from_db()
    other.refresh_from_db()
    assert s.status == "merged" and s.decided_by == world.community_worker
    assert other.master_id == hot.pk


def test_dismiss(world, client):
    submit(world, Channel.HOTLINE_12345, "12345-003", "楼道灯坏了", LAMP)
    other = submit(world, Channel.CHAT_GROUP, "chat-003", "3栋楼道灯坏了",
                   "楼道灯坏了好几天了")  # fmt: skip
    dedupe.dedupe_case(other)
    s = DuplicateSuggestion.objects.get(case=other)
    client.force_login(world.community_worker)
    client.post(reverse("intake:dedupe-decide", args=[s.pk]), {"decision": "dismiss"})
    s.refresh_from_db()
    other.refresh_from_db()
    assert s.status == "dismissed" and other.status == Status.SUBMITTED


def test_other_place_or_other_week_or_other_text_is_left_alone(world):
    submit(world, Channel.HOTLINE_12345, "12345-004", "楼道灯坏了", LAMP)
    far = submit(world, Channel.CHAT_GROUP, "chat-far", "楼道灯坏了", LAMP, dx=0.01)  # ~950 m
    assert dedupe.dedupe_case(far).action == "none"
    unrelated = submit(world, Channel.CHAT_GROUP, "chat-x", "广场舞噪音扰民",
                       "每天晚上九点以后广场舞音响声音太大,影响休息。")  # fmt: skip
    assert dedupe.dedupe_case(unrelated).action == "none"
    late = submit(world, Channel.CHAT_GROUP, "chat-late", "楼道灯坏了", LAMP)
    Case.objects.filter(pk=late.pk).update(created_at=late.created_at + timedelta(days=8))
    assert dedupe.dedupe_case(late).action == "none"
    assert not DuplicateSuggestion.objects.exists()
    assert Case.objects.filter(status=Status.MERGED).count() == 0


def test_other_category_family_is_not_a_candidate(world):
    submit(world, Channel.HOTLINE_12345, "12345-005", "楼道灯坏了", LAMP, category="T01")
    c = submit(world, Channel.CHAT_GROUP, "chat-005", "楼道灯坏了", LAMP, category="T02")
    assert dedupe.dedupe_case(c).action == "none"
    # A 12345 citizen class and a 数字城管 class may name the same problem.
    d = submit(world, Channel.URBAN_MANAGEMENT, "um-005", "楼道灯坏了", LAMP, category="UC01")
    assert dedupe.dedupe_case(d).action == "merged"


def test_adapters_merge_the_same_problem_from_two_channels_on_intake(world):
    """Through the channel adapters (no explicit dedupe call): a 12345 work order
    and a patrol report of the same lamp 30 m apart end as one case, two reporters."""
    from gongzhi.intake.channels import ADAPTERS, ingest

    g = world.grid
    hot = ingest(ADAPTERS["hotline_12345"], {
        "workOrderNo": "HL-DEDUPE-1", "title": "楼道灯坏了", "content": LAMP,
        "category": "城乡建设", "lng": g.center_lng, "lat": g.center_lat,
        "acceptTime": "2026-01-05 09:30:00", "callerName": "张三", "callerPhone": "13800000001",
    })  # fmt: skip
    assert hot.kind == "created"
    patrol = ingest(ADAPTERS["grid_patrol"], {
        "id": "GP-DEDUPE-1", "category": hot.case.category.code, "title": "楼道灯坏了",
        "description": LAMP, "lng": g.center_lng + 0.0003, "lat": g.center_lat,
        "reportedAt": "2026-01-05 10:00:00", "memberAccount": "网格员王五",
    })  # fmt: skip
    assert patrol.kind == "created"
    patrol.case.refresh_from_db()
    assert patrol.case.status == Status.MERGED and patrol.case.master_id == hot.case.pk
    assert dedupe.reporter_count(hot.case) == 2
    assert Case.objects.filter(master__isnull=True).count() == 1
