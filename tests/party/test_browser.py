"""In a real headless Chromium: a member registers → the community confirms →
the member signs up for an activity → checks in and out by the QR links →
hours and the indicators update."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone

from gongzhi.accounts.constants import Role
from gongzhi.org.models import Division
from gongzhi.volunteering import services as volunteering
from gongzhi.volunteering.models import Activity
from tests.factories import DEFAULT_PASSWORD, make_user

SCREENSHOTS = Path(os.environ.get("GONGZHI_SCREENSHOT_DIR", "/tmp"))

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setup(territory_live):
    community = (
        Division.objects.filter(parent__code="340111002", kind="residents").order_by("code").first()
    )
    make_user(community.code, Role.COMMUNITY_WORKER, username="worker_b")
    make_user(community.code, Role.PARTY_MEMBER, username="member_b")
    now = timezone.now()
    activity = Activity.objects.create(
        division=community,
        title="一米阳光 · 楼道清理",
        starts_at=now - dt.timedelta(minutes=10),
        ends_at=now + dt.timedelta(hours=2),
        capacity=5,
    )
    return community, activity


def _login(browser, live_server, username, next_url):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**{next_url}")
    return page


def test_member_reports_in_serves_and_the_indicators_count_it(setup, live_server, browser):
    community, activity = setup
    member = _login(browser, live_server, "member_b", "/party/")
    member.get_by_label("姓名").fill("王建国")
    member.get_by_label("手机号").fill("13855556666")
    member.get_by_role("button", name="提交报到").click()
    assert "待社区确认" in member.locator(".report-status").inner_text()

    worker = _login(browser, live_server, "worker_b", "/party/")
    row = worker.locator("#community-report-ins tbody tr").first
    assert "138****6666" in row.inner_text()
    assert "13855556666" not in worker.content()
    row.locator("textarea[name=tasks]").fill("楼栋巡查")
    row.get_by_role("button", name="确认报到").click()
    assert "已确认" in worker.locator(".messages").inner_text()

    member.goto(f"{live_server.url}/volunteering/")
    member.locator(f"#signup-{activity.pk} button").click()
    member.wait_for_selector(f"#signup-{activity.pk} .signed")
    for action, done in (("in", "签到成功"), ("out", "签退成功")):
        # The QR code on the activity page encodes exactly this URL.
        token = volunteering.scan_token(activity=activity, action=action)
        member.goto(f"{live_server.url}/volunteering/scan/{token}/")
        member.get_by_role("button").filter(has_text="确认").click()
        assert done in member.locator(".messages").inner_text()

    member.goto(f"{live_server.url}/party/")
    assert "已报到" in member.locator(".report-status").inner_text()
    assert float(member.locator(".my-hours").inner_text()) > 0
    assert "楼栋巡查" in member.locator("#my-report-in").inner_text()

    worker.goto(f"{live_server.url}/volunteering/activities/{activity.pk}/")
    assert worker.locator(".qr[data-action=in] svg").count() == 1
    worker.goto(f"{live_server.url}/insights/{community.code}/")
    report_card = worker.locator("#card-report_in_members .indicator-value").inner_text()
    times_card = worker.locator("#card-volunteer_person_times .indicator-value").inner_text()
    assert report_card.strip().startswith("1")
    assert times_card.strip().startswith("1")
    worker.screenshot(path=str(SCREENSHOTS / "gongzhi_party_flow.png"), full_page=True)
