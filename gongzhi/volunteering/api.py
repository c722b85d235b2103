"""Volunteering API: activities, sign-up, check-in/out, 微心愿, teams and
service brands, points rules and balance."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Router, Schema, Status

from gongzhi.cobuild.selectors import unit_get_for_user
from gongzhi.core.api_helpers import scoped_or_none
from gongzhi.core.errors import NotFound
from gongzhi.core.masking import mask_name
from gongzhi.org.selectors import division_get_for_user

from . import selectors, services
from .models import Activity, MicroWish, SignUp

router = Router()


class ActivityOut(Schema):
    id: int
    title: str
    division_code: str = Field(alias="division.code")
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    signed_up: int
    status: str

    @staticmethod
    def resolve_signed_up(a: Activity) -> int:
        return getattr(a, "n_signed", None) or a.signups.count()


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
    return selectors.activities_for_user(user=request.user)[:200]


@router.post("/activities", response={201: ActivityOut}, summary="发布志愿活动")
def activity_create(request, payload: ActivityIn):
    division = division_get_for_user(user=request.user, code=payload.division_code)
    team = scoped_or_none(selectors.team_get_for_user, user=request.user, pk=payload.team_id)
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
    return Status(201, a)


class SignUpOut(Schema):
    activity_id: int
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None
    hours: float

    @staticmethod
    def resolve_hours(s: SignUp) -> float:
        return float(s.hours)


@router.post("/activities/{pk}/signup", response={201: SignUpOut}, summary="报名")
def activity_sign_up(request, pk: int):
    activity = selectors.activity_get_for_user(user=request.user, pk=pk)
    return Status(201, services.activity_sign_up(activity=activity, user=request.user))


class ScanIn(Schema):
    token: str


@router.post("/scan", response=SignUpOut, summary="扫码签到/签退")
def scan(request, payload: ScanIn):
    activity_id, action = services.scan_resolve(token=payload.token)
    activity = selectors.activity_get_for_user(user=request.user, pk=activity_id)
    fn = services.check_in if action == "in" else services.check_out
    return fn(activity=activity, user=request.user)


class FinishIn(Schema):
    problems_solved: int = 0


@router.post("/activities/{pk}/finish", response=ActivityOut, summary="结束活动并登记解决问题数")
def activity_finish(request, pk: int, payload: FinishIn):
    activity = selectors.activity_get_for_user(user=request.user, pk=pk)
    return services.activity_finish(
        actor=request.user, activity=activity, problems_solved=payload.problems_solved
    )


class WishOut(Schema):
    id: int
    title: str
    resident_name: str
    status: str
    status_label: str = Field(alias="get_status_display")
    claimed_by: str | None

    @staticmethod
    def resolve_resident_name(w: MicroWish) -> str:
        return mask_name(w.resident_name)

    @staticmethod
    def resolve_claimed_by(w: MicroWish) -> str | None:
        return mask_name(str(w.claimed_by)) if w.claimed_by_id else None


class WishIn(Schema):
    division_code: str
    title: str
    resident_name: str = ""
    resident_phone: str = ""
    description: str = ""


@router.get("/wishes", response=list[WishOut], summary="微心愿")
def wish_list(request):
    return selectors.wishes_for_user(user=request.user)[:200]


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
    return Status(201, w)


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
    return fn(wish=wish, user=request.user)


@router.get("/points", response=dict, summary="我的积分")
def points(request):
    return {"balance": selectors.points_balance(user=request.user)}


class BrandOut(Schema):
    id: int
    name: str
    slogan: str
    division_code: str = Field(alias="division.code")
    partner_id: int | None


class BrandIn(Schema):
    division_code: str
    name: str
    slogan: str = ""
    partner_id: int | None = None


@router.get("/brands", response=list[BrandOut], summary="服务品牌")
def brand_list(request):
    return selectors.brands_for_user(user=request.user)[:500]


@router.post("/brands", response={201: BrandOut}, summary="创建服务品牌")
def brand_create(request, payload: BrandIn):
    division = division_get_for_user(user=request.user, code=payload.division_code)
    partner = scoped_or_none(unit_get_for_user, user=request.user, pk=payload.partner_id)
    b = services.brand_create(
        actor=request.user,
        division=division,
        name=payload.name,
        slogan=payload.slogan,
        partner=partner,
    )
    return Status(201, b)


class TeamOut(Schema):
    id: int
    name: str
    division_code: str = Field(alias="division.code")
    brand_id: int | None


class TeamIn(Schema):
    division_code: str
    name: str
    brand_id: int | None = None


@router.get("/teams", response=list[TeamOut], summary="志愿服务队")
def team_list(request):
    return selectors.teams_for_user(user=request.user)[:500]


@router.post("/teams", response={201: TeamOut}, summary="成立志愿服务队")
def team_create(request, payload: TeamIn):
    division = division_get_for_user(user=request.user, code=payload.division_code)
    brand = scoped_or_none(selectors.brand_get_for_user, user=request.user, pk=payload.brand_id)
    t = services.team_create(actor=request.user, division=division, name=payload.name, brand=brand)
    return Status(201, t)


class PointsRuleOut(Schema):
    event: str
    event_label: str = Field(alias="get_event_display")
    points: int
    description: str


class PointsRuleIn(Schema):
    points: int
    description: str = ""


@router.get("/points/rules", response=list[PointsRuleOut], summary="积分规则")
def points_rule_list(request):
    return selectors.points_rules()


@router.put("/points/rules/{event}", response=PointsRuleOut, summary="修改积分规则(省组织部门)")
def points_rule_set(request, event: str, payload: PointsRuleIn):
    return services.points_rule_set(
        actor=request.user,
        event=event,
        points=payload.points,
        description=payload.description,
    )
