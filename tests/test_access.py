"""core.access: who passes each staff check, and every role × every staff page
of cases and intake (the pages use the core checks, each with its own message)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser

from gongzhi.accounts.constants import Role
from gongzhi.core import access
from gongzhi.core.errors import NotFound, PermissionDenied
from gongzhi.org.models import Department, Division
from tests.accounts.test_separation_of_duties import CODE_FOR
from tests.factories import make_user


def person(*, staff=True, officer=False, scope="340111002", department_id=None):
    return SimpleNamespace(
        is_staff_member=staff, is_officer=officer, scope_code=scope, department_id=department_id
    )


CHECKS = {
    "staff": access.require_staff,
    "officer": access.require_officer,
    "territorial": access.require_territorial_staff,
}
# Which kind of user passes which check.
PEOPLE = {
    "street staff": (person(), {"staff", "territorial"}),
    "department staff": (person(department_id=7), {"staff"}),
    "officer": (person(officer=True, scope="340111"), {"staff", "officer", "territorial"}),
    "officer in a department": (person(officer=True, department_id=7), {"staff", "officer"}),
    "staff without a node": (person(scope=""), set()),
    "officer without a node": (person(officer=True, scope=""), set()),
    "not staff": (person(staff=False), set()),
    "anonymous": (AnonymousUser(), set()),
}


def outcome(check, user) -> str:
    try:
        check(user)
    except PermissionDenied:
        return "denied"
    return "passes"


def test_who_passes_which_check():
    got = {
        (who, name): outcome(check, u)
        for who, (u, _) in PEOPLE.items()
        for name, check in CHECKS.items()
    }
    expected = {
        (who, name): "passes" if name in passing else "denied"
        for who, (_, passing) in PEOPLE.items()
        for name in CHECKS
    }
    assert got == expected


@pytest.mark.parametrize("name", list(CHECKS))
def test_each_check_says_the_callers_message(name):
    with pytest.raises(PermissionDenied) as denied:
        CHECKS[name](person(staff=False), "本页面不对您开放。")
    assert denied.value.message == "本页面不对您开放。"


def test_default_messages_are_chinese_and_distinct():
    messages = set()
    for check in CHECKS.values():
        with pytest.raises(PermissionDenied) as denied:
            check(person(staff=False))
        messages.add(denied.value.message)
    assert len(messages) == len(CHECKS)
    assert all("工作人员" in m or "组织部门" in m for m in messages)


def test_a_non_officer_is_told_the_level_not_the_staff_message():
    with pytest.raises(PermissionDenied) as denied:
        access.require_officer(person())
    assert "区(县)及以上" in denied.value.message


def test_staff_over_reports_another_subtree_as_not_found():
    user = person(scope="340111002")
    access.require_staff_over(user, "340111002001")
    with pytest.raises(NotFound):
        access.require_staff_over(user, "340111003001")


# --- every role × every staff page of cases and intake ----------------------

STAFF_PAGE = "该页面仅供工作人员使用。"
OFFICER_ONLY = "该操作仅限区(县)及以上组织部门工作人员。"
QUEUE = "工作台仅供工作人员使用。"
DEDUPE = "疑似重复仅供工作人员处理。"
HOTSPOTS = "热点分析仅供辖区工作人员使用。"

# (method, url) → (which users pass, the message everyone else reads).
PAGES = {
    ("get", "/cases/work/"): ("staff", QUEUE),
    ("post", "/cases/work/dispatch/"): ("staff", QUEUE),
    ("get", "/intake/import/"): ("officer", STAFF_PAGE),
    ("get", "/intake/import/999999/"): ("staff", STAFF_PAGE),
    ("get", "/intake/mappings/"): ("staff", STAFF_PAGE),
    ("post", "/intake/mappings/"): ("officer", STAFF_PAGE),
    ("get", "/intake/outbox/"): ("staff", STAFF_PAGE),
    ("post", "/intake/outbox/999999/retry/"): ("staff", STAFF_PAGE),
    ("get", "/intake/triage/"): ("staff", STAFF_PAGE),
    ("get", "/intake/triage/999999/"): ("staff", STAFF_PAGE),
    ("get", "/intake/duplicates/"): ("staff", DEDUPE),
    ("post", "/intake/duplicates/999999/decide/"): ("staff", DEDUPE),
    ("get", "/intake/hotspots/"): ("territorial", HOTSPOTS),
    ("get", "/intake/hotspots/hard-problems/"): ("territorial", HOTSPOTS),
    ("post", "/intake/hotspots/open-case/"): ("territorial", HOTSPOTS),
}
# Staff that is not an officer reads the level message on the officer-only pages.
OFFICER_PAGE_MESSAGE_FOR_STAFF = {
    ("get", "/intake/import/"): OFFICER_ONLY,
    ("post", "/intake/mappings/"): OFFICER_ONLY,
}
STAFF = {
    Role.GRID_MEMBER,
    Role.COMMUNITY_WORKER,
    Role.STREET_STAFF,
    Role.DEPARTMENT_STAFF,
    Role.DISTRICT_OFFICER,
    Role.CITY_OFFICER,
    Role.PROVINCE_OFFICER,
}
PASSING = {
    "staff": STAFF,
    "officer": {Role.DISTRICT_OFFICER, Role.CITY_OFFICER, Role.PROVINCE_OFFICER},
    # A department's staff work for the department, not for the whole street.
    "territorial": STAFF - {Role.DEPARTMENT_STAFF},
}
SEPARATED = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}


def _user(role):
    extra = {}
    if role == Role.DEPARTMENT_STAFF:
        street = Division.objects.get(code=CODE_FOR[role])
        extra["department"] = Department.objects.create(
            division=street, name="综合执法部", kind="street"
        )
    return make_user(CODE_FOR[role], role, username=f"a_{role}", **extra)


def _expected_denial(role, page):
    """The message a denied role reads; the separated admins are stopped before
    any business page (web.middleware) with a message of their own."""
    who, message = PAGES[page]
    if role in PASSING[who] or role in SEPARATED:
        return None
    if role in STAFF:
        return OFFICER_PAGE_MESSAGE_FOR_STAFF.get(page, message)
    return message


def _denial(response) -> str | None:
    if response.status_code != 403:
        return None
    html = response.content.decode()
    return next((m for m in {STAFF_PAGE, OFFICER_ONLY, QUEUE, DEDUPE, HOTSPOTS} if m in html), "")


@pytest.mark.django_db
def test_every_role_on_every_staff_page(client):
    assert set(CODE_FOR) == set(Role.values)
    got, expected = {}, {}
    for role in Role.values:
        client.force_login(_user(role))
        for page in PAGES:
            method, url = page
            response = getattr(client, method)(url)
            got[role, page] = (response.status_code == 403, _denial(response))
            message = _expected_denial(role, page)
            denied = message is not None or role in SEPARATED
            expected[role, page] = (denied, "" if role in SEPARATED else message)
    assert got == expected


@pytest.mark.django_db
def test_anonymous_is_sent_to_login_from_every_staff_page(client):
    got = {page: getattr(client, page[0])(page[1]).get("Location", "") for page in PAGES}
    assert {page: loc.startswith("/accounts/login/") for page, loc in got.items()} == dict.fromkeys(
        PAGES, True
    )
