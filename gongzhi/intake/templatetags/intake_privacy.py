"""Template filters masking personal data on the intake pages."""

from __future__ import annotations

from django import template

from gongzhi.core import masking

register = template.Library()


@register.filter
def mask_text(value):
    """Free text with phone-like and ID-like numbers masked."""
    return masking.mask_text(value)


@register.filter
def mask_phone(value):
    return masking.mask_phone(value)


@register.filter
def mask_name(value):
    return masking.mask_name(value)
