"""The insights dashboard: every registered indicator for one node."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongzhi.core.errors import ValidationFailed

from .registry import FIRST_YEAR, Period, today
from .selectors import dashboard_for_user


@require_GET
@login_required
def dashboard(request, code: str):
    """Headline cards and per-child charts for the node ``code``.

    A node outside the user's subtree raises ``NotFound`` (a Chinese 404 page
    via the web middleware). A malformed ``year`` shows the current year with
    the error message and status 400.
    """
    error = ""
    try:
        period = Period.parse_year(request.GET.get("year"))
    except ValidationFailed as exc:
        error = exc.message
        period = Period.current()
    board = dashboard_for_user(user=request.user, code=code, period=period)
    year_query = f"?year={period.year}" if period.year else ""

    chart_data = {
        "labels": {
            "value": _("指标值"),
            "numerator": _("分子"),
            "denominator": _("分母"),
            "seed": _("种子文章(全省)"),
            "none": _("无数据"),
        },
        "indicators": [
            {
                "code": b.indicator.code,
                "name": str(b.indicator.name),
                "unit": b.indicator.unit,
                "seed_value": b.indicator.seed_value,
                "children": [
                    {
                        "code": c.division.code,
                        "name": c.division.short_name,
                        "value": c.value.value,
                        "numerator": c.value.numerator,
                        "denominator": c.value.denominator,
                        "url": reverse("insights:dashboard", kwargs={"code": c.division.code})
                        + year_query,
                    }
                    for c in b.children
                ],
            }
            for b in board.breakdowns
        ],
    }
    # One row per child, one cell per indicator (children are in the same
    # order in every breakdown).
    rows = [
        {
            "division": child,
            "cells": [(b.indicator, b.children[i].value) for b in board.breakdowns],
        }
        for i, child in enumerate(board.children)
    ]
    context = {
        "board": board,
        "division": board.division,
        "crumbs": board.breadcrumb,
        "period": period,
        "years": list(range(today().year, FIRST_YEAR - 1, -1)),
        "year_query": year_query,
        "rows": rows,
        "chart_data": chart_data,
        "error_message": error,
    }
    return render(request, "insights/dashboard.html", context, status=400 if error else 200)
