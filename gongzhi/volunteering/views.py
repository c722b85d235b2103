"""Volunteering pages: activities and sign-up (htmx), creating an activity,
teams and service brands, the activity's QR codes for check-in and check-out,
the scan page, 微心愿, and the points rules with the user's ledger."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.accounts.constants import STAFF_ROLES, Role
from gongzhi.cobuild.selectors import unit_get_for_user, units_for_user
from gongzhi.core import forms
from gongzhi.core.errors import NotFound
from gongzhi.core.masking import mask_name
from gongzhi.org.selectors import division_get_for_user

from . import selectors, services
from .constants import PointsEvent, ScanAction


@login_required
@require_GET
def home(request):
    template, ctx = _home_page(request)
    return render(request, template, ctx)


def _home_page(request, *args, **kwargs):
    user = request.user
    signups = list(selectors.my_signups(user=user)[:50])
    ctx = {
        "activities": selectors.activities_for_user(user=user)[:100],
        "mine": set(selectors.my_signups(user=user).values_list("activity_id", flat=True)),
        "signups": signups,
        "balance": selectors.points_balance(user=user),
    }
    if user.role_set & STAFF_ROLES and user.scope_code:
        ctx["is_staff"] = True
        ctx["scope_code"] = user.scope_code
        ctx["teams"] = selectors.teams_for_user(user=user)[:200]
    return "volunteering/home.html", ctx


@login_required
@require_POST
@forms.redisplay_on_error(_home_page, "activity")
def activity_create(request):
    data = request.POST
    division = division_get_for_user(
        user=request.user, code=forms.text(data, "division_code", _("社区代码"), max_length=20)
    )
    team_pk = forms.optional_pk(data, "team")
    team = selectors.team_get_for_user(user=request.user, pk=team_pk) if team_pk else None
    activity = services.activity_create(
        actor=request.user,
        division=division,
        title=forms.text(data, "title", _("活动名称")),
        starts_at=forms.datetime(data, "starts_at", _("开始时间")),
        ends_at=forms.datetime(data, "ends_at", _("结束时间")),
        capacity=forms.integer(data, "capacity", _("招募人数"), minimum=1),
        team=team,
        place=forms.text(data, "place", _("活动地点"), required=False),
        description=forms.text(data, "description", _("活动内容"), required=False, max_length=4000),
    )
    messages.success(request, _("活动已发布。"))
    return redirect("volunteering:activity", pk=activity.pk)


def _teams_page(request, *args, **kwargs):
    user = request.user
    return "volunteering/teams.html", {
        "brands": selectors.brands_for_user(user=user)[:200],
        "teams": selectors.teams_for_user(user=user)[:200],
        "units": units_for_user(user=user)[:200] if user.role_set & STAFF_ROLES else [],
        "scope_code": user.scope_code,
        "is_staff": bool(user.role_set & STAFF_ROLES and user.scope_code),
    }


@login_required
@require_GET
def teams(request):
    template, ctx = _teams_page(request)
    return render(request, template, ctx)


@login_required
@require_POST
@forms.redisplay_on_error(_teams_page, "brand")
def brand_create(request):
    data = request.POST
    division = division_get_for_user(
        user=request.user, code=forms.text(data, "division_code", _("区划代码"), max_length=20)
    )
    unit_pk = forms.optional_pk(data, "partner")
    partner = unit_get_for_user(user=request.user, pk=unit_pk) if unit_pk else None
    brand = services.brand_create(
        actor=request.user,
        division=division,
        name=forms.text(data, "name", _("品牌名称"), max_length=64),
        slogan=forms.text(data, "slogan", _("品牌理念"), required=False, max_length=200),
        partner=partner,
    )
    messages.success(request, _("已创建服务品牌“%(name)s”。") % {"name": brand.name})
    return redirect("volunteering:teams")


@login_required
@require_POST
@forms.redisplay_on_error(_teams_page, "team")
def team_create(request):
    data = request.POST
    division = division_get_for_user(
        user=request.user, code=forms.text(data, "division_code", _("区划代码"), max_length=20)
    )
    brand_pk = forms.optional_pk(data, "brand")
    brand = selectors.brand_get_for_user(user=request.user, pk=brand_pk) if brand_pk else None
    team = services.team_create(
        actor=request.user,
        division=division,
        name=forms.text(data, "name", _("队伍名称"), max_length=64),
        brand=brand,
    )
    messages.success(request, _("已成立“%(name)s”。") % {"name": team.name})
    return redirect("volunteering:teams")


def _points_page(request, *args, **kwargs):
    rules = {r.event: r for r in selectors.points_rules()}
    return "volunteering/points.html", {
        "rules": [(value, label, rules.get(value)) for value, label in PointsEvent.choices],
        "can_edit": request.user.has_role(Role.PROVINCE_OFFICER),
        "ledger": selectors.points_ledger(user=request.user),
        "balance": selectors.points_balance(user=request.user),
    }


@login_required
@require_http_methods(["GET", "POST"])
def points_rules(request):
    """Everyone sees the rules and their own ledger; the province
    organisation department edits the rules."""
    if request.method == "POST":
        return _points_rule_post(request)
    template, ctx = _points_page(request)
    return render(request, template, ctx)


@forms.redisplay_on_error(_points_page, "points_rule")
def _points_rule_post(request):
    data = request.POST
    services.points_rule_set(
        actor=request.user,
        event=forms.choice(data, "event", _("积分事项"), PointsEvent.values),
        points=forms.integer(data, "points", _("积分")),
        description=forms.text(data, "description", _("说明"), required=False, max_length=200),
    )
    messages.success(request, _("积分规则已保存。"))
    return redirect("volunteering:points")


@login_required
@require_POST
@forms.redisplay_on_error(lambda request, *a, **kw: _home_page(request), "signup")
def sign_up(request, pk: int):
    activity = selectors.activity_get_for_user(user=request.user, pk=pk)
    services.activity_sign_up(activity=activity, user=request.user)
    if request.headers.get("HX-Request"):
        return render(request, "volunteering/_signed.html", {"message": _("报名成功")}, status=200)
    messages.success(request, _("报名成功。"))
    return redirect("volunteering:home")


def _qr_svg(request, url: str) -> str:
    # segno writes a self-contained SVG (no scripts); scale 4 ≈ 150 px.
    return mark_safe(segno.make(request.build_absolute_uri(url), error="m").svg_inline(scale=4))


def _activity_page(request, pk: int, *args, **kwargs):
    activity = selectors.activity_get_for_user(user=request.user, pk=pk)
    ctx = {"activity": activity}
    if request.user.role_set & STAFF_ROLES and activity.division.code.startswith(
        request.user.scope_code or "-"
    ):
        codes = {}
        for action in ScanAction:
            url = reverse(
                "volunteering:scan",
                kwargs={"token": services.scan_token(activity=activity, action=action)},
            )
            codes[action.value] = {"url": url, "svg": _qr_svg(request, url), "label": action.label}
        ctx["codes"] = codes
        ctx["roster"] = [
            {"name": mask_name(str(s.user)), "s": s}
            for s in activity.signups.select_related("user").order_by("created_at")
        ]
    return "volunteering/activity.html", ctx


@login_required
@require_GET
def activity_detail(request, pk: int):
    template, ctx = _activity_page(request, pk)
    return render(request, template, ctx)


def _scan_page(request, token: str, *args, **kwargs):
    activity_id, action = services.scan_resolve(token=token)
    activity = selectors.activity_get_for_user(user=request.user, pk=activity_id)
    return "volunteering/scan.html", {
        "activity": activity,
        "action": action,
        "action_label": ScanAction(action).label,
    }


@login_required
@require_http_methods(["GET", "POST"])
@forms.redisplay_on_error(_scan_page, "scan")
def scan(request, token: str):
    template, ctx = _scan_page(request, token)
    if request.method == "GET":
        return render(request, template, ctx)
    activity, action = ctx["activity"], ctx["action"]
    fn = services.check_in if action == ScanAction.CHECK_IN else services.check_out
    signup = fn(activity=activity, user=request.user)
    if action == ScanAction.CHECK_IN:
        messages.success(request, _("签到成功。"))
    else:
        messages.success(request, _("签退成功,本次服务 %(h)s 小时。") % {"h": signup.hours})
    return redirect("volunteering:home")


@login_required
@require_POST
@forms.redisplay_on_error(_activity_page, "finish")
def finish(request, pk: int):
    activity = selectors.activity_get_for_user(user=request.user, pk=pk)
    solved = forms.integer(request.POST, "problems_solved", _("解决问题数"), default=0)
    services.activity_finish(actor=request.user, activity=activity, problems_solved=solved)
    messages.success(request, _("活动已结束。"))
    return redirect("volunteering:activity", pk=pk)


def _wishes_page(request, *args, **kwargs):
    rows = [
        {"w": w, "resident": mask_name(w.resident_name)}
        for w in selectors.wishes_for_user(user=request.user)[:200]
    ]
    return "volunteering/wishes.html", {"rows": rows}


@login_required
@require_http_methods(["GET", "POST"])
def wishes(request):
    if request.method == "POST":
        return _wish_post(request)
    template, ctx = _wishes_page(request)
    return render(request, template, ctx)


@forms.redisplay_on_error(_wishes_page, "wish")
def _wish_post(request):
    code = request.POST.get("division_code") or request.user.scope_code or ""
    division = division_get_for_user(user=request.user, code=code)
    services.wish_post(
        actor=request.user,
        division=division,
        title=request.POST.get("title", ""),
        resident_name=request.POST.get("resident_name", ""),
        resident_phone=request.POST.get("resident_phone", ""),
    )
    messages.success(request, _("微心愿已发布。"))
    return redirect("volunteering:wishes")


WISH_ACTIONS = {
    "claim": (services.wish_claim, "已认领。"),
    "fulfil": (services.wish_fulfil, "已标记完成,等待居民确认。"),
    "confirm": (services.wish_confirm, "已确认心愿实现。"),
}


@login_required
@require_POST
@forms.redisplay_on_error(_wishes_page, "wish_action")
def wish_action(request, pk: int, action: str):
    if action not in WISH_ACTIONS:
        raise NotFound(_("操作不存在。"))
    wish = selectors.wish_get_for_user(user=request.user, pk=pk)
    fn, done = WISH_ACTIONS[action]
    fn(wish=wish, user=request.user)
    messages.success(request, _(done))
    return redirect("volunteering:wishes")
