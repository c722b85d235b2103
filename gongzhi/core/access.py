"""Who may act on what: staff over a division.

Staff act only inside their own subtree; anything outside it is reported as
not found, exactly like a record that does not exist. Whether a user is staff
is the account's own answer (``User.is_staff_member``: a role in
``accounts.constants.STAFF_ROLES``), so core needs nothing from accounts.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from gongzhi.core.errors import NotFound, PermissionDenied


def require_staff(user) -> None:
    if not user.is_staff_member or not user.scope_code:
        raise PermissionDenied(_("只有社区、街道工作人员或组织部门可以进行此操作。"))


def require_staff_over(user, code: str, message: str | None = None) -> None:
    require_staff(user)
    if not code.startswith(user.scope_code):
        raise NotFound(message or _("记录不存在或不在您的管辖范围内。"))
