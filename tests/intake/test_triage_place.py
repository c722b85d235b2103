"""The triage page's place: a bare grid or building code typed (or picked
from the grids of the item's street) files the case there; an unknown code
is a Chinese error and nothing is written."""

from __future__ import annotations

import pytest

from gongzhi.cases.models import Case
from gongzhi.intake.models import TriageItem
from gongzhi.org.constants import Level
from gongzhi.org.models import Division

from .test_triage_categories import building, item  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
SCOPE = "340111002"


def confirm(client, item, place):  # noqa: F811
    return client.post(
        f"/intake/triage/{item.pk}/",
        {"action": "confirm", "category": "T14", "urgency": "normal", "place_manual": place},
    )


def test_the_page_offers_the_streets_grids(client, item):  # noqa: F811
    html = client.get(f"/intake/triage/{item.pk}/").content.decode()
    grids = Division.objects.filter(level=Level.GRID, code__startswith=SCOPE)
    assert grids.count() > 1
    assert all(f'<option value="{g.code}">' in html for g in grids[:50])
    assert 'value="340176' not in html  # another district's grids are not offered


def test_a_bare_grid_code_files_the_case_in_that_grid(client, item):  # noqa: F811
    grid = Division.objects.filter(level=Level.GRID, code__startswith=SCOPE).order_by("code")[1]
    r = confirm(client, item, grid.code)
    assert r.status_code == 302, r.content.decode()[:300]
    case = Case.objects.get()
    assert case.grid_id == grid.pk and case.category.code == "T14"


def test_a_bare_building_code_files_the_case_at_that_building(client, item):  # noqa: F811
    b = building()
    assert confirm(client, item, b.code).status_code == 302
    assert Case.objects.get().grid_id == b.grid_id


def test_an_unknown_code_is_a_chinese_error_and_nothing_is_written(client, item):  # noqa: F811
    r = confirm(client, item, "340111002999999")
    assert r.status_code == 400
    assert "不是楼栋编码(19 位)或网格编码(15 位)" in r.content.decode()
    assert not Case.objects.exists()
    assert TriageItem.objects.get(pk=item.pk).state == TriageItem.State.PENDING
