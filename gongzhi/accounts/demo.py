"""Demo accounts at the seed article's own places, one per role."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from gongzhi.org.constants import Level
from gongzhi.org.models import Department, Division, GridMember

from .constants import Role
from .models import User, UserRole
from .security import demo_totp_secret
from .services import user_create

DEMO_PASSWORD = "Gongzhi@2026demo"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    division_code: str
    roles: tuple[str, ...]
    department: str = ""
    # When set, attach to the first grid under division_code instead.
    first_grid: bool = False


DEMO_ACCOUNTS = [
    DemoAccount("province", "省委组织部城市组织处", "34", (Role.PROVINCE_OFFICER,)),
    DemoAccount("hefei", "合肥市委组织部", "3401", (Role.CITY_OFFICER,)),
    DemoAccount("baohe", "包河区委组织部", "340111", (Role.DISTRICT_OFFICER,)),
    DemoAccount("changqing", "常青街道工作人员", "340111002", (Role.STREET_STAFF,)),
    DemoAccount(
        "changqing_cgb",
        "常青街道城市管理部",
        "340111002",
        (Role.DEPARTMENT_STAFF,),
        department="城市管理部",
    ),
    DemoAccount("shulu", "蜀麓社区工作者", "340176403", (Role.COMMUNITY_WORKER,)),
    DemoAccount(
        "huangguoshan_grid",
        "黄果山社区网格员",
        "340202016002",
        (Role.GRID_MEMBER,),
        first_grid=True,
    ),
    DemoAccount("huangguoshan_party", "黄果山社区在职党员", "340202016002", (Role.PARTY_MEMBER,)),
    DemoAccount("jianxin", "建新社区工作者", "340302005007", (Role.COMMUNITY_WORKER,)),
    DemoAccount("jianxin_resident", "建新社区居民", "340302005007", (Role.RESIDENT,)),
    DemoAccount("jianxin_unit", "建新社区驻区单位联络员", "340302005007", (Role.COBUILD_LIAISON,)),
    DemoAccount("ahnu_unit", "安徽师范大学联络员", "340202016002", (Role.COBUILD_LIAISON,)),
    DemoAccount("sysadmin", "系统管理员", "34", (Role.SYSTEM_ADMIN,)),
    DemoAccount("secadmin", "安全管理员", "34", (Role.SECURITY_ADMIN,)),
    DemoAccount("auditadmin", "审计管理员", "34", (Role.AUDIT_ADMIN,)),
]


def _division_for(account: DemoAccount) -> Division:
    division = Division.objects.get(code=account.division_code)
    if account.first_grid:
        grid = Division.objects.filter(parent=division, level=Level.GRID).order_by("code").first()
        return grid or division
    return division


@transaction.atomic
def demo_users_ensure(*, password: str = DEMO_PASSWORD) -> list[tuple[DemoAccount, User]]:
    """Create the demo accounts, or reset them to the demo password and roles."""
    result = []
    for account in DEMO_ACCOUNTS:
        division = _division_for(account)
        department = (
            Department.objects.get(division=division, name=account.department)
            if account.department
            else None
        )
        user = User.objects.filter(username=account.username).first()
        if user is None:
            user = user_create(
                username=account.username,
                password=password,
                division=division,
                roles=account.roles,
                display_name=account.display_name,
                department=department,
            )
        else:
            user.division, user.department = division, department
            user.display_name = account.display_name
            user.set_password(password)
            user.password_changed_at = timezone.now()
            user.save(
                update_fields=[
                    "division",
                    "department",
                    "display_name",
                    "password",
                    "password_changed_at",
                ]
            )
            UserRole.objects.filter(user=user).exclude(role__in=account.roles).delete()
            for role in account.roles:
                UserRole.objects.get_or_create(user=user, role=role)
            user.__dict__.pop("_role_cache", None)
        if user.needs_totp and user.totp_secret != demo_totp_secret(user.username):
            # Demo only: a secret derived from the user name, printed by
            # seed_demo and answered by `manage.py demo_totp <username>`.
            user.totp_secret = demo_totp_secret(user.username)
            user.totp_last_step = 0
            user.save(update_fields=["totp_secret", "totp_last_step"])
        if Role.GRID_MEMBER in account.roles and division.level == Level.GRID:
            GridMember.objects.get_or_create(
                grid=division,
                user=user,
                defaults={"name": account.display_name, "phone": "13855512345"},
            )
        result.append((account, user))
    return result
