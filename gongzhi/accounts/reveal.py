""" "View in full" of personal data: a permission, a stated reason, an audit entry.

Each revealable field names the roles that may see it in full and how to find
the object's place in the tree (its jurisdiction). Other apps add their fields
to REVEALABLE (``"app_label.modelname.field"``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core.errors import NotFound, PermissionDenied, ValidationFailed

from .audit import audit_record
from .constants import AuditAction, Role

MIN_REASON = 4


@dataclass(frozen=True)
class Revealable:
    roles: frozenset[str]
    scope_code: Callable[[object], str]


REVEALABLE: dict[str, Revealable] = {
    "org.gridmember.phone": Revealable(
        roles=frozenset({Role.COMMUNITY_WORKER, Role.STREET_STAFF}),
        scope_code=lambda member: member.grid.code,
    ),
}


@transaction.atomic
def personal_data_reveal(*, actor, label: str, pk: int, field: str, reason: str, request=None):
    """The plaintext of one personal field, for a permitted user in scope,
    with the reason recorded. Objects outside the scope are NotFound."""
    key = f"{label.lower()}.{field}"
    rule = REVEALABLE.get(key)
    if rule is None:
        raise NotFound(_("该信息不可查看。"))
    if not actor.role_set & rule.roles:
        raise PermissionDenied(_("您没有查看完整个人信息的权限。"))
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise ValidationFailed(_("请说明查看完整信息的事由(至少%(n)d个字)。") % {"n": MIN_REASON})
    model = apps.get_model(label)
    obj = model.objects.filter(pk=pk).first()
    if obj is None or not actor.scope_code or not rule.scope_code(obj).startswith(actor.scope_code):
        raise NotFound(_("记录不存在或不在您的管辖范围内。"))
    audit_record(
        action=AuditAction.PERSONAL_DATA_VIEW,
        actor=actor,
        request=request,
        target=obj,
        scope_code=rule.scope_code(obj),
        reason=reason,
        detail={"field": field},
    )
    return getattr(obj, field)
