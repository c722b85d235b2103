"""Batch dispatch offers the grids of the officer's own subtree (grid workers
handle many small cases) and never another jurisdiction's: a posted foreign
grid is refused with a Chinese message and nothing is dispatched."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.cases.constants import Status
from gongzhi.cases.models import Case, CaseEvent
from gongzhi.org.constants import Level
from gongzhi.org.models import Division

from .factories import case_in

QUEUE = reverse("cases:queue")
BATCH = reverse("cases:batch_dispatch")


def grids_of(node: Division) -> set[str]:
    codes = Division.objects.filter(code__startswith=node.code, level=Level.GRID)
    return set(codes.values_list("code", flat=True))


def neighbour_community(world) -> Division:
    return (
        Division.objects.filter(parent=world.street, level=Level.COMMUNITY)
        .exclude(pk=world.community.pk)
        .filter(children__level=Level.GRID)
        .order_by("code")
        .first()
    )


def offered(client, user) -> dict[str, str]:
    client.force_login(user)
    resp = client.get(QUEUE)
    assert resp.status_code == 200
    return {c.value: c.label for c in resp.context["unit_choices"]}


@pytest.fixture
def ready(world) -> list[Case]:
    """Registered cases in the community's second grid, ready to dispatch."""
    grid = sorted(grids_of(world.community))[1]
    division = Division.objects.get(code=grid)
    return [case_in(Status.REGISTERED, world, grid=division, division_path=grid) for _n in range(2)]


def test_community_officer_is_offered_own_grids_and_no_neighbours(client, world, ready):
    own = grids_of(world.community)
    neighbours = grids_of(neighbour_community(world))
    assert len(own) > 1
    assert neighbours

    values = set(offered(client, world.community_worker))

    assert {f"division:{code}" for code in own} <= values
    assert not {f"division:{code}" for code in neighbours} & values
    assert f"division:{world.community.code}" in values


def test_street_officer_sees_every_grid_of_the_street_labelled_by_community(client, world, ready):
    choices = offered(client, world.street_staff)
    grid = Division.objects.get(code=sorted(grids_of(world.community))[0])

    grid_values = {v for v in choices if v.startswith("division:") and len(v) == 9 + 15}
    assert grid_values == {f"division:{code}" for code in grids_of(world.street)}
    assert choices[f"division:{grid.code}"] == f"{world.community.name}{grid.name}"


def batch_as_community(client, world, cases: list[Case], grid_code: str):
    client.force_login(world.community_worker)
    return client.post(
        BATCH,
        {"numbers": [c.number for c in cases], "unit": f"division:{grid_code}"},
        HTTP_HX_REQUEST="true",
    )


def states(cases: list[Case]) -> set[tuple]:
    rows = Case.objects.filter(pk__in=[c.pk for c in cases])
    return set(rows.values_list("status", "unit_division"))


def test_batch_to_an_own_grid_dispatches_every_case(client, world, ready):
    grid = ready[0].grid

    resp = batch_as_community(client, world, ready, grid.code)

    assert resp.status_code == 200
    assert "成功 2 件,共 2 件" in resp.content.decode()
    assert states(ready) == {(Status.DISPATCHED, grid.pk)}


def test_batch_to_a_foreign_grid_is_refused_and_changes_nothing(client, world, ready):
    foreign = sorted(grids_of(neighbour_community(world)))[0]
    before = CaseEvent.objects.count()

    resp = batch_as_community(client, world, ready, foreign)

    assert resp.status_code == 400
    body = resp.content.decode()
    assert "责任单位不存在或不在您的管辖范围内" in body
    assert Division.objects.get(code=foreign).name not in body
    assert states(ready) == {(Status.REGISTERED, None)}
    assert CaseEvent.objects.count() == before
