"""Co-building API: units, pairings, the three lists, matching, projects,
six-linkage records and assessments of units."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Router, Schema, Status

from gongzhi.core.api_helpers import scoped_or_none
from gongzhi.core.errors import NotFound
from gongzhi.core.masking import mask_name, mask_phone
from gongzhi.org.selectors import division_get_for_user

from . import selectors, services
from .models import ResidentUnit, UnitContact

router = Router()


class UnitOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str = Field(alias="get_kind_display")
    division_code: str = Field(alias="division.code")
    division_name: str = Field(alias="division.name")
    address: str
    party_members: int


class UnitIn(Schema):
    division_code: str
    name: str
    kind: str
    address: str = ""
    party_members: int = 0


class UnitEditIn(Schema):
    name: str
    kind: str
    address: str = ""
    party_members: int = 0


@router.get("/units", response=list[UnitOut], summary="驻区单位")
def unit_list(request, q: str = ""):
    """Units located in or paired with the user's subtree; a liaison's own unit."""
    units = selectors.units_for_user(user=request.user)
    if q.strip():
        units = units.filter(name__contains=q.strip()[:50])
    return units[:1000]


@router.post("/units", response={201: UnitOut}, summary="登记驻区单位")
def unit_create(request, payload: UnitIn):
    division = division_get_for_user(user=request.user, code=payload.division_code)
    u = services.unit_register(
        actor=request.user,
        division=division,
        name=payload.name,
        kind=payload.kind,
        address=payload.address,
        party_members=payload.party_members,
    )
    return Status(201, u)


@router.get("/units/{pk}", response=UnitOut, summary="驻区单位详情")
def unit_detail(request, pk: int):
    return selectors.unit_get_for_user(user=request.user, pk=pk)


@router.patch("/units/{pk}", response=UnitOut, summary="修改驻区单位")
def unit_edit(request, pk: int, payload: UnitEditIn):
    unit = selectors.unit_get_for_user(user=request.user, pk=pk)
    return services.unit_update(
        actor=request.user,
        unit=unit,
        name=payload.name,
        kind=payload.kind,
        address=payload.address,
        party_members=payload.party_members,
    )


class ContactOut(Schema):
    id: int
    unit_id: int
    name: str
    phone: str
    title: str
    has_account: bool

    @staticmethod
    def resolve_name(c: UnitContact) -> str:
        return mask_name(c.name)

    @staticmethod
    def resolve_phone(c: UnitContact) -> str:
        return mask_phone(c.phone)

    @staticmethod
    def resolve_has_account(c: UnitContact) -> bool:
        return c.user_id is not None


class ContactIn(Schema):
    name: str
    phone: str = ""
    title: str = ""


@router.get("/units/{pk}/contacts", response=list[ContactOut], summary="单位联系人(脱敏)")
def contact_list(request, pk: int):
    unit = selectors.unit_get_for_user(user=request.user, pk=pk)
    return unit.contacts.all()


@router.post("/units/{pk}/contacts", response={201: ContactOut}, summary="添加单位联系人")
def contact_create(request, pk: int, payload: ContactIn):
    unit = selectors.unit_get_for_user(user=request.user, pk=pk)
    c = services.contact_create(
        actor=request.user, unit=unit, name=payload.name, phone=payload.phone, title=payload.title
    )
    return Status(201, c)


@router.patch("/contacts/{pk}", response=ContactOut, summary="修改单位联系人")
def contact_edit(request, pk: int, payload: ContactIn):
    contact = selectors.contact_get_for_user(user=request.user, pk=pk)
    return services.contact_update(
        actor=request.user,
        contact=contact,
        name=payload.name,
        phone=payload.phone,
        title=payload.title,
    )


@router.delete("/contacts/{pk}", response={204: None}, summary="删除单位联系人")
def contact_delete(request, pk: int):
    contact = selectors.contact_get_for_user(user=request.user, pk=pk)
    services.contact_remove(actor=request.user, contact=contact)
    return Status(204, None)


class ResourceOut(Schema):
    id: int
    title: str
    category: str
    unit_id: int
    unit_name: str = Field(alias="unit.name")


class ResourceIn(Schema):
    unit_id: int
    title: str
    category: str
    description: str = ""


@router.post("/resources", response={201: ResourceOut}, summary="发布资源")
def resource_create(request, payload: ResourceIn):
    unit = selectors.unit_get_for_user(user=request.user, pk=payload.unit_id)
    r = services.resource_add(
        actor=request.user,
        unit=unit,
        title=payload.title,
        category=payload.category,
        description=payload.description,
    )
    return Status(201, r)


class NeedOut(Schema):
    id: int
    title: str
    category: str
    status: str
    community_code: str = Field(alias="division.code")
    resource_id: int | None


class NeedIn(Schema):
    community_code: str
    title: str
    category: str
    description: str = ""


@router.post("/needs", response={201: NeedOut}, summary="提出需求")
def need_create(request, payload: NeedIn):
    community = division_get_for_user(user=request.user, code=payload.community_code)
    n = services.need_raise(
        actor=request.user,
        community=community,
        title=payload.title,
        category=payload.category,
        description=payload.description,
    )
    return Status(201, n)


@router.get("/needs", response=list[NeedOut], summary="需求清单")
def need_list(request):
    return selectors.needs_for_user(user=request.user)[:500]


@router.get("/needs/{pk}/suggestions", response=list[ResourceOut], summary="资源匹配建议")
def need_suggestions(request, pk: int):
    need = selectors.need_get_for_user(user=request.user, pk=pk)
    return selectors.match_suggestions(need=need)


class MatchIn(Schema):
    resource_id: int


@router.post("/needs/{pk}/match", response=NeedOut, summary="需求对接资源")
def need_match(request, pk: int, payload: MatchIn):
    need = selectors.need_get_for_user(user=request.user, pk=pk)
    resource = selectors.resource_get(pk=payload.resource_id)
    return services.need_match(actor=request.user, need=need, resource=resource)


class LinkageIn(Schema):
    division_code: str
    linkage: str
    title: str
    held_on: dt.date
    participants: int = 0
    unit_id: int | None = None


@router.post("/linkage-activities", response={201: dict}, summary="记录六联动活动")
def linkage_create(request, payload: LinkageIn):
    division = division_get_for_user(user=request.user, code=payload.division_code)
    unit = scoped_or_none(selectors.unit_get_for_user, user=request.user, pk=payload.unit_id)
    a = services.linkage_activity_record(
        actor=request.user,
        division=division,
        linkage=payload.linkage,
        title=payload.title,
        held_on=payload.held_on,
        participants=payload.participants,
        unit=unit,
    )
    return Status(201, {"id": a.pk})


class PairingOut(Schema):
    id: int
    unit_id: int
    unit_name: str = Field(alias="unit.name")
    division_code: str = Field(alias="division.code")
    started_on: dt.date
    ended_on: dt.date | None


class PairingIn(Schema):
    unit_id: int
    division_code: str
    started_on: dt.date


@router.get("/pairings", response=list[PairingOut], summary="结对共建")
def pairing_list(request):
    return selectors.pairings_for_user(user=request.user)[:1000]


@router.post("/pairings", response={201: PairingOut}, summary="新增结对共建")
def pairing_create(request, payload: PairingIn):
    division = division_get_for_user(user=request.user, code=payload.division_code)
    # A street may pair with a unit located anywhere: any unit by id.
    unit = ResidentUnit.objects.filter(pk=payload.unit_id).first()
    if unit is None:
        raise NotFound("单位不存在。")
    p = services.pairing_create(
        actor=request.user, unit=unit, division=division, started_on=payload.started_on
    )
    return Status(201, p)


class PairingEndIn(Schema):
    ended_on: dt.date


@router.post("/pairings/{pk}/end", response=PairingOut, summary="结束结对")
def pairing_end(request, pk: int, payload: PairingEndIn):
    pairing = selectors.pairing_get_for_user(user=request.user, pk=pk)
    return services.pairing_end(actor=request.user, pairing=pairing, ended_on=payload.ended_on)


class ProjectOut(Schema):
    id: int
    title: str
    linkage: str
    division_code: str = Field(alias="division.code")
    unit_id: int | None
    need_id: int | None
    status: str


class ProjectIn(Schema):
    division_code: str
    title: str
    linkage: str
    unit_id: int | None = None
    need_id: int | None = None
    description: str = ""


@router.get("/projects", response=list[ProjectOut], summary="项目清单")
def project_list(request):
    return selectors.projects_for_user(user=request.user)[:500]


@router.post("/projects", response={201: ProjectOut}, summary="新增共建项目")
def project_create(request, payload: ProjectIn):
    division = division_get_for_user(user=request.user, code=payload.division_code)
    unit = scoped_or_none(selectors.unit_get_for_user, user=request.user, pk=payload.unit_id)
    need = scoped_or_none(selectors.need_get_for_user, user=request.user, pk=payload.need_id)
    p = services.project_create(
        actor=request.user,
        division=division,
        title=payload.title,
        linkage=payload.linkage,
        unit=unit,
        need=need,
        description=payload.description,
    )
    return Status(201, p)


class AssessmentOut(Schema):
    id: int
    unit_id: int
    unit_name: str = Field(alias="unit.name")
    community_code: str = Field(alias="community.code")
    year: int
    grade: str
    comment: str


class AssessmentIn(Schema):
    unit_id: int
    community_code: str
    year: int
    grade: str
    comment: str = ""


@router.get("/assessments", response=list[AssessmentOut], summary="驻区单位评价")
def assessment_list(request):
    return selectors.assessments_for_user(user=request.user)[:500]


@router.post("/assessments", response={201: AssessmentOut}, summary="社区党组织评价驻区单位")
def assessment_create(request, payload: AssessmentIn):
    community = division_get_for_user(user=request.user, code=payload.community_code)
    unit = selectors.unit_get_for_user(user=request.user, pk=payload.unit_id)
    a = services.unit_assess(
        actor=request.user,
        unit=unit,
        community=community,
        year=payload.year,
        grade=payload.grade,
        comment=payload.comment,
    )
    return Status(201, a)


class ProjectStatusIn(Schema):
    status: str


@router.post("/projects/{pk}/status", response=ProjectOut, summary="变更项目状态")
def project_status(request, pk: int, payload: ProjectStatusIn):
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    return services.project_set_status(actor=request.user, project=project, status=payload.status)
