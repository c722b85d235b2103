"""Figures the party pages show from volunteering, which sits above party.

volunteering depends on party (a member's confirmed report-in decides which
community's activities they see; its demo follows ``party.demo.DEMO_SCALE``),
so party never imports volunteering (decision 0015,
tests/test_app_dependencies.py). What party's pages and API show of it —
members' service hours and the overview's activity and wish counts —
volunteering registers here when its app is ready (``VolunteeringConfig.ready``),
the way apps register indicators with ``insights.registry``. Without a
registration those figures are zero.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.db.models import QuerySet

from gongzhi.insights.registry import Period

# Per user id: service hours and activities checked out within the period.
HoursByUser = dict[int, tuple[Decimal, int]]
# Called as ``source(user_ids=[...], period=...)``.
HoursSource = Callable[..., HoursByUser]
# An overview metric's rows and the field holding the code of their node.
CountSource = Callable[[], tuple[QuerySet, str]]

_hours: list[HoursSource] = []
_counts: dict[str, CountSource] = {}


def register_service_hours(source: HoursSource) -> None:
    """The one source of members' service hours; registering again replaces it."""
    _hours[:] = [source]


def register_overview_count(metric: str, source: CountSource) -> None:
    """Rows counted under ``metric`` on the overview (``party.selectors.OVERVIEW_METRICS``)."""
    _counts[metric] = source


def service_hours(*, user_ids: list[int], period: Period) -> HoursByUser:
    if not _hours:
        return {}
    return _hours[0](user_ids=user_ids, period=period)


def overview_count(metric: str) -> tuple[QuerySet, str] | None:
    source = _counts.get(metric)
    return source() if source is not None else None
