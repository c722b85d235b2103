"""View in full: permission, stated reason, jurisdiction, audit entry, no-store."""

from __future__ import annotations

import pytest

from gongzhi.accounts.constants import AuditAction, Role
from gongzhi.accounts.models import AuditEntry
from gongzhi.org.models import Division
from tests.factories import GridFactory, GridMemberFactory, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    return GridMemberFactory(
        grid=GridFactory(parent=Division.objects.get(code="340111002001")), phone="13855667788"
    )


def _url(member):
    return f"/accounts/reveal/org.GridMember/{member.pk}/phone/"


def test_worker_in_scope_sees_the_full_phone_with_a_reason_and_it_is_audited(client, member):
    client.force_login(make_user("340111002001", Role.COMMUNITY_WORKER, username="w"))
    response = client.post(_url(member), {"reason": "回访核实诉求办理情况"})
    assert response.status_code == 200
    assert response.content.decode() == "13855667788"
    assert response["Cache-Control"] == "no-store"
    entry = AuditEntry.objects.get(action=AuditAction.PERSONAL_DATA_VIEW)
    assert entry.reason == "回访核实诉求办理情况"
    assert "13855667788" not in str(entry.detail)


def test_without_a_reason_nothing_is_revealed(client, member):
    client.force_login(make_user("340111002001", Role.COMMUNITY_WORKER, username="w"))
    response = client.post(_url(member), {"reason": ""})
    assert response.status_code == 400
    assert "13855667788" not in response.content.decode()
    assert not AuditEntry.objects.filter(action=AuditAction.PERSONAL_DATA_VIEW).exists()


def test_role_without_permission_is_refused(client, member):
    client.force_login(make_user("340111002001", Role.GRID_MEMBER, username="g"))
    assert client.post(_url(member), {"reason": "想看看号码"}).status_code == 403


def test_other_jurisdiction_gets_404(client, member):
    client.force_login(make_user("340111003", Role.STREET_STAFF, username="other"))
    assert client.post(_url(member), {"reason": "核实身份信息"}).status_code == 404


def test_territory_page_shows_the_phone_masked(client, member):
    client.force_login(make_user("340111002001", Role.COMMUNITY_WORKER, username="w"))
    html = client.get(f"/territory/{member.grid.code}/").content.decode()
    assert "138****7788" in html and "13855667788" not in html
