import pytest

from gongzhi.accounts.constants import Role
from gongzhi.org.services.staffing import departments_ensure
from tests.factories import BuildingFactory, GridFactory, GridMemberFactory, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def street_client(client):
    client.force_login(make_user("340111002", Role.STREET_STAFF))
    return client


def test_division_detail_in_scope(street_client):
    body = street_client.get("/api/v1/org/divisions/340111002").json()
    assert (body["name"], body["level"], body["parent_code"]) == ("常青街道", "street", "340111")


def test_another_streets_node_is_not_found(street_client):
    response = street_client.get("/api/v1/org/divisions/340111003")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_parent_district_is_outside_a_street_users_scope(street_client):
    assert street_client.get("/api/v1/org/divisions/340111").status_code == 404


def test_anonymous_gets_401_with_a_code(client):
    response = client.get("/api/v1/org/divisions/34")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_children_carry_descendant_counts(street_client):
    grid = GridFactory()
    GridMemberFactory(grid=grid)
    rows = street_client.get("/api/v1/org/divisions/340111002/children").json()
    by_code = {row["division"]["code"]: row for row in rows}
    community = by_code[grid.parent.code]
    assert community["counts"]["grid"] >= 1
    assert community["grid_members"] >= 1


def test_grid_members_phone_is_masked(street_client):
    member = GridMemberFactory(phone="13912345678")
    body = street_client.get(f"/api/v1/org/grids/{member.grid.code}/members").json()
    assert {"name": "张伟", "phone_masked": "139****5678", "is_part_time": True} in body
    assert (
        "13912345678"
        not in street_client.get(f"/api/v1/org/grids/{member.grid.code}/members").content.decode()
    )


def test_grid_buildings(street_client):
    building = BuildingFactory()
    body = street_client.get(f"/api/v1/org/grids/{building.grid.code}/buildings").json()
    assert building.code in [b["code"] for b in body]


def test_buildings_of_a_non_grid_is_404_with_code(street_client):
    response = street_client.get("/api/v1/org/grids/340111002001/buildings")
    assert (response.status_code, response.json()["code"]) == (404, "not_a_grid")


def test_street_departments_are_the_ten_merged_ones(street_client):
    departments_ensure(scope_code="340111002")
    body = street_client.get("/api/v1/org/divisions/340111002/departments").json()
    assert len(body) == 10
    assert sum(len(d["merged_offices"]) for d in body) == 26


def test_staffing_compares_approved_and_staffed(street_client):
    from gongzhi.org.models import Division, PostQuota, StaffPost

    community = Division.objects.get(code="340111002001")
    PostQuota.objects.create(community=community, approved=8)
    StaffPost.objects.bulk_create(
        [StaffPost(community=community, title="worker", holder_name=f"员{n}") for n in range(6)]
        + [StaffPost(community=community, title="worker", holder_name="离岗", is_active=False)]
    )
    body = street_client.get("/api/v1/org/divisions/340111002001/staffing").json()
    assert (body["approved"], body["staffed"], body["rate"]) == (8, 6, 0.75)
    assert len(body["posts"]) == 6
    street = street_client.get("/api/v1/org/divisions/340111002/staffing").json()
    assert (street["approved"], street["staffed"], street["posts"]) == (8, 6, [])
