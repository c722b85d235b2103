"""Decoding the text files officers and source platforms hand us.

Chinese government exports come as UTF-8 (often with a BOM) or GBK; GB18030
is a superset of GBK, so it is the fallback.
"""

from __future__ import annotations

ENCODINGS = ("utf-8-sig", "gb18030")


def decode_strict(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030; UnicodeDecodeError if neither."""
    for enc in ENCODINGS[:-1]:
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode(ENCODINGS[-1])


def decode(raw: bytes) -> str:
    """As ``decode_strict``, but undecodable bytes become U+FFFD instead of raising."""
    try:
        return decode_strict(raw)
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace")
