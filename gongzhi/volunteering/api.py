"""Volunteering API: activities, sign-up, check-in/out, 微心愿, teams and
service brands, points rules and balance."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema, Status

from gongzhi.cobuild.selectors import unit_get_for_user
from gongzhi.core.errors import NotFound
from gongzhi.core.masking import mask_name
from gongzhi.org.selectors import division_get_for_user

from . import selectors, services
from .models import Activity, MicroWish, PointsRule, ServiceBrand, SignUp, Team

router = Router()


class ActivityOut(Schema):
    id: int
    title: str
    division_code: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    signed_up: int
    status: str

    @staticmethod
    def of(a: Activity) -> ActivityOut:
        return ActivityOut(
            id=a.pk,
            title=a.title,
            division_code=a.division.code,
            starts_at=a.starts_at,
            ends_at=a.ends_at,
            capacity=a.capacity,
            signed_up=getattr(a, "n_signed", None) or a.signups.count(),
            status=a.status,
        )


class ActivityIn(Schema):
    division_code: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    place: str = ""
    description: str = ""
    team_id: int | None = None


@router.get("/activities", response=list[ActivityOut], summary="志愿活动")
def activity_list(request):
    return [ActivityOut.of(a) for a in selectors.activities_for_user(user=request.user)[:200]]


@router.post("/activities", response={201: ActivityOut}, summary="发布志愿活动")
def activity_create(request, payload: ActivityIn):
    division = division_get_for_user(user=request.user, code=payload.division_code)
    team = (
        selectors.team_get_for_user(user=request.user, pk=payload.team_id)
        if payload.team_id
        else None
    )
    a = services.activity_create(
        actor=request.user,
        division=division,
        title=payload.title,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
        capacity=payload.capacity,
        place=payload.place,
        description=payload.description,
        team=team,
    )
    return Status(201, ActivityOut.of(a))


class SignUpOut(Schema):
    activity_id: int
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None
    hours: float

    @staticmethod
    def of(s: SignUp) -> SignUpOut:
        return SignUpOut(
            activity_id=s.activity_id,
            checked_in_at=s.checked_in_at,
            checked_out_at=s.checked_out_at,
            hours=float(s.hours),
        )


@router.post("/activities/{pk}/signup", response={201: SignUpOut}, summary="报名")
def activity_sign_up(request, pk: int):
    activity = selectors.activity_get_for_user(user=request.user, pk=pk)
    return Status(
        201, SignUpOut.of(services.activity_sign_up(activity=activity, user=request.user))
    )


class ScanIn(Schema):
    token: str


@router.post("/scan", response=SignUpOut, summary="扫码签到/签退")
def scan(request, payload: ScanIn):
    activity_id, action = services.scan_resolve(token=payload.token)
    activity = selectors.activity_get_for_user(user=request.user, pk=activity_id)
    fn = services.check_in if action == "in" else services.check_out
    return SignUpOut.of(fn(activity=activity, user=request.user))


class FinishIn(Schema):
    problems_solved: int = 0


@router.post("/activities/{pk}/finish", response=ActivityOut, summary="结束活动并登记解决问题数")
def activity_finish(request, pk: int, payload: FinishIn):
    activity = selectors.activity_get_for_user(user=request.user, pk=pk)
    return ActivityOut.of(
        services.activity_finish(
            actor=request.user, activity=activity, problems_solved=payload.problems_solved
        )
    )


class WishOut(Schema):
    id: int
    title: str
    resident_name: str
    status: str
    status_label: str
    claimed_by: str | None

    @staticmethod
    def of(w: MicroWish) -> WishOut:
        return WishOut(
            id=w.pk,
            title=w.title,
            resident_name=mask_name(w.resident_name),
            status=w.status,
            status_label=str(w.get_status_display()),
            claimed_by=mask_name(str(w.claimed_by)) if w.claimed_by_id else None,
        )


class WishIn(Schema):
    division_code: str
    title: str
    resident_name: str = ""
    resident_phone: str = ""
    description: str = ""


@router.get("/wishes", response=list[WishOut], summary="微心愿")
def wish_list(request):
    return [WishOut.of(w) for w in selectors.wishes_for_user(user=request.user)[:200]]


@router.post("/wishes", response={201: WishOut}, summary="发布微心愿")
def wish_create(request, payload: WishIn):
    division = division_get_for_user(user=request.user, code=payload.division_code)
    w = services.wish_post(
        actor=request.user,
        division=division,
        title=payload.title,
        resident_name=payload.resident_name,
        resident_phone=payload.resident_phone,
        description=payload.description,
    )
    return Status(201, WishOut.of(w))


@router.post("/wishes/{pk}/{action}", response=WishOut, summary="认领/完成/确认微心愿")
def wish_action(request, pk: int, action: str):
    wish = selectors.wish_get_for_user(user=request.user, pk=pk)
    fn = {
        "claim": services.wish_claim,
        "fulfil": services.wish_fulfil,
        "confirm": services.wish_confirm,
    }.get(action)
    if fn is None:
        raise NotFound("操作不存在。")
    return WishOut.of(fn(wish=wish, user=request.user))


@router.get("/points", response=dict, summary="我的积分")
def points(request):
    return {"balance": selectors.points_balance(user=request.user)}


class BrandOut(Schema):
    id: int
    name: str
    slogan: str
    division_code: str
    partner_id: int | None

    @staticmethod
    def of(b: ServiceBrand) -> BrandOut:
        return BrandOut(
            id=b.pk,
            name=b.name,
            slogan=b.slogan,
            division_code=b.division.code,
            partner_id=b.partner_id,
        )


class BrandIn(Schema):
    division_code: str
    name: str
    slogan: str = ""
    partner_id: int | None = None


@router.get("/brands", response=list[BrandOut], summary="服务品牌")
def brand_list(request):
    return [BrandOut.of(b) for b in selectors.brands_for_user(user=request.user)[:500]]


@router.post("/brands", response={201: BrandOut}, summary="创建服务品牌")
def brand_create(request, payload: BrandIn):
    division = division_get_for_user(user=request.user, code=payload.division_code)
    partner = (
        unit_get_for_user(user=request.user, pk=payload.partner_id) if payload.partner_id else None
    )
    b = services.brand_create(
        actor=request.user,
        division=division,
        name=payload.name,
        slogan=payload.slogan,
        partner=partner,
    )
    return Status(201, BrandOut.of(b))


class TeamOut(Schema):
    id: int
    name: str
    division_code: str
    brand_id: int | None

    @staticmethod
    def of(t: Team) -> TeamOut:
        return TeamOut(id=t.pk, name=t.name, division_code=t.division.code, brand_id=t.brand_id)


class TeamIn(Schema):
    division_code: str
    name: str
    brand_id: int | None = None


@router.get("/teams", response=list[TeamOut], summary="志愿服务队")
def team_list(request):
    return [TeamOut.of(t) for t in selectors.teams_for_user(user=request.user)[:500]]


@router.post("/teams", response={201: TeamOut}, summary="成立志愿服务队")
def team_create(request, payload: TeamIn):
    division = division_get_for_user(user=request.user, code=payload.division_code)
    brand = (
        selectors.brand_get_for_user(user=request.user, pk=payload.brand_id)
        if payload.brand_id
        else None
    )
    t = services.team_create(actor=request.user, division=division, name=payload.name, brand=brand)
    return Status(201, TeamOut.of(t))


class PointsRuleOut(Schema):
    event: str
    event_label: str
    points: int
    description: str

    @staticmethod
    def of(r: PointsRule) -> PointsRuleOut:
        return PointsRuleOut(
            event=r.event,
            event_label=str(r.get_event_display()),
            points=r.points,
            description=r.description,
        )


class PointsRuleIn(Schema):
    points: int
    description: str = ""


@router.get("/points/rules", response=list[PointsRuleOut], summary="积分规则")
def points_rule_list(request):
    return [PointsRuleOut.of(r) for r in selectors.points_rules()]


@router.put("/points/rules/{event}", response=PointsRuleOut, summary="修改积分规则(省组织部门)")
def points_rule_set(request, event: str, payload: PointsRuleIn):
    return PointsRuleOut.of(
        services.points_rule_set(
            actor=request.user,
            event=event,
            points=payload.points,
            description=payload.description,
        )
    )
