"""Officer page: status pushes to source platforms, failures first, with retry."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case as When_
from django.db.models import IntegerField, Value, When
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongzhi.core.access import require_staff
from gongzhi.core.errors import NotFound

from .. import outbox
from ..models import Outbox, SourceChannel
from .common import STAFF_ONLY


@login_required
def outbox_list(request):
    require_staff(request.user, _(STAFF_ONLY))
    scope = request.user.scope_code
    rows = Outbox.objects.filter(case__division_path__startswith=scope).select_related(
        "case", "platform"
    )
    state = request.GET.get("state", "")
    if state in Outbox.State.values:
        rows = rows.filter(state=state)
    rows = rows.annotate(
        rank=When_(
            When(state=Outbox.State.FAILED, then=Value(0)),
            When(state=Outbox.State.PENDING, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("rank", "-id")[:500]
    # The channel is stored as its code; readers see the platform's name.
    labels = dict(SourceChannel.choices)
    rows = list(rows)
    for row in rows:
        row.channel_label = labels.get(row.channel, row.channel)
    counts = {s: Outbox.objects.filter(state=s, case__division_path__startswith=scope).count()
              for s in Outbox.State.values}  # fmt: skip
    return render(
        request,
        "intake/outbox.html",
        {"rows": rows, "counts": counts, "states": Outbox.State.choices, "state": state},
    )


@login_required
@require_POST
def outbox_retry(request, pk: int):
    require_staff(request.user, _(STAFF_ONLY))
    # Another jurisdiction's row answers exactly like a row that does not exist.
    if not Outbox.objects.filter(
        pk=pk, case__division_path__startswith=request.user.scope_code
    ).exists():
        raise NotFound(_("推送记录不存在。"))
    row = outbox.retry(pk)
    if row is not None and row.state == Outbox.State.PENDING:
        messages.success(
            request,
            _("已重新排队推送(案件 %(n)s),稍后将再次推送到来源平台。") % {"n": row.case.number},
        )
    else:
        # Sent meanwhile (by the scheduled retry or another officer).
        messages.warning(request, _("该记录已推送成功,无需重试。"))
    return redirect("intake:outbox")
