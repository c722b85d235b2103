"""The "unit" responsible for a case: a territory node (grid … city), a
department (street 大部门 or county department) or a non-government owner.

Stored on the case as ``unit_type`` + one of three foreign keys
(docs/decisions/0004-case-units.md); this module is the only place that
reads or writes those fields together.
"""

from __future__ import annotations

from dataclasses import dataclass

from gongzhi.org.constants import Level
from gongzhi.org.models import Department, Division

from .constants import UnitType
from .models import Case, ExternalOwner

UNIT_TYPE_BY_LEVEL = {
    Level.GRID: UnitType.GRID,
    Level.COMMUNITY: UnitType.COMMUNITY,
    Level.STREET: UnitType.STREET,
    Level.COUNTY: UnitType.COUNTY,
    Level.CITY: UnitType.CITY,
}
UNIT_FIELDS = ["unit_type", "unit_division", "unit_department", "unit_owner"]


@dataclass(frozen=True)
class Unit:
    type: str
    division: Division | None = None
    department: Department | None = None
    owner: ExternalOwner | None = None

    @classmethod
    def of_division(cls, division: Division) -> Unit:
        unit_type = UNIT_TYPE_BY_LEVEL.get(division.level)
        if unit_type is None:
            raise ValueError(f"no unit type for level {division.level}")
        return cls(unit_type, division=division)

    @classmethod
    def of_department(cls, department: Department) -> Unit:
        return cls(UnitType.DEPARTMENT, division=department.division, department=department)

    @classmethod
    def of_owner(cls, owner: ExternalOwner) -> Unit:
        return cls(UnitType.OWNER, division=owner.division, owner=owner)

    @property
    def label(self) -> str:
        if self.department is not None:
            return f"{self.department.division.name}{self.department.name}"
        if self.owner is not None:
            return self.owner.name
        return self.division.name if self.division is not None else ""

    def as_payload(self) -> dict:
        return {
            "type": self.type,
            "division": self.division.code if self.division else None,
            "department": self.department.pk if self.department else None,
            "owner": self.owner.pk if self.owner else None,
            "label": self.label,
        }


def unit_of(case: Case) -> Unit | None:
    if not case.unit_type:
        return None
    if case.unit_type == UnitType.DEPARTMENT:
        return Unit.of_department(case.unit_department)
    if case.unit_type == UnitType.OWNER:
        return Unit.of_owner(case.unit_owner)
    return Unit(case.unit_type, division=case.unit_division)


def assign(case: Case, unit: Unit) -> list[str]:
    """Make ``unit`` responsible for ``case``; returns the fields changed."""
    case.unit_type = unit.type
    case.unit_division = unit.division
    case.unit_department = unit.department
    case.unit_owner = unit.owner
    return list(UNIT_FIELDS)


def is_member(user, unit: Unit | None) -> bool:
    """Whether ``user`` acts for ``unit``.

    Department units: the department's staff. Territory units: staff attached
    to exactly that node (not to one of its departments). Owners have no
    accounts: the staff of the node the owner serves record for them.
    """
    if unit is None or not getattr(user, "division_id", None):
        return False
    if unit.type == UnitType.DEPARTMENT:
        return user.department_id == unit.department.pk
    if unit.type == UnitType.OWNER:
        return user.department_id is None and unit.owner.division.code.startswith(user.scope_code)
    return user.department_id is None and user.division_id == unit.division.pk


def level_above(unit: Unit) -> Division | None:
    """The node one level above a unit: a grid's community, a street
    department's street, a community's street, an owner's territory, …"""
    if unit.type in (UnitType.DEPARTMENT, UnitType.OWNER):
        return unit.division
    return unit.division.parent if unit.division is not None else None
