"""Masking of personal data for display (pages, API, exports, logs)."""

from __future__ import annotations

import re


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


# An 18-character ID number (last character may be X), a mainland mobile
# (optionally +86 / 86 / spaces or dashes inside), a landline with area code,
# or any other run of 7+ digits (a number we cannot classify is still masked).
_ID = r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9A-Za-z])"
_MOBILE = r"(?:\+?86[- ]?)?1[3-9][0-9](?:[- ]?[0-9]{4}){2}(?![0-9])"
_LANDLINE = r"(?<![0-9])0[0-9]{2,3}[- ]?[0-9]{7,8}(?![0-9])"
_DIGITS = r"(?<![0-9])[0-9]{7,}(?![0-9])"
_PATTERN = re.compile(f"(?P<id>{_ID})|(?P<phone>{_MOBILE}|{_LANDLINE})|(?P<digits>{_DIGITS})")


def _replace(m: re.Match) -> str:
    if m.group("id"):
        return mask_id_number(m.group("id"))
    value = m.group("phone") or m.group("digits")
    return mask_phone(re.sub(r"[- ]", "", value))


def mask_text(value: str | None) -> str:
    """``text`` with every phone-, ID- or long-number-like substring masked."""
    if not value:
        return ""
    return _PATTERN.sub(_replace, str(value))
