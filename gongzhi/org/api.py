"""Territory API: divisions, children, grids' buildings and members, departments.

Every operation resolves the division through the scoped selector, so a code
outside the caller's jurisdiction answers 404 exactly like an unknown code.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from gongzhi.core.errors import NotFound
from gongzhi.core.masking import mask_phone

from . import selectors
from .constants import Level
from .models import Division

router = Router()


class DivisionOut(Schema):
    code: str
    name: str
    level: str
    level_label: str
    kind: str
    kind_label: str
    parent_code: str | None
    population: int
    area_km2: float
    center: list[float] | None = Field(None, description="[经度, 纬度],WGS-84")

    @staticmethod
    def from_division(d: Division) -> DivisionOut:
        return DivisionOut(
            code=d.code,
            name=d.name,
            level=d.level,
            level_label=str(d.get_level_display()),
            kind=d.kind,
            kind_label=str(d.get_kind_display()),
            parent_code=d.ancestor_codes[-1] if d.ancestor_codes else None,
            population=d.population,
            area_km2=round(d.area_km2, 3),
            center=[d.center_lng, d.center_lat] if d.center_lng is not None else None,
        )


class ChildOut(Schema):
    division: DivisionOut
    counts: dict[str, int] = Field(description="各层级下属节点数")
    grid_members: int


class BuildingOut(Schema):
    code: str
    estate: str
    name: str
    address: str
    floors: int
    households: int
    lng: float
    lat: float


class GridMemberOut(Schema):
    name: str
    phone_masked: str
    is_part_time: bool


class DepartmentOut(Schema):
    id: int
    name: str
    kind: str
    duties: str
    merged_offices: list[str]


class ErrorOut(Schema):
    code: str
    message: str


@router.get("/divisions/{code}", response={200: DivisionOut, 404: ErrorOut})
def division_detail(request, code: str):
    """一个区划节点(省、市、县、街道、社区或网格)。"""
    return DivisionOut.from_division(selectors.division_get_for_user(user=request.user, code=code))


@router.get("/divisions/{code}/children", response={200: list[ChildOut], 404: ErrorOut})
def division_children(request, code: str):
    """下级节点及其下属各层级数量。"""
    division = selectors.division_get_for_user(user=request.user, code=code)
    return [
        ChildOut(
            division=DivisionOut.from_division(row.division),
            counts=row.counts,
            grid_members=row.grid_members,
        )
        for row in selectors.division_children(division=division)
    ]


def _grid_for(request, code: str) -> Division:
    grid = selectors.division_get_for_user(user=request.user, code=code)
    if grid.level != Level.GRID:
        raise NotFound(_("该编码不是网格。"), code="not_a_grid")
    return grid


@router.get("/grids/{code}/buildings", response={200: list[BuildingOut], 404: ErrorOut})
def grid_buildings(request, code: str):
    """网格内的楼栋。"""
    return list(selectors.grid_buildings(grid=_grid_for(request, code)))


@router.get("/grids/{code}/members", response={200: list[GridMemberOut], 404: ErrorOut})
def grid_members(request, code: str):
    """网格员(手机号脱敏)。"""
    return [
        GridMemberOut(name=m.name, phone_masked=mask_phone(m.phone), is_part_time=m.is_part_time)
        for m in selectors.grid_members(grid=_grid_for(request, code))
    ]


@router.get("/divisions/{code}/departments", response={200: list[DepartmentOut], 404: ErrorOut})
def division_departments(request, code: str):
    """街道大部门或区(县)职能部门。"""
    division = selectors.division_get_for_user(user=request.user, code=code)
    return list(selectors.departments_of(division=division))
