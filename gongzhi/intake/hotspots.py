"""Hotspots (未诉先办) and the monthly hard problem (每月一题).

Messages are linked when their texts are similar (character 2–3-gram TF-IDF,
cosine ≥ ``threshold``, 0.4 by default), they were sent within ``window_days`` of each other
(a sliding window, not calendar buckets) and, where both name a place (district
or estate), the place agrees. Linked messages form a hotspot; hotspots are
ranked by a heat score:

    heat = (members + 2·ln(1 + votes) + 0.5·(reporters − 1) + (places − 1))
           × (0.5 + 0.5·2^(−age_days / half_life))

``members`` many messages, ``votes`` 点赞数 summed, ``reporters`` distinct
senders, ``places`` distinct places named (spread), ``age_days`` from the
newest member to the reference time (recency).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
from django.utils.translation import gettext as _

from gongzhi.intake.classify import normalize
from gongzhi.intake.textio import read_csv_rows

DEFAULT_THRESHOLD = 0.4
DEFAULT_WINDOW_DAYS = 30
HALF_LIFE_DAYS = 30
MIN_MEMBERS = 2

_DISTRICT = re.compile(r"[A-Z]\d{1,2}(?:区|县)")


@dataclass
class Message:
    id: str
    title: str
    detail: str = ""
    time: datetime | None = None
    votes: int = 0
    sender: str = ""
    place: str = ""  # a district, estate or grid code when known

    @property
    def text(self) -> str:
        return f"{self.title} {self.detail}"


@dataclass
class Hotspot:
    key: str
    members: list[Message]
    heat: float = 0.0
    places: list[str] = field(default_factory=list)

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def votes(self) -> int:
        return sum(m.votes for m in self.members)

    @property
    def first(self) -> datetime | None:
        times = [m.time for m in self.members if m.time]
        return min(times) if times else None

    @property
    def last(self) -> datetime | None:
        times = [m.time for m in self.members if m.time]
        return max(times) if times else None

    @property
    def representative(self) -> Message:
        """The member whose title shares most words-as-characters with the others,
        ties broken by votes."""
        if len(self.members) <= 2:
            return max(self.members, key=lambda m: (m.votes, len(m.title)))
        grams = [set(_bigrams(m.title)) for m in self.members]
        counts = Counter(g for s in grams for g in s)
        return max(
            zip(self.members, grams, strict=True),
            key=lambda mg: (sum(counts[g] for g in mg[1]) / (len(mg[1]) or 1), mg[0].votes),
        )[0]


def _bigrams(s: str) -> list[str]:
    s = normalize(s)
    return [s[i : i + 2] for i in range(len(s) - 1)]


def place_of(text: str) -> str:
    """The district named in the text (A3区, B2县 in the anonymised data), else ''.
    Channel adapters pass a grid code instead when they have one."""
    m = _DISTRICT.search(text or "")
    return m.group(0) if m else ""


# --- reading --------------------------------------------------------------------------------------

# Column names as the source platforms export them → ours.
COLUMNS = {
    "id": ("id", "留言编号"),
    "title": ("title", "留言主题"),
    "detail": ("detail", "留言详情"),
    "time": ("time", "留言时间"),
    "votes": ("votes", "点赞数"),
    "sender": ("sender", "留言用户"),
    "place": ("place", "grid", "地点"),
}


def parse_time(value: str) -> datetime | None:
    value = (value or "").strip()
    for fmt in ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M",
                "%Y/%m/%d", "%Y-%m-%d"):  # fmt: skip
        try:
            return datetime.strptime(value, fmt)  # noqa: DTZ007 (source times are local, naive)
        except ValueError:
            continue
    return None


def read_messages(path: Path) -> list[Message]:
    header, rows = read_csv_rows(path)
    col = {k: next((c for c in names if c in header), None) for k, names in COLUMNS.items()}
    if not col["title"]:
        raise ValueError(_("文件缺少标题列(title 或 留言主题)"))
    out = []
    for i, r in enumerate(rows):

        def get(key, r=r):
            return r.get(col[key], "") if col[key] else ""

        text = f"{get('title')} {get('detail')}"
        votes = get("votes")
        out.append(
            Message(
                id=get("id") or str(i + 1),
                title=get("title"),
                detail=get("detail"),
                time=parse_time(get("time")),
                votes=int(votes) if votes.strip().isdigit() else 0,
                sender=get("sender"),
                place=get("place") or place_of(text),
            )
        )
    return out


# --- clustering -----------------------------------------------------------------------------------


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def similar_pairs(
    messages: Sequence[Message], threshold: float, window_days: float, chunk: int = 1000
) -> Iterable[tuple[int, int]]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [normalize(m.title) + normalize(m.detail)[:160] for m in messages]
    min_df = 2 if len(messages) >= 50 else 1
    x = TfidfVectorizer(analyzer="char", ngram_range=(2, 3), sublinear_tf=True, min_df=min_df,
                        dtype=np.float32).fit_transform(texts)  # fmt: skip
    secs = np.array([m.time.timestamp() if m.time else np.nan for m in messages])
    window = window_days * 86400
    for start in range(0, len(messages), chunk):
        sims = (x[start : start + chunk] @ x.T).toarray()
        rows, cols = np.nonzero(sims >= threshold)
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True):
            i = start + r
            if c <= i:
                continue
            dt = abs(secs[i] - secs[c])
            if not np.isnan(dt) and dt > window:
                continue
            a, b = messages[i].place, messages[c].place
            if a and b and a != b:
                continue
            yield i, c


def heat_of(h: Hotspot, now: datetime | None) -> float:
    reporters = len({m.sender or m.id for m in h.members})
    base = h.size + 2 * math.log1p(h.votes) + 0.5 * (reporters - 1) + (len(h.places) - 1 or 0)
    if now is None or h.last is None:
        return base
    age = max(0.0, (now - h.last).total_seconds() / 86400)
    return base * (0.5 + 0.5 * 2 ** (-age / HALF_LIFE_DAYS))


def find_hotspots(
    messages: Sequence[Message],
    threshold: float = DEFAULT_THRESHOLD,
    window_days: float = DEFAULT_WINDOW_DAYS,
    now: datetime | None = None,
    min_members: int = MIN_MEMBERS,
) -> list[Hotspot]:
    """Hotspots ranked by heat, hottest first. ``now`` defaults to the newest message."""
    messages = list(messages)
    if len(messages) < max(2, min_members):
        return []
    uf = _UnionFind(len(messages))
    for i, j in similar_pairs(messages, threshold, window_days):
        uf.union(i, j)
    groups: dict[int, list[Message]] = {}
    for i, m in enumerate(messages):
        groups.setdefault(uf.find(i), []).append(m)
    if now is None:
        times = [m.time for m in messages if m.time]
        now = max(times) if times else None
    out = []
    for members in groups.values():
        if len(members) < min_members:
            continue
        members.sort(key=lambda m: (m.time.isoformat() if m.time else "", m.id))
        places = sorted({m.place for m in members if m.place})
        h = Hotspot(key=f"hs-{members[0].id}", members=members, places=places)
        h.heat = round(heat_of(h, now), 3)
        out.append(h)
    out.sort(key=lambda h: (-h.heat, h.key))
    return out


def monthly_hard_problems(
    messages: Sequence[Message], per_month: int = 1, **kwargs
) -> dict[str, list[Hotspot]]:
    """每月一题: each month's hottest hotspot(s) among that month's messages,
    heat measured at the month's end."""
    by_month: dict[str, list[Message]] = {}
    for m in messages:
        if m.time:
            by_month.setdefault(m.time.strftime("%Y-%m"), []).append(m)
    out = {}
    for month in sorted(by_month):
        found = find_hotspots(by_month[month], **kwargs)
        if found:
            out[month] = found[:per_month]
    return out


def case_payload(h: Hotspot, classifier=None) -> dict:
    """What a case service needs to open a proactive (未诉先办) case from a
    hotspot; the category comes from the classifier when one is given."""
    rep = h.representative
    payload = {
        "channel": "hotspot",
        "source_ref": h.key,
        "proactive": True,
        "title": _("【未诉先办】%(title)s") % {"title": rep.title},
        "description": _("%(n)d 条相似诉求,点赞 %(v)d,时间 %(a)s 至 %(b)s。代表诉求:%(d)s")
        % {
            "n": h.size,
            "v": h.votes,
            "a": h.first.date().isoformat() if h.first else "-",
            "b": h.last.date().isoformat() if h.last else "-",
            "d": rep.detail[:300],
        },
        "reporter_count": len({m.sender or m.id for m in h.members}),
        "member_refs": [m.id for m in h.members],
        "places": h.places,
        "heat": h.heat,
        "category": None,
        "confidence": None,
        "units": [],
    }
    if classifier is not None:
        pred = classifier.predict_one(rep.title, rep.detail)
        payload.update(category=pred.label, confidence=round(pred.confidence, 4),
                       units=list(pred.units))  # fmt: skip
    return payload
