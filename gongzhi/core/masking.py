"""Masking of personal data for display (pages, API, exports, logs)."""

from __future__ import annotations


def mask_phone(value: str | None) -> str:
    """138****5678; short or odd values keep only the last two characters."""
    if not value:
        return ""
    digits = value.strip()
    if len(digits) >= 7:
        return f"{digits[:3]}****{digits[-4:]}"
    return "*" * max(len(digits) - 2, 0) + digits[-2:]


def mask_id_number(value: str | None) -> str:
    """340104********1234 for an 18-character resident ID number."""
    if not value:
        return ""
    text = value.strip()
    if len(text) >= 10:
        return f"{text[:6]}{'*' * (len(text) - 10)}{text[-4:]}"
    return "*" * len(text)


def mask_name(value: str | None) -> str:
    """张*; 欧阳** — keeps the family name's first character."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)
