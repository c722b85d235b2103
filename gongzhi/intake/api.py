"""Intake over the JSON API: what the machine makes of a message, before anyone
files it — for the grid member's app and the chat-group bot, which pre-fill a
report with the place, category and urgency and let the person correct them.

Nothing is written; filing goes through the cases API or the channel webhooks.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from gongzhi.core.access import require_staff
from gongzhi.core.errors import NotFound

from .triage import analyse

router = Router()

MAX_TEXT = 2000


class ErrorOut(Schema):
    code: str
    message: str


class AnalyseIn(Schema):
    text: str = Field(
        min_length=1, max_length=MAX_TEXT, description="留言原文(标题与正文),如群众在楼栋群中所写"
    )
    scope: str | None = Field(
        None,
        max_length=20,
        pattern=r"^[0-9]*$",
        description="只在该区划(代码)内找小区与楼栋;缺省为本人所属区划,须在本人辖区内",
    )
    locate: bool = Field(True, description="是否识别位置(只要分类时传 false)")


class CandidateOut(Schema):
    estate: str
    score: float
    building_code: str
    building_name: str
    grid_code: str


class PlaceOut(Schema):
    sure: bool = Field(description="是否唯一确定到楼栋")
    level: str = Field(description="building / estate / none")
    reason: str = Field(description="不确定的原因(中文)")
    number: int | None = Field(description="文中的楼栋号")
    candidates: list[CandidateOut]


class AnalyseOut(Schema):
    sure: bool = Field(description="位置与分类都确定:可直接立案,否则应转人工分拣")
    reasons: list[str] = Field(description="不确定的原因(中文)")
    place: PlaceOut | None = Field(description="locate=false 时为 null")
    category: str = Field(description="事项分类编码(群众诉求一级分类),未知为空")
    category_label: str
    confidence: float = Field(description="分类置信度 0–1")
    alternatives: list[tuple[str, float]] = Field(description="其次可能的分类及置信度")
    urgency: str = Field(description="normal / urgent / critical")
    urgency_keywords: list[str]


@router.post(
    "/analyse",
    response={200: AnalyseOut, 403: ErrorOut, 404: ErrorOut},
    summary="留言研判(定位、分类、紧急程度)",
    description="对一条留言给出楼栋/网格、事项分类与紧急程度的判断及置信度,不立案、不写入。",
)
def analyse_message(request, body: AnalyseIn):
    user = request.user
    require_staff(user)
    scope = body.scope or user.scope_code
    if not scope.startswith(user.scope_code):
        raise NotFound(_("区划不存在或不在您的管辖范围内。"))
    result = analyse(body.text, scope, locate_place=body.locate)
    guesses = result.guesses()
    return {
        **guesses,
        "place": guesses["place"] if body.locate else None,
        "sure": result.sure,
        "reasons": [str(r) for r in result.reasons],
    }
