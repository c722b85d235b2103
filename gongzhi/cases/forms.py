"""Input of the case pages: parsing only. What is allowed, and every rule
about coordinates, categories, photos and texts, is checked by the services,
whose Chinese messages the pages show."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gongzhi.core.errors import ValidationFailed

from .constants import Action, Rating, Status, UnitType
from .deadlines import TZ
from .models import DESCRIPTION_MAX, Category
from .selectors import CaseFilters

MAX_UPLOAD_FILES = 6


def category_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Active categories grouped under their top-level class, for a <select>."""
    rows = list(
        Category.objects.filter(is_active=True)
        .only("code", "name", "parent_id", "sort_order")
        .order_by("sort_order", "code")
    )
    names = {c.pk: c.name for c in rows}
    groups: dict[str, list[tuple[str, str]]] = {}
    has_children = {c.parent_id for c in rows if c.parent_id}
    for c in rows:
        if c.pk in has_children:
            continue  # pick a leaf; its class heads the group
        group = names.get(c.parent_id, str(gettext_lazy("其他")))
        groups.setdefault(group, []).append((c.code, c.name))
    return list(groups.items())


class ReportForm(forms.Form):
    """A resident's report: where (a pin and/or an address), what, and photos."""

    title = forms.CharField(
        label=gettext_lazy("标题"),
        max_length=100,
        error_messages={"required": gettext_lazy("请填写标题。")},
    )
    category = forms.ChoiceField(
        label=gettext_lazy("问题类型"),
        error_messages={
            "required": gettext_lazy("请选择问题类型。"),
            "invalid_choice": gettext_lazy("未知的事项分类。"),
        },
    )
    description = forms.CharField(
        label=gettext_lazy("问题描述"),
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": DESCRIPTION_MAX}),
        error_messages={"required": gettext_lazy("请填写问题描述。")},
    )
    address = forms.CharField(label=gettext_lazy("地址"), max_length=200, required=False)
    lng = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "——"), *category_choices()]

    def clean_description(self) -> str:
        value = self.cleaned_data["description"].strip()
        if len(value) > DESCRIPTION_MAX:
            raise forms.ValidationError(
                _("问题描述不能超过 %(n)d 个字符(当前 %(m)d 个)。")
                % {"n": DESCRIPTION_MAX, "m": len(value)}
            )
        return value

    def clean(self):
        data = super().clean()
        pinned = data.get("lng") is not None and data.get("lat") is not None
        if not pinned and not (data.get("address") or "").strip():
            raise forms.ValidationError(_("请在地图上点选问题所在位置,或填写小区和楼栋地址。"))
        return data


def read_photos(files, name: str = "photos") -> list[bytes]:
    """The uploaded files' bytes (content is checked by the photo service)."""
    uploaded = files.getlist(name)
    if len(uploaded) > MAX_UPLOAD_FILES:
        raise ValidationFailed(
            _("一次最多上传 %(n)d 张照片。") % {"n": MAX_UPLOAD_FILES}, code="too_many_photos"
        )
    from .services.photos import MAX_PHOTO_BYTES

    out = []
    for f in uploaded:
        if f.size and f.size > MAX_PHOTO_BYTES:
            raise ValidationFailed(_("照片不能超过 5 MB。"), code="photo_too_large")
        out.append(f.read())
    return [data for data in out if data]


def parse_version(post) -> int:
    try:
        return int(post.get("version", ""))
    except ValueError as exc:
        raise ValidationFailed(_("缺少案件版本号,请刷新后重试。"), code="missing_version") from exc


def parse_unit(value: str) -> dict | None:
    """ "division:<code>" / "department:<pk>" / "owner:<pk>" → the unit spec
    ``services.parse_unit`` takes; empty → None (the routing rules decide)."""
    value = (value or "").strip()
    if not value:
        return None
    kind, _sep, key = value.partition(":")
    if kind == "division":
        return {"division": key}
    if kind in ("department", "owner"):
        return {"type": kind, kind: key}
    raise ValidationFailed(_("责任单位不存在。"), code="unknown_unit")


def action_params(action: str, post) -> dict[str, Any]:
    """The parameters ``case_act`` takes for ``action``, from a posted form."""
    params: dict[str, Any] = {}
    for name in ("reason", "result", "ruling", "note", "comment", "master"):
        if name in post:
            params[name] = post.get(name, "")
    if action == Action.RATE:
        params["rating"] = post.get("rating") or None
    if action in (Action.DISPATCH, Action.RULE):
        params["unit"] = parse_unit(post.get("unit", ""))
    if action == Action.RULE:
        params["unreasonable"] = post.get("unreasonable") == "on"
    if action == Action.WHISTLE:
        try:
            params["departments"] = [int(v) for v in post.getlist("departments")]
        except ValueError as exc:
            raise ValidationFailed(_("所选部门不存在。"), code="unknown_department") from exc
    if action == Action.REQUEST_EXTENSION:
        try:
            days = float(post.get("days", ""))
        except ValueError as exc:
            raise ValidationFailed(_("请填写延期天数。"), code="invalid_hours") from exc
        if not 0 < days <= 30:
            raise ValidationFailed(_("延期天数应在 0.5 至 30 天之间。"), code="invalid_hours")
        params["hours"] = round(days * 7)
    return params


DUE_CHOICES = [
    ("", gettext_lazy("全部")),
    ("overdue", gettext_lazy("已超期")),
    ("near_due", gettext_lazy("临期")),
]
RATING_CHOICES = Rating.choices


class FilterForm(forms.Form):
    """Search and filters of the staff work pages (all optional)."""

    q = forms.CharField(label=gettext_lazy("关键词"), required=False, max_length=100)
    status = forms.MultipleChoiceField(
        label=gettext_lazy("状态"), required=False, choices=Status.choices
    )
    category = forms.CharField(label=gettext_lazy("分类编码"), required=False, max_length=16)
    due = forms.ChoiceField(label=gettext_lazy("时限"), required=False, choices=DUE_CHOICES)
    created_from = forms.DateField(label=gettext_lazy("上报日期自"), required=False)
    created_to = forms.DateField(label=gettext_lazy("至"), required=False)

    def filters(self) -> CaseFilters:
        if not self.is_valid():
            return CaseFilters()
        d = self.cleaned_data
        start = d.get("created_from")
        end = d.get("created_to")
        return CaseFilters(
            q=d.get("q", "").strip(),
            status=d.get("status") or None,
            category=d.get("category", "").strip(),
            overdue=True if d.get("due") == "overdue" else None,
            near_due=True if d.get("due") == "near_due" else None,
            # Dates are local (Asia/Shanghai) days; the end day is included.
            created_from=datetime.combine(start, time.min, tzinfo=TZ) if start else None,
            created_to=(
                datetime.combine(end + timedelta(days=1), time.min, tzinfo=TZ) if end else None
            ),
        )


# --- officers: the catalogue and routing rules (parsing only; the services check) ---

_INT_ERRORS = {"invalid": gettext_lazy("请填写整数。")}


def _hours_field(label):
    return forms.IntegerField(label=label, required=False, error_messages=_INT_ERRORS)


class CategoryEditForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("分类名称"), max_length=200, required=False)
    limit_normal_hours = _hours_field(gettext_lazy("一般件时限(工作小时)"))
    limit_urgent_hours = _hours_field(gettext_lazy("紧急件时限(工作小时)"))
    limit_critical_hours = _hours_field(gettext_lazy("特急件时限(工作小时)"))
    default_unit_type = forms.ChoiceField(
        label=gettext_lazy("默认责任主体类型"),
        required=False,
        choices=[("", gettext_lazy("(按派遣规则/接诉即办)"))]
        + [
            (v, label)
            for v, label in UnitType.choices
            if v not in (UnitType.DEPARTMENT, UnitType.OWNER)
        ],
    )
    sort_order = forms.IntegerField(
        label=gettext_lazy("排序"), required=False, error_messages=_INT_ERRORS
    )
    is_active = forms.BooleanField(label=gettext_lazy("启用"), required=False)

    def changes(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class CategoryCreateForm(CategoryEditForm):
    code = forms.CharField(label=gettext_lazy("分类编码"), max_length=32, required=False)
    parent = forms.CharField(label=gettext_lazy("上级分类编码"), max_length=32, required=False)
    is_active = None

    def changes(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")} | {
            "code": self.cleaned_data.get("code", ""),
            "name": self.cleaned_data.get("name", ""),
            "parent": self.cleaned_data.get("parent", ""),
        }


class RoutingRuleForm(forms.Form):
    category = forms.CharField(
        label=gettext_lazy("分类编码(含下级,空为全部)"), max_length=32, required=False
    )
    territory_prefix = forms.CharField(
        label=gettext_lazy("区域代码前缀"), max_length=32, required=False
    )
    unit_type = forms.ChoiceField(
        label=gettext_lazy("责任主体类型"),
        required=False,
        choices=[("", "——"), *UnitType.choices],
    )
    department_name = forms.CharField(
        label=gettext_lazy("部门名称(部门时必填)"), max_length=200, required=False
    )
    owner = forms.IntegerField(
        label=gettext_lazy("非政府责任主体编号"), required=False, error_messages=_INT_ERRORS
    )
    priority = forms.IntegerField(
        label=gettext_lazy("优先级(小者优先)"), required=False, error_messages=_INT_ERRORS
    )
    is_active = forms.BooleanField(label=gettext_lazy("启用"), required=False)
    note = forms.CharField(label=gettext_lazy("说明"), max_length=500, required=False)

    def changes(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if data.get("priority") is None:
            data.pop("priority", None)
        return data
