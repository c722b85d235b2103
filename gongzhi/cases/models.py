"""Cases (诉求与事件), their catalogue, timeline, photos, whistles and rules.

State changes happen only in ``cases.services``; these models hold data and
the constraints the database can enforce.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from gongzhi.core.fields import BlindIndexField, EncryptedCharField
from gongzhi.core.models import TimeStampedModel

from .constants import (
    Action,
    CategorySource,
    Channel,
    NotificationKind,
    OwnerKind,
    PhotoKind,
    Rating,
    Status,
    TaskStatus,
    UnitType,
    Urgency,
)

DESCRIPTION_MAX = 4000


class Category(TimeStampedModel):
    """One class of the catalogue (a tree); officers may edit it."""

    code = models.CharField(_("分类编码"), max_length=16, unique=True)
    name = models.CharField(_("分类名称"), max_length=64)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级分类"),
    )
    source = models.CharField(_("来源"), max_length=16, choices=CategorySource.choices)
    # Time limits to handle a case, in working hours, per urgency.
    limit_normal_hours = models.PositiveIntegerField(_("一般件时限(工作小时)"), default=35)
    limit_urgent_hours = models.PositiveIntegerField(_("紧急件时限(工作小时)"), default=7)
    limit_critical_hours = models.PositiveIntegerField(_("特急件时限(工作小时)"), default=2)
    default_unit_type = models.CharField(
        _("默认责任主体类型"), max_length=16, choices=UnitType.choices, blank=True, default=""
    )
    is_active = models.BooleanField(_("启用"), default=True)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("事项分类")
        verbose_name_plural = _("事项分类")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def limit_hours(self, urgency: str) -> int:
        return {
            Urgency.NORMAL: self.limit_normal_hours,
            Urgency.URGENT: self.limit_urgent_hours,
            Urgency.CRITICAL: self.limit_critical_hours,
        }[Urgency(urgency)]


class ExternalOwner(TimeStampedModel):
    """A non-government unit that owns a problem: a utility, a property company."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=OwnerKind.choices)
    # The territory the owner serves; its staff act through this node's
    # dispatchers, who record the owner's answers (owners have no accounts).
    division = models.ForeignKey(
        "org.Division",
        on_delete=models.PROTECT,
        related_name="external_owners",
        verbose_name=_("服务区域"),
    )
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("非政府责任主体")
        verbose_name_plural = _("非政府责任主体")
        ordering = ["division__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["division", "name"], name="external_owner_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class RoutingRule(TimeStampedModel):
    """Category × territory prefix → the kind of unit that must act.

    The most specific rule wins: longest territory prefix, then a category
    deeper in the tree, then the lowest ``priority``.
    """

    category = models.ForeignKey(
        Category,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="routing_rules",
        verbose_name=_("分类(含下级)"),
    )
    territory_prefix = models.CharField(
        _("区域代码前缀"), max_length=15, blank=True, default="", db_index=True
    )
    unit_type = models.CharField(_("责任主体类型"), max_length=16, choices=UnitType.choices)
    # For departments: matched by name within the case's street (street
    # departments) or county (county departments), since every street has its own.
    department_name = models.CharField(_("部门名称"), max_length=64, blank=True)
    owner = models.ForeignKey(
        ExternalOwner,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="routing_rules",
        verbose_name=_("非政府责任主体"),
    )
    priority = models.PositiveSmallIntegerField(_("优先级"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("派遣规则")
        verbose_name_plural = _("派遣规则")
        ordering = ["territory_prefix", "priority"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(unit_type=UnitType.DEPARTMENT) | ~Q(department_name=""),
                name="routing_rule_department_named",
            ),
            models.CheckConstraint(
                condition=~Q(unit_type=UnitType.OWNER) | Q(owner__isnull=False),
                name="routing_rule_owner_given",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category or '*'} @ {self.territory_prefix or '*'} → {self.unit_type}"


class CalendarOverride(TimeStampedModel):
    """A date whose working status differs from chinese-calendar (or is
    beyond its data): overrides always win."""

    date = models.DateField(_("日期"), unique=True)
    is_workday = models.BooleanField(_("工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("工作日调整")
        verbose_name_plural = _("工作日调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {'班' if self.is_workday else '休'}"


class CaseSequence(models.Model):
    """The last case number used on one day (numbers are GZ + date + 5 digits)."""

    day = models.DateField(unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class Case(TimeStampedModel):
    number = models.CharField(_("案件编号"), max_length=20, unique=True)
    channel = models.CharField(_("来源渠道"), max_length=20, choices=Channel.choices)
    source_ref = models.CharField(_("来源编号"), max_length=64, blank=True, default="")
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("描述"), max_length=DESCRIPTION_MAX)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="cases", verbose_name=_("分类")
    )
    urgency = models.CharField(
        _("紧急程度"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    lng = models.FloatField(_("经度(WGS-84)"))
    lat = models.FloatField(_("纬度(WGS-84)"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    grid = models.ForeignKey(
        "org.Division",
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("所在网格"),
    )
    # The finest node's code (grid, or community without grids): every
    # ancestor is a prefix, so scoping is ``division_path LIKE 'code%'``.
    division_path = models.CharField(_("区划路径"), max_length=15, db_index=True)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_cases",
        verbose_name=_("上报人账号"),
    )
    # Personal data, encrypted at rest and masked on display (docs/privacy.md);
    # the phone's blind index finds a resident's cases when they call again.
    reporter_name = EncryptedCharField(_("上报人姓名"), max_length=32, blank=True)
    reporter_phone = EncryptedCharField(_("上报人电话"), max_length=32, blank=True)
    reporter_phone_bidx = BlindIndexField(source="reporter_phone")
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.SUBMITTED
    )
    # The unit responsible now (docs/decisions/0004-case-units.md).
    unit_type = models.CharField(
        _("责任主体类型"), max_length=16, choices=UnitType.choices, blank=True, default=""
    )
    unit_division = models.ForeignKey(
        "org.Division",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responsible_cases",
        verbose_name=_("责任区划"),
    )
    unit_department = models.ForeignKey(
        "org.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responsible_cases",
        verbose_name=_("责任部门"),
    )
    unit_owner = models.ForeignKey(
        ExternalOwner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="responsible_cases",
        verbose_name=_("非政府责任主体"),
    )
    # The node that dispatched last: rejections go back to it, and its
    # parent rules when the unit keeps rejecting.
    dispatcher_division = models.ForeignKey(
        "org.Division",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dispatched_cases",
        verbose_name=_("派遣单位"),
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="handled_cases",
        verbose_name=_("处置人"),
    )
    result = models.TextField(_("处置结果"), blank=True)
    accept_due = models.DateTimeField(_("签收期限"), null=True, blank=True)
    handle_due = models.DateTimeField(_("办结期限"), null=True, blank=True)
    limit_hours = models.PositiveIntegerField(_("办理时限(工作小时)"), default=0)
    dispatched_at = models.DateTimeField(_("派遣时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    handled_at = models.DateTimeField(_("处置时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    suspended_at = models.DateTimeField(_("挂起时间"), null=True, blank=True)
    # The near-due moment (80 % of the working-time limit, deadlines.near_due_moment),
    # set with handle_due: lists flag 临期 from it exactly, the sweep warns from it.
    warn_at = models.DateTimeField(_("临期时间"), null=True, blank=True)
    warned_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("超期上报时间"), null=True, blank=True)
    escalated_to = models.ForeignKey(
        "org.Division",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalated_cases",
        verbose_name=_("上报至"),
    )
    priority = models.PositiveSmallIntegerField(_("优先级"), default=0)
    rework_count = models.PositiveSmallIntegerField(_("返工次数"), default=0)
    rejection_count = models.PositiveSmallIntegerField(_("退单次数"), default=0)
    extension_count = models.PositiveSmallIntegerField(_("延期次数"), default=0)
    extension_hours_requested = models.PositiveIntegerField(_("申请延期(工作小时)"), default=0)
    ruled = models.BooleanField(_("已裁定"), default=False)
    ruling = models.TextField(_("裁定意见"), blank=True)
    # Cases ruled unreasonable (无理诉求) are left out of unit KPIs.
    ruled_unreasonable = models.BooleanField(_("裁定为不合理诉求"), default=False)
    is_joint = models.BooleanField(_("联合办理"), default=False)
    rating = models.CharField(_("评价"), max_length=16, choices=Rating.choices, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    void_reason = models.CharField(_("不予立案原因"), max_length=500, blank=True)
    master = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("主案件"),
    )
    version = models.PositiveIntegerField(_("版本"), default=1)

    class Meta:
        verbose_name = _("案件")
        verbose_name_plural = _("案件")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "source_ref"],
                condition=~Q(source_ref=""),
                name="case_channel_source_ref_unique",
            ),
            models.CheckConstraint(
                condition=Q(master__isnull=True) | Q(status=Status.MERGED),
                name="case_master_only_when_merged",
            ),
        ]
        indexes = [
            # The work queues (selectors.case_queue): every column of their
            # filter and order, so a street's queue is read from the index.
            models.Index(
                fields=[
                    "division_path",
                    "status",
                    "handle_due",
                    "priority",
                    "unit_type",
                    "unit_division",
                    "handled_by",
                ],
                name="case_queue_cover_idx",
            ),
            models.Index(fields=["status", "handle_due"], name="case_status_due_idx"),
            # The sweep's warning candidates and the near-due filter.
            models.Index(fields=["status", "warn_at"], name="case_status_warn_idx"),
            models.Index(fields=["unit_department", "status"], name="case_dept_status_idx"),
            models.Index(fields=["unit_division", "status"], name="case_div_status_idx"),
            # The case lists (selectors.case_page): a range on the path, newest
            # first, with the common filters checked inside the index, so the
            # page's ids come from the index alone (docs/decisions/0051).
            models.Index(
                fields=["division_path", "created_at", "status", "category", "urgency"],
                name="case_path_list_idx",
            ),
            # Province-wide reads by time alone: Open311's default 90-day
            # window and the insights' monthly counts.
            models.Index(fields=["created_at"], name="case_created_idx"),
        ]

    # The priority is a counter raised by each merge and each supervision;
    # pages show a level, from this many on 加急.
    PRIORITY_URGENT = 3

    @property
    def priority_label(self) -> str:
        if self.priority >= self.PRIORITY_URGENT:
            return str(_("加急"))
        return str(_("高")) if self.priority > 0 else ""

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class CaseReporter(TimeStampedModel):
    """Everyone who reported this problem (me-too and merged duplicates): all
    of them follow the case and are notified when it closes."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reporters")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="followed_cases",
    )
    name = EncryptedCharField(_("姓名"), max_length=32, blank=True)
    phone = EncryptedCharField(_("电话"), max_length=32, blank=True)
    phone_bidx = BlindIndexField(source="phone")
    via_case = models.ForeignKey(
        Case,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("来自被合并案件"),
    )

    class Meta:
        verbose_name = _("案件反映人")
        verbose_name_plural = _("案件反映人")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user"],
                condition=Q(user__isnull=False),
                name="case_reporter_user_once",
            ),
        ]


class CaseEvent(models.Model):
    """One line of the append-only timeline; exactly one per transition."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("动作"), max_length=24, choices=Action.choices)
    from_status = models.CharField(_("原状态"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="case_events",
    )
    actor_division = models.ForeignKey(
        "org.Division", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_department = models.ForeignKey(
        "org.Department", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("说明"), blank=True)
    payload = models.JSONField(_("数据"), default=dict, blank=True)
    # Shown on the resident's timeline; staff internals are not.
    public = models.BooleanField(_("居民可见"), default=False)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("案件日志")
        verbose_name_plural = _("案件日志")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at"], name="case_event_case_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"


def case_photo_storage() -> FileSystemStorage:
    """MEDIA_ROOT when configured, else var/media beside the other local data."""
    root = settings.MEDIA_ROOT or str(settings.DATA_DIR / "media")
    return FileSystemStorage(location=root)


def case_photo_path(instance: CasePhoto, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower()
    return f"cases/{instance.case.number}/{instance.kind}-{instance.sha256[:16]}.{ext}"


class CasePhoto(TimeStampedModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(_("类型"), max_length=8, choices=PhotoKind.choices)
    file = models.FileField(_("文件"), upload_to=case_photo_path, storage=case_photo_storage)
    content_type = models.CharField(_("格式"), max_length=16)
    size = models.PositiveIntegerField(_("大小(字节)"))
    width = models.PositiveIntegerField(_("宽"))
    height = models.PositiveIntegerField(_("高"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("案件照片")
        verbose_name_plural = _("案件照片")
        ordering = ["created_at"]


class WhistleSummons(TimeStampedModel):
    """吹哨报到: one department summoned onto a case; it must report in by ``report_due``."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="summonses")
    department = models.ForeignKey(
        "org.Department", on_delete=models.PROTECT, related_name="summonses"
    )
    summoned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    summoned_at = models.DateTimeField(_("吹哨时间"))
    report_due = models.DateTimeField(_("报到期限"))
    reported_at = models.DateTimeField(_("报到时间"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    late = models.BooleanField(_("逾期报到"), default=False)

    class Meta:
        verbose_name = _("吹哨报到")
        verbose_name_plural = _("吹哨报到")
        constraints = [
            models.UniqueConstraint(fields=["case", "department"], name="summons_once_per_dept"),
        ]


class CaseTask(TimeStampedModel):
    """A joint case's sub-task for one summoned department."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+")
    summons = models.OneToOneField(
        WhistleSummons, on_delete=models.CASCADE, null=True, blank=True, related_name="task"
    )
    status = models.CharField(
        _("状态"), max_length=8, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    result = models.TextField(_("办理结果"), blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("联办子任务")
        verbose_name_plural = _("联办子任务")
        constraints = [
            models.UniqueConstraint(fields=["case", "department"], name="task_once_per_dept"),
        ]


class Notification(models.Model):
    """A notice to a user or to a unit (all its members see it)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notifications")
    event = models.ForeignKey(
        CaseEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=NotificationKind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="case_notifications",
    )
    division = models.ForeignKey(
        "org.Division", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    department = models.ForeignKey(
        "org.Department", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    message = models.CharField(_("内容"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["division", "read_at"], name="notification_div_idx")]

    def __str__(self) -> str:
        return self.message
