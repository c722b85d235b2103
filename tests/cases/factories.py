"""Factories and a small world of places and people for the case tests."""

from __future__ import annotations

from dataclasses import dataclass

import factory
from django.utils import timezone

from gongzhi.accounts.constants import Role
from gongzhi.cases.catalogue import seed_categories
from gongzhi.cases.constants import Channel, Status, UnitType
from gongzhi.cases.models import Case, Category
from gongzhi.org.constants import DepartmentKind, Level
from gongzhi.org.models import Department, Division
from tests.factories import make_user

STREET = "340111002"  # 包河区常青街道


def first_grid(street: str = STREET) -> Division:
    return Division.objects.filter(code__startswith=street, level=Level.GRID).order_by("code")[0]


class CaseFactory(factory.django.DjangoModelFactory):
    """A case at the first grid of 常青街道, by default just submitted."""

    class Meta:
        model = Case

    number = factory.Sequence(lambda n: f"GZ20260101{n:05d}")
    channel = Channel.WEB
    title = "路灯不亮"
    description = "小区门口路灯连续三晚不亮,行人夜间通行不便。"
    category = factory.LazyFunction(lambda: Category.objects.get(code="UC01"))
    lng = factory.LazyAttribute(lambda o: o.grid.center_lng or 117.3)
    lat = factory.LazyAttribute(lambda o: o.grid.center_lat or 31.8)
    grid = factory.LazyFunction(first_grid)
    division_path = factory.LazyAttribute(lambda o: o.grid.code)
    status = Status.SUBMITTED


@dataclass
class World:
    grid: Division
    community: Division
    street: Division
    county: Division
    street_dept: Department
    street_dept2: Department
    county_dept: Department
    grid_member: object
    community_worker: object
    community_worker2: object
    street_staff: object
    street_dept_staff: object
    street_dept2_staff: object
    county_dept_staff: object
    district_officer: object
    city_officer: object
    resident: object
    resident2: object
    other_grid_member: object  # in another street

    def users(self) -> dict[str, object]:
        return {k: v for k, v in vars(self).items() if hasattr(v, "role_set")}


def make_world() -> World:
    # Transactional tests empty every table, the seeded catalogue included.
    seed_categories(Category)
    grid = first_grid()
    community = grid.parent
    street = community.parent
    county = street.parent
    street_dept, _ = Department.objects.get_or_create(
        division=street, name="城市管理部", defaults={"kind": DepartmentKind.STREET}
    )
    street_dept2, _ = Department.objects.get_or_create(
        division=street, name="平安建设部", defaults={"kind": DepartmentKind.STREET}
    )
    county_dept, _ = Department.objects.get_or_create(
        division=county, name="城市管理局", defaults={"kind": DepartmentKind.COUNTY}
    )
    other_grid = (
        Division.objects.filter(code__startswith="340111", level=Level.GRID)
        .exclude(code__startswith=street.code)
        .order_by("code")[0]
    )
    return World(
        grid=grid,
        community=community,
        street=street,
        county=county,
        street_dept=street_dept,
        street_dept2=street_dept2,
        county_dept=county_dept,
        grid_member=make_user(grid.code, Role.GRID_MEMBER, username="grid"),
        community_worker=make_user(community.code, Role.COMMUNITY_WORKER, username="cw"),
        community_worker2=make_user(community.code, Role.COMMUNITY_WORKER, username="cw2"),
        street_staff=make_user(street.code, Role.STREET_STAFF, username="street"),
        street_dept_staff=make_user(
            street.code, Role.DEPARTMENT_STAFF, username="sdept", department=street_dept
        ),
        street_dept2_staff=make_user(
            street.code, Role.DEPARTMENT_STAFF, username="sdept2", department=street_dept2
        ),
        county_dept_staff=make_user(
            county.code, Role.DEPARTMENT_STAFF, username="cdept", department=county_dept
        ),
        district_officer=make_user(county.code, Role.DISTRICT_OFFICER, username="district"),
        city_officer=make_user(county.code[:4], Role.CITY_OFFICER, username="city"),
        resident=make_user(community.code, Role.RESIDENT, username="resident"),
        resident2=make_user(community.code, Role.RESIDENT, username="resident2"),
        other_grid_member=make_user(other_grid.code, Role.GRID_MEMBER, username="othergrid"),
    )


def unit_fields(unit_type: str, *, division=None, department=None) -> dict:
    return {
        "unit_type": unit_type,
        "unit_division": division if division is not None else department.division,
        "unit_department": department,
    }


def case_in(status: str, world: World, **extra) -> Case:
    """A case put directly into ``status`` with consistent fields, the
    responsible unit being the street's 城市管理部, dispatched by the community."""
    now = timezone.now()
    fields: dict = {
        "status": status,
        "reporter": world.resident,
        "dispatcher_division": world.community,
    }
    if status not in (Status.SUBMITTED, Status.REGISTERED, Status.VOIDED, Status.MERGED):
        fields.update(unit_fields(UnitType.DEPARTMENT, department=world.street_dept))
        fields.update(
            dispatched_at=now,
            handle_due=now + timezone.timedelta(days=5),
            warn_at=now + timezone.timedelta(days=4),
            accept_due=now + timezone.timedelta(hours=4),
            limit_hours=35,
        )
    if status == Status.RULING:
        fields.update(unit_fields(UnitType.STREET, division=world.street), rejection_count=2)
    if status == Status.REJECTED:
        fields.update(unit_fields(UnitType.COMMUNITY, division=world.community), rejection_count=1)
    if status in (Status.HANDLED, Status.VERIFIED, Status.CLOSED, Status.RATED):
        fields.update(handled_by=world.street_dept_staff, handled_at=now, result="已修复")
    if status in (Status.CLOSED, Status.RATED):
        fields.update(closed_at=now)
    if status == Status.SUSPENDED:
        fields.update(suspended_at=now)
    if status == Status.EXTENSION_REQUESTED:
        fields.update(extension_hours_requested=7)
    if status == Status.RATED:
        fields.update(rating="satisfied")
    fields.update(extra)
    return CaseFactory(**fields)
