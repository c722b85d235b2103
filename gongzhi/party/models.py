"""Party organisations on the territory tree, committees and cross-appointments,
members, 党建工作联席会议, and in-service members reporting to their
residential community (在职党员到社区报到)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.cobuild.models import Project, ResidentUnit
from gongzhi.core.fields import BlindIndexField, EncryptedCharField
from gongzhi.core.models import TimeStampedModel
from gongzhi.core.validators import normalize_id_number, validate_id_number
from gongzhi.org.models import Building, Division

from .constants import DecisionStatus, OrgKind, PoliticalStatus, ReportInStatus, SeatRole


class PartyOrganization(TimeStampedModel):
    """A party organisation attached to a node: street, community, grid (with
    an optional building for a 楼栋党小组), or a resident unit's organisation."""

    name = models.CharField(_("组织名称"), max_length=100)
    kind = models.CharField(_("组织类型"), max_length=32, choices=OrgKind.choices)
    division = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="party_orgs", verbose_name=_("所在区划")
    )
    building = models.ForeignKey(
        Building,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="party_groups",
        verbose_name=_("楼栋"),
    )
    resident_unit = models.ForeignKey(
        ResidentUnit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="party_orgs",
        verbose_name=_("驻区单位"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级党组织"),
    )
    # 社区“大党委”: the community committee that takes part-time members
    # (兼职委员) from resident units into its committee.
    is_joint_committee = models.BooleanField(_("区域化大党委"), default=False)
    established_on = models.DateField(_("成立日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["division__code", "kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind=OrgKind.UNIT_ORG) | Q(resident_unit__isnull=False),
                name="party_org_unit_org_has_unit",
            ),
            models.CheckConstraint(
                condition=Q(is_joint_committee=False) | Q(kind=OrgKind.COMMUNITY_COMMITTEE),
                name="party_org_joint_committee_is_community_committee",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PartyMember(TimeStampedModel):
    """A party member. Phone, ID number and political status are personal
    data: encrypted at rest, shown masked everywhere (docs/privacy.md); the
    name is masked on every page and in the API."""

    name = models.CharField(_("姓名"), max_length=32)
    phone = EncryptedCharField(_("手机号"), max_length=20, blank=True)
    phone_bidx = BlindIndexField(source="phone")
    id_number = EncryptedCharField(
        _("身份证号"),
        max_length=18,
        blank=True,
        normalizer=normalize_id_number,
        validators=[validate_id_number],
    )
    id_number_bidx = BlindIndexField(source="id_number")
    # Political status is sensitive (issue 5); two values only, so no blind
    # index: equal digests would reveal the distribution anyway.
    political_status = EncryptedCharField(
        _("政治面貌"), max_length=16, choices=PoliticalStatus.choices, default=PoliticalStatus.FULL
    )
    organization = models.ForeignKey(
        PartyOrganization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("所在党组织"),
    )
    # The in-service member's employer (在职党员所在单位).
    employer = models.ForeignKey(
        ResidentUnit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="employed_members",
        verbose_name=_("工作单位"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="party_member",
        verbose_name=_("账号"),
    )

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["name"]
        constraints = [
            # One member per ID number (the blind index is "" when none is given).
            models.UniqueConstraint(
                fields=["id_number_bidx"],
                condition=~Q(id_number_bidx=""),
                name="party_member_unique_id_number",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CommitteeSeat(TimeStampedModel):
    """A seat on an organisation's committee, with cross-appointments."""

    organization = models.ForeignKey(
        PartyOrganization, on_delete=models.CASCADE, related_name="seats", verbose_name=_("党组织")
    )
    holder_name = models.CharField(_("姓名"), max_length=32)
    member = models.ForeignKey(
        PartyMember, on_delete=models.SET_NULL, null=True, blank=True, related_name="seats"
    )
    role = models.CharField(_("职务"), max_length=16, choices=SeatRole.choices)
    # 兼职委员: a part-time member from a resident unit (大党委).
    resident_unit = models.ForeignKey(
        ResidentUnit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="committee_seats",
        verbose_name=_("兼职委员所在单位"),
    )
    is_part_time = models.BooleanField(_("兼职委员"), default=False)
    # 一肩挑: the community secretary is also 居委会主任.
    also_director = models.BooleanField(_("兼任居委会主任"), default=False)
    also_supervision_chair = models.BooleanField(_("兼任居务监督委员会主任"), default=False)

    class Meta:
        verbose_name = _("委员")
        verbose_name_plural = _("党组织委员会")
        ordering = ["organization", "role", "holder_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(role=SeatRole.SECRETARY),
                name="seat_one_secretary_per_org",
            ),
            models.CheckConstraint(
                condition=Q(is_part_time=False) | Q(resident_unit__isnull=False),
                name="seat_part_time_from_unit",
            ),
            models.CheckConstraint(
                condition=Q(role=SeatRole.SECRETARY)
                | (Q(also_director=False) & Q(also_supervision_chair=False)),
                name="seat_cross_appointment_secretary_only",
            ),
        ]


class JointConference(TimeStampedModel):
    """党建工作联席会议: the standing mechanism of a street or community."""

    division = models.OneToOneField(
        Division,
        on_delete=models.CASCADE,
        related_name="joint_conference",
        verbose_name=_("街道/社区"),
    )
    name = models.CharField(_("名称"), max_length=100)
    established_on = models.DateField(_("建立日期"))
    units = models.ManyToManyField(
        ResidentUnit, blank=True, related_name="joint_conferences", verbose_name=_("成员单位")
    )

    class Meta:
        verbose_name = _("党建工作联席会议")
        verbose_name_plural = _("党建工作联席会议")

    def __str__(self) -> str:
        return self.name


class JointMeeting(TimeStampedModel):
    conference = models.ForeignKey(
        JointConference, on_delete=models.CASCADE, related_name="meetings"
    )
    title = models.CharField(_("会议名称"), max_length=100)
    held_on = models.DateField(_("召开日期"))
    agenda = models.TextField(_("议程"))
    minutes = models.TextField(_("会议纪要"), blank=True)

    class Meta:
        verbose_name = _("联席会议")
        verbose_name_plural = _("联席会议")
        ordering = ["-held_on"]


class MeetingAttendance(TimeStampedModel):
    meeting = models.ForeignKey(JointMeeting, on_delete=models.CASCADE, related_name="attendance")
    name = models.CharField(_("姓名"), max_length=32)
    resident_unit = models.ForeignKey(
        ResidentUnit, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    present = models.BooleanField(_("出席"), default=True)

    class Meta:
        verbose_name = _("出席情况")
        verbose_name_plural = _("出席情况")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "name"], name="attendance_once"),
        ]


class MeetingDecision(TimeStampedModel):
    """A decision of a joint meeting and its follow-up.

    It can open a co-building project (``project``). Opening a case is done by
    the cases app, which records the case's id in ``case_ref`` through
    ``party.services.decision_link_case`` (no import of cases from here).
    """

    meeting = models.ForeignKey(JointMeeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField(_("议定事项"))
    owner = models.CharField(_("责任单位/人"), max_length=100, blank=True)
    due_on = models.DateField(_("完成时限"), null=True, blank=True)
    status = models.CharField(
        _("落实状态"), max_length=16, choices=DecisionStatus.choices, default=DecisionStatus.OPEN
    )
    project = models.OneToOneField(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decision",
        verbose_name=_("共建项目"),
    )
    case_ref = models.CharField(_("关联诉求编号"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("议定事项")
        verbose_name_plural = _("议定事项")
        ordering = ["meeting", "pk"]


class DecisionFollowUp(TimeStampedModel):
    decision = models.ForeignKey(
        MeetingDecision, on_delete=models.CASCADE, related_name="follow_ups"
    )
    note = models.TextField(_("落实情况"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("落实跟进")
        verbose_name_plural = _("落实跟进")
        ordering = ["created_at"]


class ReportIn(TimeStampedModel):
    """在职党员到社区报到: one live registration per member."""

    member = models.ForeignKey(
        PartyMember, on_delete=models.CASCADE, related_name="report_ins", verbose_name=_("党员")
    )
    community = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="report_ins", verbose_name=_("居住社区")
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=ReportInStatus.choices, default=ReportInStatus.PENDING
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    grid = models.ForeignKey(
        Division,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("联系网格"),
    )
    building = models.ForeignKey(
        Building,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("联系楼栋"),
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("在职党员报到")
        verbose_name_plural = _("在职党员报到")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status__in=[ReportInStatus.PENDING, ReportInStatus.CONFIRMED]),
                name="report_in_one_live_per_member",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReportInStatus.CONFIRMED) | Q(confirmed_at__isnull=False),
                name="report_in_confirmed_has_time",
            ),
        ]


class ReportInTask(TimeStampedModel):
    """A task the community assigns to a reported member (认领岗位/任务)."""

    report_in = models.ForeignKey(ReportIn, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("任务"), max_length=100)
    done = models.BooleanField(_("已完成"), default=False)

    class Meta:
        verbose_name = _("报到任务")
        verbose_name_plural = _("报到任务")
        ordering = ["pk"]
