from __future__ import annotations

from django.utils.translation import gettext as _

from gongzhi.core.errors import PermissionDenied


def require_staff(user) -> None:
    if not getattr(user, "is_staff_member", False) or not getattr(user, "scope_code", ""):
        raise PermissionDenied(_("该页面仅供工作人员使用。"))


def require_officer(user) -> None:
    """Province-wide configuration and imports that may file cases anywhere:
    officers (区县/市/省) only."""
    require_staff(user)
    if not getattr(user, "is_officer", False):
        raise PermissionDenied(_("该操作仅限区(县)及以上组织部门工作人员。"))
