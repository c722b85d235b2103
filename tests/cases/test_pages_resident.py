"""Resident pages: report with a map pin (and what bad input does), the list
of one's own cases, the case page with only the public timeline and the
public clock, rating and reopening."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image

from gongzhi.cases.constants import Action, Status
from gongzhi.cases.models import Case, CaseEvent, CasePhoto

from .factories import case_in

REPORT = reverse("cases:report")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def png_file(name="photo.png") -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("RGB", (16, 12), "red").save(buf, format="PNG")
    buf.seek(0)
    buf.name = name
    return buf


def report_data(world, **extra) -> dict:
    data = {
        "title": "路灯不亮",
        "category": "UC01",
        "description": "小区门口路灯连续三晚不亮。",
        "address": "姚公新村3栋门口",
        "lng": world.grid.center_lng,
        "lat": world.grid.center_lat,
    }
    data.update(extra)
    return data


def test_resident_reports_with_a_pin_and_a_photo(client, world):
    client.force_login(world.resident)
    page = client.get(REPORT)
    assert page.status_code == 200
    assert 'id="report-map"' in page.content.decode()
    assert reverse("org:division_map", kwargs={"code": world.community.code}) in (
        page.content.decode()
    )

    resp = client.post(REPORT, {**report_data(world), "photos": [png_file()]})

    case = Case.objects.get()
    assert resp.status_code == 302
    assert resp["Location"] == reverse("cases:detail", kwargs={"number": case.number})
    assert (case.grid, case.reporter, case.channel) == (world.grid, world.resident, "web")
    assert case.address == "姚公新村3栋门口"
    assert CasePhoto.objects.filter(case=case, kind="before").count() == 1
    detail = client.get(resp["Location"]).content.decode()
    assert "已提交,案件编号" in detail
    assert case.number in detail


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"lng": 116.397, "lat": 39.909}, "不在本平台的服务区域(安徽省)内"),
        ({"lng": "", "lat": ""}, "请在地图上点选问题所在位置"),
        ({"description": "长" * 4001}, "问题描述不能超过 4000 个字符"),
        ({"category": "NOPE"}, "未知的事项分类"),
    ],
    ids=["outside-anhui", "no-pin", "description-too-long", "unknown-category"],
)
def test_bad_report_shows_a_chinese_error_and_saves_nothing(client, world, extra, message):
    client.force_login(world.resident)
    resp = client.post(REPORT, report_data(world, **extra))
    assert resp.status_code == 400
    assert message in resp.content.decode()
    assert Case.objects.count() == 0
    assert CaseEvent.objects.count() == 0


def test_non_image_upload_is_refused_and_nothing_saved(client, world):
    client.force_login(world.resident)
    fake = io.BytesIO(b"%PDF-1.4 not an image")
    fake.name = "photo.jpg"
    resp = client.post(REPORT, {**report_data(world), "photos": [png_file(), fake]})
    assert resp.status_code == 400
    assert "只接受 JPEG、PNG 或 WebP 格式的照片" in resp.content.decode()
    assert Case.objects.count() == 0
    assert CasePhoto.objects.count() == 0


def test_grid_member_cannot_report_outside_their_jurisdiction(client, world):
    client.force_login(world.other_grid_member)
    resp = client.post(REPORT, report_data(world))
    assert resp.status_code == 400
    assert "该位置不在您的管辖范围内" in resp.content.decode()
    assert Case.objects.count() == 0


def test_resident_sees_only_their_own_cases(client, world):
    mine = case_in(Status.SUBMITTED, world, title="我的路灯")
    theirs = case_in(Status.SUBMITTED, world, reporter=world.resident2, title="别人的井盖")
    client.force_login(world.resident)

    listing = client.get(reverse("cases:mine")).content.decode()

    assert "我的路灯" in listing and "别人的井盖" not in listing
    assert client.get(reverse("cases:detail", kwargs={"number": mine.number})).status_code == 200
    other = client.get(reverse("cases:detail", kwargs={"number": theirs.number}))
    assert other.status_code == 404


def test_case_page_shows_only_the_public_timeline_and_the_clock(client, world):
    case = case_in(Status.IN_PROGRESS, world)
    CaseEvent.objects.create(
        case=case,
        action=Action.DISPATCH,
        to_status=Status.DISPATCHED,
        note="内部派遣备注:请先联系物业",
        public=True,
    )
    CaseEvent.objects.create(
        case=case,
        action=Action.REJECT,
        to_status=Status.REJECTED,
        note="退单理由:不属我部门职责",
        public=False,
    )
    client.force_login(world.resident)

    page = client.get(reverse("cases:detail", kwargs={"number": case.number})).content.decode()

    assert "派遣" in page
    assert "退单" not in page
    assert "内部派遣备注" not in page  # notes of public events are staff internals too
    assert 'id="case-clock"' in page
    assert "按工作日计" in page


def test_resident_rates_a_closed_case(client, world):
    case = case_in(Status.CLOSED, world)
    client.force_login(world.resident)
    url = reverse("cases:act", kwargs={"number": case.number, "action": "rate"})

    resp = client.post(url, {"version": case.version, "rating": "basically", "comment": "还行"})

    assert resp.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.rating, case.rating_comment) == (Status.RATED, "basically", "还行")


def test_resident_reopens_within_the_window(client, world):
    case = case_in(Status.CLOSED, world)
    client.force_login(world.resident)
    page = client.get(reverse("cases:detail", kwargs={"number": case.number})).content.decode()
    assert 'id="form-reopen"' in page and 'id="form-rate"' in page

    url = reverse("cases:act", kwargs={"number": case.number, "action": "reopen"})
    resp = client.post(url, {"version": case.version, "reason": "路灯又不亮了"})

    assert resp.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.rework_count) == (Status.IN_PROGRESS, 1)


def test_reopen_form_is_gone_after_the_window(client, world, settings):
    settings.CASES_REOPEN_DAYS = 0
    case = case_in(Status.CLOSED, world)
    client.force_login(world.resident)
    page = client.get(reverse("cases:detail", kwargs={"number": case.number})).content.decode()
    assert 'id="form-reopen"' not in page
    assert 'id="form-rate"' in page


def test_resident_has_no_staff_actions_and_no_queue(client, world):
    case = case_in(Status.SUBMITTED, world)
    client.force_login(world.resident)
    url = reverse("cases:act", kwargs={"number": case.number, "action": "register"})
    assert client.post(url, {"version": case.version}).status_code == 403
    assert client.get(reverse("cases:queue")).status_code == 403
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED


def test_resident_navigation_has_my_cases(client, world):
    client.force_login(world.resident)
    page = client.get(reverse("cases:mine")).content.decode()
    assert "我的诉求" in page
    assert reverse("cases:report") in page


def test_too_many_reports_show_the_reason_on_the_form_and_keep_the_input(client, world, settings):
    settings.CASE_SUBMIT_RATE_LIMIT = 1
    client.force_login(world.resident)
    assert client.post(REPORT, report_data(world)).status_code == 302
    resp = client.post(REPORT, report_data(world, title="第二件"))
    assert resp.status_code == 429
    html = resp.content.decode()
    assert "每分钟最多上报 1 件" in html and 'value="第二件"' in html
    assert Case.objects.count() == 1
