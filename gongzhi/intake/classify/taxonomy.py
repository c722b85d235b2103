"""The first-level labels, their responsible departments, and the keyword
hint for the second and third levels of taxonomy.csv."""

from __future__ import annotations

import csv
from functools import lru_cache

from .data import data_dir
from .features import normalize

LABELS = ("城乡建设", "劳动和社会保障", "教育文体", "商贸旅游", "环境保护", "卫生计生", "交通运输")

# First-level category → responsible county departments (names as in
# gongzhi.org.services.staffing.COUNTY_DEPARTMENTS), primary first.
RESPONSIBLE_UNITS: dict[str, tuple[str, ...]] = {
    "城乡建设": ("住房和城乡建设局", "城市管理局", "自然资源和规划分局", "水务局"),
    "劳动和社会保障": ("人力资源和社会保障局", "民政局"),
    "教育文体": ("教育体育局",),
    "商贸旅游": ("市场监督管理局",),
    "环境保护": ("生态环境分局",),
    "卫生计生": ("卫生健康委员会",),
    "交通运输": ("交通运输局", "公安分局"),
}


@lru_cache(maxsize=1)
def taxonomy() -> dict[str, list[tuple[str, str]]]:
    """First-level → [(second, third)] from taxonomy.csv (empty if absent)."""
    path = data_dir() / "taxonomy.csv"
    tree: dict[str, list[tuple[str, str]]] = {}
    if path.exists():
        with open(path, encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                tree.setdefault(row["一级分类"], []).append((row["二级分类"], row["三级分类"]))
    return tree


@lru_cache(maxsize=1)
def _subcategory_keys() -> dict[str, list[list[tuple[str, tuple[str, str]]]]]:
    """Per first level, per taxonomy row: its normalised names worth matching
    (third level first) with the hint each yields."""
    keys: dict[str, list[list[tuple[str, tuple[str, str]]]]] = {}
    for label, rows in taxonomy().items():
        for second, third in rows:
            names = [(normalize(n), (second, third if n == third else "")) for n in (third, second)]
            keys.setdefault(label, []).append(
                [(k, hint) for k, hint in names if len(k) >= 2 and k not in ("其他", "其它")]
            )
    return keys


def suggest_subcategory(text: str, label: str) -> tuple[str, str] | None:
    """A keyword hint for the second/third level: the data has no labels below
    the first level, so this is only a literal match of a taxonomy name inside
    the message (longest first), never a trained prediction."""
    plain = normalize(text)
    best: tuple[int, tuple[str, str]] | None = None
    for names in _subcategory_keys().get(label, ()):
        for key, hint in names:
            if key in plain:
                if best is None or len(key) > best[0]:
                    best = (len(key), hint)
                break
    return best[1] if best else None
