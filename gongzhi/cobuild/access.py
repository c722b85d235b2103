"""Who may act on what: staff over a division, liaisons for their unit.

Staff act only inside their own subtree; anything outside it is reported as
not found, exactly like a record that does not exist.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from gongzhi.accounts.constants import STAFF_ROLES
from gongzhi.core.errors import NotFound, PermissionDenied


def require_staff(user) -> None:
    if not (user.role_set & STAFF_ROLES) or not user.scope_code:
        raise PermissionDenied(_("只有社区、街道工作人员或组织部门可以进行此操作。"))


def require_staff_over(user, code: str, message: str | None = None) -> None:
    require_staff(user)
    if not code.startswith(user.scope_code):
        raise NotFound(message or _("记录不存在或不在您的管辖范围内。"))


def liaison_unit(user):
    """The resident unit whose liaison (联络员) the user is."""
    contact = getattr(user, "unit_contact", None) if user.pk else None
    if contact is None:
        raise PermissionDenied(_("您的账号未绑定驻区单位,无法查看单位党员情况。"))
    return contact.unit
