"""Territory API: divisions, children, grids' buildings and members, departments.

Every operation resolves the division through the scoped selector, so a code
outside the caller's jurisdiction answers 404 exactly like an unknown code.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from gongzhi.core.errors import NotFound, ValidationFailed
from gongzhi.core.masking import mask_phone

from . import selectors
from .constants import Level
from .geo.coords import to_wgs84
from .geo.index import locate_many
from .models import Division

router = Router()
MAX_LOCATE_POINTS = 10_000


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


class DivisionRef(Schema):
    code: str
    name: str
    level: str


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


class PointIn(Schema):
    lng: float
    lat: float


class LocateIn(Schema):
    crs: str = Field("wgs84", description="坐标系:wgs84、gcj02 或 bd09")
    points: list[PointIn] = Field(..., min_length=1, max_length=MAX_LOCATE_POINTS)


class LocatedOut(Schema):
    lng: float = Field(description="WGS-84 经度")
    lat: float = Field(description="WGS-84 纬度")
    in_scope: bool = Field(description="是否在调用者管辖范围内;否则不返回区划")
    code: str | None = Field(None, description="最细一级区划(网格,或无网格的社区)")
    path: list[DivisionRef] = Field(default_factory=list, description="从省到该节点")


class StaffPostOut(Schema):
    title: str
    title_label: str
    holder_name: str


class StaffingOut(Schema):
    approved: int = Field(description="核定员额")
    staffed: int = Field(description="实际配备的社区专职工作者")
    rate: float | None = Field(description="配备率(0–1)")
    posts: list[StaffPostOut] = Field(description="岗位(仅社区一级列出)")


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


@router.get("/divisions/{code}/staffing", response={200: StaffingOut, 404: ErrorOut})
def division_staffing(request, code: str):
    """社区专职工作者员额:核定与配备。"""
    staffing = selectors.division_staffing(
        division=selectors.division_get_for_user(user=request.user, code=code)
    )
    return StaffingOut(
        approved=staffing.approved,
        staffed=staffing.staffed,
        rate=staffing.rate,
        posts=[
            StaffPostOut(
                title=p.title, title_label=str(p.get_title_display()), holder_name=p.holder_name
            )
            for p in staffing.posts
        ],
    )


@router.post("/locate", response={200: list[LocatedOut], 400: ErrorOut})
def locate(request, payload: LocateIn):
    """把坐标点定位到网格、社区、街道……(批量,最多 10000 个点)。

    Points outside the caller's jurisdiction answer ``in_scope: false`` and no
    division, so the API reveals nothing about other jurisdictions' grids.
    """
    lngs = [p.lng for p in payload.points]
    lats = [p.lat for p in payload.points]
    try:
        xs, ys = to_wgs84(lngs, lats, payload.crs)
    except ValueError as exc:
        raise ValidationFailed(str(exc), code="invalid_coordinates") from exc
    codes = locate_many(xs, ys)
    scope = request.user.scope_code or ""
    visible = {c for c in codes if c and c.startswith(scope)}
    names = selectors.division_paths(codes=visible)
    return [
        LocatedOut(
            lng=round(float(x), 7),
            lat=round(float(y), 7),
            in_scope=code in visible,
            code=code if code in visible else None,
            path=names.get(code, []) if code in visible else [],
        )
        for x, y, code in zip(xs, ys, codes, strict=True)
    ]
