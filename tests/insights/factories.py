"""Builders for constructed territory data in insights tests."""

from __future__ import annotations

from gongzhi.org.constants import Kind, Level, StaffPostTitle
from gongzhi.org.models import Division, GridMember, StaffPost


def make_grid(community: Division, suffix: str) -> Division:
    return Division.objects.create(
        code=community.code + suffix,
        name=f"{community.short_name}第{int(suffix)}网格",
        level=Level.GRID,
        kind=Kind.GRID,
        parent=community,
    )


def make_members(grid: Division, *, part_time: int = 0, full_time: int = 0, inactive: int = 0):
    rows = (
        [GridMember(grid=grid, name=f"兼职{i}", is_part_time=True) for i in range(part_time)]
        + [GridMember(grid=grid, name=f"专职{i}", is_part_time=False) for i in range(full_time)]
        + [
            GridMember(grid=grid, name=f"离岗{i}", is_part_time=True, is_active=False)
            for i in range(inactive)
        ]
    )
    GridMember.objects.bulk_create(rows)


def make_posts(community: Division, *, active: int, inactive: int = 0):
    StaffPost.objects.bulk_create(
        [
            StaffPost(community=community, title=StaffPostTitle.WORKER, holder_name=f"工作者{i}")
            for i in range(active)
        ]
        + [
            StaffPost(
                community=community,
                title=StaffPostTitle.WORKER,
                holder_name=f"离岗{i}",
                is_active=False,
            )
            for i in range(inactive)
        ]
    )
