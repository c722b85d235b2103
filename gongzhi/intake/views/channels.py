"""Officer pages: upload a platform's export file, see its error report, edit mappings."""

from __future__ import annotations

from collections import Counter

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.cases.constants import Status, Urgency
from gongzhi.cases.models import Category
from gongzhi.core.access import require_officer, require_staff
from gongzhi.core.errors import Conflict

from ..channels import ADAPTERS, MAX_FILE_BYTES, import_file
from ..channels.base import URGENCY_WORDS
from ..mappings import DUPLICATE, mapping_deactivate, mapping_save
from ..models import ChannelMapping, ImportBatch, SourceChannel
from .common import STAFF_ONLY


class UploadForm(forms.Form):
    channel = forms.ChoiceField(label=_("渠道"), choices=SourceChannel.choices)
    file = forms.FileField(label=_("文件(CSV/JSON/XLSX)"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("文件超过 20 MB。"))
        return f


# The catalogue's headings: no case is filed under them.
STRUCTURAL_CATEGORIES = frozenset({"U", "UC", "UE", "T"})


def category_options(*, value: str = "code") -> list[tuple[str, list[tuple[str, str]]]]:
    """Every active category a case may be filed under, for a <select> with
    <optgroup>s: grouped under its first-level class ("T14 教育文体", "UC 部件"),
    each option labelled "code name"; a name used more than once (the many
    "其他") carries its parent's name. ``value`` is "code" or "pk"."""
    rows = list(Category.objects.only("code", "name", "parent_id", "is_active").order_by("code"))
    by_pk = {c.pk: c for c in rows}

    def head(c: Category) -> Category:
        # the class just under a root (T14 under T, UC under U), or the root itself
        while c.parent_id and by_pk[c.parent_id].parent_id:
            c = by_pk[c.parent_id]
        return c

    offered = [c for c in rows if c.is_active and c.code not in STRUCTURAL_CATEGORIES]
    names = Counter(c.name for c in offered)
    groups: dict[int, list[tuple[str, str]]] = {}
    for c in offered:
        label = f"{c.code} {c.name}"
        if names[c.name] > 1 and c.parent_id:
            label = f"{label}({by_pk[c.parent_id].name})"
        groups.setdefault(head(c).pk, []).append((str(getattr(c, value)), label))
    return [(f"{by_pk[pk].code} {by_pk[pk].name}", options) for pk, options in groups.items()]


class MappingForm(forms.ModelForm):
    """One row of the mapping table; what a row needs depends on its kind:
    事项分类 a source code and a category, 紧急程度 a source word and one of our
    urgencies, 回推状态 one of our case statuses and the source's word for it."""

    urgency = forms.ChoiceField(
        label=_("对应紧急程度(紧急程度映射)"),
        choices=[("", "——"), *Urgency.choices],
        required=False,
        error_messages={"invalid_choice": _("未知的紧急程度。")},
    )
    status = forms.ChoiceField(
        label=_("本系统案件状态(回推状态映射)"),
        choices=[("", "——"), *Status.choices],
        required=False,
        error_messages={"invalid_choice": _("未知的案件状态。")},
    )

    class Meta:
        model = ChannelMapping
        fields = ["channel", "kind", "source_code", "source_label", "category", "target", "note"]
        labels = {
            "source_code": _("来源编码或用词(事项分类、紧急程度映射)"),
            "category": _("对应事项分类(事项分类映射)"),
            "target": _("来源平台的状态值(回推状态映射)"),
        }

    field_order = ["channel", "kind", "source_code", "source_label", "category", "urgency",
                   "status", "target", "note"]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source_code"].required = False  # a status row picks it from the list
        category = self.fields["category"]
        category.queryset = Category.objects.filter(is_active=True).exclude(
            code__in=STRUCTURAL_CATEGORIES
        )
        category.choices = [("", "——"), *category_options(value="pk")]
        category.error_messages["invalid_choice"] = _("未知的事项分类。")
        row = self.instance
        if row.pk and row.kind == ChannelMapping.Kind.URGENCY:
            self.initial.setdefault("urgency", row.target)
        if row.pk and row.kind == ChannelMapping.Kind.STATUS:
            self.initial.setdefault("status", row.source_code)

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        code = (data.get("source_code") or "").strip()
        Kind = ChannelMapping.Kind
        if kind == Kind.CATEGORY:
            if not data.get("category") and "category" not in self.errors:
                self.add_error("category", _("事项分类映射须选择对应的事项分类。"))
            data["target"] = ""
        elif kind == Kind.URGENCY:
            if not data.get("urgency") and "urgency" not in self.errors:
                self.add_error("urgency", _("紧急程度映射须选择对应的紧急程度。"))
            data["target"], data["category"] = data.get("urgency", ""), None
        elif kind == Kind.STATUS:
            if not data.get("status") and "status" not in self.errors:
                self.add_error("status", _("回推状态映射须选择本系统的案件状态。"))
            if not (data.get("target") or "").strip():
                self.add_error("target", _("回推状态映射须填写来源平台的状态值。"))
            code, data["category"] = data.get("status", ""), None
        if kind in (Kind.CATEGORY, Kind.URGENCY) and not code:
            self.add_error("source_code", _("请填写来源平台的编码或用词。"))
        data["source_code"] = code
        if code and kind and data.get("channel") and not self.errors:
            self._reuse_or_refuse(data["channel"], kind, code)
        return data

    def _reuse_or_refuse(self, channel: str, kind: str, code: str) -> None:
        # One row per (channel, kind, source code): a deactivated row is
        # brought back, an active one is edited rather than duplicated.
        same = ChannelMapping.objects.filter(channel=channel, kind=kind, source_code=code)
        other = same.exclude(pk=self.instance.pk).first()
        if other is None:
            return
        if other.is_active or self.instance.pk is not None:
            self.add_error("source_code", gettext(DUPLICATE))
        else:
            self.instance = other


def builtin_mappings(channel: str) -> dict:
    """What the channel's adapter does without any row of the mapping table:
    its built-in category map, the urgency words it reads, other rules."""
    adapter = ADAPTERS.get(channel)
    if adapter is None:
        return {}
    names = dict(
        Category.objects.filter(code__in=set(adapter.default_categories.values())).values_list(
            "code", "name"
        )
    )
    Kind = ChannelMapping.Kind
    overridden = set(
        ChannelMapping.objects.filter(channel=channel, is_active=True).values_list(
            "kind", "source_code"
        )
    )
    rows = [
        {
            "kind": Kind.CATEGORY.label,
            "source": source,
            "target": f"{code} {names.get(code, '')}".strip(),
            "overridden": (Kind.CATEGORY, source) in overridden,
        }
        for source, code in adapter.default_categories.items()
    ]
    if adapter.reads_urgency:
        rows += [
            {
                "kind": Kind.URGENCY.label,
                "source": word,
                "target": urgency.label,
                "overridden": (Kind.URGENCY, word) in overridden,
            }
            for word, urgency in URGENCY_WORDS.items()
        ]
    return {"rows": rows, "notes": [gettext(n) for n in adapter.builtin_notes]}


@login_required
def upload(request):
    # A platform's export covers its whole area: whoever imports files cases
    # anywhere in it, so officers only.
    require_staff(request.user, gettext(STAFF_ONLY))
    require_officer(request.user)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        f = form.cleaned_data["file"]
        batch = import_file(
            ADAPTERS[form.cleaned_data["channel"]], f.name, f.read(), user=request.user
        )
        return redirect("intake:import_batch", pk=batch.pk)
    batches = ImportBatch.objects.filter(uploaded_by=request.user)[:20]
    return render(request, "intake/import.html", {"form": form, "batches": batches})


@login_required
def batch_detail(request, pk: int):
    require_staff(request.user, gettext(STAFF_ONLY))
    batch = get_object_or_404(ImportBatch, pk=pk, uploaded_by=request.user)
    return render(
        request, "intake/import_batch.html", {"batch": batch, "errors": batch.errors.all()[:1000]}
    )


def _int_or_404(value: str) -> int:
    if not str(value).isdigit():
        raise Http404
    return int(value)


@login_required
def mappings(request):
    require_staff(request.user, gettext(STAFF_ONLY))
    instance = None
    if request.method == "POST":
        # The mapping tables are province-wide configuration: staff read them,
        # officers edit them.
        require_officer(request.user)
    if request.method == "POST" and request.POST.get("delete"):
        mapping_deactivate(pk=_int_or_404(request.POST["delete"]), actor=request.user)
        return redirect("intake:mappings")
    if request.GET.get("edit"):
        instance = get_object_or_404(ChannelMapping, pk=_int_or_404(request.GET["edit"]))
    channel = request.GET.get("channel", "")
    if channel not in SourceChannel.values:
        channel = ""
    initial = {"channel": channel} if instance is None else {}  # an edited row keeps its own
    form = MappingForm(request.POST or None, instance=instance, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            row = mapping_save(row=form.save(commit=False), actor=request.user)
        except Conflict as exc:  # the same row added by someone else meanwhile
            form.add_error("source_code", exc.message)
            status = 409
        else:
            return redirect(f"{reverse('intake:mappings')}?channel={row.channel}")
    rows = ChannelMapping.objects.select_related("category")
    if channel:
        rows = rows.filter(channel=channel)
    rows = list(rows[:500])
    statuses, urgencies = dict(Status.choices), dict(Urgency.choices)
    for m in rows:
        # what the row says in words: our status / urgency by its Chinese label
        m.shown_source = m.source_code
        m.shown_target = f"{m.category.code} {m.category.name}" if m.category else m.target
        if m.kind == ChannelMapping.Kind.STATUS:
            m.shown_source = f"{statuses.get(m.source_code, m.source_code)}({m.source_code})"
        elif m.kind == ChannelMapping.Kind.URGENCY:
            m.shown_target = urgencies.get(m.target, m.target)
    return render(
        request,
        "intake/mappings.html",
        {
            "form": form,
            "rows": rows,
            "channels": SourceChannel.choices,
            "channel": channel,
            "channel_label": SourceChannel(channel).label if channel else "",
            "builtin": builtin_mappings(channel) if channel else {},
            "can_edit": request.user.is_officer,
        },
        status=400 if status == 200 and form.errors else status,
    )
