"""Resident units (驻区单位), pairing (结对共建), the three lists (三张清单),
six-linkage activity records (六联动) and assessments (评先评优评价权)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import BlindIndexField, EncryptedCharField
from gongzhi.core.models import TimeStampedModel
from gongzhi.org.models import Division

from .constants import Category, Grade, Linkage, NeedStatus, ProjectStatus, UnitKind


class ResidentUnit(TimeStampedModel):
    """An agency, enterprise, school, hospital … located in a street or community."""

    name = models.CharField(_("单位名称"), max_length=100)
    kind = models.CharField(_("单位类型"), max_length=16, choices=UnitKind.choices)
    division = models.ForeignKey(
        Division,
        on_delete=models.PROTECT,
        related_name="resident_units",
        verbose_name=_("所在区划"),
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    party_members = models.PositiveIntegerField(_("党员人数"), default=0)

    class Meta:
        verbose_name = _("驻区单位")
        verbose_name_plural = _("驻区单位")
        ordering = ["division__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["division", "name"], name="resident_unit_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class UnitContact(TimeStampedModel):
    """A unit's contact person; with an account they act as its liaison (联络员).
    The phone is encrypted at rest; name and phone are masked on display."""

    unit = models.ForeignKey(
        ResidentUnit, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("单位")
    )
    name = models.CharField(_("姓名"), max_length=32)
    phone = EncryptedCharField(_("手机号"), max_length=20, blank=True)
    phone_bidx = BlindIndexField(source="phone")
    title = models.CharField(_("职务"), max_length=32, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="unit_contact",
        verbose_name=_("账号"),
    )

    class Meta:
        verbose_name = _("单位联系人")
        verbose_name_plural = _("单位联系人")
        ordering = ["unit", "name"]

    def __str__(self) -> str:
        return self.name


class Pairing(TimeStampedModel):
    """结对共建: a resident unit paired with a street or a community."""

    unit = models.ForeignKey(
        ResidentUnit, on_delete=models.CASCADE, related_name="pairings", verbose_name=_("单位")
    )
    division = models.ForeignKey(
        Division, on_delete=models.CASCADE, related_name="pairings", verbose_name=_("结对街道/社区")
    )
    started_on = models.DateField(_("结对日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("结对共建")
        verbose_name_plural = _("结对共建")
        constraints = [
            models.UniqueConstraint(fields=["unit", "division"], name="pairing_unique"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="pairing_ends_after_start",
            ),
        ]


class Resource(TimeStampedModel):
    """资源清单: what a unit offers."""

    unit = models.ForeignKey(
        ResidentUnit, on_delete=models.CASCADE, related_name="resources", verbose_name=_("单位")
    )
    title = models.CharField(_("资源名称"), max_length=100)
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    description = models.TextField(_("说明"), blank=True)
    is_available = models.BooleanField(_("可提供"), default=True)

    class Meta:
        verbose_name = _("资源")
        verbose_name_plural = _("资源清单")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Need(TimeStampedModel):
    """需求清单: what a community needs; matched to one paired unit's resource."""

    division = models.ForeignKey(
        Division, on_delete=models.CASCADE, related_name="cobuild_needs", verbose_name=_("社区")
    )
    title = models.CharField(_("需求名称"), max_length=100)
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    description = models.TextField(_("说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=NeedStatus.choices, default=NeedStatus.OPEN
    )
    resource = models.ForeignKey(
        Resource,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="needs",
        verbose_name=_("对接资源"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("需求")
        verbose_name_plural = _("需求清单")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=NeedStatus.OPEN) | Q(resource__isnull=False),
                name="need_matched_has_resource",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Project(TimeStampedModel):
    """项目清单: a project agreed between a community (or street) and a unit."""

    division = models.ForeignKey(
        Division, on_delete=models.CASCADE, related_name="cobuild_projects", verbose_name=_("区划")
    )
    title = models.CharField(_("项目名称"), max_length=100)
    linkage = models.CharField(_("联动类别"), max_length=16, choices=Linkage.choices)
    unit = models.ForeignKey(
        ResidentUnit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("承接单位"),
    )
    need = models.ForeignKey(
        Need, on_delete=models.SET_NULL, null=True, blank=True, related_name="projects"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.AGREED
    )
    description = models.TextField(_("内容"), blank=True)

    class Meta:
        verbose_name = _("共建项目")
        verbose_name_plural = _("项目清单")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class LinkageActivity(TimeStampedModel):
    """An activity recorded under one of the six linkages."""

    division = models.ForeignKey(
        Division, on_delete=models.CASCADE, related_name="linkage_activities"
    )
    unit = models.ForeignKey(
        ResidentUnit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="linkage_activities",
        verbose_name=_("参与单位"),
    )
    linkage = models.CharField(_("联动类别"), max_length=16, choices=Linkage.choices)
    title = models.CharField(_("活动名称"), max_length=100)
    held_on = models.DateField(_("活动日期"))
    participants = models.PositiveIntegerField(_("参与人数"), default=0)
    summary = models.TextField(_("活动情况"), blank=True)

    class Meta:
        verbose_name = _("六联动活动")
        verbose_name_plural = _("六联动活动")
        ordering = ["-held_on"]


class UnitAssessment(TimeStampedModel):
    """The community party organisation's yearly assessment of a unit (评价权)."""

    unit = models.ForeignKey(
        ResidentUnit, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("单位")
    )
    community = models.ForeignKey(
        Division, on_delete=models.CASCADE, related_name="unit_assessments", verbose_name=_("社区")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    grade = models.CharField(_("评价等次"), max_length=16, choices=Grade.choices)
    comment = models.TextField(_("评语"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("驻区单位评价")
        verbose_name_plural = _("驻区单位评价")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "community", "year"], name="assessment_once_per_year"
            ),
        ]
