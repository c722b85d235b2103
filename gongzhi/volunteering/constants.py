"""Choices of the volunteering app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityStatus(models.TextChoices):
    OPEN = "open", _("报名中")
    FINISHED = "finished", _("已结束")
    CANCELLED = "cancelled", _("已取消")


class WishStatus(models.TextChoices):
    OPEN = "open", _("待认领")
    CLAIMED = "claimed", _("已认领")
    FULFILLED = "fulfilled", _("已完成待确认")
    CONFIRMED = "confirmed", _("居民已确认")


class PointsEvent(models.TextChoices):
    SERVICE_HOUR = "service_hour", _("志愿服务(每小时)")
    WISH_CONFIRMED = "wish_confirmed", _("实现微心愿")


class ScanAction(models.TextChoices):
    CHECK_IN = "in", _("签到")
    CHECK_OUT = "out", _("签退")
