"""Reading cases: the filtered list (keyset or offset pages), the caller's
queue and one case's detail — all within the caller's scope."""

from __future__ import annotations

from django.utils.translation import gettext as _

from gongzhi.core.errors import ValidationFailed

from .. import selectors
from .schemas import API_RELATED, CaseList, CaseOut, CasePage, case_detail_out

MAX_PAGE_SIZE = 100


def case_list(
    request,
    q: str = "",
    status: str = "",
    category: str = "",
    urgency: str = "",
    division: str = "",
    channel: str = "",
    overdue: bool | None = None,
    near_due: bool | None = None,
    page: int = 1,
    page_size: int = 20,
    before: int | None = None,
):
    """Newest first. Continue with ``before=<next_before>`` (keyset, cheap at
    any depth); ``page`` numbers are still accepted (offset)."""
    if page < 1 or not 1 <= page_size <= MAX_PAGE_SIZE or (before is not None and page != 1):
        raise ValidationFailed(_("分页参数不正确。"), code="invalid_page")
    filters = selectors.CaseFilters(
        q=q.strip(),
        status=[s for s in status.split(",") if s] or None,
        category=category,
        urgency=urgency,
        division=division,
        channel=channel,
        overdue=overdue,
        near_due=near_due,
    )
    result = selectors.case_list_page(
        user=request.user,
        filters=filters,
        page_size=page_size,
        page=page,
        before=before,
        related=API_RELATED,
    )
    return CasePage.model_construct(
        items=[CaseOut.of(c, stored_flags=True) for c in result.items],
        page=page,
        page_size=page_size,
        total=result.total,
        total_capped=result.total_capped,
        next_before=result.next_before,
    )


def case_queue(request, limit: int = 50):
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    cases = selectors.fetch_rows(selectors.case_queue(user=request.user), 0, limit, API_RELATED)
    return CaseList.model_construct([CaseOut.of(c, stored_flags=True) for c in cases])


def case_detail(request, number: str):
    case = selectors.case_get_for_user(user=request.user, number=number, related=API_RELATED)
    return case_detail_out(case, request.user)
