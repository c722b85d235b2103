"""Reads of the territory tree, always scoped to the user's subtree.

A node outside the user's jurisdiction is reported as not found, exactly as a
node that does not exist, so ids from another jurisdiction reveal nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from gongzhi.core.errors import NotFound

from .constants import CODE_LENGTH, LEVEL_ORDER, Level
from .models import Building, Department, Division, GridMember, PostQuota, StaffPost


def in_scope(user, code: str) -> bool:
    scope = getattr(user, "scope_code", None)
    return bool(scope) and code.startswith(scope)


def divisions_for_user(user) -> QuerySet[Division]:
    scope = getattr(user, "scope_code", None)
    if not scope:
        return Division.objects.none()
    return Division.objects.filter(code__startswith=scope)


def division_get_for_user(*, user, code: str) -> Division:
    if not code.isdigit() or not in_scope(user, code):
        raise NotFound(_("区划不存在或不在您的管辖范围内。"))
    try:
        return Division.objects.select_related("parent").get(code=code)
    except Division.DoesNotExist as exc:
        raise NotFound(_("区划不存在或不在您的管辖范围内。")) from exc


def division_breadcrumb(*, user, division: Division) -> list[Division]:
    """Ancestors the user may see (from their own node down), then the node."""
    scope = user.scope_code or ""
    codes = [c for c in division.ancestor_codes if c.startswith(scope)]
    ancestors = {d.code: d for d in Division.objects.filter(code__in=codes)}
    return [ancestors[c] for c in codes if c in ancestors] + [division]


@dataclass(frozen=True)
class ChildRow:
    division: Division
    counts: dict[str, int]  # level → number of descendants at that level
    grid_members: int


def division_children(*, division: Division) -> list[ChildRow]:
    """Children with descendant counts per level, in a fixed number of queries."""
    children = list(
        Division.objects.filter(parent=division).only(
            "code", "name", "level", "kind", "population", "area_km2", "parent_id"
        )
    )
    if not children:
        return []
    child_len = len(children[0].code)
    counts: dict[str, dict[str, int]] = {c.code: {} for c in children}
    lower_levels = [lv for lv in LEVEL_ORDER if CODE_LENGTH[lv] > child_len]
    if lower_levels:
        rows = (
            Division.objects.filter(code__startswith=division.code, level__in=lower_levels)
            .annotate(child=Substr("code", 1, child_len))
            .values("child", "level")
            .annotate(n=Count("id"))
        )
        for row in rows:
            if row["child"] in counts:
                counts[row["child"]][row["level"]] = row["n"]
    members = (
        GridMember.objects.filter(grid__code__startswith=division.code, is_active=True)
        .annotate(child=Substr("grid__code", 1, child_len))
        .values("child")
        .annotate(n=Count("id"))
    )
    member_counts = {row["child"]: row["n"] for row in members}
    return [
        ChildRow(division=c, counts=counts[c.code], grid_members=member_counts.get(c.code, 0))
        for c in children
    ]


def division_summary(*, division: Division) -> dict[str, int]:
    """Descendant counts per level and totals for one node."""
    rows = (
        Division.objects.filter(code__startswith=division.code)
        .exclude(pk=division.pk)
        .values("level")
        .annotate(n=Count("id"))
    )
    summary = {row["level"]: row["n"] for row in rows}
    summary["buildings"] = Building.objects.filter(code__startswith=division.code).count()
    summary["grid_members"] = GridMember.objects.filter(
        grid__code__startswith=division.code, is_active=True
    ).count()
    return summary


def grids_under(*, code: str, limit: int = 1000) -> list[Division]:
    """The grids under a division (community name alongside), for a picker."""
    return list(
        Division.objects.filter(level=Level.GRID, code__startswith=code)
        .select_related("parent")
        .order_by("code")[:limit]
    )


def place_kind(code: str) -> str:
    """'b' for a building's code, 'g' for a grid's, '' for neither."""
    if Building.objects.filter(code=code).exists():
        return "b"
    if Division.objects.filter(code=code, level=Level.GRID).exists():
        return "g"
    return ""


def grid_buildings(*, grid: Division) -> QuerySet[Building]:
    return Building.objects.filter(grid=grid).order_by("code")


def grid_members(*, grid: Division) -> QuerySet[GridMember]:
    return GridMember.objects.filter(grid=grid, is_active=True).order_by("name")


def children_with_boundaries(*, division: Division) -> QuerySet[Division]:
    return Division.objects.filter(parent=division, boundary__isnull=False).only(
        "code", "name", "level", "population", "boundary"
    )


def departments_of(*, division: Division) -> QuerySet[Department]:
    return Department.objects.filter(division=division).order_by("sort_order", "name")


def division_paths(*, codes: set[str]) -> dict[str, list[dict[str, str]]]:
    """For each code, its ancestors and itself (root first), in one query."""
    wanted = {prefix for code in codes for prefix in [*Division(code=code).ancestor_codes, code]}
    rows = {
        d["code"]: d
        for d in Division.objects.filter(code__in=wanted).values("code", "name", "level")
    }
    return {
        code: [rows[p] for p in [*Division(code=code).ancestor_codes, code] if p in rows]
        for code in codes
    }


@dataclass(frozen=True)
class Staffing:
    approved: int
    staffed: int
    posts: list[StaffPost]  # listed for a single community only

    @property
    def rate(self) -> float | None:
        return self.staffed / self.approved if self.approved else None


def division_staffing(*, division: Division) -> Staffing:
    """员额: approved posts vs. staffed full-time community workers in a subtree."""
    approved = PostQuota.objects.filter(community__code__startswith=division.code).aggregate(
        total=Sum("approved")
    )["total"]
    active = StaffPost.objects.filter(community__code__startswith=division.code, is_active=True)
    posts = (
        list(active.order_by("title", "holder_name")) if division.level == Level.COMMUNITY else []
    )
    return Staffing(approved=approved or 0, staffed=active.count(), posts=posts)


_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ",
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
)


def _normalise_address(text: str) -> str:
    """Full-width digits to ASCII, no spaces, 号楼/幢 written as 栋."""
    value = "".join((text or "").translate(_FULLWIDTH).split()).upper()
    for variant in ("号楼", "幢", "号栋"):
        value = value.replace(variant, "栋")
    return value


def building_search(*, scope_code: str, text: str, limit: int = 5) -> list[Building]:
    """Buildings under ``scope_code`` an address names: an exact estate +
    building number (\"蜀麓苑3栋\") first; otherwise those whose estate, name
    or address contains the normalised text (or whose name the text ends
    with, e.g. a full address). At most ``limit``; the caller decides what
    more than one match means."""
    needle = _normalise_address(text)
    if not scope_code or not needle:
        return []
    base = Building.objects.filter(code__startswith=scope_code).order_by("code")
    exact = list(base.filter(name=needle)[:limit])
    if exact:
        return exact
    found = list(
        (
            base.filter(name__contains=needle)
            | base.filter(address__contains=needle)
            | base.filter(estate=needle)
        )[:limit]
    )
    if found:
        return found
    # A longer text ending with a building's name ("包河区…蜀麓苑3栋2单元").
    matches = []
    for building in base.only("pk", "name", "estate", "address", "lng", "lat", "grid_id", "code"):
        if building.name and building.name in needle:
            matches.append(building)
            if len(matches) >= limit:
                break
    return matches
