"""Staff pages: the work queue per role, search and filters, the case page
with only the actions allowed now, stale versions, batch dispatch, the
whistle form, scope (404 outside it) and query-count bounds."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from gongzhi.cases.constants import Action, Status, UnitType
from gongzhi.cases.models import Case, CaseEvent, CasePhoto, WhistleSummons
from gongzhi.org.constants import Level
from gongzhi.org.models import Division

from .factories import case_in, unit_fields

QUEUE = reverse("cases:queue")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def detail(case: Case) -> str:
    return reverse("cases:detail", kwargs={"number": case.number})


def act(case: Case, action: str) -> str:
    return reverse("cases:act", kwargs={"number": case.number, "action": action})


def second_grid(world) -> Division:
    return (
        Division.objects.filter(parent=world.community, level=Level.GRID)
        .exclude(pk=world.grid.pk)
        .order_by("code")[0]
    )


def queue_numbers(client, query: str = "") -> set[str]:
    resp = client.get(QUEUE + query)
    assert resp.status_code == 200
    return {row.case.number for row in resp.context["rows"]}


def test_queue_contents_per_role(client, world):
    other = second_grid(world)
    in_my_grid = case_in(Status.SUBMITTED, world)
    in_other_grid = case_in(Status.SUBMITTED, world, grid=other, division_path=other.code)
    at_street_dept = case_in(Status.DISPATCHED, world)
    closed = case_in(Status.CLOSED, world)

    client.force_login(world.grid_member)
    grid_queue = queue_numbers(client)
    client.force_login(world.community_worker)
    community_queue = queue_numbers(client)
    client.force_login(world.street_dept_staff)
    dept_queue = queue_numbers(client)
    client.force_login(world.other_grid_member)
    foreign_queue = queue_numbers(client)
    client.force_login(world.district_officer)
    officer_queue = queue_numbers(client)

    assert in_my_grid.number in grid_queue and in_other_grid.number not in grid_queue
    assert {in_my_grid.number, in_other_grid.number} <= community_queue
    assert closed.number not in community_queue
    assert dept_queue == {at_street_dept.number}
    assert foreign_queue == set()
    assert officer_queue == {in_my_grid.number, in_other_grid.number, at_street_dept.number}


def test_search_and_filters(client, world):
    late = case_in(
        Status.IN_PROGRESS,
        world,
        title="井盖缺失",
        handle_due=timezone.now() - timezone.timedelta(hours=1),
    )
    near = case_in(Status.IN_PROGRESS, world, title="垃圾满溢", warn_at=timezone.now())
    fresh = case_in(Status.SUBMITTED, world, title="路灯不亮")
    client.force_login(world.community_worker)

    assert queue_numbers(client, "?due=overdue") == {late.number}
    assert queue_numbers(client, "?due=near_due") == {near.number}
    assert queue_numbers(client, "?scope=all&q=井盖") == {late.number}
    assert queue_numbers(client, "?scope=all&status=submitted") == {fresh.number}
    today = timezone.localdate().isoformat()
    everything = queue_numbers(client, f"?scope=all&created_from={today}&created_to={today}")
    assert everything == {late.number, near.number, fresh.number}
    assert queue_numbers(client, "?scope=all&created_to=2020-01-01") == set()
    page = client.get(QUEUE + "?due=overdue").content.decode()
    assert "超期" in page


def test_queue_is_paginated(client, world):
    for _n in range(23):
        case_in(Status.SUBMITTED, world)
    client.force_login(world.community_worker)
    first = client.get(QUEUE)
    second = client.get(QUEUE + "?page=2")
    assert len(first.context["rows"]) == 20
    assert len(second.context["rows"]) == 3
    assert "第 1 / 2 页" in first.content.decode()


def test_queue_query_count_does_not_grow_with_the_cases(
    client, world, django_assert_max_num_queries
):
    for _n in range(3):
        case_in(Status.REGISTERED, world)
    client.force_login(world.community_worker)
    client.get(QUEUE)  # warm the session and the role cache
    with django_assert_max_num_queries(14):
        client.get(QUEUE)
    for _n in range(30):
        case_in(Status.DISPATCHED, world)
    with django_assert_max_num_queries(14):
        resp = client.get(QUEUE)
    assert len(resp.context["rows"]) == 20


def test_only_allowed_actions_have_forms(client, world):
    submitted = case_in(Status.SUBMITTED, world)
    client.force_login(world.community_worker)
    page = client.get(detail(submitted)).content.decode()
    assert 'id="form-register"' in page and 'id="form-void"' in page
    assert 'id="form-dispatch"' not in page and 'id="form-handle"' not in page

    client.force_login(world.grid_member)
    page = client.get(detail(submitted)).content.decode()
    assert 'id="form-register"' not in page

    dispatched = case_in(Status.DISPATCHED, world)
    client.force_login(world.street_dept_staff)
    page = client.get(detail(dispatched)).content.decode()
    assert 'id="form-accept"' in page and 'id="form-reject"' in page
    assert 'id="form-register"' not in page and 'id="form-whistle"' not in page


def test_staff_page_shows_map_full_timeline_and_deadlines(client, world):
    case = case_in(Status.IN_PROGRESS, world, handle_due=timezone.now() - timezone.timedelta(1))
    CaseEvent.objects.create(
        case=case, action=Action.REJECT, to_status=Status.REJECTED, note="不属我部门职责"
    )
    client.force_login(world.street_dept_staff)
    page = client.get(detail(case)).content.decode()
    assert 'id="case-map-data"' in page and 'id="case-map"' in page
    assert "不属我部门职责" in page  # staff see internal events
    assert "已超期" in page


def test_register_then_dispatch_to_a_chosen_unit(client, world):
    case = case_in(Status.SUBMITTED, world)
    client.force_login(world.community_worker)
    assert client.post(act(case, "register"), {"version": case.version}).status_code == 302
    case.refresh_from_db()
    page = client.get(detail(case)).content.decode()
    assert f'value="division:{world.grid.code}"' in page
    assert f'value="department:{world.street_dept.pk}"' in page

    resp = client.post(
        act(case, "dispatch"), {"version": case.version, "unit": f"division:{world.grid.code}"}
    )

    assert resp.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.unit_type, case.unit_division) == (
        Status.DISPATCHED,
        UnitType.GRID,
        world.grid,
    )


def test_stale_version_gives_the_chinese_conflict_message_and_changes_nothing(client, world):
    case = case_in(Status.SUBMITTED, world, version=3)
    client.force_login(world.community_worker)

    resp = client.post(act(case, "register"), {"version": 2, "note": "立案"})

    assert resp.status_code == 409
    assert "案件已被他人更新,请刷新后重试" in resp.content.decode()
    case.refresh_from_db()
    assert (case.status, case.version) == (Status.SUBMITTED, 3)
    assert not case.events.exists()


def test_action_not_allowed_now_is_refused_with_the_reason(client, world):
    case = case_in(Status.SUBMITTED, world)
    client.force_login(world.community_worker)
    resp = client.post(act(case, "close"), {"version": case.version})
    assert resp.status_code == 409
    assert "不能执行“结案”" in resp.content.decode()
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED


def test_grid_member_handles_with_a_photo(client, world):
    case = case_in(Status.IN_PROGRESS, world, **unit_fields(UnitType.GRID, division=world.grid))
    client.force_login(world.grid_member)
    buf = io.BytesIO()
    Image.new("RGB", (20, 20), "green").save(buf, format="JPEG")
    buf.seek(0)
    buf.name = "after.jpg"

    resp = client.post(
        act(case, "handle"), {"version": case.version, "result": "已更换灯泡", "photos": [buf]}
    )

    assert resp.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.result, case.handled_by) == (
        Status.HANDLED,
        "已更换灯泡",
        world.grid_member,
    )
    assert CasePhoto.objects.get(case=case).kind == "after"


def test_batch_dispatch_reports_per_case(client, world):
    ready = [case_in(Status.REGISTERED, world) for _n in range(3)]
    not_ready = case_in(Status.SUBMITTED, world)
    client.force_login(world.community_worker)
    queue_page = client.get(QUEUE).content.decode()
    assert 'id="batch-form"' in queue_page

    resp = client.post(
        reverse("cases:batch_dispatch"),
        {
            "numbers": [c.number for c in ready] + [not_ready.number, "GZ00000000099999"],
            "unit": f"division:{world.grid.code}",
        },
        HTTP_HX_REQUEST="true",
    )

    body = resp.content.decode()
    assert resp.status_code == 200
    assert "成功 3 件,共 5 件" in body
    assert "不能执行“派遣”" in body
    assert "案件不存在或不在您的管辖范围内" in body
    for case in ready:
        case.refresh_from_db()
        assert (case.status, case.unit_division) == (Status.DISPATCHED, world.grid)
    not_ready.refresh_from_db()
    assert not_ready.status == Status.SUBMITTED


def test_whistle_summons_the_chosen_departments(client, world):
    case = case_in(Status.DISPATCHED, world)
    client.force_login(world.street_staff)
    page = client.get(detail(case)).content.decode()
    assert 'id="form-whistle"' in page
    assert f'name="departments" value="{world.county_dept.pk}"' in page

    resp = client.post(
        act(case, "whistle"),
        {
            "version": case.version,
            "departments": [world.street_dept2.pk, world.county_dept.pk],
            "note": "联合整治",
        },
    )

    assert resp.status_code == 302
    summoned = set(WhistleSummons.objects.filter(case=case).values_list("department", flat=True))
    assert summoned == {world.street_dept2.pk, world.county_dept.pk}


def test_case_outside_scope_is_404(client, world):
    case = case_in(Status.SUBMITTED, world)
    client.force_login(world.other_grid_member)
    assert client.get(detail(case)).status_code == 404
    assert client.post(act(case, "register"), {"version": case.version}).status_code == 404
    photo = reverse("cases:photo", kwargs={"number": case.number, "pk": 1})
    assert client.get(photo).status_code == 404


def test_staff_navigation_has_the_work_queue(client, world):
    client.force_login(world.grid_member)
    page = client.get(QUEUE).content.decode()
    assert f'href="{QUEUE}"' in page and "工作台" in page
