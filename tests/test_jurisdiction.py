"""No route reveals another jurisdiction's nodes.

Walks every URL pattern of the site (pages and the JSON API alike) that takes
a division code and requests it, as a community worker of 常青街道, with the
codes of another street's nodes; every answer must be 403 or 404.

TODO (issue 6, item 5): once the cases app's routes land, walk every id kind
(case numbers, party, cobuild and volunteering ids) the same way, not only
division codes.
"""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from gongzhi.accounts.constants import Role
from gongzhi.org.constants import Level
from gongzhi.org.models import Division
from tests.factories import GridFactory, make_user

pytestmark = pytest.mark.django_db

OWN_COMMUNITY = "340111002001"  # 常青街道
OTHER_STREET = "340111003"  # 芜湖路街道, same district


def _patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _code_routes() -> list[str]:
    routes = sorted({p for p in _patterns() if re.search(r"<(?:str:)?code>|\{code\}", p)})
    return routes


def _fill(route: str, code: str) -> str:
    path = re.sub(r"<(?:str:)?code>", code, route).lstrip("^").rstrip("$")
    return "/" + path.replace("\\", "")


@pytest.fixture
def foreign_codes():
    street = Division.objects.get(code=OTHER_STREET)
    community = Division.objects.filter(parent=street).order_by("code").first()
    grid = GridFactory(parent=community)
    district = street.parent
    assert community.level == Level.COMMUNITY
    return [street.code, community.code, grid.code, district.code, "34", "3402"]


def test_there_are_code_routes_to_walk():
    # Pages and API both: the territory browser, dashboards and /api/v1/.
    routes = _code_routes()
    assert any(r.startswith("api/") for r in routes)
    assert any(not r.startswith("api/") for r in routes)


def test_community_worker_gets_403_or_404_for_every_foreign_node(client, foreign_codes):
    client.force_login(make_user(OWN_COMMUNITY, Role.COMMUNITY_WORKER))
    leaks = []
    for route in _code_routes():
        for code in foreign_codes:
            url = _fill(route, code)
            response = client.get(url, {"scope": code})
            if response.status_code not in (403, 404):
                leaks.append(f"{url} → {response.status_code}")
    assert leaks == []


def test_own_node_is_readable_on_the_same_routes(client):
    """The walk above would pass vacuously if every route 404'd; check it does not."""
    client.force_login(make_user(OWN_COMMUNITY, Role.COMMUNITY_WORKER))
    ok = [
        route
        for route in _code_routes()
        if client.get(_fill(route, OWN_COMMUNITY), {"scope": OWN_COMMUNITY}).status_code == 200
    ]
    assert len(ok) >= 3
