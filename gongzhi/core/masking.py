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


# Digits as residents also type them: full-width (１３９), Chinese numerals
# (一三九, 〇/○/零 for 0, 幺 for 1 and 两 for 2 as read aloud, the financial
# 壹贰叁…), mixed with ASCII digits and split by spaces or dashes
# ("139 一二三四 5678"). Ordinary Chinese numbers (三栋, 十二号楼, 一百多户,
# 两三天) are short runs or contain 十/百/千/万, which are not digits here, so
# only a run of 7+ digits is ever masked.
_DIGIT_VALUES = {
    **{chr(ord("０") + i): str(i) for i in range(10)},
    **dict.fromkeys("〇○零", "0"),
    **dict.fromkeys("一幺壹", "1"),
    **dict.fromkeys("二两贰", "2"),
    "三": "3",
    "叁": "3",
    "四": "4",
    "肆": "4",
    "五": "5",
    "伍": "5",
    "六": "6",
    "陆": "6",
    "七": "7",
    "柒": "7",
    "八": "8",
    "捌": "8",
    "九": "9",
    "玖": "9",
}
_DIGIT_CLASS = "0-9" + "".join(_DIGIT_VALUES)
# One space or dash between two groups of digits: 139-1234-5678, 139 1234 5678.
_SEPARATOR_VALUES = {
    **dict.fromkeys(" \u3000", " "),
    **dict.fromkeys("-－‐‑–—", "-"),  # ASCII, full-width, hyphen, non-breaking, en, em
}
_SEPARATOR_CLASS = "".join(_SEPARATOR_VALUES).replace("-", "\\-")
# Only a run that can hold 7+ digits reaches Python code: most texts have
# many a 一 or 三 and no number at all.
_SPELT_RUN = re.compile(
    f"[{_DIGIT_CLASS}](?:[{_SEPARATOR_CLASS}]?[{_DIGIT_CLASS}]){{6,}}"
    f"(?:[{_SEPARATOR_CLASS}][{_DIGIT_CLASS}]+)*"
    "(?:[XxＸｘ](?![A-Za-z]))?"  # the check character of an ID number
)
_ASCII_RUN = re.compile("[0-9]+")
_X = {"Ｘ": "X", "ｘ": "x"}
_WIDE = re.compile(f"[{''.join(_DIGIT_VALUES)}]")
_MOBILE_DIGITS = re.compile("1[3-9][0-9]{9}")


# 一 written against ASCII digits is a dash (1107一101, room 1107-101) or the
# first character of the next word (0000-0000000一直), not a digit.
_DASH_ONE = re.compile("(?<=[0-9])一(?=[0-9])")
_ONE_HEAD = re.compile("一(?=[0-9])")
_ONE_TAIL = re.compile("(?<=[0-9])一")


def _replace_spelt(m: re.Match) -> str:
    run = m.group(0)
    if _ASCII_RUN.fullmatch(run):
        return run  # the plain patterns in mask_text decide
    head = "一" if _ONE_HEAD.match(run) else ""
    tail = "一" if _ONE_TAIL.search(run, len(run) - 2) else ""
    if head or tail:
        masked = _mask_spelt(run[len(head) : len(run) - len(tail)])
        if masked is not None:
            return head + masked + tail
    # 一 was a digit after all (一30 0000 0000), or there was none.
    masked = _mask_spelt(run)
    return run if masked is None else masked


def _as_ascii(run: str) -> str:
    """``run`` with ASCII digits and separators, character for character."""
    return "".join(_DIGIT_VALUES.get(c) or _SEPARATOR_VALUES.get(c) or _X.get(c) or c for c in run)


def _mask_spelt(run: str) -> str | None:
    """``run`` masked, or None when it holds no number."""
    dashed = _DASH_ONE.sub("-", run)
    # Read the run as ASCII and mask it as if typed so: the same rules then
    # hold whatever the script (a spelt date 二〇一九-〇八-一一 stays).
    ascii_run = _as_ascii(dashed)
    spelt = dashed != run or _WIDE.search(run)
    found = list(_PATTERN.finditer(ascii_run))
    if found and not spelt:
        return run  # ASCII digits and separators: the patterns over the whole text decide
    if any(f.group("id") or f.group("phone") for f in found):
        return _PATTERN.sub(_replace, ascii_run)
    # A mobile split in odd places (1391 234 5678), run into a numeral of
    # the next word (… 五六七八一楼) or with a 一 between ASCII digits after
    # all (130000一0000): mask the eleven digits wherever they are.
    plain = _as_ascii(run)
    places = [i for i, c in enumerate(plain) if c.isdigit()]
    digits = "".join(plain[i] for i in places)
    mobile = _MOBILE_DIGITS.search(digits) if len(digits) <= 12 else None
    if mobile:
        first, last = places[mobile.start()], places[mobile.end() - 1]
        return run[:first] + mask_phone(mobile.group(0)) + run[last + 1 :]
    return _PATTERN.sub(_replace, ascii_run) if found else None


def mask_text(value: str | None) -> str:
    """``text`` with every phone-, ID- or long-number-like substring masked.

    Numbers spelt with full-width digits or Chinese numerals are masked too
    (139****5678, written back in ASCII digits).
    """
    if not value:
        return ""
    return _PATTERN.sub(_replace, _SPELT_RUN.sub(_replace_spelt, str(value)))
