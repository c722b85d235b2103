"""Choices of the co-building app (结对共建, 三张清单, 六联动)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    AGENCY = "agency", _("机关")
    ENTERPRISE = "enterprise", _("企业")
    INSTITUTION = "institution", _("事业单位")
    SCHOOL = "school", _("学校")
    HOSPITAL = "hospital", _("医院")
    SOCIAL_ORG = "social_org", _("社会组织")
    OTHER = "other", _("其他")


class Linkage(models.TextChoices):
    """The six linkages (六联动) of 建新社区's 大党委 in the seed article."""

    PARTY_WORK = "party_work", _("党建工作联做")
    RESOURCES = "resources", _("社会资源联享")
    WELFARE = "welfare", _("公益事业联办")
    PROBLEMS = "problems", _("服务难题联解")
    CIVILITY = "civility", _("精神文明联创")
    SECURITY = "security", _("社区治安联防")


class Category(models.TextChoices):
    """What a resource offers or a need asks for; matching compares these."""

    VENUE = "venue", _("场地设施")
    EXPERTISE = "expertise", _("专业服务")
    VOLUNTEERS = "volunteers", _("志愿力量")
    SUPPLIES = "supplies", _("物资")
    FUNDS = "funds", _("资金")
    TRAINING = "training", _("教育培训")
    OTHER = "other", _("其他")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("待对接")
    MATCHED = "matched", _("已对接")
    DONE = "done", _("已完成")


class ProjectStatus(models.TextChoices):
    AGREED = "agreed", _("已商定")
    ONGOING = "ongoing", _("实施中")
    DONE = "done", _("已完成")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    PASS = "pass", _("合格")
    FAIL = "fail", _("不合格")
