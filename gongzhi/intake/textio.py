"""Reading the CSV files channels and officers hand us (UTF-8 or GBK)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from gongzhi.core.textio import ENCODINGS, decode

__all__ = ["ENCODINGS", "decode", "read_csv_rows"]


def read_csv_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """Header (stripped) and rows as dicts; empty cells are ''."""
    text = decode(Path(path).read_bytes())
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    rows = [{k: (v or "").strip() for k, v in r.items() if k is not None} for r in reader]
    return header, rows
