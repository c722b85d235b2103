"""The menu per role: every link a role is shown opens for that role, and the
item of the page being viewed is the only one marked current."""

from __future__ import annotations

import re

import pytest

from gongzhi.accounts.constants import Role
from gongzhi.cobuild.models import ResidentUnit, UnitContact
from gongzhi.intake.models import ImportBatch
from gongzhi.org.models import Department, Division
from tests.accounts.test_separation_of_duties import CODE_FOR
from tests.factories import make_user

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav class="mainnav".*?</nav>', re.S)
LINK = re.compile(r'<li><a href="([^"]+)"( class="active" aria-current="page")?>([^<]+)</a></li>')


def _user(role, username=None):
    extra = {}
    if role == Role.DEPARTMENT_STAFF:
        street = Division.objects.get(code=CODE_FOR[role])
        extra["department"] = Department.objects.create(
            division=street, name="综合执法部", kind="street"
        )
    user = make_user(CODE_FOR[role], role, username=username or f"n_{role}", **extra)
    if role == Role.COBUILD_LIAISON:
        # A liaison's account is bound to the unit they speak for.
        unit = ResidentUnit.objects.create(
            name="包河区税务局", kind="agency", division=user.division
        )
        UnitContact.objects.create(unit=unit, name="李联络", phone="13900001111", user=user)
    return user


def _menu(client, url) -> list[tuple[str, str, bool]]:
    """(label, href, current) of every menu entry on the page at ``url``."""
    response = client.get(url)
    assert response.status_code == 200, url
    nav = NAV.search(response.content.decode())
    return [(label, href, bool(active)) for href, active, label in LINK.findall(nav.group(0))]


def _home_menu(client) -> list[tuple[str, str, bool]]:
    return _menu(client, client.get("/", follow=True).wsgi_request.path)


@pytest.mark.parametrize("role", Role.values)
def test_every_intake_link_a_role_is_shown_opens(client, role):
    client.force_login(_user(role))
    links = [(label, href) for label, href, _ in _home_menu(client) if href.startswith("/intake/")]
    got = {label: client.get(href).status_code for label, href in links}
    assert got == dict.fromkeys(got, 200)


@pytest.mark.parametrize("role", Role.values)
def test_every_link_a_role_is_shown_opens(client, role):
    client.force_login(_user(role))
    got = {label: client.get(href).status_code for label, href, _ in _home_menu(client)}
    assert got == dict.fromkeys(got, 200)


def _intake_labels(client) -> set[str]:
    return {label for label, href, _ in _home_menu(client) if href.startswith("/intake/")}


def test_street_staff_are_not_shown_the_officers_import_and_mappings(client):
    client.force_login(_user(Role.STREET_STAFF))
    assert _intake_labels(client) == {"热点发现", "疑似重复", "人工研判", "状态回推"}


def test_officers_are_shown_duplicates_and_mapping_tables(client):
    client.force_login(_user(Role.DISTRICT_OFFICER))
    assert _intake_labels(client) == {
        "热点发现",
        "疑似重复",
        "人工研判",
        "渠道导入",
        "状态回推",
        "映射表",
    }


def test_a_department_officer_is_not_shown_the_hotspots_the_page_refuses(client):
    street = Division.objects.get(code="340111")
    department = Department.objects.create(division=street, name="区委组织部", kind="district")
    officer = make_user("340111", Role.DISTRICT_OFFICER, username="dept_off", department=department)
    client.force_login(officer)
    assert "热点发现" not in _intake_labels(client)
    assert client.get("/intake/hotspots/").status_code == 403


@pytest.mark.parametrize(
    ("url", "current"),
    [
        ("/intake/import/", "渠道导入"),
        ("/intake/mappings/", "映射表"),
        ("/intake/outbox/", "状态回推"),
        ("/intake/triage/", "人工研判"),
        ("/intake/duplicates/", "疑似重复"),
        ("/intake/hotspots/", "热点发现"),
        ("/intake/hotspots/hard-problems/", "热点发现"),
    ],
)
def test_only_the_item_of_the_page_is_current(client, url, current):
    client.force_login(_user(Role.DISTRICT_OFFICER))
    assert [label for label, _, active in _menu(client, url) if active] == [current]


def test_a_batch_page_marks_the_import_item_current(client):
    officer = _user(Role.DISTRICT_OFFICER)
    batch = ImportBatch.objects.create(
        channel="hotline_12345", file_name="a.csv", uploaded_by=officer
    )
    client.force_login(officer)
    got = [label for label, _, active in _menu(client, f"/intake/import/{batch.pk}/") if active]
    assert got == ["渠道导入"]
