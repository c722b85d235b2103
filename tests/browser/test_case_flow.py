"""The key case flow in a real headless Chromium.

A resident reports a problem with a pin on the map → the community worker
registers it and dispatches it to the grid → the grid member sees it in the
queue, accepts it and handles it with a photo → a second community worker
verifies and closes it → the resident rates it 满意.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image

from tests.cases.factories import make_world
from tests.factories import DEFAULT_PASSWORD

SCREENSHOTS = Path(os.environ.get("GONGZHI_SCREENSHOT_DIR", "/tmp"))
VENDOR = Path(settings.BASE_DIR) / "gongzhi" / "web" / "static" / "vendor"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def flow(territory_live, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    world = make_world()
    point = world.grid.geometry.point_on_surface()
    photo = tmp_path / "after.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), "green").save(buf, format="JPEG")
    photo.write_bytes(buf.getvalue())
    # Everything the test body needs from the database is read here: once
    # Playwright's event loop runs in this thread, Django refuses ORM calls.
    return {
        "point": (point.x, point.y),
        "grid_code": world.grid.code,
        "grid_name": world.grid.short_name,
        "photo": str(photo),
    }


def sign_in(browser, live_server, username: str, viewport=DESKTOP):
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, page.content()[:2000]
    return page, errors


def click_map_at(page, map_id: str, lng: float, lat: float) -> None:
    x, y = page.evaluate(
        """([id, lat, lng]) => {
            const el = document.getElementById(id);
            const point = el.gongzhiMap.latLngToContainerPoint([lat, lng]);
            const box = el.getBoundingClientRect();
            return [box.left + point.x, box.top + point.y];
        }""",
        [map_id, lat, lng],
    )
    page.mouse.click(x, y)


def submit_action(page, action: str) -> None:
    form = page.locator(f"#form-{action}")
    if not form.is_visible():
        page.locator(f"details[data-action='{action}'] > summary").click()
    form.locator("button[type='submit']").click()
    page.wait_for_load_state()
    assert page.locator("#form-error").count() == 0, page.locator("#form-error").inner_text()


def test_report_dispatch_handle_verify_close_rate(flow, live_server, browser):
    assert (VENDOR / "leaflet" / "leaflet.js").exists(), (
        "front-end assets are not built: run `npm ci && npm run build` (or `make assets`)"
    )
    lng, lat = flow["point"]

    # 1. The resident reports on a phone, with a pin on the map.
    resident, resident_errors = sign_in(browser, live_server, "resident", viewport=PHONE)
    resident.goto(f"{live_server.url}/cases/report/")
    resident.wait_for_selector("#report-map[data-ready='true']")
    resident.locator("#report-map").scroll_into_view_if_needed()
    click_map_at(resident, "report-map", lng, lat)
    assert resident.locator("#id_lng").input_value() != ""
    resident.locator("#id_category").select_option("UC01")
    resident.get_by_label("标题").fill("小区门口路灯不亮")
    resident.get_by_label("问题描述").fill("姚公新村门口的路灯连续三晚不亮,老人夜里出行不便。")
    resident.screenshot(path=str(SCREENSHOTS / "gongzhi_case_report_mobile.png"), full_page=True)
    resident.get_by_role("button", name="提交").click()
    resident.wait_for_url("**/cases/GZ*/")
    number = resident.url.rstrip("/").rsplit("/", 1)[-1]
    assert "已上报" in resident.locator("#case-status").inner_text()
    assert "已提交,案件编号" in resident.content()

    # 2. The community registers it and dispatches it to the grid.
    worker, worker_errors = sign_in(browser, live_server, "cw")
    worker.goto(f"{live_server.url}/cases/work/")
    worker.locator(f"#queue tr[data-number='{number}'] a").click()
    worker.wait_for_url(f"**/cases/{number}/")
    submit_action(worker, "register")
    worker.locator("#f-dispatch-unit").select_option(f"division:{flow['grid_code']}")
    submit_action(worker, "dispatch")
    assert "已派遣" in worker.locator("#case-status").inner_text()
    assert flow["grid_name"] in worker.locator("#case-unit").inner_text()

    # 3. The grid member finds it in the queue, accepts, handles it with a photo.
    grid, grid_errors = sign_in(browser, live_server, "grid")
    grid.goto(f"{live_server.url}/cases/work/")
    row = grid.locator(f"#queue tr[data-number='{number}']")
    assert "小区门口路灯不亮" in row.inner_text()
    row.locator("a").click()
    grid.wait_for_url(f"**/cases/{number}/")
    grid.wait_for_selector("#case-map[data-ready='true']")
    submit_action(grid, "accept")
    grid.locator("#f-handle-result").fill("已更换路灯灯泡,夜间照明恢复。")
    grid.locator("#f-handle-photos").set_input_files(flow["photo"])
    submit_action(grid, "handle")
    assert "已处置" in grid.locator("#case-status").inner_text()
    assert grid.locator("#photos figure").count() == 1

    # 4. Another community worker verifies and closes.
    verifier, verifier_errors = sign_in(browser, live_server, "cw2")
    verifier.goto(f"{live_server.url}/cases/{number}/")
    verifier.wait_for_selector("#case-map[data-ready='true']")
    verifier.screenshot(path=str(SCREENSHOTS / "gongzhi_case_staff_detail.png"), full_page=True)
    submit_action(verifier, "verify")
    submit_action(verifier, "close")
    assert "已结案" in verifier.locator("#case-status").inner_text()

    # 5. The resident sees the public timeline and rates.
    resident.goto(f"{live_server.url}/cases/{number}/")
    assert "已结案" in resident.locator("#case-status").inner_text()
    timeline = resident.locator("#timeline").inner_text()
    assert "处置反馈" in timeline and "已更换路灯灯泡" in timeline
    resident.get_by_label("满意", exact=True).check()
    resident.get_by_label("评价意见(选填)").fill("修得很快,谢谢!")
    resident.get_by_role("button", name="提交评价").click()
    resident.wait_for_load_state()
    assert "已评价" in resident.locator("#case-status").inner_text()
    assert "修得很快" in resident.content()
    resident.screenshot(path=str(SCREENSHOTS / "gongzhi_case_resident_rated.png"), full_page=True)

    errors = resident_errors + worker_errors + grid_errors + verifier_errors
    assert errors == [], errors
