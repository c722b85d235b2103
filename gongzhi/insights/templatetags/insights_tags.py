"""Formatting of indicator values for pages."""

from __future__ import annotations

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat

from ..registry import Unit

register = template.Library()


@register.filter
def indicator_format(value, unit: str) -> str:
    """``97.0%`` for a percentage, ``24,000`` for a count, ``—`` when undefined."""
    if value is None:
        return "—"
    if unit == Unit.PERCENT:
        return f"{floatformat(value, 1)}%"
    if isinstance(value, float) and not value.is_integer():
        return intcomma(floatformat(value, 1))
    return intcomma(int(value))
