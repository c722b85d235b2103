"""The case catalogue's seed: the citizen-request taxonomy and the top
classes of digital urban management (GB/T 30428).

Used by the data migration (with the historical model) and by
``manage.py seed_case_categories``; running it again changes nothing.
"""

from __future__ import annotations

import csv
from pathlib import Path

from django.conf import settings

TAXONOMY_CSV = Path(settings.BASE_DIR) / "data" / "citizen-messages" / "taxonomy.csv"

# GB/T 30428 (数字化城市管理信息系统): the top classes (大类) of managed
# components (部件) and events (事件). Time limits in working hours
# (normal, urgent, critical); emergencies are on the shortest clock.
URBAN_COMPONENTS = [
    ("UC01", "市政公用设施", (35, 7, 2)),
    ("UC02", "道路交通设施", (35, 7, 2)),
    ("UC03", "市容环境设施", (35, 7, 2)),
    ("UC04", "园林绿化设施", (35, 7, 2)),
    ("UC05", "房屋土地", (35, 7, 2)),
    ("UC06", "其他设施", (35, 7, 2)),
]
URBAN_EVENTS = [
    ("UE01", "市容环境", (14, 4, 2)),
    ("UE02", "宣传广告", (14, 4, 2)),
    ("UE03", "施工管理", (14, 4, 2)),
    ("UE04", "突发事件", (2, 1, 1)),
    ("UE05", "街面秩序", (14, 4, 2)),
    ("UE06", "其他事件", (35, 7, 2)),
]
ROOTS = [
    ("U", "数字城管(GB/T 30428)", "local"),
    ("UC", "部件", "urban_component"),
    ("UE", "事件", "urban_event"),
    ("T", "市民诉求", "citizen"),
]


def taxonomy_rows(path: Path = TAXONOMY_CSV) -> list[tuple[str, str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)
        return [(r[0].strip(), r[1].strip(), r[2].strip()) for r in reader if len(r) >= 3]


def seed_categories(Category) -> int:
    """Create missing categories; return how many were created."""
    created = 0

    def ensure(code, name, parent, source, limits=None, order=0):
        nonlocal created
        defaults = {"name": name, "parent": parent, "source": source, "sort_order": order}
        if limits:
            defaults.update(
                limit_normal_hours=limits[0],
                limit_urgent_hours=limits[1],
                limit_critical_hours=limits[2],
            )
        obj, was_created = Category.objects.get_or_create(code=code, defaults=defaults)
        created += was_created
        return obj

    roots = {}
    for code, name, source in ROOTS:
        parent = roots.get(code[:-1]) if len(code) > 1 else None
        roots[code] = ensure(code, name, parent, source)
    for i, (code, name, limits) in enumerate(URBAN_COMPONENTS):
        ensure(code, name, roots["UC"], "urban_component", limits, i)
    for i, (code, name, limits) in enumerate(URBAN_EVENTS):
        ensure(code, name, roots["UE"], "urban_event", limits, i)

    firsts: dict[str, str] = {}
    seconds: dict[tuple[str, str], str] = {}
    thirds: dict[tuple[str, str, str], str] = {}
    for first, second, third in taxonomy_rows():
        if first not in firsts:
            firsts[first] = f"T{len(firsts) + 1:02d}"
        if (first, second) not in seconds:
            n = sum(1 for k in seconds if k[0] == first) + 1
            seconds[(first, second)] = f"{firsts[first]}{n:02d}"
        if (first, second, third) not in thirds:
            n = sum(1 for k in thirds if k[:2] == (first, second)) + 1
            thirds[(first, second, third)] = f"{seconds[(first, second)]}{n:03d}"
    objs = {}
    for name, code in firsts.items():
        objs[code] = ensure(code, name, roots["T"], "citizen", order=int(code[1:]))
    for (first, name), code in seconds.items():
        objs[code] = ensure(code, name, objs[firsts[first]], "citizen", order=int(code[-2:]))
    for (first, second, name), code in thirds.items():
        ensure(code, name, objs[seconds[(first, second)]], "citizen", order=int(code[-3:]))
    return created
