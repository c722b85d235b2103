"""Walk the territory tree in a real headless Chromium.

A street user of 常青街道 signs in through the login form, sees the street's
page with its map, clicks down to a community and then to a grid, and sees
the grid's buildings in the table and on the map.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import shapely
from django.conf import settings

from gongzhi.accounts.constants import Role
from gongzhi.accounts.services import user_create
from gongzhi.org.constants import Kind, Level
from gongzhi.org.models import Building, Division, GridMember

STREET = "340111002"  # 常青街道, 包河区, 合肥市
COMMUNITY = "340111002001"  # 姚公社区
GRID = "340111002001999"
GRID_NAME = "姚公社区浏览器测试网格"
PASSWORD = "Browser-walk-2026!"
FULL_PHONE = "13987654321"
SCREENSHOTS = Path(os.environ.get("GONGZHI_SCREENSHOT_DIR", "/tmp"))
VENDOR = Path(settings.BASE_DIR) / "gongzhi" / "web" / "static" / "vendor"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def territory(territory_live):
    """A grid of known content under 姚公社区 (generated boundary), a member
    with a phone number, and a street user."""
    community = Division.objects.get(code=COMMUNITY)
    anchor = community.geometry.point_on_surface()
    grid, _created = Division.objects.update_or_create(
        code=GRID,
        defaults={
            "name": GRID_NAME,
            "level": Level.GRID,
            "kind": Kind.GRID,
            "parent": community,
            "population": 980,
            "boundary": shapely.to_wkb(anchor.buffer(0.0015, quad_segs=4)),
        },
    )
    for n in range(1, 4):
        Building.objects.update_or_create(
            code=f"{GRID}{n:04d}",
            defaults={
                "grid": grid,
                "estate": "姚公新村",
                "name": f"姚公新村{n}栋",
                "address": f"合肥市包河区姚公新村{n}栋",
                "floors": 6,
                "households": 24,
                "lng": anchor.x + (n - 2) * 0.0004,
                "lat": anchor.y,
            },
        )
    GridMember.objects.create(grid=grid, name="赵敏", phone=FULL_PHONE)
    user_create(
        username="changqing_walk",
        password=PASSWORD,
        division=Division.objects.get(code=STREET),
        roles=[Role.STREET_STAFF],
        display_name="王芳",
    )
    # Everything the test body needs from the database is read here: once
    # Playwright's event loop runs in this thread, Django refuses ORM calls.
    return {"community_point": (anchor.x, anchor.y)}


def test_street_user_walks_from_street_to_grid(territory, live_server, browser):
    assert (VENDOR / "leaflet" / "leaflet.js").exists(), (
        "front-end assets are not built: run `npm ci && npm run build` (or `make assets`)"
    )
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    external: list[str] = []
    page.on(
        "request",
        lambda req: (
            None
            if req.url.startswith((live_server.url, "data:", "blob:"))
            else external.append(req.url)
        ),
    )

    # Sign in through the form; home sends the user to their own street.
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.get_by_label("用户名").fill("changqing_walk")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"**/territory/{STREET}/")
    assert page.locator("h1").first.inner_text().startswith("常青街道")
    assert "王芳" in page.locator(".topbar").inner_text()
    assert "包河区常青街道" in page.locator(".topbar").inner_text()
    page.wait_for_selector("#territory-map[data-ready='true']")
    page.screenshot(path=str(SCREENSHOTS / "gongzhi_territory_street.png"), full_page=True)

    # Down to the community by clicking its polygon on the map.
    lng, lat = territory["community_point"]
    x, y = page.evaluate(
        """([lat, lng]) => {
            const el = document.getElementById("territory-map");
            const point = el.gongzhiMap.latLngToContainerPoint([lat, lng]);
            const box = el.getBoundingClientRect();
            return [box.left + point.x, box.top + point.y];
        }""",
        [lat, lng],
    )
    page.mouse.click(x, y)
    page.wait_for_url(f"**/territory/{COMMUNITY}/")
    assert "姚公社区" in page.locator("h1").first.inner_text()
    breadcrumb = page.locator(".breadcrumb").inner_text()
    assert "常青街道" in breadcrumb and "姚公社区" in breadcrumb
    page.wait_for_selector("#territory-map[data-ready='true']")

    # Back up through the breadcrumb, and down again through the table.
    page.locator(".breadcrumb").get_by_role("link", name="常青街道").click()
    page.wait_for_url(f"**/territory/{STREET}/")
    page.locator("#children").get_by_role("link", name="姚公社区", exact=True).click()
    page.wait_for_url(f"**/territory/{COMMUNITY}/")

    # Down to the grid (paging through the community's grids if needed).
    grid_link = page.locator("#children").get_by_role("link", name=GRID_NAME)
    while grid_link.count() == 0:
        page.locator("#children").get_by_role("link", name="下一页").click()
        page.wait_for_load_state()
    grid_link.click()
    page.wait_for_url(f"**/territory/{GRID}/")
    page.wait_for_selector("#territory-map[data-ready='true']")

    buildings = page.locator("#buildings").inner_text()
    for n in range(1, 4):
        assert f"姚公新村{n}栋" in buildings
    assert page.locator("#territory-map canvas").count() == 1
    assert page.locator("#territory-map").get_attribute("data-features") != "0"
    members = page.locator("#members").inner_text()
    assert "赵敏" in members and "139****4321" in members
    assert FULL_PHONE not in page.content()
    page.screenshot(path=str(SCREENSHOTS / "gongzhi_territory_grid.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.screenshot(path=str(SCREENSHOTS / "gongzhi_territory_grid_mobile.png"), full_page=True)

    assert errors == [], errors
    assert external == [], f"requests left the server: {external}"
