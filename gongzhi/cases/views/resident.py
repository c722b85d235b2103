"""Resident pages: report a problem (map pin or address, photos) and the
list of one's own cases."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from gongzhi.accounts.constants import Role
from gongzhi.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from gongzhi.org.constants import CODE_LENGTH, Level
from gongzhi.org.selectors import building_search

from .. import selectors, services
from ..constants import Channel
from ..forms import ReportForm, read_photos
from ..models import DESCRIPTION_MAX

PAGE_SIZE = 20


def _map_url(user) -> str:
    # The resident's community (or the staff member's node) with its grids.
    code = user.scope_code
    return reverse("org:division_map", kwargs={"code": code}) if code else ""


def _locate_by_address(user, address: str) -> tuple[float, float]:
    """The pin of the one building the address names, searched in the
    reporter's community and then in the street; none or several → ask for
    a pin (nothing is saved)."""
    code = user.scope_code or ""
    scopes = []
    for level in (Level.COMMUNITY, Level.STREET):
        n = CODE_LENGTH[level]
        if len(code) >= n and code[:n] not in scopes:
            scopes.append(code[:n])
    if not scopes and code:
        scopes.append(code)
    for scope in scopes:
        found = building_search(scope_code=scope, text=address, limit=2)
        if len(found) == 1:
            return found[0].lng, found[0].lat
        if len(found) > 1:
            raise ValidationFailed(
                _("地址“%(address)s”对应多个楼栋,请写明小区和楼栋号,或在地图上点选位置。")
                % {"address": address},
                code="ambiguous_address",
            )
    raise ValidationFailed(
        _("未能根据地址“%(address)s”找到楼栋,请在地图上点选问题所在位置。") % {"address": address},
        code="address_not_found",
    )


@login_required
@require_http_methods(["GET", "POST"])
def report(request):
    user = request.user
    form = ReportForm(request.POST or None)
    error = ""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                lng, lat = d["lng"], d["lat"]
                if lng is None or lat is None:
                    lng, lat = _locate_by_address(user, d["address"].strip())
                case, _created = services.case_report(
                    actor=user,
                    photos=read_photos(request.FILES),
                    channel=Channel.GRID_PATROL
                    if Role.GRID_MEMBER in user.role_set
                    else Channel.WEB,
                    title=d["title"],
                    description=d["description"],
                    category=d["category"],
                    lng=lng,
                    lat=lat,
                    address=d["address"],
                    reporter_name=user.display_name or "",
                )
            except (NotFound, PermissionDenied):
                raise
            except DomainError as exc:
                error, status = exc.message, exc.status
            else:
                messages.success(
                    request, _("已提交,案件编号 %(number)s。") % {"number": case.number}
                )
                return redirect("cases:detail", number=case.number)
        else:
            status = 400
    return render(
        request,
        "cases/report.html",
        {
            "form": form,
            "error": error,
            "map_url": _map_url(user),
            "map_tile_url": settings.MAP_TILE_URL,
            "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
            "description_max": DESCRIPTION_MAX,
        },
        status=status,
    )


@login_required
@require_GET
def my_cases(request):
    qs = selectors.cases_for_user(request.user)
    if request.user.is_staff_member:
        # Staff see their jurisdiction elsewhere; here only what they reported.
        qs = qs.filter(reporter=request.user)
    qs = qs.order_by("-created_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "cases/mine.html", {"page": page, "page_param": "page"})
