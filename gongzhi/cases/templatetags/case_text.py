"""Case text on staff pages: case numbers written in a description (a
未诉先办 case lists the reports it answers) become links to those cases."""

from __future__ import annotations

import re

from django import template
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()

CASE_NUMBER = re.compile(r"\bGZ\d{13}\b")


def _link(m: re.Match) -> str:
    number = m.group(0)
    return format_html(
        '<a class="mono" href="{}">{}</a>', reverse("cases:detail", args=[number]), number
    )


@register.filter
def link_case_numbers(text: str) -> str:
    """The text escaped, line breaks kept, each case number a link (the case
    page itself decides whether the reader may see that case)."""
    escaped = escape(text or "").replace("\n", "<br>")
    return mark_safe(CASE_NUMBER.sub(_link, escaped))  # escaped first, links built safely
