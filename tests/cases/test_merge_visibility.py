"""A merge is visible on both case pages: the master's timeline names the
duplicate it absorbed, the master shows how many people reported and links
to each duplicate, the duplicate links to its master; a priority raised by a
merge is shown as priority, not as 督办; an officer who opens a proactive
case is its 立案人, not its reporter."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from gongzhi.cases.constants import Action, Channel, Status
from gongzhi.cases.services import case_merge, case_submit, case_supervise

pytestmark = pytest.mark.django_db

LAMP = "蜀麓苑3栋楼道灯坏了好几天了,晚上上下楼很不方便,请尽快维修。"


def submit(world, channel, ref, *, actor=None, name="", phone=""):
    g = world.grid
    case, _ = case_submit(
        actor=actor,
        channel=channel,
        source_ref=ref,
        title="楼道灯坏了",
        description=LAMP,
        category="UC01",
        lng=g.center_lng,
        lat=g.center_lat,
        reporter_name=name,
        reporter_phone=phone,
    )
    return case


@pytest.fixture
def merged(world):
    master = submit(world, Channel.CHAT_GROUP, "chat-901", name="李四", phone="13800000002")
    dup = submit(world, Channel.HOTLINE_12345, "12345-901", name="张三", phone="13800000001")
    case_merge(case=dup, actor=None, system=True, master=master, note="系统自动合并")
    master.refresh_from_db()
    dup.refresh_from_db()
    return master, dup


def page(client, user, case) -> str:
    client.force_login(user)
    response = client.get(reverse("cases:detail", args=[case.number]))
    assert response.status_code == 200
    return response.content.decode()


def timeline_html(html: str) -> str:
    return re.search(r'<ol class="timeline".*?</ol>', html, re.S).group(0)


def test_merge_writes_an_event_on_the_master_without_changing_its_status(merged):
    master, dup = merged
    event = master.events.get(action=Action.MERGE)
    assert event.payload["duplicate"] == dup.number
    assert event.from_status == event.to_status == Status.SUBMITTED
    assert event.note == f"合并了重复案件 {dup.number}(12345热线)"


def test_master_page_shows_merge_event_reporter_count_and_duplicate_link(client, world, merged):
    master, dup = merged
    html = page(client, world.community_worker, master)
    dup_url = reverse("cases:detail", args=[dup.number])
    line = timeline_html(html)
    assert f'合并了重复案件 <a class="mono" href="{dup_url}">{dup.number}</a>(12345热线)' in line
    assert re.search(r'id="case-reporter-count">2<', html)
    assert "2 人反映" in html
    duplicates = re.search(r'id="case-duplicates">.*?</dd>', html, re.S).group(0)
    assert f'href="{dup_url}"' in duplicates


def test_merged_case_page_links_to_its_master(client, world, merged):
    master, dup = merged
    html = page(client, world.community_worker, dup)
    master_url = reverse("cases:detail", args=[master.number])
    assert re.search(rf'id="case-master"><a class="mono" href="{master_url}">', html)
    assert f'已合并至 <a class="mono" href="{master_url}">{master.number}</a>' in timeline_html(
        html
    )


def test_priority_raised_by_a_merge_is_priority_not_supervision(client, world, merged):
    master, _dup = merged
    assert master.priority == 1
    html = page(client, world.community_worker, master)
    assert 'id="case-supervised"' not in html
    assert re.search(r'id="case-priority"[^>]*>优先级 高<', html)


def test_supervised_case_shows_the_supervision_flag(client, world, merged):
    master, _dup = merged
    case_supervise(case=master, actor=world.district_officer, note="请加快处理")
    html = page(client, world.community_worker, master)
    assert re.search(r'id="case-supervised">督办<', html)


@pytest.mark.parametrize("channel", [Channel.PROACTIVE, Channel.INTERNAL])
def test_officer_who_opens_a_case_is_not_labelled_reporter(client, world, channel):
    case = submit(world, channel, "hotspot-901", actor=world.street_staff)
    line = timeline_html(page(client, world.community_worker, case))
    assert "反映人" not in line
    assert re.search(r'<li data-action="submit">\s*<div class="when">[^<]*· 立案人 · ', line)


def test_queue_shows_a_raised_priority_as_priority_not_supervision(client, world, merged):
    master, _dup = merged
    client.force_login(world.community_worker)
    html = client.get(reverse("cases:queue")).content.decode()
    row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{master.number}(?:(?!</tr>).)*</tr>", html, re.S)
    assert row, "the master is in the community worker's queue"
    assert "优先级 高" in row.group(0) and "督办" not in row.group(0)


def test_a_case_nobody_reported_shows_no_reporter_count(client, world, merged):
    """A 未诉先办 case opened by staff has no reporter: no "反映人数 0"; a
    merged master shows its count."""
    proactive = submit(world, Channel.PROACTIVE, "hotspot-902", actor=world.street_staff)
    assert 'id="case-reporter-count"' not in page(client, world.community_worker, proactive)
    master, _dup = merged
    html = page(client, world.community_worker, master)
    assert re.search(r'id="case-reporter-count">2<', html)


def test_case_numbers_in_a_description_are_links_and_the_text_is_escaped(client, world, merged):
    master, dup = merged
    case, _ = case_submit(
        actor=world.street_staff, channel=Channel.PROACTIVE, source_ref="hotspot-903",
        title="路灯热点", description=f"<b>热点</b>\n关联诉求:{master.number}、{dup.number}",
        category="UC01", lng=world.grid.center_lng, lat=world.grid.center_lat,
    )  # fmt: skip
    html = page(client, world.community_worker, case)
    for number in (master.number, dup.number):
        assert (
            f'<a class="mono" href="{reverse("cases:detail", args=[number])}">{number}</a>' in html
        )
    assert "&lt;b&gt;热点&lt;/b&gt;<br>" in html and "<b>热点</b>" not in html
