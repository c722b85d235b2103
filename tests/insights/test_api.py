"""The insights API: the registry listing and scoped values."""

from __future__ import annotations

import pytest

from gongzhi.insights.registry import registry, today

pytestmark = pytest.mark.django_db

BASE = "/api/v1/insights"


def test_indicators_lists_the_registry(officer_client):
    response = officer_client.get(f"{BASE}/indicators")
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()}
    assert set(rows) == {ind.code for ind in registry.all()}
    coverage = rows["community_grid_coverage"]
    assert coverage["name"] == "社区网格化管理覆盖率"
    assert coverage["unit"] == "percent"
    assert coverage["numerator"] and coverage["denominator"] and coverage["definition"]
    assert "97%" in coverage["seed_figure"]
    assert coverage["seed_value"] == 97
    assert rows["grid_count"]["denominator"] == ""


def test_unauthenticated_is_401(client):
    response = client.get(f"{BASE}/indicators")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_values_for_a_scope_and_its_children(officer_client, territory):
    response = officer_client.get(
        f"{BASE}/indicators/staffing_rate/values",
        {"scope": "340104001", "year": str(today().year)},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["indicator"]["code"] == "staffing_rate"
    assert body["scope"] == {"code": "340104001", "name": "三里庵街道", "level": "street"}
    assert body["period"]["year"] == today().year
    assert body["value"] == {"numerator": 10, "denominator": 16, "value": 62.5}
    children = {c["division"]["code"]: c for c in body["children"]}
    assert len(children) == 6
    assert (children["340104001001"]["numerator"], children["340104001001"]["denominator"]) == (
        5,
        7,
    )
    assert children["340104001004"]["value"] is None


def test_values_default_to_the_users_node_and_current_year(officer_client, territory):
    response = officer_client.get(f"{BASE}/indicators/grid_count/values")
    assert response.status_code == 200
    body = response.json()
    assert body["scope"]["code"] == "340104"
    assert body["period"]["year"] == today().year
    assert body["value"] == {"numerator": 5, "denominator": None, "value": 5}
    children = {c["division"]["code"]: c["value"] for c in body["children"]}
    assert children["340104001"] == 4
    assert children["340104101"] == 1
    assert sum(children.values()) == 5


def test_another_jurisdictions_scope_is_404(officer_client, territory):
    for scope in ("340111002", "3401", "34", "xyz"):
        response = officer_client.get(f"{BASE}/indicators/grid_count/values", {"scope": scope})
        assert response.status_code == 404, scope
        assert response.json()["code"] == "not_found"
        assert "管辖范围" in response.json()["message"]


def test_unknown_indicator_is_404_with_code(officer_client, territory):
    response = officer_client.get(f"{BASE}/indicators/nope/values", {"scope": "340104"})
    assert response.status_code == 404
    assert response.json()["code"] == "indicator_not_found"


def test_bad_year_is_400_in_chinese(officer_client, territory):
    response = officer_client.get(f"{BASE}/indicators/grid_count/values", {"year": "20xx"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_year"
    assert "年份" in response.json()["message"]


def test_openapi_documents_the_schemas(officer_client):
    schema = officer_client.get("/api/v1/openapi.json").json()
    assert "/api/v1/insights/indicators" in schema["paths"]
    assert "/api/v1/insights/indicators/{code}/values" in schema["paths"]
    components = schema["components"]["schemas"]
    assert {"IndicatorOut", "IndicatorValuesOut", "ChildValueOut"} <= set(components)
