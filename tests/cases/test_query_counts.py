"""Queries per request of the load scenario's endpoints (bench/load), pinned.

Each request of the scenario costs a fixed number of queries, whatever the
number of cases in the queue, list or timeline; the comments list them. A
new query here is CPU on every request under load (docs/security.md, Load):
if one is really needed, raise the pin with the reason.

Every request starts with the same three: the session, the user with its
division (accounts.backends.ScopedUserBackend), the user's roles."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongzhi.cases.constants import Action, Status, UnitType
from gongzhi.cases.models import CaseReporter, WhistleSummons

from .factories import case_in, unit_fields

URL = "/api/v1/cases/"
PER_REQUEST = 3  # session, user + division, roles


class Count(int):
    """A query count that shows the queries when an assertion fails."""

    sql: list[str]

    def __repr__(self) -> str:
        return f"{int(self)} queries:\n" + "\n".join(q[:160] for q in self.sql)


def queries(client, method, url, data=None) -> tuple[Count, object]:
    with CaptureQueriesContext(connection) as ctx:
        if method == "post":
            response = client.post(url, data or {}, content_type="application/json")
        else:
            response = client.get(url, data)
    assert response.status_code in (200, 201), response.content[:300]
    n = Count(len(ctx.captured_queries))
    n.sql = [q["sql"] for q in ctx.captured_queries]
    return n, response


def signed_in(client, user):
    client.force_login(user)
    # The first request stamps the session (SessionPolicyMiddleware writes
    # auth_at/seen_at once); the counts below are those of later requests.
    client.get(URL, {"page_size": 1})
    return client


def report(world, ref: str) -> dict:
    return {
        "title": "楼道灯不亮",
        "description": "三单元楼道灯连续几晚不亮。",
        "category": "UC01",
        "lng": world.grid.center_lng,
        "lat": world.grid.center_lat,
        "source_ref": ref,
    }


def test_report_costs_a_fixed_number_of_queries(client, world):
    signed_in(client, world.resident)
    # The day's first report creates the sequence row, and the process's
    # first one loads the geometry index: not what every report costs.
    queries(client, "post", URL, report(world, "load-0"))
    n, response = queries(client, "post", URL, report(world, "load-1"))
    assert response.status_code == 201
    # Before the write transaction: source_ref lookup (id only), category,
    # grid. In it: BEGIN, sequence UPDATE, sequence read, SAVEPOINT, INSERT
    # case, RELEASE, INSERT event, COMMIT. Then whether the reporter may see
    # it (EXISTS) and its timeline.
    assert n == PER_REQUEST + 13
    # Sent again: the stored case, found by its source_ref, nothing written:
    # its id, its row, the row read back in scope, its timeline.
    n, response = queries(client, "post", URL, report(world, "load-1"))
    assert response.status_code == 200
    assert n == PER_REQUEST + 4


def test_a_report_sent_again_by_someone_else_is_not_shown(client, world):
    signed_in(client, world.resident)
    queries(client, "post", URL, report(world, "load-2"))
    signed_in(client, world.resident2)
    response = client.post(URL, report(world, "load-2"), content_type="application/json")
    assert response.status_code == 404


@pytest.mark.parametrize("reporters", [0, 5])
def test_resident_detail_is_three_queries_more(client, world, reporters):
    case = case_in(Status.SUBMITTED, world)
    for i in range(reporters):
        CaseReporter.objects.create(case=case, name=f"居民{i}")
    signed_in(client, world.resident)
    n, response = queries(client, "get", f"{URL}{case.number}")
    assert response.json()["number"] == case.number
    assert n == PER_REQUEST + 2  # the case in scope, its public timeline


def test_follower_sees_the_case_without_a_join(client, world):
    case = case_in(Status.SUBMITTED, world)
    CaseReporter.objects.create(case=case, user=world.resident2, name="邻居")
    signed_in(client, world.resident2)
    n, response = queries(client, "get", f"{URL}{case.number}")
    assert response.json()["number"] == case.number
    assert n == PER_REQUEST + 2
    with CaptureQueriesContext(connection) as ctx:
        client.get(f"{URL}{case.number}")
    lookup = next(q["sql"] for q in ctx.captured_queries if '"cases_case"."number"' in q["sql"])
    assert "DISTINCT" not in lookup and "ORDER BY" not in lookup


@pytest.mark.parametrize("cases", [1, 25])
def test_queue_does_not_grow_with_the_cases(client, world, cases):
    for _ in range(cases):
        case_in(Status.SUBMITTED, world)
    signed_in(client, world.community_worker)
    n, response = queries(client, "get", f"{URL}queue", {"limit": 20})
    assert len(response.json()) == min(cases, 20)
    assert n == PER_REQUEST + 2  # the page's ids (ordered), their rows


@pytest.mark.parametrize("cases", [1, 25])
def test_list_does_not_grow_with_the_cases(client, world, cases):
    for _ in range(cases):
        case_in(Status.DISPATCHED, world)
    signed_in(client, world.community_worker)
    n, response = queries(client, "get", URL, {"page_size": 20})
    assert len(response.json()["items"]) == min(cases, 20)
    assert n == PER_REQUEST + 3  # ids, rows, capped count


def test_department_queue_and_detail_use_subqueries_not_joins(client, world):
    summoned = case_in(Status.DISPATCHED, world)
    WhistleSummons.objects.create(
        case=summoned,
        department=world.county_dept,
        summoned_at=summoned.dispatched_at,
        report_due=summoned.handle_due,
    )
    assigned = case_in(
        Status.DISPATCHED, world, **unit_fields(UnitType.DEPARTMENT, department=world.county_dept)
    )
    signed_in(client, world.county_dept_staff)
    n, response = queries(client, "get", f"{URL}queue")
    assert {c["number"] for c in response.json()} == {summoned.number, assigned.number}
    assert n == PER_REQUEST + 2
    n, response = queries(client, "get", f"{URL}{summoned.number}")
    assert response.json()["number"] == summoned.number
    # The case in scope, the working-day calendar (a dispatched case's exact
    # clock), whether the department is summoned (once for each of the two
    # summoned-party actions), the timeline.
    assert n == PER_REQUEST + 5


def test_worker_detail_and_action(client, world):
    case = case_in(Status.SUBMITTED, world)
    signed_in(client, world.community_worker)
    n, response = queries(client, "get", f"{URL}{case.number}")
    detail = response.json()
    assert Action.REGISTER in detail["allowed_actions"]
    assert n == PER_REQUEST + 2  # the case in scope, its timeline
    n, response = queries(
        client,
        "post",
        f"{URL}{case.number}/actions/{Action.REGISTER}",
        {"expected_version": detail["version"], "params": {}},
    )
    assert response.json()["status"] == Status.REGISTERED
    # The case in scope; BEGIN, the row locked, UPDATE, INSERT event, COMMIT;
    # the case read back in scope, its timeline.
    assert n == PER_REQUEST + 8
