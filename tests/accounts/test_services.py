import pytest

from gongzhi.accounts.constants import Role
from gongzhi.accounts.models import UserRole
from gongzhi.accounts.services import user_create, user_grant_role
from gongzhi.core.errors import ValidationFailed
from gongzhi.org.models import Division
from tests.factories import DEFAULT_PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_user_is_scoped_to_its_node():
    user = make_user("340111002", Role.STREET_STAFF)
    assert user.scope_code == "340111002"
    assert user.has_role(Role.STREET_STAFF)
    assert not user.is_officer


def test_no_account_holds_two_separated_admin_roles():
    with pytest.raises(ValidationFailed, match="三员分立"):
        make_user("34", Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN)


def test_granting_a_second_admin_role_is_refused_and_changes_nothing():
    user = make_user("34", Role.SECURITY_ADMIN)
    with pytest.raises(ValidationFailed, match="三员分立"):
        user_grant_role(user=user, role=Role.SYSTEM_ADMIN)
    assert list(UserRole.objects.filter(user=user).values_list("role", flat=True)) == [
        Role.SECURITY_ADMIN
    ]


def test_weak_password_is_refused_in_chinese():
    with pytest.raises(ValidationFailed) as info:
        user_create(
            username="weak",
            password="12345678",
            division=Division.objects.get(code="34"),
            roles=[Role.RESIDENT],
        )
    assert info.value.code == "weak_password"
    assert "密码" in info.value.message


def test_duplicate_username_is_refused():
    make_user("34", Role.PROVINCE_OFFICER, username="dup")
    with pytest.raises(ValidationFailed, match="已存在"):
        user_create(
            username="dup",
            password=DEFAULT_PASSWORD,
            division=Division.objects.get(code="34"),
            roles=[Role.PROVINCE_OFFICER],
        )
