"""The territory tree (province → grid), buildings, departments, posts."""

from __future__ import annotations

import shapely
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import BlindIndexField, EncryptedCharField
from gongzhi.core.models import TimeStampedModel

from .constants import CODE_LENGTH, DepartmentKind, GeometrySource, Kind, Level, StaffPostTitle


class Division(TimeStampedModel):
    """One node of the territory tree, keyed by its division-code prefix."""

    code = models.CharField(_("区划代码"), max_length=15, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("层级"), max_length=16, choices=Level.choices, db_index=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级"),
    )
    population = models.PositiveIntegerField(_("常住人口"), default=0)
    area_km2 = models.FloatField(_("面积(平方公里)"), default=0)
    # Boundary as WKB (WGS-84 lon/lat); read with shapely, never parsed in SQL,
    # so the same column works on SQLite and PostgreSQL.
    boundary = models.BinaryField(_("边界"), null=True, blank=True)
    boundary_source = models.CharField(
        _("边界来源"), max_length=16, choices=GeometrySource.choices, blank=True, default=""
    )
    center_lng = models.FloatField(_("中心经度"), null=True, blank=True)
    center_lat = models.FloatField(_("中心纬度"), null=True, blank=True)

    class Meta:
        verbose_name = _("区划节点")
        verbose_name_plural = _("区划节点")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    (Q(level=Level.PROVINCE) & Q(code__regex=r"^[0-9]{2}$"))
                    | (Q(level=Level.CITY) & Q(code__regex=r"^[0-9]{4}$"))
                    | (Q(level=Level.COUNTY) & Q(code__regex=r"^[0-9]{6}$"))
                    | (Q(level=Level.STREET) & Q(code__regex=r"^[0-9]{9}$"))
                    | (Q(level=Level.COMMUNITY) & Q(code__regex=r"^[0-9]{12}$"))
                    | (Q(level=Level.GRID) & Q(code__regex=r"^[0-9]{15}$"))
                ),
                name="division_code_matches_level",
            ),
            models.CheckConstraint(
                condition=Q(level=Level.PROVINCE) | Q(parent__isnull=False),
                name="division_parent_required_below_province",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}({self.code})"

    @property
    def geometry(self) -> shapely.Geometry | None:
        return shapely.from_wkb(bytes(self.boundary)) if self.boundary else None

    @property
    def ancestor_codes(self) -> list[str]:
        """Codes of every ancestor, root first (derived from the code)."""
        lengths = [n for n in CODE_LENGTH.values() if n < len(self.code)]
        return [self.code[:n] for n in lengths]

    @property
    def short_name(self) -> str:
        for suffix in ("社区居民委员会", "社区居委会", "居民委员会", "村民委员会", "村委会"):
            if self.name.endswith(suffix) and len(self.name) > len(suffix):
                return self.name[: -len(suffix)] + ("村" if "村" in suffix else "社区")
        return self.name


class Building(TimeStampedModel):
    """A residential building (楼栋) in a grid; code = grid code + 4 digits."""

    code = models.CharField(_("楼栋编码"), max_length=19, unique=True)
    grid = models.ForeignKey(
        Division,
        on_delete=models.CASCADE,
        related_name="buildings",
        limit_choices_to={"level": Level.GRID},
        verbose_name=_("网格"),
    )
    estate = models.CharField(_("小区"), max_length=64)
    name = models.CharField(_("楼栋名称"), max_length=64)
    address = models.CharField(_("地址"), max_length=200)
    floors = models.PositiveSmallIntegerField(_("层数"), default=6)
    households = models.PositiveSmallIntegerField(_("户数"), default=0)
    lng = models.FloatField(_("经度"))
    lat = models.FloatField(_("纬度"))

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[0-9]{19}$"), name="building_code_19_digits"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class GridMember(TimeStampedModel):
    """A grid member (网格员), mostly part-time, assigned to one grid."""

    grid = models.ForeignKey(
        Division,
        on_delete=models.CASCADE,
        related_name="grid_members",
        limit_choices_to={"level": Level.GRID},
        verbose_name=_("网格"),
    )
    name = models.CharField(_("姓名"), max_length=32)
    # Personal data: encrypted at rest, exact look-up through the blind index.
    phone = EncryptedCharField(_("手机号"), max_length=20, blank=True)
    phone_bidx = BlindIndexField(source="phone")
    is_part_time = models.BooleanField(_("兼职"), default=True)
    is_active = models.BooleanField(_("在岗"), default=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="grid_assignments",
        verbose_name=_("账号"),
    )

    class Meta:
        verbose_name = _("网格员")
        verbose_name_plural = _("网格员")
        ordering = ["grid__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["grid", "user"],
                condition=Q(user__isnull=False),
                name="grid_member_user_once_per_grid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}@{self.grid.code}"


class Department(TimeStampedModel):
    """A street 大部门 (after merging the old 七站八所) or a county department."""

    division = models.ForeignKey(
        Division, on_delete=models.CASCADE, related_name="departments", verbose_name=_("所属区划")
    )
    name = models.CharField(_("部门名称"), max_length=64)
    kind = models.CharField(_("部门类型"), max_length=16, choices=DepartmentKind.choices)
    duties = models.TextField(_("主要职责"), blank=True)
    # Names of the offices merged into this department by the 大部制 reform.
    merged_offices = models.JSONField(_("整合前科室"), default=list, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["division__code", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["division", "name"], name="department_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class PostQuota(TimeStampedModel):
    """Approved community worker posts (员额核定) for one community."""

    community = models.OneToOneField(
        Division,
        on_delete=models.CASCADE,
        related_name="post_quota",
        limit_choices_to={"level": Level.COMMUNITY},
        verbose_name=_("社区"),
    )
    approved = models.PositiveSmallIntegerField(_("核定员额"))

    class Meta:
        verbose_name = _("员额核定")
        verbose_name_plural = _("员额核定")


class StaffPost(TimeStampedModel):
    """A full-time community worker (社区专职工作者) holding a post."""

    community = models.ForeignKey(
        Division,
        on_delete=models.CASCADE,
        related_name="staff_posts",
        limit_choices_to={"level": Level.COMMUNITY},
        verbose_name=_("社区"),
    )
    title = models.CharField(_("岗位"), max_length=16, choices=StaffPostTitle.choices)
    holder_name = models.CharField(_("姓名"), max_length=32)
    is_active = models.BooleanField(_("在岗"), default=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_posts",
        verbose_name=_("账号"),
    )

    class Meta:
        verbose_name = _("社区工作者岗位")
        verbose_name_plural = _("社区工作者岗位")
        ordering = ["community__code", "title"]
