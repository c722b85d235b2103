from __future__ import annotations

from django.utils.translation import gettext as _

from gongzhi.core.errors import PermissionDenied


def require_staff(user) -> None:
    if not getattr(user, "is_staff_member", False) or not getattr(user, "scope_code", ""):
        raise PermissionDenied(_("该页面仅供工作人员使用。"))
