"""Levels of the territory tree and the length of each level's code.

Codes are the significant prefix of the national statistical division code
(统计用区划代码): ``34`` → ``3401`` → ``340111`` → ``340111002`` →
``340111002001``; a grid appends 3 digits and a building 4 more, so a subtree
is exactly the rows whose code starts with the node's code.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    PROVINCE = "province", _("省")
    CITY = "city", _("市")
    COUNTY = "county", _("县(市、区)")
    STREET = "street", _("街道(乡镇)")
    COMMUNITY = "community", _("社区(村)")
    GRID = "grid", _("网格")


CODE_LENGTH = {
    Level.PROVINCE: 2,
    Level.CITY: 4,
    Level.COUNTY: 6,
    Level.STREET: 9,
    Level.COMMUNITY: 12,
    Level.GRID: 15,
}
BUILDING_CODE_LENGTH = 19
LEVEL_BY_LENGTH = {length: level for level, length in CODE_LENGTH.items()}
LEVEL_ORDER = list(CODE_LENGTH)


def child_level(level: str) -> str | None:
    index = LEVEL_ORDER.index(Level(level))
    return LEVEL_ORDER[index + 1] if index + 1 < len(LEVEL_ORDER) else None


class Kind(models.TextChoices):
    """What kind of unit a node is within its level (from its official name)."""

    PROVINCE = "province", _("省")
    CITY = "city", _("地级市")
    DISTRICT = "district", _("市辖区")
    COUNTY = "county", _("县")
    COUNTY_CITY = "county_city", _("县级市")
    DEV_ZONE = "dev_zone", _("开发区")
    SUBDISTRICT = "subdistrict", _("街道")
    TOWN = "town", _("镇")
    TOWNSHIP = "township", _("乡")
    STREET_OTHER = "street_other", _("其他乡级单位")
    RESIDENTS_COMMITTEE = "residents", _("社区居委会")
    VILLAGERS_COMMITTEE = "villagers", _("村委会")
    GRID = "grid", _("网格")


class GeometrySource(models.TextChoices):
    NONE = "", _("无")
    SURVEYED = "surveyed", _("公开边界数据")
    GENERATED = "generated", _("系统生成(演示)")
    IMPORTED = "imported", _("用户导入")


class DepartmentKind(models.TextChoices):
    STREET = "street", _("街道大部门")
    COUNTY = "county", _("区(县)职能部门")


class StaffPostTitle(models.TextChoices):
    SECRETARY = "secretary", _("党组织书记")
    DIRECTOR = "director", _("居委会主任")
    DEPUTY = "deputy", _("副书记/副主任")
    MEMBER = "member", _("两委委员")
    WORKER = "worker", _("社区专职工作者")
