"""Choices of the party app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    STREET_COMMITTEE = "street_committee", _("街道党工委")
    COMMUNITY_COMMITTEE = "community_committee", _("社区党委")
    COMMUNITY_GENERAL_BRANCH = "community_general_branch", _("社区党总支")
    COMMUNITY_BRANCH = "community_branch", _("社区党支部")
    GRID_BRANCH = "grid_branch", _("网格党支部")
    BUILDING_GROUP = "building_group", _("楼栋党小组")
    UNIT_ORG = "unit_org", _("驻区单位党组织")


COMMUNITY_KINDS = (
    OrgKind.COMMUNITY_COMMITTEE,
    OrgKind.COMMUNITY_GENERAL_BRANCH,
    OrgKind.COMMUNITY_BRANCH,
)
GRID_KINDS = (OrgKind.GRID_BRANCH, OrgKind.BUILDING_GROUP)


class SeatRole(models.TextChoices):
    SECRETARY = "secretary", _("书记")
    DEPUTY = "deputy", _("副书记")
    MEMBER = "member", _("委员")
    GROUP_LEADER = "group_leader", _("党小组长")


class PoliticalStatus(models.TextChoices):
    FULL = "full", _("中共党员")
    PROBATIONARY = "probationary", _("中共预备党员")


class ReportInStatus(models.TextChoices):
    PENDING = "pending", _("待社区确认")
    CONFIRMED = "confirmed", _("已报到")
    REJECTED = "rejected", _("已退回")


class DecisionStatus(models.TextChoices):
    OPEN = "open", _("待落实")
    IN_PROGRESS = "in_progress", _("落实中")
    DONE = "done", _("已办结")
