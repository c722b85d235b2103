"""What every channel adapter shares: reading a platform's export file,
checking one record, mapping its codes, and turning it into a case.

An adapter (one module per source platform) declares its channel, the case
channel it reports as, its file format and a ``to_record(row)`` that turns
one row (a dict: CSV/XLSX header → cell, or a JSON object) into a
:class:`Record` or raises :class:`RecordError` with a Chinese reason.
Webhooks send the same row as JSON, so one parser serves both paths.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from ...cases.constants import Urgency
from ..models import ChannelMapping
from ..textio import decode

TZ_NAME = "Asia/Shanghai"
# Anhui's bounding box (WGS-84, with a margin); a point outside is refused
# before the grid lookup, with a clearer reason ("outside Anhui" / "in the sea").
ANHUI_BBOX = (114.8, 29.3, 119.7, 34.7)

URGENCY_WORDS = {
    "一般": Urgency.NORMAL,
    "普通": Urgency.NORMAL,
    "normal": Urgency.NORMAL,
    "紧急": Urgency.URGENT,
    "加急": Urgency.URGENT,
    "urgent": Urgency.URGENT,
    "特急": Urgency.CRITICAL,
    "特别紧急": Urgency.CRITICAL,
    "critical": Urgency.CRITICAL,
}

DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y%m%d%H%M%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
)


class RecordError(ValueError):
    """One record cannot be imported; ``str(exc)`` is the Chinese reason."""


@dataclass
class Record:
    """One report from a source platform, checked and mapped."""

    source_ref: str
    title: str
    description: str
    category: str = ""  # our Category code; "" → the classifier decides
    urgency: str = Urgency.NORMAL
    lng: float | None = None
    lat: float | None = None
    crs: str = "wgs84"
    address: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    occurred_at: datetime | None = None
    # chat messages: located from the text instead of coordinates
    text_only: bool = False
    extra: dict = field(default_factory=dict)


# --- reading files ---------------------------------------------------------------------------


def read_rows(name: str, data: bytes) -> tuple[str, list[tuple[int, dict]]]:
    """(encoding, [(line, row)]) of a CSV, JSON or XLSX export.

    CSV line numbers count the header as line 1; JSON rows are numbered from 1
    (the n-th object); XLSX rows are the sheet's row numbers.
    """
    lower = name.lower()
    if lower.endswith(".xlsx"):
        return "xlsx", _read_xlsx(data)
    text, encoding = _decode(data)
    if lower.endswith(".json") or text.lstrip().startswith(("[", "{")):
        return encoding, _read_json(text)
    return encoding, _read_csv(text)


def _decode(data: bytes) -> tuple[str, str]:
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return decode(data), "gb18030"


def _read_csv(text: str) -> list[tuple[int, dict]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    reader.fieldnames = [h.strip() for h in (reader.fieldnames or [])]
    rows = []
    for r in reader:
        rows.append(
            (reader.line_num, {k: (v or "").strip() for k, v in r.items() if k is not None})
        )
    return rows


def _read_json(text: str) -> list[tuple[int, dict]]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordError(_("JSON 格式错误(第 %(n)d 行)") % {"n": exc.lineno}) from exc
    if isinstance(doc, dict):
        doc = doc.get("records", doc.get("data", [doc]))
    if not isinstance(doc, list):
        raise RecordError(_("JSON 应为记录数组"))
    return [(i, row if isinstance(row, dict) else {}) for i, row in enumerate(doc, start=1)]


def _read_xlsx(data: bytes) -> list[tuple[int, dict]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a corrupt or non-XLSX file
        raise RecordError(_("无法读取 XLSX 文件")) from exc
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    try:
        header = [str(h).strip() if h is not None else "" for h in next(rows)]
    except StopIteration:
        return []
    out = []
    for n, values in enumerate(rows, start=2):
        if values is None or all(v in (None, "") for v in values):
            continue
        out.append((n, {h: v for h, v in zip(header, values, strict=False) if h}))
    wb.close()
    return out


# --- checking fields -------------------------------------------------------------------------


def text(row: dict, key: str, label: str, *, required: bool = True, max_length: int = 0) -> str:
    value = row.get(key)
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise RecordError(_("缺少字段“%(label)s”") % {"label": label})
    if max_length and len(value) > max_length:
        raise RecordError(_("字段“%(label)s”超过 %(n)d 个字符") % {"label": label, "n": max_length})
    return value


def parse_when(value: Any, label: str, *, required: bool = True) -> datetime | None:
    """A local (+08:00) date/time in the formats platforms export; future dates refused."""
    if isinstance(value, datetime):
        dt = value
    else:
        raw = "" if value is None else str(value).strip()
        if not raw:
            if required:
                raise RecordError(_("缺少字段“%(label)s”") % {"label": label})
            return None
        dt = None
        if raw.isdigit() and len(raw) in (10, 13):  # unix seconds / milliseconds
            dt = datetime.fromtimestamp(int(raw) / (1000 if len(raw) == 13 else 1), tz=UTC)
        else:
            try:
                dt = datetime.fromisoformat(raw)
            except ValueError:
                for fmt in DATE_FORMATS:
                    try:
                        dt = datetime.strptime(raw, fmt)  # noqa: DTZ007 - local, made aware below
                        break
                    except ValueError:
                        continue
        if dt is None:
            raise RecordError(
                _("“%(label)s”日期格式不正确:%(value)s") % {"label": label, "value": raw[:40]}
            )
    if timezone.is_naive(dt):
        from zoneinfo import ZoneInfo

        dt = dt.replace(tzinfo=ZoneInfo(TZ_NAME))
    if dt > timezone.now() + timedelta(days=1):
        raise RecordError(_("“%(label)s”晚于当前时间") % {"label": label})
    if dt.year < 2000:
        raise RecordError(_("“%(label)s”早于 2000 年") % {"label": label})
    return dt


def parse_point(lng: Any, lat: Any, *, crs: str = "wgs84") -> tuple[float, float]:
    """Finite coordinates inside Anhui's box (in the source CRS, close enough)."""
    if lng in (None, "") or lat in (None, ""):
        raise RecordError(_("缺少坐标"))
    try:
        x, y = float(lng), float(lat)
    except (TypeError, ValueError) as exc:
        raise RecordError(_("坐标格式不正确")) from exc
    if not (math.isfinite(x) and math.isfinite(y)) or abs(x) > 180 or abs(y) > 90:
        raise RecordError(_("坐标格式不正确"))
    west, south, east, north = ANHUI_BBOX
    if not (west <= x <= east and south <= y <= north):
        if 119.7 < x < 130 and 20 < y < 35:
            raise RecordError(_("坐标位于海上或安徽省以外(%(x).5f, %(y).5f)") % {"x": x, "y": y})
        raise RecordError(_("坐标不在安徽省范围内(%(x).5f, %(y).5f)") % {"x": x, "y": y})
    return x, y


def parse_urgency(value: Any, *, channel: str = "") -> str:
    """Our urgency for a source's urgency word: the channel's mapping table
    first (an officer's row overrides a built-in word), then ``URGENCY_WORDS``."""
    raw = "" if value is None else str(value).strip()
    if not raw:
        return Urgency.NORMAL
    found = mapped_urgency(channel, raw) if channel else ""
    found = found or URGENCY_WORDS.get(raw) or URGENCY_WORDS.get(raw.lower())
    if found is None:
        raise RecordError(_("未知的紧急程度:%(value)s") % {"value": raw[:20]})
    return found


PHONE_RE = re.compile(r"^[0-9+\-() ]{5,20}$")


def phone(value: Any) -> str:
    raw = "" if value is None else str(value).strip()
    if raw and not PHONE_RE.match(raw):
        raise RecordError(_("联系电话格式不正确"))
    return raw


def title_from(description: str, limit: int = 30) -> str:
    first = re.split(r"[。!?!?\n]", description.strip(), maxsplit=1)[0]
    return (first or description)[:limit]


# --- mapping tables --------------------------------------------------------------------------


def mapped(channel: str, kind: str, code: str) -> ChannelMapping | None:
    code = (code or "").strip()
    if not code:
        return None
    return (
        ChannelMapping.objects.filter(channel=channel, kind=kind, source_code=code, is_active=True)
        .select_related("category")
        .first()
    )


def mapped_category(channel: str, *codes: str) -> str:
    """Our category code for the first source code with an active mapping, or ''."""
    snap = _snapshot
    for code in codes:
        if snap is not None:
            found = snap.mapped.get((channel, (code or "").strip()))
            if found:
                return found
            continue
        m = mapped(channel, ChannelMapping.Kind.CATEGORY, code)
        if m is not None and m.category_id and m.category.is_active:
            return m.category.code
    return ""


def mapped_urgency(channel: str, word: str) -> str:
    """Our urgency for the source's ``word`` from an active urgency mapping, or ''."""
    word = (word or "").strip()
    if _snapshot is not None:
        return _snapshot.urgencies.get((channel, word), "")
    m = mapped(channel, ChannelMapping.Kind.URGENCY, word)
    if m is not None and m.target in Urgency.values:
        return m.target
    return ""


# --- a snapshot of the mapping tables for bulk imports --------------------------------------------


@dataclass(frozen=True)
class MappingSnapshot:
    """The active category and urgency mappings and the catalogue, read once
    (bulk import): the same answers as the per-record queries, without a query
    per record."""

    mapped: dict  # (channel, source code) → our category code (active mapping + category)
    active: frozenset  # active category codes
    citizen_labels: dict  # first-level citizen category name → code
    urgencies: dict = field(default_factory=dict)  # (channel, source word) → our urgency

    @classmethod
    def load(cls) -> MappingSnapshot:
        from ...cases.models import Category

        mapped_codes = {}
        rows = (
            ChannelMapping.objects.filter(
                kind=ChannelMapping.Kind.CATEGORY, is_active=True, category__is_active=True
            )
            .order_by("pk")
            .values_list("channel", "source_code", "category__code")
        )
        for channel, code, cat in rows:
            mapped_codes.setdefault((channel, code.strip()), cat)  # .first() of the query
        cats = Category.objects.filter(is_active=True)
        labels = {}
        firsts = cats.filter(source="citizen", parent__code="T").order_by("pk")
        for name, code in firsts.values_list("name", "code"):
            labels.setdefault(name, code)
        urgencies = {}
        rows = (
            ChannelMapping.objects.filter(
                kind=ChannelMapping.Kind.URGENCY, is_active=True, target__in=Urgency.values
            )
            .order_by("pk")
            .values_list("channel", "source_code", "target")
        )
        for channel, word, urgency in rows:
            urgencies.setdefault((channel, word.strip()), urgency)
        return cls(mapped_codes, frozenset(cats.values_list("code", flat=True)), labels, urgencies)


_snapshot: MappingSnapshot | None = None


@contextmanager
def mapping_snapshot(snapshot: MappingSnapshot | None = None):
    """Within the block, adapters read mappings and the catalogue from one
    snapshot (forked worker processes inherit it and need no database)."""
    global _snapshot
    previous = _snapshot
    _snapshot = snapshot or MappingSnapshot.load()
    try:
        yield _snapshot
    finally:
        _snapshot = previous


class Adapter:
    """A source platform; subclasses set the attributes and ``to_record``."""

    channel: str = ""  # intake SourceChannel value
    case_channel: str = ""  # cases Channel value the case is filed under
    ref_prefix: str = ""  # prefix of source_ref when case_channel is shared
    ref_field: str = ""  # the row key holding the platform's own record id
    label: str = ""
    formats: tuple[str, ...] = ("csv",)
    # default mappings (source code → our category code); officers' rows win
    default_categories: dict[str, str] = {}
    # the record carries an urgency word (read with ``URGENCY_WORDS``)
    reads_urgency: bool = False
    # built-in rules that are not a table, shown on the mapping page (gettext_noop)
    builtin_notes: tuple[str, ...] = ()

    def to_record(self, row: dict) -> Record:  # pragma: no cover - abstract
        raise NotImplementedError

    def source_ref(self, raw: str) -> str:
        raw = (raw or "").strip()
        if not re.fullmatch(r"[0-9A-Za-z_\-:.]{1,60}", raw):
            raise RecordError(_("来源编号缺失或含非法字符"))
        return f"{self.ref_prefix}{raw}"

    def label_category(self, label: str) -> str:
        """The citizen first-level category named ``label`` (12345/信访 classes), or ''."""
        if not label:
            return ""
        if _snapshot is not None:
            return _snapshot.citizen_labels.get(label, "")
        from ..triage import category_code_for_label

        return category_code_for_label(label)

    def urgency_for(self, value: Any) -> str:
        """The record's urgency: this channel's urgency mappings, then the built-in words."""
        return parse_urgency(value, channel=self.channel)

    def is_active_category(self, code: str) -> bool:
        """``code`` is an active category of our catalogue."""
        if _snapshot is not None:
            return code in _snapshot.active
        from ...cases.models import Category

        return Category.objects.filter(code=code, is_active=True).exists()

    def category_for(self, *codes: str) -> str:
        code = mapped_category(self.channel, *codes)
        if code:
            return code
        for c in codes:
            if c and c in self.default_categories:
                return self.default_categories[c]
        return ""
