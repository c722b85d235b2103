"""Who may act on what: staff over a division.

Staff act only inside their own subtree; anything outside it is reported as
not found, exactly like a record that does not exist. Whether a user is staff
(``User.is_staff_member``: a role in ``accounts.constants.STAFF_ROLES``) or an
officer of a district, city or province organisation department
(``User.is_officer``) is the account's own answer, so core needs nothing from
accounts.

Services and pages call the same checks; a page passes the message its
visitors read (``message``: what anyone who fails the check is told), and
``web.middleware`` turns the error into the 403 page. An anonymous user fails
every check (pages send them to the login page before they get here).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from gongzhi.core.errors import NotFound, PermissionDenied


def require_staff(user, message: str | None = None) -> None:
    """Staff attached to a node of the tree."""
    if not getattr(user, "is_staff_member", False) or not getattr(user, "scope_code", ""):
        raise PermissionDenied(message or _("只有社区、街道工作人员或组织部门可以进行此操作。"))


def require_officer(user, message: str | None = None) -> None:
    """Staff of a district (county), city or province organisation department:
    for what reaches beyond one street (province-wide configuration, imports
    that file cases anywhere in their area)."""
    message = message or _("该操作仅限区(县)及以上组织部门工作人员。")
    require_staff(user, message)
    if not user.is_officer:
        raise PermissionDenied(message)


def require_territorial_staff(user, message: str | None = None) -> None:
    """Staff of the division itself, not of one of its departments: a
    department's staff handle what is sent to their department, not
    everything in the street."""
    message = message or _("该页面仅供辖区工作人员使用,部门工作人员不能使用。")
    require_staff(user, message)
    if user.department_id:
        raise PermissionDenied(message)


def require_staff_over(user, code: str, message: str | None = None) -> None:
    require_staff(user)
    if not code.startswith(user.scope_code):
        raise NotFound(message or _("记录不存在或不在您的管辖范围内。"))
