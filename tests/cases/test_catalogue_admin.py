"""Officers maintain the case catalogue and the routing rules, on pages and
through the JSON API: city and province officers edit the (shared)
catalogue, district officers only read it; any officer writes routing rules,
but only for a territory prefix inside their own subtree. Bad input answers
with a Chinese message (a 4xx {code, message} on the API) and saves nothing;
everyone else gets 403/404. Also: /api/docs redirects to the OpenAPI page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from gongzhi.accounts.constants import Role
from gongzhi.cases.constants import UnitType
from gongzhi.cases.models import Category, ExternalOwner, RoutingRule
from gongzhi.cases.routing import route
from gongzhi.org.models import Division
from tests.factories import make_user

API = "/api/v1/cases/catalogue"
CATEGORIES = reverse("cases:admin_categories")
ROUTING = reverse("cases:admin_routing")


def api(client, method, url, data=None):
    return getattr(client, method)(url, data or {}, content_type="application/json")


def other_county(world) -> Division:
    return (
        Division.objects.filter(parent=world.county.parent, level="county")
        .exclude(pk=world.county.pk)
        .order_by("code")
        .first()
    )


@pytest.fixture
def province_officer(world):
    return make_user("34", Role.PROVINCE_OFFICER, username="province")


# --- the catalogue: pages -------------------------------------------------------


def test_city_officer_adds_a_child_on_the_page(client, world):
    client.force_login(world.city_officer)
    assert client.get(CATEGORIES).status_code == 200
    resp = client.post(
        CATEGORIES,
        {"code": "UE0199", "name": "共享单车乱停放", "parent": "UE01", "limit_normal_hours": 10},
    )
    assert resp.status_code == 302
    c = Category.objects.get(code="UE0199")
    assert (c.parent.code, c.name, c.source, c.limit_normal_hours) == (
        "UE01",
        "共享单车乱停放",
        "local",
        10,
    )
    parent = Category.objects.get(code="UE01")
    assert c.limit_urgent_hours == parent.limit_urgent_hours  # defaults to the parent's


def test_city_officer_renames_deactivates_and_sets_limits_on_the_page(client, world):
    client.force_login(world.city_officer)
    c = Category.objects.get(code="UC01")
    url = reverse("cases:admin_category", kwargs={"pk": c.pk})
    assert client.get(url).status_code == 200
    resp = client.post(
        url,
        {
            "name": "市政公用设施(新)",
            "limit_normal_hours": 21,
            "limit_urgent_hours": 5,
            "limit_critical_hours": 1,
            "default_unit_type": "community",
            "sort_order": 3,
            # is_active unchecked → deactivated
        },
    )
    assert resp.status_code == 302
    c.refresh_from_db()
    assert c.name == "市政公用设施(新)"
    assert (c.limit_normal_hours, c.limit_urgent_hours, c.limit_critical_hours) == (21, 5, 1)
    assert c.default_unit_type == "community" and not c.is_active


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"code": "ZZ01", "name": "新分类", "parent": "NOPE"}, "上级分类"),
        ({"code": "UC02", "name": "重复", "parent": "UC"}, "已存在"),
        (
            {"code": "ZZ02", "name": "新分类", "parent": "UE01", "limit_normal_hours": -3},
            "工作小时",
        ),
        ({"code": "ZZ 03", "name": "新分类", "parent": "UE01"}, "分类编码"),
        ({"code": "ZZ04", "name": "", "parent": "UE01"}, "分类名称"),
    ],
)
def test_bad_category_input_on_the_page_saves_nothing(client, world, data, message):
    client.force_login(world.city_officer)
    before = Category.objects.count()
    resp = client.post(CATEGORIES, data)
    assert resp.status_code == 400
    assert message in resp.content.decode()
    assert Category.objects.count() == before


def test_district_officer_reads_the_catalogue_but_cannot_edit(client, world):
    client.force_login(world.district_officer)
    page = client.get(CATEGORIES)
    assert page.status_code == 200 and 'id="read-only"' in page.content.decode()
    c = Category.objects.get(code="UC01")
    assert (
        client.post(reverse("cases:admin_category", kwargs={"pk": c.pk}), {"name": "x"}).status_code
        == 403
    )
    assert client.post(CATEGORIES, {"code": "ZZ9", "name": "x", "parent": "UC"}).status_code == 403
    c.refresh_from_db()
    assert c.name == "市政公用设施" and not Category.objects.filter(code="ZZ9").exists()


@pytest.mark.parametrize("who", ["resident", "grid_member", "community_worker", "street_staff"])
def test_non_officers_get_403_on_the_pages(client, world, who):
    client.force_login(getattr(world, who))
    c = Category.objects.get(code="UC01")
    rule = RoutingRule.objects.create(territory_prefix=world.street.code, unit_type="community")
    for url in (
        CATEGORIES,
        reverse("cases:admin_category", kwargs={"pk": c.pk}),
        ROUTING,
        reverse("cases:admin_routing_rule", kwargs={"pk": rule.pk}),
    ):
        assert client.get(url).status_code == 403, url
        assert (
            client.post(url, {"name": "x", "territory_prefix": world.street.code}).status_code
            == 403
        )


def test_anonymous_is_sent_to_sign_in(client, world):
    assert client.get(CATEGORIES).status_code == 302


# --- the catalogue: API ---------------------------------------------------------


def test_api_lists_creates_and_patches_categories(client, world, province_officer):
    client.force_login(province_officer)
    listing = client.get(f"{API}/categories", {"parent": "UE"})
    assert listing.status_code == 200
    assert {row["code"] for row in listing.json()} >= {"UE01", "UE04"}
    resp = api(
        client,
        "post",
        f"{API}/categories",
        {"code": "ue0401", "name": "燃气泄漏", "parent": "UE04", "limit_critical_hours": 1},
    )
    assert resp.status_code == 201, resp.json()
    body = resp.json()
    assert (
        body["code"] == "UE0401" and body["parent"] == "UE04" and body["limit_critical_hours"] == 1
    )
    pk = body["id"]
    resp = api(
        client,
        "patch",
        f"{API}/categories/{pk}",
        {"name": "燃气泄漏(室外)", "is_active": False, "limit_normal_hours": 4},
    )
    assert resp.status_code == 200
    c = Category.objects.get(pk=pk)
    assert (c.name, c.is_active, c.limit_normal_hours, c.limit_critical_hours) == (
        "燃气泄漏(室外)",
        False,
        4,
        1,
    )
    assert client.get(f"{API}/categories/{pk}").json()["name"] == "燃气泄漏(室外)"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ({"code": "ZZ1", "name": "x", "parent": "NOPE"}, "unknown_parent"),
        ({"code": "UC01", "name": "x", "parent": "UC"}, "duplicate_code"),
        ({"code": "ZZ2", "name": "x", "parent": "UC", "limit_normal_hours": -1}, "invalid_hours"),
        (
            {"code": "ZZ3", "name": "x", "parent": "UC", "default_unit_type": "martian"},
            "invalid_unit_type",
        ),
    ],
)
def test_api_bad_category_input(client, world, data, code):
    client.force_login(world.city_officer)
    before = Category.objects.count()
    resp = api(client, "post", f"{API}/categories", data)
    assert resp.status_code == 400
    assert resp.json()["code"] == code and resp.json()["message"]
    assert Category.objects.count() == before


def test_api_patch_with_negative_hours_saves_nothing(client, world):
    client.force_login(world.city_officer)
    c = Category.objects.get(code="UC01")
    resp = api(
        client, "patch", f"{API}/categories/{c.pk}", {"name": "改名", "limit_urgent_hours": -5}
    )
    assert resp.status_code == 400 and resp.json()["code"] == "invalid_hours"
    c.refresh_from_db()
    assert c.name == "市政公用设施" and c.limit_urgent_hours == 7


def test_api_catalogue_permissions(client, world):
    c = Category.objects.get(code="UC01")
    client.force_login(world.district_officer)
    assert client.get(f"{API}/categories").status_code == 200  # officers read
    assert api(client, "patch", f"{API}/categories/{c.pk}", {"name": "x"}).status_code == 403
    assert (
        api(
            client, "post", f"{API}/categories", {"code": "Z1", "name": "x", "parent": "UC"}
        ).status_code
        == 403
    )
    client.force_login(world.street_staff)
    assert client.get(f"{API}/categories").status_code == 403
    assert client.get(f"{API}/categories/{c.pk}").status_code == 403
    client.force_login(world.city_officer)
    assert client.get(f"{API}/categories/999999").status_code == 404
    c.refresh_from_db()
    assert c.name == "市政公用设施"


# --- routing rules --------------------------------------------------------------


def test_district_officer_writes_a_rule_for_a_street_and_routing_uses_it(client, world):
    client.force_login(world.district_officer)
    assert client.get(ROUTING).status_code == 200
    resp = client.post(
        ROUTING,
        {
            "category": "UC01",
            "territory_prefix": world.street.code,
            "unit_type": "department",
            "department_name": world.street_dept.name,
            "priority": 10,
            "is_active": "on",
        },
    )
    assert resp.status_code == 302, resp.content.decode()[:1500]
    rule = RoutingRule.objects.get()
    assert rule.territory_prefix == world.street.code and rule.category.code == "UC01"
    unit = route(category=Category.objects.get(code="UC01"), division_path=world.grid.code)
    assert unit.department == world.street_dept
    # and edits it on its page
    url = reverse("cases:admin_routing_rule", kwargs={"pk": rule.pk})
    assert client.get(url).status_code == 200
    resp = client.post(
        url,
        {
            "category": "",
            "territory_prefix": world.community.code,
            "unit_type": "community",
            "priority": 5,
        },
    )
    assert resp.status_code == 302
    rule.refresh_from_db()
    assert (rule.territory_prefix, rule.unit_type, rule.category, rule.is_active) == (
        world.community.code,
        "community",
        None,
        False,
    )


def test_district_officer_cannot_write_a_rule_for_another_district(client, world):
    other = other_county(world)
    client.force_login(world.district_officer)
    resp = client.post(
        ROUTING, {"territory_prefix": other.code, "unit_type": "street", "is_active": "on"}
    )
    assert resp.status_code == 403
    assert "本辖区" in resp.content.decode()
    resp = api(
        client,
        "post",
        f"{API}/routing-rules",
        {"territory_prefix": other.code, "unit_type": "street"},
    )
    assert resp.status_code == 403 and resp.json()["code"] == "prefix_out_of_scope"
    # nor move one of its own rules there
    rule = RoutingRule.objects.create(territory_prefix=world.street.code, unit_type="community")
    resp = api(client, "patch", f"{API}/routing-rules/{rule.pk}", {"territory_prefix": other.code})
    assert resp.status_code == 403
    rule.refresh_from_db()
    assert rule.territory_prefix == world.street.code
    assert RoutingRule.objects.count() == 1


def test_foreign_rules_are_invisible(client, world):
    other = other_county(world)
    foreign = RoutingRule.objects.create(territory_prefix=other.code, unit_type="street")
    client.force_login(world.district_officer)
    assert (
        client.get(reverse("cases:admin_routing_rule", kwargs={"pk": foreign.pk})).status_code
        == 404
    )
    assert client.get(f"{API}/routing-rules/{foreign.pk}").status_code == 404
    assert (
        api(client, "patch", f"{API}/routing-rules/{foreign.pk}", {"priority": 1}).status_code
        == 404
    )
    assert foreign.pk not in {r["id"] for r in client.get(f"{API}/routing-rules").json()}
    # the city officer above both districts sees it
    client.force_login(world.city_officer)
    assert foreign.pk in {r["id"] for r in client.get(f"{API}/routing-rules").json()}


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        ({"unit_type": "street", "category": "NOPE"}, 400, "unknown_category"),
        ({"unit_type": "department"}, 400, "invalid_department"),
        ({"unit_type": "owner"}, 400, "unknown_owner"),
        ({"unit_type": "owner", "owner": 999999}, 400, "unknown_owner"),
        ({"unit_type": "martian"}, 400, "invalid_unit_type"),
        ({"unit_type": "street", "territory_prefix": "340111999"}, 400, "invalid_prefix"),
        ({"unit_type": "street", "territory_prefix": ""}, 400, "invalid_prefix"),
        ({"unit_type": "street", "priority": -1}, 400, "invalid_number"),
    ],
)
def test_api_bad_rule_input(client, world, data, status, code):
    client.force_login(world.district_officer)
    body = {"territory_prefix": world.street.code, **data}
    resp = api(client, "post", f"{API}/routing-rules", body)
    assert resp.status_code == status, resp.json()
    assert resp.json()["code"] == code and resp.json()["message"]
    assert not RoutingRule.objects.exists()


def test_api_rule_with_an_owner_and_patch(client, world):
    owner = ExternalOwner.objects.create(name="合肥燃气集团", kind="utility", division=world.county)
    client.force_login(world.district_officer)
    resp = api(
        client,
        "post",
        f"{API}/routing-rules",
        {
            "territory_prefix": world.county.code,
            "unit_type": "owner",
            "owner": owner.pk,
            "category": "UE04",
        },
    )
    assert resp.status_code == 201, resp.json()
    pk = resp.json()["id"]
    ue04 = Category.objects.get(code="UE04")
    assert resp.json() == {
        "id": pk,
        "category": "UE04",
        "category_name": ue04.name,
        "territory_prefix": world.county.code,
        "unit_type": "owner",
        "department_name": "",
        "owner": owner.pk,
        "priority": 100,
        "is_active": True,
        "note": "",
    }
    resp = api(client, "patch", f"{API}/routing-rules/{pk}", {"priority": 7, "is_active": False})
    assert resp.status_code == 200
    rule = RoutingRule.objects.get(pk=pk)
    assert (rule.priority, rule.is_active, rule.owner_id) == (7, False, owner.pk)
    resp = api(client, "patch", f"{API}/routing-rules/{pk}", {"unit_type": "department"})
    assert resp.status_code == 400
    rule.refresh_from_db()
    assert rule.unit_type == UnitType.OWNER


def test_api_routing_rules_refused_to_non_officers(client, world):
    rule = RoutingRule.objects.create(territory_prefix=world.street.code, unit_type="community")
    client.force_login(world.street_staff)
    assert client.get(f"{API}/routing-rules").status_code == 403
    assert client.get(f"{API}/routing-rules/{rule.pk}").status_code == 403
    assert (
        api(
            client,
            "post",
            f"{API}/routing-rules",
            {"territory_prefix": world.street.code, "unit_type": "street"},
        ).status_code
        == 403
    )
    assert (
        api(client, "patch", f"{API}/routing-rules/{rule.pk}", {"priority": 1}).status_code == 403
    )
    assert RoutingRule.objects.count() == 1


def test_officers_see_the_nav_entry(client, world):
    client.force_login(world.district_officer)
    page = client.get(ROUTING).content.decode()
    assert "分类与派遣" in page
    client.force_login(world.street_staff)
    assert "分类与派遣" not in client.get(reverse("cases:queue")).content.decode()


# --- /api/docs ------------------------------------------------------------------


def test_api_docs_redirects_permanently_to_the_openapi_page(client, db):
    resp = client.get("/api/docs")
    assert resp.status_code == 301
    assert resp["Location"] == "/api/v1/docs"
