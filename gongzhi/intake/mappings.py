"""Writes to the channel mapping tables (province-wide configuration:
officers edit them, staff read them)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from gongzhi.core.access import require_officer
from gongzhi.core.errors import Conflict

from .models import ChannelMapping

DUPLICATE = gettext_noop("该渠道已有这一来源编码的映射,请编辑原有的一行。")


def mapping_save(*, row: ChannelMapping, actor) -> ChannelMapping:
    """Save a new or edited row (active). Two officers adding the same
    (channel, kind, source code) at once: one row wins, the other gets a
    Conflict, nothing half-written."""
    require_officer(actor)
    row.is_active = True
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise Conflict(_(DUPLICATE)) from None
    return row


def mapping_deactivate(*, pk: int, actor) -> int:
    """Rows are switched off, never deleted (the built-in map applies again)."""
    require_officer(actor)
    return ChannelMapping.objects.filter(pk=pk).update(is_active=False)
