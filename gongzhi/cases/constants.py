"""Choices of the case workflow, with Chinese labels (gettext msgids)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    WEB = "web", _("网页/H5")
    GRID_PATROL = "grid_patrol", _("网格员巡查")
    COUNTER = "counter", _("窗口受理")
    HOTLINE_12345 = "hotline_12345", _("12345热线")
    URBAN_MANAGEMENT = "urban_management", _("数字城管")
    PETITION = "petition", _("综治维稳信访")
    SKYNET = "skynet", _("天网工程")
    CHAT_GROUP = "chat_group", _("楼栋群")
    POLICE_110 = "police_110", _("110非警务警情")
    PROACTIVE = "proactive", _("未诉先办(主动发现)")
    INTERNAL = "internal", _("内部转办(联席会议等)")
    OPEN311 = "open311", _("Open311接口")
    API = "api", _("系统接口")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")
    CRITICAL = "critical", _("特急")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("已上报")
    REGISTERED = "registered", _("已立案")
    VOIDED = "voided", _("不予立案")
    DISPATCHED = "dispatched", _("已派遣")
    IN_PROGRESS = "in_progress", _("处置中")
    REJECTED = "rejected", _("已退单")
    RULING = "ruling", _("待裁定")
    EXTENSION_REQUESTED = "extension_requested", _("延期申请中")
    SUSPENDED = "suspended", _("已挂起")
    HANDLED = "handled", _("已处置")
    VERIFIED = "verified", _("已核查")
    CLOSED = "closed", _("已结案")
    RATED = "rated", _("已评价")
    MERGED = "merged", _("已合并")


# States in which the case still needs someone to act.
OPEN_STATUSES = frozenset(
    {
        Status.SUBMITTED,
        Status.REGISTERED,
        Status.DISPATCHED,
        Status.IN_PROGRESS,
        Status.REJECTED,
        Status.RULING,
        Status.EXTENSION_REQUESTED,
        Status.SUSPENDED,
        Status.HANDLED,
        Status.VERIFIED,
    }
)
# States whose handling clock runs (the sweep looks only at these).
CLOCK_STATUSES = frozenset(
    {Status.DISPATCHED, Status.IN_PROGRESS, Status.EXTENSION_REQUESTED, Status.REJECTED}
)


class Action(models.TextChoices):
    SUBMIT = "submit", _("上报")
    REGISTER = "register", _("立案")
    VOID = "void", _("不予立案")
    DISPATCH = "dispatch", _("派遣")
    ACCEPT = "accept", _("签收")
    REJECT = "reject", _("退单")
    RULE = "rule", _("裁定")
    REQUEST_EXTENSION = "request_extension", _("申请延期")
    APPROVE_EXTENSION = "approve_extension", _("批准延期")
    DENY_EXTENSION = "deny_extension", _("驳回延期")
    SUSPEND = "suspend", _("挂起")
    RESUME = "resume", _("恢复办理")
    HANDLE = "handle", _("处置反馈")
    VERIFY = "verify", _("核查通过")
    VERIFY_FAIL = "verify_fail", _("核查不通过")
    CLOSE = "close", _("结案")
    RATE = "rate", _("评价")
    REOPEN = "reopen", _("重新办理")
    SUPERVISE = "supervise", _("督办")
    MERGE = "merge", _("合并")
    ME_TOO = "me_too", _("我也遇到")
    WHISTLE = "whistle", _("吹哨")
    REPORT_IN = "report_in", _("报到")
    COMPLETE_TASK = "complete_task", _("完成子任务")
    # Written by the sweep, never requested by a person.
    WARN = "warn", _("临期预警")
    ESCALATE = "escalate", _("超期上报")


class UnitType(models.TextChoices):
    """Who can be responsible for a case (see docs/decisions/0004)."""

    GRID = "grid", _("网格")
    COMMUNITY = "community", _("社区")
    STREET = "street", _("街道")
    COUNTY = "county", _("区(县)")
    CITY = "city", _("市")
    DEPARTMENT = "department", _("部门")
    OWNER = "owner", _("非政府责任主体")


class OwnerKind(models.TextChoices):
    UTILITY = "utility", _("公用事业单位")
    PROPERTY = "property", _("物业服务企业")
    OTHER = "other", _("其他")


class CategorySource(models.TextChoices):
    CITIZEN = "citizen", _("市民诉求分类")
    URBAN_COMPONENT = "urban_component", _("城市管理部件(GB/T 30428)")
    URBAN_EVENT = "urban_event", _("城市管理事件(GB/T 30428)")
    LOCAL = "local", _("本地新增")


class PhotoKind(models.TextChoices):
    BEFORE = "before", _("处置前")
    AFTER = "after", _("处置后")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("办理中")
    DONE = "done", _("已完成")


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", _("新派遣")
    REJECTED = "rejected", _("退单待派")
    RULING = "ruling", _("待裁定")
    SUPERVISED = "supervised", _("督办")
    SUMMONED = "summoned", _("吹哨报到")
    WARNED = "warned", _("临期预警")
    ESCALATED = "escalated", _("超期上报")
    CLOSED = "closed", _("已结案")
    STATUS = "status", _("状态变更")
