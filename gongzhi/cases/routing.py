"""Which unit must act on a case: category × territory rules, editable as
:class:`RoutingRule` rows, with 接诉即办 as the default (a case whose street
is known goes straight to that street)."""

from __future__ import annotations

from django.db.models import Q

from gongzhi.org.constants import CODE_LENGTH, Level
from gongzhi.org.models import Department, Division

from .constants import UnitType
from .models import Category, RoutingRule
from .units import Unit

LEVEL_OF_UNIT = {
    UnitType.GRID: Level.GRID,
    UnitType.COMMUNITY: Level.COMMUNITY,
    UnitType.STREET: Level.STREET,
    UnitType.COUNTY: Level.COUNTY,
    UnitType.CITY: Level.CITY,
}


def _category_chain(category: Category) -> list[int]:
    """The category and its ancestors' ids, the category first."""
    chain, node, seen = [], category, set()
    while node is not None and node.pk not in seen:
        seen.add(node.pk)
        chain.append(node.pk)
        node = node.parent
    return chain


def _prefixes(path: str) -> list[str]:
    return [""] + [path[:n] for n in sorted(CODE_LENGTH.values()) if n <= len(path)]


def resolve(unit_type: str, path: str, *, department_name: str = "", owner=None) -> Unit | None:
    """A unit of ``unit_type`` for a case located at ``path``, or None if
    the territory has no such unit."""
    if unit_type == UnitType.OWNER:
        return Unit.of_owner(owner) if owner is not None else None
    if unit_type == UnitType.DEPARTMENT:
        codes = [path[: CODE_LENGTH[Level.STREET]], path[: CODE_LENGTH[Level.COUNTY]]]
        departments = {
            d.division.code: d
            for d in Department.objects.select_related("division").filter(
                division__code__in=codes, name=department_name
            )
        }
        for code in codes:  # the street's own department before the county's
            if code in departments:
                return Unit.of_department(departments[code])
        return None
    level = LEVEL_OF_UNIT[unit_type]
    n = CODE_LENGTH[level]
    if len(path) < n:
        return None
    division = Division.objects.filter(code=path[:n]).first()
    return Unit.of_division(division) if division else None


def route(*, category: Category, division_path: str) -> Unit:
    """The unit a case of ``category`` at ``division_path`` goes to."""
    chain = _category_chain(category)
    depth = {pk: len(chain) - i for i, pk in enumerate(chain)}
    rules = list(
        RoutingRule.objects.select_related("owner__division")
        .filter(is_active=True, territory_prefix__in=_prefixes(division_path))
        .filter(Q(category__isnull=True) | Q(category_id__in=chain))
    )
    rules.sort(
        key=lambda r: (
            -len(r.territory_prefix),
            -depth.get(r.category_id, 0),
            r.priority,
            r.pk,
        )
    )
    for rule in rules:
        unit = resolve(
            rule.unit_type,
            division_path,
            department_name=rule.department_name,
            owner=rule.owner,
        )
        if unit is not None:
            return unit
    node = category
    while node is not None:  # the nearest category that names a default unit type
        if node.default_unit_type:
            unit = resolve(node.default_unit_type, division_path)
            if unit is not None:
                return unit
            break
        node = node.parent
    # 接诉即办: the street (or, above street level, the finest known node).
    for unit_type in (UnitType.STREET, UnitType.COUNTY, UnitType.CITY):
        unit = resolve(unit_type, division_path)
        if unit is not None:
            return unit
    raise ValueError(f"no unit for {division_path}")
