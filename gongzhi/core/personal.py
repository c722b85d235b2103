"""Checks on personal identifiers entered on pages and in the API (party,
co-building, volunteering), turned into domain errors with Chinese messages.
The checks themselves are ``core.validators``; these wrap them for services."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from gongzhi.core.errors import ValidationFailed
from gongzhi.core.validators import parse_id_number, validate_mobile


def clean_id_number(value: str) -> str:
    """The GB 11643 number, normalised; "" when none was given."""
    if not value or not value.strip():
        return ""
    try:
        return parse_id_number(value)
    except ValidationError as exc:
        raise ValidationFailed(str(exc.messages[0]), code="bad_id_number") from exc


def clean_mobile(value: str) -> str:
    """An 11-digit mainland mobile number; "" when none was given."""
    text = (value or "").strip().replace(" ", "").replace("-", "")
    if not text:
        return ""
    try:
        validate_mobile(text)
    except ValidationError as exc:
        raise ValidationFailed(_("请输入11位手机号码。"), code="bad_phone") from exc
    return text
