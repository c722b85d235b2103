"""Validators for personal identifiers.

The resident identity number (公民身份号码) follows GB 11643-1999: six digits
of administrative division, eight of birth date, three of sequence and one
check character computed with ISO 7064 MOD 11-2.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
_FULLWIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789XX")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalize_id_number(value: str) -> str:
    """Strip spaces, fold full-width digits and a lower-case x."""
    return re.sub(r"\s+", "", str(value)).translate(_FULLWIDTH).upper()


def id_check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11]


def parse_id_number(value: str, *, today: dt.date | None = None) -> str:
    """The normalised number, or ValidationError with a Chinese message."""
    text = normalize_id_number(value)
    if not _ID_SHAPE.match(text):
        raise ValidationError(_("身份证号应为18位,前17位为数字,末位为数字或X。"), code="id_shape")
    try:
        born = dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError as exc:
        raise ValidationError(_("身份证号中的出生日期无效。"), code="id_birth") from exc
    today = today or timezone.localdate()
    if born > today or born.year < 1900:
        raise ValidationError(_("身份证号中的出生日期无效。"), code="id_birth")
    if id_check_char(text[:17]) != text[17]:
        raise ValidationError(_("身份证号校验位不正确。"), code="id_check")
    return text


def validate_id_number(value: str) -> None:
    parse_id_number(value)


def validate_mobile(value: str) -> None:
    if not _MOBILE.match(str(value).strip()):
        raise ValidationError(_("请输入11位手机号码。"), code="mobile")
