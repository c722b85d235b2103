"""Chat messages → building → grid → community, and urgency from text.

"蜀麓苑3栋楼道灯坏了好几天了": the estate name is matched against the Building
registry (exact substring first, then rapidfuzz partial matching on the words
jieba finds before the building number), the number (3栋 / 3号楼 / 三幢) picks
the building. The result always says whether it is sure; when it is not, the
message belongs in the human triage queue with the candidates shown — never a
silent wrong match.

The estate index is built once per scope (division code prefix) and cached in
process; it is rebuilt when the buildings under the scope change (count or
latest ``updated_at`` differ).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

from django.db.models import Count, Max
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from gongzhi.org.models import Building

# Scores are 0–100 (rapidfuzz). A match is "sure" at or above SURE_SCORE and
# at least MARGIN ahead of the next different estate.
SURE_SCORE = 90.0
MIN_SCORE = 70.0
MARGIN = 8.0
MAX_CANDIDATES = 5

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
             "六": 6, "七": 7, "八": 8, "九": 9}  # fmt: skip
_NUM = r"[0-9０-９]{1,3}|[一二两三四五六七八九十〇零]{1,4}"
BUILDING_RE = re.compile(rf"({_NUM})\s*(?:号楼|栋|幢|座|号)")


def parse_number(token: str) -> int | None:
    token = token.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if token.isdigit():
        return int(token)
    if "十" in token:
        tens, _sep, ones = token.partition("十")
        return CN_DIGITS.get(tens, 1) * 10 + (CN_DIGITS.get(ones, 0) if ones else 0)
    value = 0
    for ch in token:
        if ch not in CN_DIGITS:
            return None
        value = value * 10 + CN_DIGITS[ch]
    return value


_NAME_NUM = re.compile(r"(\d+)\s*(?:号楼|栋|幢|座|号)$")


def building_number(name: str) -> int | None:
    m = _NAME_NUM.search(name)
    return int(m.group(1)) if m else None


# --- the index ----------------------------------------------------------------------------------


@dataclass
class EstateEntry:
    name: str
    grids: set[str] = field(default_factory=set)
    buildings: dict[int, list[tuple[str, str, str]]] = field(default_factory=dict)
    # number → [(building code, building name, grid code)]


class EstateIndex:
    def __init__(self, scope: str, stamp: tuple):
        self.scope = scope
        self.stamp = stamp
        self.estates: dict[str, EstateEntry] = {}
        self.names: list[str] = []

    @classmethod
    def build(cls, scope: str, stamp: tuple) -> EstateIndex:
        index = cls(scope, stamp)
        rows = Building.objects.filter(code__startswith=scope).values_list(
            "code", "estate", "name", "grid__code"
        )
        for code, estate, name, grid_code in rows.iterator(chunk_size=20000):
            entry = index.estates.get(estate)
            if entry is None:
                entry = index.estates[estate] = EstateEntry(estate)
            entry.grids.add(grid_code)
            number = building_number(name)
            if number is not None:
                entry.buildings.setdefault(number, []).append((code, name, grid_code))
        index.names = list(index.estates)
        return index

    def estate_matches(self, text: str) -> list[tuple[str, float]]:
        """(estate, score) best first: exact substrings score 100."""
        exact = [n for n in self.names if n and n in text]
        # An estate that is part of a longer matched one (蜀麓苑 in 蜀麓苑二期) is dropped.
        exact = [n for n in exact if not any(n != m and n in m for m in exact)]
        if exact:
            return [(n, 100.0) for n in sorted(exact, key=len, reverse=True)]
        window = fuzzy_window(text)
        if not window:
            return []
        found = process.extract(
            window, self.names, scorer=fuzz.partial_ratio, limit=MAX_CANDIDATES * 2,
            score_cutoff=MIN_SCORE,
        )  # fmt: skip
        # partial_ratio favours short names; weigh by how much of the name is matched.
        scored = [(name, score * min(1.0, len(name) / max(3, len(window)) + 0.5)) for name, score,
                  _i in found]  # fmt: skip
        scored = [(n, min(s, 99.0)) for n, s in scored if s >= MIN_SCORE]
        return sorted(scored, key=lambda t: -t[1])[:MAX_CANDIDATES]


def fuzzy_window(text: str) -> str:
    """The words before the building number (or the start of the message),
    as jieba segments them, without the trailing number and filler."""
    import jieba

    jieba.setLogLevel(60)
    m = BUILDING_RE.search(text)
    head = text[: m.start()] if m else text[:16]
    words = [w for w in jieba.lcut(head[-16:]) if w.strip() and not re.fullmatch(r"\W+", w)]
    return "".join(words[-4:])


_lock = threading.Lock()
_indexes: dict[str, EstateIndex] = {}


def _stamp(scope: str) -> tuple:
    agg = Building.objects.filter(code__startswith=scope).aggregate(
        n=Count("id"), last=Max("updated_at")
    )
    return (agg["n"], agg["last"])


def get_index(scope: str = "") -> EstateIndex:
    stamp = _stamp(scope)
    index = _indexes.get(scope)
    if index is None or index.stamp != stamp:
        with _lock:
            index = _indexes.get(scope)
            if index is None or index.stamp != stamp:
                index = _indexes[scope] = EstateIndex.build(scope, stamp)
    return index


def invalidate(scope: str | None = None) -> None:
    with _lock:
        if scope is None:
            _indexes.clear()
        else:
            _indexes.pop(scope, None)


# --- locating a message ---------------------------------------------------------------------------


@dataclass
class Candidate:
    estate: str
    score: float
    building_code: str | None = None
    building_name: str | None = None
    grid_code: str | None = None

    @property
    def community_code(self) -> str | None:
        return self.grid_code[:12] if self.grid_code else None

    @property
    def street_code(self) -> str | None:
        return self.grid_code[:9] if self.grid_code else None


@dataclass
class Location:
    sure: bool
    level: str  # "building", "grid" or "none"
    reason: str
    candidates: list[Candidate]
    number: int | None = None

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def needs_triage(self) -> bool:
        return not self.sure


def locate_text(text: str, scope: str = "") -> Location:
    """Find the building (or at least the grid) a chat message talks about."""
    index = get_index(scope)
    m = BUILDING_RE.search(text or "")
    number = parse_number(m.group(1)) if m else None
    estates = index.estate_matches(text or "")
    if not estates:
        return Location(False, "none", _("未识别出小区名称"), [], number)

    candidates: list[Candidate] = []
    for estate, score in estates:
        entry = index.estates[estate]
        hits = entry.buildings.get(number, []) if number is not None else []
        if hits:
            candidates += [Candidate(estate, score, c, n, g) for c, n, g in hits]
        else:
            grid = next(iter(entry.grids)) if len(entry.grids) == 1 else None
            candidates.append(Candidate(estate, score - (5 if number is not None else 0), None,
                                        None, grid))  # fmt: skip
    candidates.sort(key=lambda c: (-c.score, c.building_code is None))
    candidates = candidates[:MAX_CANDIDATES]
    top = candidates[0]
    rival = next((c for c in candidates[1:] if c.estate != top.estate), None)
    same_estate_twins = [c for c in candidates[1:] if c.estate == top.estate and c.building_code]

    if top.score < SURE_SCORE:
        return Location(False, "none", _("小区名称匹配不确定"), candidates, number)
    if rival is not None and top.score - rival.score < MARGIN:
        return Location(False, "none", _("多个小区名称相近"), candidates, number)
    if top.building_code and not same_estate_twins:
        return Location(True, "building", _("已定位到楼栋"), candidates, number)
    if top.building_code:
        return Location(False, "grid", _("同名楼栋不止一处"), candidates, number)
    if number is not None:
        return Location(False, "grid" if top.grid_code else "none",
                        _("小区内没有该楼号"), candidates, number)  # fmt: skip
    if top.grid_code:
        return Location(True, "grid", _("未说明楼号,已定位到网格"), candidates, number)
    return Location(False, "none", _("未说明楼号,小区跨多个网格"), candidates, number)


# --- urgency ------------------------------------------------------------------------------------

URGENT = ("救命", "着火", "起火", "失火", "火灾", "冒烟", "燃气", "煤气", "天然气", "漏气",
          "爆炸", "触电", "漏电", "坍塌", "倒塌", "塌方", "被困", "困在电梯", "溺水", "晕倒",
          "昏迷", "受伤", "流血", "打架", "持刀", "跳楼")  # fmt: skip
HIGH = ("漏水", "爆管", "水管破", "停水", "停电", "断电", "积水", "淹", "堵塞", "外墙脱落",
        "高空抛物", "电梯故障", "电梯坏", "危险", "安全隐患", "老人", "独居")  # fmt: skip
# A bare 火 is urgent (楼下火很大), but not in 火车 / 火锅 / 火爆 / 火速 / 上火 …
_FIRE = re.compile(r"(?<![上发恼])火(?![车锅爆速箭腿柴热候红])")


@dataclass
class Urgency:
    level: str  # "urgent", "high", "normal"
    keywords: list[str]

    @property
    def label(self) -> str:
        return {"urgent": _("紧急"), "high": _("较急"), "normal": _("一般")}[self.level]


def urgency(text: str) -> Urgency:
    text = text or ""
    hits = [k for k in URGENT if k in text]
    if not hits and _FIRE.search(text):
        hits = ["火"]
    if hits:
        return Urgency("urgent", hits)
    hits = [k for k in HIGH if k in text]
    return Urgency("high" if hits else "normal", hits)
