"""The dashboard in a real headless Chromium: cards, charts, drill-down."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings

from gongzhi.accounts.constants import Role
from gongzhi.accounts.services import user_create
from gongzhi.insights.registry import registry
from gongzhi.org.models import Division, PostQuota
from tests.accounts.helpers import browser_complete_totp

from .factories import make_grid, make_members, make_posts

PASSWORD = "a-Strong-passw0rd!"
SCREENSHOTS = Path(os.environ.get("GONGZHI_SCREENSHOT_DIR", "/tmp"))
ECHARTS = Path(settings.BASE_DIR) / "gongzhi" / "web" / "static" / "vendor" / "echarts"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def data(territory_live):
    meishan = Division.objects.get(code="340104001001")
    jixi = Division.objects.get(code="340104001002")
    for community, grids in ((meishan, 3), (jixi, 1)):
        for n in range(1, grids + 1):
            make_members(make_grid(community, f"{n:03d}"), part_time=n)
    PostQuota.objects.create(community=meishan, approved=7)
    make_posts(meishan, active=5)
    user_create(
        username="shushan_browser",
        password=PASSWORD,
        division=Division.objects.get(code="340104"),
        roles=[Role.DISTRICT_OFFICER],
    )


def test_officer_reads_the_dashboard_and_drills_down(data, live_server, browser):
    assert (ECHARTS / "echarts.min.js").exists(), "front-end assets are not built"
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    page.goto(f"{live_server.url}/accounts/login/?next=/insights/340104/")
    page.get_by_label("用户名").fill("shushan_browser")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    # A district officer enrols a TOTP second factor on first sign-in.
    browser_complete_totp(page)
    page.wait_for_url("**/insights/340104/")
    for ind in registry.all():
        page.wait_for_selector(f"#chart-{ind.code}[data-ready='true'] canvas")
    assert "网格数" in page.locator(".indicator-cards").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "gongzhi_insights_county.png"), full_page=True)

    # Drill down through the children table to 三里庵街道.
    page.locator("table.data").get_by_role("link", name="三里庵街道").click()
    page.wait_for_url("**/insights/340104001/**")
    page.wait_for_selector("#chart-grid_count[data-ready='true'] canvas")
    card = page.locator("#card-grid_count").inner_text()
    assert "4" in card
    assert "蜀山区" in page.locator(".breadcrumb").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "gongzhi_insights_street.png"), full_page=True)

    # A typed bad year shows a Chinese message.
    page.goto(f"{live_server.url}/insights/340104001/?year=abc")
    assert "年份" in page.locator(".messages").inner_text()

    assert errors == [], errors
