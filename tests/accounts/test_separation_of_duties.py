"""三员分立: every role × every admin screen; only the owner gets in."""

from __future__ import annotations

import pytest

from gongzhi.accounts.constants import AuditAction, Role
from gongzhi.accounts.models import AuditEntry
from gongzhi.accounts.security import current_lockouts, login_failure_register
from tests.factories import make_user

pytestmark = pytest.mark.django_db

SCREENS = {
    "/accounts/admin/users/": Role.SYSTEM_ADMIN,
    "/accounts/admin/security/": Role.SECURITY_ADMIN,
    "/accounts/admin/audit/": Role.AUDIT_ADMIN,
}
CODE_FOR = {
    Role.RESIDENT: "340111002001",
    Role.GRID_MEMBER: "340111002001",
    Role.COMMUNITY_WORKER: "340111002001",
    Role.STREET_STAFF: "340111002",
    Role.DEPARTMENT_STAFF: "340111002",
    Role.DISTRICT_OFFICER: "340111",
    Role.CITY_OFFICER: "3401",
    Role.PROVINCE_OFFICER: "34",
    Role.COBUILD_LIAISON: "340111002001",
    Role.PARTY_MEMBER: "340111002001",
    Role.SYSTEM_ADMIN: "34",
    Role.SECURITY_ADMIN: "34",
    Role.AUDIT_ADMIN: "34",
}


def test_the_whole_role_by_screen_matrix(client):
    assert set(CODE_FOR) == set(Role.values)
    got, expected = {}, {}
    for role in Role.values:
        client.force_login(make_user(CODE_FOR[role], role, username=f"m_{role}"))
        for url, owner in SCREENS.items():
            got[role, url] = client.get(url).status_code
            expected[role, url] = 200 if role == owner else 403
    assert got == expected


def test_denials_are_audited(client):
    client.force_login(make_user("34", Role.SYSTEM_ADMIN, username="sys"))
    client.get("/accounts/admin/audit/")
    entry = AuditEntry.objects.filter(action=AuditAction.PERMISSION_DENIED).get()
    assert (entry.actor_username, entry.path) == ("sys", "/accounts/admin/audit/")


def test_anonymous_is_sent_to_login(client):
    for url in SCREENS:
        assert client.get(url)["Location"].startswith("/accounts/login/")


def test_admin_navigation_shows_only_the_own_screen(client):
    client.force_login(make_user("34", Role.SECURITY_ADMIN, username="sec"))
    html = client.get("/accounts/admin/security/").content.decode()
    assert 'href="/accounts/admin/security/"' in html
    assert 'href="/accounts/admin/audit/"' not in html
    assert 'href="/accounts/admin/users/"' not in html


def test_system_admin_grants_within_scope_and_separation_holds(client):
    admin = make_user("340111", Role.SYSTEM_ADMIN, username="sys_baohe")
    target = make_user("340111002", Role.STREET_STAFF, username="t1")
    outside = make_user("340104", Role.DISTRICT_OFFICER, username="t2")
    client.force_login(admin)
    url = f"/accounts/admin/users/{target.pk}/role/"
    assert client.post(url, {"role": Role.PARTY_MEMBER, "op": "grant"}).status_code == 302
    assert target.roles.filter(role=Role.PARTY_MEMBER).exists()
    assert (
        client.post(
            f"/accounts/admin/users/{outside.pk}/role/", {"role": Role.PARTY_MEMBER}
        ).status_code
        == 404
    )
    client.post(url, {"role": Role.SECURITY_ADMIN, "op": "grant"})
    response = client.post(url, {"role": Role.AUDIT_ADMIN, "op": "grant"})
    assert response.status_code == 400
    assert "三员分立" in response.content.decode()


def test_security_admin_sees_and_lifts_a_lockout(client):
    for _ in range(5):
        login_failure_register("someone")
    client.force_login(make_user("34", Role.SECURITY_ADMIN, username="sec"))
    assert "someone" in client.get("/accounts/admin/security/").content.decode()
    client.post("/accounts/admin/security/unlock/", {"username": "someone"})
    assert not current_lockouts().exists()
    assert AuditEntry.objects.filter(action=AuditAction.ACCOUNT_UNLOCK).exists()


def test_audit_admin_reads_the_log_and_checks_the_chain(client):
    client.force_login(make_user("34", Role.AUDIT_ADMIN, username="aud"))
    html = client.get("/accounts/admin/audit/", {"verify": "1"}).content.decode()
    assert "哈希链完好" in html and "创建账号" in html


@pytest.mark.parametrize("role", [Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN])
def test_separated_admins_reach_no_business_page(client, role):
    client.force_login(make_user("34", role, username=f"x_{role}"))
    for url in ("/territory/34/", "/insights/34/", "/api/v1/org/divisions/34"):
        assert client.get(url).status_code == 403, url
    assert (
        client.get("/")["Location"]
        == {
            Role.SYSTEM_ADMIN: "/accounts/admin/users/",
            Role.SECURITY_ADMIN: "/accounts/admin/security/",
            Role.AUDIT_ADMIN: "/accounts/admin/audit/",
        }[role]
    )
