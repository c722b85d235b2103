from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    RESIDENT = "resident", _("居民")
    GRID_MEMBER = "grid_member", _("网格员")
    COMMUNITY_WORKER = "community_worker", _("社区工作者")
    STREET_STAFF = "street_staff", _("街道工作人员")
    DEPARTMENT_STAFF = "department_staff", _("部门工作人员")
    DISTRICT_OFFICER = "district_officer", _("区(县)组织部门")
    CITY_OFFICER = "city_officer", _("市组织部门")
    PROVINCE_OFFICER = "province_officer", _("省组织部门")
    COBUILD_LIAISON = "cobuild_liaison", _("驻区单位联络员")
    PARTY_MEMBER = "party_member", _("在职党员")
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")


# 三员分立: no account may hold two of these.
SEPARATED_ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})

OFFICER_ROLES = frozenset({Role.DISTRICT_OFFICER, Role.CITY_OFFICER, Role.PROVINCE_OFFICER})
STAFF_ROLES = frozenset(
    {
        Role.GRID_MEMBER,
        Role.COMMUNITY_WORKER,
        Role.STREET_STAFF,
        Role.DEPARTMENT_STAFF,
        *OFFICER_ROLES,
    }
)
