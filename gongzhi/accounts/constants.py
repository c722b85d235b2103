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
# Roles that must pass a TOTP second factor (GB/T 22239-2019 8.1.4.1 c:
# two or more authentication techniques for administrators).
TOTP_ROLES = OFFICER_ROLES | SEPARATED_ADMIN_ROLES
STAFF_ROLES = frozenset(
    {
        Role.GRID_MEMBER,
        Role.COMMUNITY_WORKER,
        Role.STREET_STAFF,
        Role.DEPARTMENT_STAFF,
        *OFFICER_ROLES,
    }
)


class AuditAction(models.TextChoices):
    """What the audit log records (GB/T 22239-2019 8.1.4.3 安全审计)."""

    LOGIN_SUCCESS = "login_success", _("登录成功")
    LOGIN_FAILURE = "login_failure", _("登录失败")
    LOGIN_LOCKED = "login_locked", _("账号锁定")
    LOGIN_RATE_LIMITED = "login_rate_limited", _("登录过于频繁")
    TOTP_FAILURE = "totp_failure", _("动态口令错误")
    LOGOUT = "logout", _("退出登录")
    SESSION_EXPIRED = "session_expired", _("会话超时")
    PASSWORD_CHANGE = "password_change", _("修改密码")
    PERMISSION_DENIED = "permission_denied", _("越权访问被拒绝")
    PERSONAL_DATA_VIEW = "personal_data_view", _("查看完整个人信息")
    EXPORT = "export", _("导出数据")
    USER_CREATE = "user_create", _("创建账号")
    USER_UPDATE = "user_update", _("修改账号")
    ROLE_GRANT = "role_grant", _("授予角色")
    ROLE_REVOKE = "role_revoke", _("撤销角色")
    ACCOUNT_UNLOCK = "account_unlock", _("解除锁定")
    KEY_ROTATION = "key_rotation", _("密钥轮换")
    CASE_TRANSITION = "case_transition", _("诉求流转")
    BACKUP = "backup", _("备份")
    RESTORE = "restore", _("恢复")
