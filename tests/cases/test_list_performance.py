"""Case lists at volume: a bounded number of queries whatever the number of
cases, a count capped at 1,000 ("1000+"), the keyset cursor of the API, and
page ids read from the covering list index (docs/decisions/0051)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.cases import selectors
from gongzhi.cases.constants import Status
from gongzhi.cases.models import Case

from .factories import case_in

URL = "/api/v1/cases/"
QUEUE = "/cases/work/"
CAP = selectors.COUNT_CAP


def clone(case: Case, n: int, start: int = 0) -> None:
    """``n`` copies of ``case`` in one bulk insert (a factory per row would
    take minutes for a thousand)."""
    rows = []
    for i in range(n):
        c = Case.objects.get(pk=case.pk)
        c.pk = None
        c.number = f"PERF{start + i:08d}"
        rows.append(c)
    Case.objects.bulk_create(rows)


@pytest.fixture
def many(world):
    """CAP + 5 cases in the community worker's community."""
    first = case_in(Status.SUBMITTED, world)
    clone(first, CAP + 4)
    return first


def test_capped_count(world, many):
    qs = Case.objects.filter(selectors.path_q(many.division_path))
    assert selectors.capped_count(qs) == CAP + 1
    assert selectors.capped_count(qs, cap=10) == 11
    assert selectors.capped_count(qs.filter(number="nope")) == 0


def test_api_list_total_is_capped_and_queries_bounded(client, world, many):
    client.force_login(world.community_worker)
    client.get(URL, {"page_size": 5})  # warm the session
    with CaptureQueriesContext(connection) as ctx:
        body = client.get(URL, {"page_size": 20}).json()
    assert (body["total"], body["total_capped"]) == (CAP, True)
    assert len(body["items"]) == 20 and body["next_before"] is not None
    # Same bound as the small list in test_api (session, user, roles, count, page).
    assert len(ctx.captured_queries) <= 6
    # No full COUNT(*) over the cases: the count stops at CAP + 1.
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert counts and all(f"LIMIT {CAP + 1}" in sql for sql in counts)


def test_api_list_exact_total_below_the_cap(client, world):
    first = case_in(Status.SUBMITTED, world)
    clone(first, CAP - 1)
    client.force_login(world.community_worker)
    body = client.get(URL, {"page_size": 1}).json()
    assert (body["total"], body["total_capped"]) == (CAP, False)


def test_api_cursor_walks_every_case_once_in_order(client, world):
    first = case_in(Status.SUBMITTED, world)
    clone(first, 44)  # equal created_at in bulk: the id breaks the ties
    client.force_login(world.community_worker)
    expected = list(
        Case.objects.filter(selectors.path_q(world.community.code))
        .order_by("-created_at", "-id")
        .values_list("number", flat=True)
    )
    seen, before, pages = [], None, 0
    while True:
        params = {"page_size": 10} | ({"before": before} if before else {})
        body = client.get(URL, params).json()
        seen += [c["number"] for c in body["items"]]
        pages += 1
        before = body["next_before"]
        if before is None:
            break
    assert seen == expected and pages == 5
    # Page numbers still give the same slices.
    page3 = client.get(URL, {"page_size": 10, "page": 3}).json()
    assert [c["number"] for c in page3["items"]] == expected[20:30]


def test_api_cursor_outside_the_scope_is_not_found(client, world):
    case = case_in(Status.SUBMITTED, world)
    client.force_login(world.other_grid_member)
    response = client.get(URL, {"before": case.pk})
    assert response.status_code == 404
    client.force_login(world.community_worker)
    assert client.get(URL, {"before": case.pk, "page": 2}).status_code == 400


def test_api_filters_still_apply_with_the_index_path(client, world):
    case_in(Status.SUBMITTED, world)
    dispatched = case_in(Status.DISPATCHED, world)
    client.force_login(world.community_worker)
    body = client.get(URL, {"status": "dispatched"}).json()
    assert [c["number"] for c in body["items"]] == [dispatched.number]
    prefix = dispatched.category.code[:2]
    body = client.get(URL, {"category": prefix, "status": "dispatched"}).json()
    assert body["total"] == 1 and not body["total_capped"]


def test_department_staff_list_is_distinct(client, world):
    dispatched = case_in(Status.DISPATCHED, world)
    client.force_login(world.street_dept_staff)
    body = client.get(URL).json()
    numbers = [c["number"] for c in body["items"]]
    assert dispatched.number in numbers and len(numbers) == len(set(numbers))
    assert body["total"] == len(numbers)


def test_staff_page_shows_1000_plus_and_pages_past_the_cap(client, world, many):
    client.force_login(world.community_worker)
    client.get(QUEUE)  # warm the session and the role cache
    with CaptureQueriesContext(connection) as ctx:
        first = client.get(QUEUE, {"scope": "all"})
    html = first.content.decode()
    assert f"共 {CAP}+ 条" in html and "第 1 页" in html
    assert len(first.context["rows"]) == 20
    assert len(ctx.captured_queries) <= 14
    # Pages near and past the capped count are served: page 50 (cases
    # 981–1000) has a next page, page 51 holds the last 5 cases.
    deep = client.get(QUEUE, {"scope": "all", "page": 50})
    assert len(deep.context["rows"]) == 20 and deep.context["page"].has_next()
    last = client.get(QUEUE, {"scope": "all", "page": 51})
    assert len(last.context["rows"]) == 5
    assert not last.context["page"].has_next()


def test_staff_page_below_the_cap_keeps_page_totals(client, world):
    for _n in range(23):
        case_in(Status.SUBMITTED, world)
    client.force_login(world.community_worker)
    html = client.get(QUEUE, {"scope": "all"}).content.decode()
    assert "第 1 / 2 页" in html and "共 23 条" in html


def test_api_list_queries_do_not_grow_with_running_clocks(client, world):
    """Cases with a running clock used to cost a calendar query each."""
    first = case_in(Status.DISPATCHED, world)
    client.force_login(world.street_dept_staff)
    client.get(URL)  # warm the session
    with CaptureQueriesContext(connection) as one:
        client.get(URL)
    clone(first, 30)
    with CaptureQueriesContext(connection) as many:
        body = client.get(URL, {"page_size": 20}).json()
    assert len(body["items"]) == 20
    assert len(many.captured_queries) == len(one.captured_queries)
