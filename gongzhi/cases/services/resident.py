"""What the resident does at the end: rate, or reopen within the window."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from gongzhi.core.errors import Conflict, ValidationFailed

from ..constants import Action, Rating
from ..deadlines import add_working_hours
from ..models import Case
from .base import REOPEN_DAYS, begin, conf, finish, now, require_text, set_handle_due


@transaction.atomic
def case_rate(
    *, case: Case, actor, rating: str, comment: str = "", expected_version: int | None = None
) -> Case:
    case, t = begin(case=case, action=Action.RATE, actor=actor, expected_version=expected_version)
    if rating not in Rating.values:
        raise ValidationFailed(_("评价应为“满意”“基本满意”或“不满意”。"), code="invalid_rating")
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise ValidationFailed(_("评价意见不能超过 500 个字符。"), code="text_too_long")
    case.rating = rating
    case.rating_comment = comment
    finish(
        case=case,
        transition=t,
        actor=actor,
        fields=["rating", "rating_comment"],
        note=comment,
        payload={"rating": rating},
        public=True,
    )
    return case


@transaction.atomic
def case_reopen(*, case: Case, actor, reason: str, expected_version: int | None = None) -> Case:
    """Back into progress in the same case, counted as rework; only by a
    reporter and only within CASES_REOPEN_DAYS (default 15) of closing."""
    case, t = begin(case=case, action=Action.REOPEN, actor=actor, expected_version=expected_version)
    reason = require_text(reason, _("重新办理理由"), max_length=1000)
    days = conf("CASES_REOPEN_DAYS", REOPEN_DAYS)
    at = now()
    if case.closed_at is None or at - case.closed_at > timedelta(days=days):
        raise Conflict(
            _("结案已超过 %(days)d 天,不能重新办理;如问题仍存在,请重新上报。") % {"days": days},
            code="reopen_window_passed",
        )
    case.rework_count += 1
    due_fields = set_handle_due(
        case, add_working_hours(at, case.limit_hours or case.category.limit_hours(case.urgency))
    )
    case.warned_at = None
    case.escalated_at = None
    case.rating = ""
    case.rating_comment = ""
    finish(
        case=case,
        transition=t,
        actor=actor,
        fields=[
            "rework_count",
            *due_fields,
            "warned_at",
            "escalated_at",
            "rating",
            "rating_comment",
        ],
        note=reason,
        public=True,
    )
    return case
