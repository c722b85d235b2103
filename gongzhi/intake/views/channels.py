"""Officer pages: upload a platform's export file, see its error report, edit mappings."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from gongzhi.cases.models import Category
from gongzhi.core.access import require_officer, require_staff

from ..channels import ADAPTERS, MAX_FILE_BYTES, import_file
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


class MappingForm(forms.ModelForm):
    class Meta:
        model = ChannelMapping
        fields = ["channel", "kind", "source_code", "source_label", "category", "target", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(is_active=True).order_by("code")


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
        ChannelMapping.objects.filter(pk=_int_or_404(request.POST["delete"])).update(
            is_active=False
        )
        return redirect("intake:mappings")
    if request.GET.get("edit"):
        instance = get_object_or_404(ChannelMapping, pk=_int_or_404(request.GET["edit"]))
    form = MappingForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        row = form.save(commit=False)
        row.is_active = True
        row.save()
        return redirect("intake:mappings")
    rows = ChannelMapping.objects.select_related("category")
    if request.GET.get("channel"):
        rows = rows.filter(channel=request.GET["channel"])
    return render(
        request,
        "intake/mappings.html",
        {"form": form, "rows": rows[:500], "channels": SourceChannel.choices},
        status=400 if form.errors else 200,
    )
