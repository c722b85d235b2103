"""Masking of personal data inside free text (chat messages, source records).

A resident's message often carries a phone number ("我是3栋的,电话13812345678")
or an ID number. The text itself is the complaint and stays readable; every
phone-like and ID-number-like run of digits in it is masked on display with
``gongzhi.core.masking`` (docs/privacy.md).
"""

from __future__ import annotations

import re

from gongzhi.core.masking import mask_id_number, mask_name, mask_phone

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


__all__ = ["mask_id_number", "mask_name", "mask_phone", "mask_text"]
