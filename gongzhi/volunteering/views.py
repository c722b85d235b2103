"""Volunteering pages: activities and sign-up (htmx), the activity's QR codes
for check-in and check-out, the scan page, 微心愿."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongzhi.accounts.constants import STAFF_ROLES
from gongzhi.core.errors import NotFound
from gongzhi.core.masking import mask_name
from gongzhi.org.selectors import division_get_for_user

from . import selectors, services
from .constants import ScanAction


@login_required
@require_GET
def home(request):
    user = request.user
    return render(
        request,
        "volunteering/home.html",
        {
            "activities": selectors.activities_for_user(user=user)[:100],
            "mine": {s.activity_id: s for s in selectors.my_signups(user=user)},
            "signups": selectors.my_signups(user=user)[:50],
            "balance": selectors.points_balance(user=user),
        },
    )


@login_required
@require_POST
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


@login_required
@require_GET
def activity_detail(request, pk: int):
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
    return render(request, "volunteering/activity.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def scan(request, token: str):
    activity_id, action = services.scan_resolve(token=token)
    activity = selectors.activity_get_for_user(user=request.user, pk=activity_id)
    if request.method == "POST":
        fn = services.check_in if action == ScanAction.CHECK_IN else services.check_out
        signup = fn(activity=activity, user=request.user)
        if action == ScanAction.CHECK_IN:
            messages.success(request, _("签到成功。"))
        else:
            messages.success(request, _("签退成功,本次服务 %(h)s 小时。") % {"h": signup.hours})
        return redirect("volunteering:home")
    return render(
        request,
        "volunteering/scan.html",
        {"activity": activity, "action_label": ScanAction(action).label},
    )


@login_required
@require_POST
def finish(request, pk: int):
    activity = selectors.activity_get_for_user(user=request.user, pk=pk)
    raw = request.POST.get("problems_solved", "0").strip() or "0"
    if not raw.isdigit():
        from gongzhi.core.errors import ValidationFailed

        raise ValidationFailed(_("解决问题数须为非负整数。"))
    services.activity_finish(actor=request.user, activity=activity, problems_solved=int(raw))
    messages.success(request, _("活动已结束。"))
    return redirect("volunteering:activity", pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def wishes(request):
    if request.method == "POST":
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
    rows = [
        {"w": w, "resident": mask_name(w.resident_name)}
        for w in selectors.wishes_for_user(user=request.user)[:200]
    ]
    return render(request, "volunteering/wishes.html", {"rows": rows})


WISH_ACTIONS = {
    "claim": (services.wish_claim, "已认领。"),
    "fulfil": (services.wish_fulfil, "已标记完成,等待居民确认。"),
    "confirm": (services.wish_confirm, "已确认心愿实现。"),
}


@login_required
@require_POST
def wish_action(request, pk: int, action: str):
    if action not in WISH_ACTIONS:
        raise NotFound(_("操作不存在。"))
    wish = selectors.wish_get_for_user(user=request.user, pk=pk)
    fn, done = WISH_ACTIONS[action]
    fn(wish=wish, user=request.user)
    messages.success(request, _(done))
    return redirect("volunteering:wishes")
