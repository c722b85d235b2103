"""Bulk files are the seven channel adapters' own formats (docs/channels.md).

A bulk directory holds one sub-directory per channel, named after it
(``urban_management/``, ``hotline_12345/``, …), each with any number of export
files in that adapter's format: 数字城管 and 110 CSV (UTF-8 or GBK),
12345 / 天网 / 网格员 JSON arrays, 信访 XLSX, 楼栋群 CSV or JSON. A file at the
top level whose name starts with a channel name (``skynet-2026-01.json``)
counts too.

Every file is read by ``channels.base.read_rows`` and every row checked and
mapped by the adapter's own ``to_record`` — the same code as the import page
and the webhooks — with the mapping tables read once into a
``MappingSnapshot`` instead of a query per record. ``parse_file`` does that
for one file (in a worker process) and returns the good records as columns,
located and with the reporter fields already encrypted, plus the bad ones
with line and reason.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import connection

from gongzhi.core import crypto
from gongzhi.org.constants import CODE_LENGTH, Level
from gongzhi.org.geo import coords

from ..channels import ADAPTERS
from ..channels.base import RecordError, read_rows

SUFFIXES = (".csv", ".json", ".xlsx")
# the same reasons as case_submit's locator (cases.services.intake.locate_point)
OUTSIDE = "该位置不在本平台的服务区域(安徽省)内。"
NO_GRID = "该位置尚未划分社区或网格,无法受理,请联系所在街道。"
BAD_POINT = "坐标缺失或格式不正确。"


def channel_of(path: Path, root: Path) -> str | None:
    if path.parent != root and path.parent.name in ADAPTERS:
        return path.parent.name
    stem = path.name.lower()
    hits = [c for c in ADAPTERS if stem.startswith(c)]
    return max(hits, key=len) if hits else None


def scan(directory: Path) -> list[tuple[str, Path]]:
    """(channel, file) for every channel file under ``directory``, in name order."""
    root = Path(directory)
    out = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix.lower() in SUFFIXES:
            channel = channel_of(path, root)
            if channel is not None:
                out.append((channel, path))
    return out


class Sealer:
    """``crypto.encrypt`` / ``crypto.blind_index`` for one column, with the
    AES-GCM object and the HMAC prefix built once (same stored format)."""

    def __init__(self, model_field):
        ring = crypto.keyring()
        self.aead = AESGCM(ring.keys[0])
        self.head = f"{crypto.PREFIX}${ring.primary_id}$"
        self.aad = model_field.crypto_context.encode()
        self.normalizer = model_field.normalizer
        self.mac = hmac.new(ring.blind_index_key, self.aad + b"\x00", hashlib.sha256)

    def seal(self, value: str) -> str:
        if not value:
            return value
        nonce = os.urandom(crypto.NONCE_BYTES)
        body = self.aead.encrypt(nonce, value.encode("utf-8"), self.aad)
        return self.head + base64.b64encode(nonce + body).decode("ascii")

    def index(self, value: str) -> str:
        if not value:
            return ""
        mac = self.mac.copy()
        mac.update(self.normalizer(value).encode("utf-8"))
        return mac.hexdigest()


@dataclass
class Context:
    """What a worker needs, built in the parent before the fork."""

    grid_centres: dict  # grid code → (lng, lat): chat groups bound to a grid
    seal_name: Sealer
    seal_phone: Sealer


@dataclass
class Parsed:
    """Good records of one or more files as parallel columns."""

    channel: list = field(default_factory=list)  # intake channel (adapter key)
    ref: list = field(default_factory=list)  # source_ref with the adapter's prefix
    when: list = field(default_factory=list)  # aware datetime
    when_db: list = field(default_factory=list)  # as the database takes it
    title: list = field(default_factory=list)
    text: list = field(default_factory=list)
    category: list = field(default_factory=list)  # our code, "" → classifier
    urgency: list = field(default_factory=list)
    lng: list = field(default_factory=list)  # WGS-84 (nan: chat to be located from text)
    lat: list = field(default_factory=list)
    path: list = field(default_factory=list)  # finest division code ("" for chat, unknown)
    point: list = field(default_factory=list)  # source point (lng, lat, crs) or None
    address: list = field(default_factory=list)
    scope: list = field(default_factory=list)  # chat group's division
    name: list = field(default_factory=list)  # plaintext (triage / merged reporters)
    phone: list = field(default_factory=list)
    name_enc: list = field(default_factory=list)  # sealed for cases.Case
    phone_enc: list = field(default_factory=list)
    phone_bidx: list = field(default_factory=list)
    origin: list = field(default_factory=list)  # (file, line)
    errors: list = field(default_factory=list)  # (file, line, ref, reason)
    read: int = 0

    COLUMNS = ("channel", "ref", "when", "when_db", "title", "text", "category", "urgency",
               "lng", "lat", "path", "point", "address", "scope", "name", "phone", "name_enc",
               "phone_enc", "phone_bidx", "origin")  # fmt: skip

    def __len__(self) -> int:
        return len(self.ref)

    def extend(self, other: Parsed) -> None:
        for c in self.COLUMNS:
            getattr(self, c).extend(getattr(other, c))
        self.errors.extend(other.errors)
        self.read += other.read

    def keep(self, mask) -> Parsed:
        out = Parsed(errors=self.errors, read=self.read)
        idx = [i for i, k in enumerate(mask) if k]
        for c in self.COLUMNS:
            src = getattr(self, c)
            setattr(out, c, [src[i] for i in idx] if src else [])
        return out


_context: Context | None = None


def set_context(ctx: Context | None) -> None:
    global _context
    _context = ctx


def parse_file(task: tuple[str, str, str]) -> Parsed:
    """Read, check, map, locate and seal one file (runs in a worker)."""
    from gongzhi.org.geo.index import get_index

    channel, path, display = task
    adapter = ADAPTERS[channel]
    ctx = _context
    out = Parsed()
    try:
        _encoding, rows = read_rows(path, Path(path).read_bytes())
    except RecordError as exc:
        out.errors.append((display, 0, "", str(exc)[:300]))
        return out
    except (OSError, ValueError) as exc:  # unreadable, corrupt CSV quoting …
        out.errors.append((display, 0, "", f"无法读取文件:{exc}"[:300]))
        return out
    out.read = len(rows)
    xs, ys, crss = [], [], []
    urgency_memo: dict[str, str] = {}
    for line, row in rows:
        try:
            rec = adapter.to_record(row)
        except RecordError as exc:
            ref = str(row.get(adapter.ref_field, "") or "")[:64] if adapter.ref_field else ""
            out.errors.append((display, line, ref, str(exc)[:300]))
            continue
        out.channel.append(channel)
        out.ref.append(rec.source_ref)
        out.when.append(rec.occurred_at)
        out.text.append(rec.description)
        out.title.append((rec.title or "").strip()[:100])
        out.category.append(rec.category or "")
        if rec.text_only:
            u = urgency_memo.get(rec.description)
            if u is None:
                u = urgency_memo[rec.description] = _keyword_urgency(rec.description)
            out.urgency.append(u)
            xs.append(np.nan)
            ys.append(np.nan)
            crss.append("")
        else:
            out.urgency.append(rec.urgency)
            xs.append(rec.lng)
            ys.append(rec.lat)
            crss.append(rec.crs or "wgs84")
        out.point.append(None if rec.text_only else (rec.lng, rec.lat, rec.crs or "wgs84"))
        out.address.append((rec.address or "").strip()[:200])
        out.scope.append(rec.extra.get("scope", "") if rec.text_only else "")
        name = (rec.reporter_name or "").strip()[:32]
        phone = (rec.reporter_phone or "").strip()[:32]
        out.name.append(name)
        out.phone.append(phone)
        out.origin.append((display, line))
    n = len(out.ref)
    x = np.asarray(xs, dtype=np.float64)
    y = np.asarray(ys, dtype=np.float64)
    crs = np.asarray(crss, dtype=object)
    ok = np.ones(n, dtype=bool)
    for name in set(crss) - {"", "wgs84"}:
        m = crs == name
        try:
            x[m], y[m] = coords.to_wgs84(x[m], y[m], name)
        except ValueError:
            ok &= ~m
    codes = np.full(n, None, dtype=object)
    located = ~np.isnan(x) & ok
    if located.any():
        codes[located] = get_index().locate_many(x[located], y[located])
    community = CODE_LENGTH[Level.COMMUNITY]
    paths, bad = [], []
    for i in range(n):
        code = codes[i]
        if crss[i] == "":  # chat: a group bound to a grid sits at the grid
            scope = out.scope[i]
            centre = ctx.grid_centres.get(scope) if ctx else None
            if centre is not None:
                x[i], y[i] = centre
                paths.append(scope)
            else:
                paths.append("")  # located from the text in the parent
            continue
        if not ok[i]:
            reason = BAD_POINT
        elif code is None:
            reason = OUTSIDE
        elif len(code) < community:
            reason = NO_GRID
        else:
            paths.append(code)
            continue
        paths.append(None)
        bad.append(i)
        out.errors.append((*out.origin[i], out.ref[i], reason))
    out.lng, out.lat, out.path = x.tolist(), y.tolist(), paths
    if bad:
        keep = [p is not None for p in paths]
        out = out.keep(keep)
    adapt = connection.ops.adapt_datetimefield_value  # no query: a conversion
    out.when_db = [adapt(w) for w in out.when]
    if ctx is not None:
        sn, sp = ctx.seal_name, ctx.seal_phone
        out.name_enc = [sn.seal(v) for v in out.name]
        out.phone_enc = [sp.seal(v) for v in out.phone]
        out.phone_bidx = [sp.index(v) for v in out.phone]
    return out


def _keyword_urgency(text: str) -> str:
    from ..locate import urgency
    from ..triage import URGENCY_OF

    return URGENCY_OF.get(urgency(text).level, "normal")
