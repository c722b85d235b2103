"""The dashboard page: scope, content, chart data, period selector, query bound."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gongzhi.insights.registry import registry, today

pytestmark = pytest.mark.django_db


def url(code: str, **params) -> str:
    base = reverse("insights:dashboard", kwargs={"code": code})
    return base + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def chart_data(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="insights-data" type="application/json">')
    start = html.index(">", start) + 1
    end = html.index("</script>", start)
    return json.loads(html[start:end])


def test_login_required(client, territory):
    response = client.get(url("340104001"))
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]


def test_dashboard_renders_cards_charts_and_breadcrumb(officer_client, territory):
    response = officer_client.get(url("340104001"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<script src="/static/vendor/echarts/echarts.min.js"></script>' in html
    for ind in registry.all():
        assert str(ind.name) in html
        assert str(ind.seed) in html
        assert f'id="chart-{ind.code}"' in html
    # Headline values of the constructed street: 2 of 6 committees, 10 of 16 posts.
    assert "33.3%" in html
    assert "62.5%" in html
    # Breadcrumb from the user's own node (蜀山区) down to the street.
    assert 'class="breadcrumb"' in html
    assert reverse("insights:dashboard", kwargs={"code": "340104"}) in html
    assert "三里庵街道" in html

    data = chart_data(response)
    by_code = {ind["code"]: ind for ind in data["indicators"]}
    assert set(by_code) == {ind.code for ind in registry.all()}
    meishan = next(c for c in by_code["staffing_rate"]["children"] if c["code"] == "340104001001")
    assert (meishan["numerator"], meishan["denominator"]) == (5, 7)
    assert meishan["url"].startswith(reverse("insights:dashboard", kwargs={"code": "340104001001"}))
    grids = next(c for c in by_code["grid_count"]["children"] if c["code"] == "340104001001")
    assert grids["value"] == 3


def test_dashboard_query_count_is_bounded_and_independent_of_children(
    officer_client, territory, django_assert_max_num_queries
):
    officer_client.get(url("340104"))  # warm-up
    counts = {}
    # A street with 6 communities, a town with villages, a community with 3 grids.
    for code in ("340104001", "340104101", "340104001001"):
        with CaptureQueriesContext(connection) as ctx:
            assert officer_client.get(url(code)).status_code == 200
        counts[code] = len(ctx.captured_queries)
    assert len(set(counts.values())) == 1, counts
    # Constant in the number of children; at most two grouped queries per
    # registered indicator (numerator and denominator) plus the page's own.
    with django_assert_max_num_queries(10 + 2 * len(registry.all())):
        officer_client.get(url("340104"))


def test_out_of_scope_node_is_a_chinese_404(officer_client, territory):
    response = officer_client.get(url("340111002"))  # 包河区: another district
    assert response.status_code == 404
    assert "不在您的管辖范围内" in response.content.decode()
    assert officer_client.get(url("3401")).status_code == 404  # the city above the user
    assert officer_client.get(url("not-a-code")).status_code == 404


@pytest.mark.parametrize("year", ["abc", "1999", str(today().year + 1), "２０x"])
def test_bad_year_is_a_chinese_message_not_a_500(officer_client, territory, year):
    response = officer_client.get(url("340104001", year=year))
    assert response.status_code == 400
    html = response.content.decode()
    assert "年份" in html
    assert "以下显示本年度数据" in html


def test_year_selector_picks_the_period(officer_client, territory):
    last_year = today().year - 1
    response = officer_client.get(url("340104001", year=last_year))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<option value="{last_year}" selected>' in html
    # Everything in the constructed subtree was created this year.
    data = chart_data(response)
    grids = {ind["code"]: ind for ind in data["indicators"]}["grid_count"]
    assert all(c["value"] == 0 for c in grids["children"])
    assert f"?year={last_year}" in grids["children"][0]["url"]


def test_grid_without_children(officer_client, territory):
    response = officer_client.get(url(territory.grids[0].code))
    assert response.status_code == 200
    assert "没有下级区划" in response.content.decode()
