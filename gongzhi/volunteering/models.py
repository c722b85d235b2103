"""Teams and service brands, activities with sign-up and QR check-in/out,
微心愿 (MicroWish), points rules and the points ledger."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from gongzhi.cobuild.models import ResidentUnit
from gongzhi.core.fields import BlindIndexField, EncryptedCharField
from gongzhi.core.models import TimeStampedModel
from gongzhi.org.models import Division

from .constants import ActivityStatus, PointsEvent, WishStatus


class ServiceBrand(TimeStampedModel):
    """A volunteer service brand, e.g. 黄果山社区“一米阳光”."""

    division = models.ForeignKey(Division, on_delete=models.CASCADE, related_name="service_brands")
    name = models.CharField(_("品牌名称"), max_length=64)
    slogan = models.CharField(_("品牌理念"), max_length=200, blank=True)
    partner = models.ForeignKey(
        ResidentUnit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_brands",
        verbose_name=_("共建单位"),
    )

    class Meta:
        verbose_name = _("服务品牌")
        verbose_name_plural = _("服务品牌")
        constraints = [
            models.UniqueConstraint(fields=["division", "name"], name="brand_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Team(TimeStampedModel):
    division = models.ForeignKey(Division, on_delete=models.CASCADE, related_name="volunteer_teams")
    name = models.CharField(_("队伍名称"), max_length=64)
    brand = models.ForeignKey(
        ServiceBrand,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="teams",
        verbose_name=_("服务品牌"),
    )

    class Meta:
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        constraints = [
            models.UniqueConstraint(fields=["division", "name"], name="team_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Activity(TimeStampedModel):
    division = models.ForeignKey(
        Division, on_delete=models.CASCADE, related_name="volunteer_activities"
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="activities"
    )
    title = models.CharField(_("活动名称"), max_length=100)
    description = models.TextField(_("活动内容"), blank=True)
    place = models.CharField(_("活动地点"), max_length=100, blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    capacity = models.PositiveIntegerField(_("招募人数"))
    status = models.CharField(
        _("状态"), max_length=16, choices=ActivityStatus.choices, default=ActivityStatus.OPEN
    )
    # Recorded by the organiser when the activity ends (帮助群众解决实际问题).
    problems_solved = models.PositiveIntegerField(_("解决实际问题数"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("志愿活动")
        verbose_name_plural = _("志愿活动")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="activity_ends"),
            models.CheckConstraint(condition=Q(capacity__gte=1), name="activity_capacity_pos"),
        ]

    def __str__(self) -> str:
        return self.title


class SignUp(TimeStampedModel):
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="volunteer_signups"
    )
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    hours = models.DecimalField(_("服务时长(小时)"), max_digits=5, decimal_places=1, default=0)

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "user"], name="signup_once"),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | (Q(checked_in_at__isnull=False) & Q(checked_out_at__gte=F("checked_in_at"))),
                name="signup_out_after_in",
            ),
        ]


class MicroWish(TimeStampedModel):
    """微心愿: posted by a resident (or by staff on their behalf), claimed and
    fulfilled by a volunteer or party member, confirmed by the resident."""

    division = models.ForeignKey(Division, on_delete=models.CASCADE, related_name="micro_wishes")
    title = models.CharField(_("心愿内容"), max_length=100)
    description = models.TextField(_("详细说明"), blank=True)
    resident_name = models.CharField(_("居民姓名"), max_length=32)
    # Encrypted at rest; the name is masked on every page and in the API.
    resident_phone = EncryptedCharField(_("联系电话"), max_length=20, blank=True)
    resident_phone_bidx = BlindIndexField(source="resident_phone")
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="own_wishes",
        verbose_name=_("居民账号"),
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="posted_wishes"
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=WishStatus.choices, default=WishStatus.OPEN
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="claimed_wishes",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("微心愿")
        verbose_name_plural = _("微心愿")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=WishStatus.OPEN) | Q(claimed_by__isnull=False),
                name="wish_claimed_has_claimer",
            ),
            models.CheckConstraint(
                condition=~Q(status=WishStatus.CONFIRMED) | Q(confirmed_at__isnull=False),
                name="wish_confirmed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class PointsRule(TimeStampedModel):
    event = models.CharField(_("事项"), max_length=32, choices=PointsEvent.choices, unique=True)
    points = models.PositiveIntegerField(_("积分"))
    description = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")


class PointsEntry(TimeStampedModel):
    """One line of the points ledger (积分台账); never updated, only added."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="points_entries"
    )
    event = models.CharField(_("事项"), max_length=32, choices=PointsEvent.choices)
    points = models.IntegerField(_("积分"))
    signup = models.OneToOneField(
        SignUp, on_delete=models.SET_NULL, null=True, blank=True, related_name="points_entry"
    )
    wish = models.OneToOneField(
        MicroWish, on_delete=models.SET_NULL, null=True, blank=True, related_name="points_entry"
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("积分记录")
        verbose_name_plural = _("积分台账")
        ordering = ["-created_at"]
