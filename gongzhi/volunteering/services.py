"""Writes of the volunteering app. Keyword-only, atomic; the activity row is
locked for sign-up (capacity) and the wish row for claims.

On PostgreSQL ``select_for_update`` takes the row lock; on SQLite every
transaction is IMMEDIATE (config.settings), so writers are serialised anyway.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.constants import Role
from gongzhi.accounts.models import User
from gongzhi.core.access import require_staff_over
from gongzhi.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from gongzhi.core.personal import clean_mobile
from gongzhi.org.models import Division

from .constants import ActivityStatus, PointsEvent, ScanAction, WishStatus
from .models import Activity, MicroWish, PointsEntry, PointsRule, ServiceBrand, SignUp, Team

SCAN_SALT = "gongzhi.volunteering.scan"
# Check-in opens this long before the start and closes this long after the end.
SCAN_MARGIN = dt.timedelta(hours=2)


@transaction.atomic
def brand_create(
    *, actor: User, division: Division, name: str, slogan: str = "", partner=None
) -> ServiceBrand:
    require_staff_over(actor, division.code)
    if not name.strip():
        raise ValidationFailed(_("请填写品牌名称。"))
    if ServiceBrand.objects.filter(division=division, name=name.strip()).exists():
        raise Conflict(_("%(name)s已有同名服务品牌。") % {"name": division.name}, code="duplicate")
    return ServiceBrand.objects.create(
        division=division, name=name.strip(), slogan=slogan.strip(), partner=partner
    )


@transaction.atomic
def team_create(
    *, actor: User, division: Division, name: str, brand: ServiceBrand | None = None
) -> Team:
    require_staff_over(actor, division.code)
    if not name.strip():
        raise ValidationFailed(_("请填写队伍名称。"))
    if brand is not None and not division.code.startswith(brand.division.code):
        raise ValidationFailed(_("所选服务品牌不属于该区划。"), code="brand_elsewhere")
    if Team.objects.filter(division=division, name=name.strip()).exists():
        raise Conflict(
            _("%(name)s已有同名志愿服务队。") % {"name": division.name}, code="duplicate"
        )
    return Team.objects.create(division=division, name=name.strip(), brand=brand)


@transaction.atomic
def points_rule_set(*, actor: User, event: str, points: int, description: str = "") -> PointsRule:
    """The province's points rules (积分规则) apply everywhere: only the
    province organisation department changes them."""
    if not actor.has_role(Role.PROVINCE_OFFICER):
        raise PermissionDenied(_("积分规则由省组织部门统一制定。"))
    if event not in PointsEvent.values:
        raise ValidationFailed(_("积分事项不正确。"), code="bad_event")
    if not 0 <= points <= 1000:
        raise ValidationFailed(_("积分须在0到1000之间。"), code="bad_points")
    rule, _created = PointsRule.objects.select_for_update().get_or_create(
        event=event, defaults={"points": points, "description": description.strip()[:200]}
    )
    if not _created:
        rule.points = points
        rule.description = description.strip()[:200]
        rule.save(update_fields=["points", "description", "updated_at"])
    return rule


@transaction.atomic
def activity_create(
    *,
    actor: User,
    division: Division,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int,
    team: Team | None = None,
    place: str = "",
    description: str = "",
) -> Activity:
    require_staff_over(actor, division.code)
    if not title.strip():
        raise ValidationFailed(_("请填写活动名称。"))
    if ends_at <= starts_at:
        raise ValidationFailed(_("结束时间须晚于开始时间。"), code="bad_times")
    if capacity < 1:
        raise ValidationFailed(_("招募人数至少为1人。"), code="bad_capacity")
    if team is not None and not division.code.startswith(team.division.code):
        raise ValidationFailed(_("所选志愿服务队不属于该区划。"), code="team_elsewhere")
    return Activity.objects.create(
        division=division,
        team=team,
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        place=place,
        description=description,
        created_by=actor,
    )


@transaction.atomic
def activity_sign_up(*, activity: Activity, user: User) -> SignUp:
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.status != ActivityStatus.OPEN:
        raise Conflict(_("该活动已结束或已取消,不能报名。"), code="activity_closed")
    if SignUp.objects.filter(activity=activity, user=user).exists():
        raise Conflict(_("您已报名该活动,无需重复报名。"), code="already_signed_up")
    if SignUp.objects.filter(activity=activity).count() >= activity.capacity:
        raise Conflict(
            _("活动名额已满(%(n)s人),不能再报名。") % {"n": activity.capacity}, code="full"
        )
    return SignUp.objects.create(activity=activity, user=user)


@transaction.atomic
def activity_finish(*, actor: User, activity: Activity, problems_solved: int = 0) -> Activity:
    activity = Activity.objects.select_for_update().select_related("division").get(pk=activity.pk)
    require_staff_over(actor, activity.division.code)
    if activity.status != ActivityStatus.OPEN:
        raise Conflict(_("该活动已结束或已取消。"), code="activity_closed")
    if problems_solved < 0:
        raise ValidationFailed(_("解决问题数不能为负数。"))
    activity.status = ActivityStatus.FINISHED
    activity.problems_solved = problems_solved
    activity.save(update_fields=["status", "problems_solved", "updated_at"])
    return activity


def scan_expires_at(activity: Activity) -> dt.datetime:
    """A QR code stops working when check-in closes: the activity's end + 2 h."""
    return activity.ends_at + SCAN_MARGIN


def scan_token(*, activity: Activity, action: str) -> str:
    """The signed payload of an activity's check-in or check-out QR code.

    It carries its own expiry (``e``, epoch seconds): a photo of the code
    passed around after the activity is refused even if the activity's times
    are later changed, and ``signing.loads`` also bounds the token's age."""
    expires = int(scan_expires_at(activity).timestamp())
    return signing.dumps(
        {"a": activity.pk, "x": action, "e": expires}, salt=SCAN_SALT, compress=True
    )


# No code is valid longer than this after it was signed, whatever its activity.
SCAN_MAX_AGE = dt.timedelta(days=30)


def scan_resolve(*, token: str, now: dt.datetime | None = None) -> tuple[int, str]:
    now = now or timezone.now()
    try:
        data = signing.loads(token, salt=SCAN_SALT, max_age=SCAN_MAX_AGE)
        activity_id, action, expires = int(data["a"]), ScanAction(data["x"]).value, int(data["e"])
    except signing.SignatureExpired as exc:
        raise ValidationFailed(
            _("二维码已过期,请扫描活动现场的最新签到码。"), code="token_expired"
        ) from exc
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise ValidationFailed(_("二维码无效,请扫描活动现场的签到码。"), code="bad_token") from exc
    if now.timestamp() > expires:
        raise ValidationFailed(_("二维码已过期,请扫描活动现场的最新签到码。"), code="token_expired")
    return activity_id, action


def _signup_locked(activity: Activity, user: User) -> SignUp:
    signup = (
        SignUp.objects.select_for_update()
        .select_related("activity")
        .filter(activity=activity, user=user)
        .first()
    )
    if signup is None:
        raise ValidationFailed(_("您未报名该活动,请先报名。"), code="not_signed_up")
    return signup


@transaction.atomic
def check_in(*, activity: Activity, user: User, at: dt.datetime | None = None) -> SignUp:
    at = at or timezone.now()
    signup = _signup_locked(activity, user)
    activity = signup.activity
    if activity.status != ActivityStatus.OPEN:
        raise Conflict(_("该活动已结束或已取消。"), code="activity_closed")
    if at < activity.starts_at - SCAN_MARGIN or at > activity.ends_at + SCAN_MARGIN:
        raise ValidationFailed(_("不在活动签到时间内。"), code="outside_window")
    if signup.checked_in_at is not None:
        raise Conflict(_("您已签到。"), code="already_checked_in")
    signup.checked_in_at = at
    signup.save(update_fields=["checked_in_at", "updated_at"])
    return signup


def _points(event: str) -> int:
    rule = PointsRule.objects.filter(event=event).first()
    return rule.points if rule else 0


@transaction.atomic
def check_out(*, activity: Activity, user: User, at: dt.datetime | None = None) -> SignUp:
    at = at or timezone.now()
    signup = _signup_locked(activity, user)
    if signup.checked_in_at is None:
        raise ValidationFailed(_("您尚未签到,不能签退。"), code="not_checked_in")
    if signup.checked_out_at is not None:
        raise Conflict(_("您已签退。"), code="already_checked_out")
    seconds = max((at - signup.checked_in_at).total_seconds(), 0)
    # Hours to one decimal, at least 0.1 for any check-out (a service happened).
    hours = max(
        Decimal(seconds / 3600).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), Decimal("0.1")
    )
    signup.checked_out_at = at
    signup.hours = hours
    signup.save(update_fields=["checked_out_at", "hours", "updated_at"])
    per_hour = _points(PointsEvent.SERVICE_HOUR)
    if per_hour:
        PointsEntry.objects.create(
            user=user,
            event=PointsEvent.SERVICE_HOUR,
            points=int(hours * per_hour),
            signup=signup,
            note=signup.activity.title[:200],
        )
    return signup


# --- 微心愿 ----------------------------------------------------------------


@transaction.atomic
def wish_post(
    *,
    actor: User,
    division: Division,
    title: str,
    resident_name: str = "",
    resident_phone: str = "",
    description: str = "",
) -> MicroWish:
    """A resident posts their own wish; staff post one on a resident's behalf."""
    if not title.strip():
        raise ValidationFailed(_("请填写心愿内容。"))
    resident_phone = clean_mobile(resident_phone)
    if actor.has_role(Role.RESIDENT) and actor.division_id == division.pk:
        resident, name = actor, resident_name or actor.display_name or actor.username
    else:
        require_staff_over(actor, division.code)
        if not resident_name.strip():
            raise ValidationFailed(_("代居民发布时请填写居民姓名。"))
        resident, name = None, resident_name
    return MicroWish.objects.create(
        division=division,
        title=title.strip(),
        description=description,
        resident_name=name.strip(),
        resident_phone=resident_phone,
        resident=resident,
        posted_by=actor,
    )


def _wish_locked(wish: MicroWish) -> MicroWish:
    return MicroWish.objects.select_for_update().select_related("division").get(pk=wish.pk)


@transaction.atomic
def wish_claim(*, wish: MicroWish, user: User) -> MicroWish:
    wish = _wish_locked(wish)
    if user.pk in (wish.resident_id, wish.posted_by_id):
        raise ValidationFailed(_("不能认领自己发布的微心愿。"), code="own_wish")
    if wish.status != WishStatus.OPEN:
        raise Conflict(_("该微心愿已被认领。"), code="already_claimed")
    wish.status = WishStatus.CLAIMED
    wish.claimed_by = user
    wish.claimed_at = timezone.now()
    wish.save(update_fields=["status", "claimed_by", "claimed_at", "updated_at"])
    return wish


@transaction.atomic
def wish_fulfil(*, wish: MicroWish, user: User) -> MicroWish:
    wish = _wish_locked(wish)
    if wish.claimed_by_id != user.pk:
        raise PermissionDenied(_("只有认领人可以标记该心愿已完成。"))
    if wish.status != WishStatus.CLAIMED:
        raise Conflict(_("该微心愿不在“已认领”状态。"), code="not_claimed")
    wish.status = WishStatus.FULFILLED
    wish.fulfilled_at = timezone.now()
    wish.save(update_fields=["status", "fulfilled_at", "updated_at"])
    return wish


@transaction.atomic
def wish_confirm(*, wish: MicroWish, user: User) -> MicroWish:
    """The resident confirms (or staff for a resident without an account)."""
    wish = _wish_locked(wish)
    if wish.resident_id is not None:
        if wish.resident_id != user.pk:
            raise PermissionDenied(_("只有发布心愿的居民本人可以确认。"))
    else:
        require_staff_over(user, wish.division.code)
    if wish.status != WishStatus.FULFILLED:
        raise Conflict(_("心愿尚未标记完成,不能确认。"), code="not_fulfilled")
    wish.status = WishStatus.CONFIRMED
    wish.confirmed_at = timezone.now()
    wish.save(update_fields=["status", "confirmed_at", "updated_at"])
    points = _points(PointsEvent.WISH_CONFIRMED)
    if points:
        PointsEntry.objects.create(
            user_id=wish.claimed_by_id,
            event=PointsEvent.WISH_CONFIRMED,
            points=points,
            wish=wish,
            note=wish.title[:200],
        )
    return wish


def wish_get(*, pk: int) -> MicroWish:
    try:
        return MicroWish.objects.select_related("division").get(pk=pk)
    except MicroWish.DoesNotExist as exc:
        raise NotFound(_("微心愿不存在。")) from exc
