"""Writing cases: report one, act on one (optimistic concurrency through
``expected_version``), upload a photo. Each write is one service call in one
transaction, so an error saves nothing."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import File, Form
from ninja import Status as HttpStatus
from ninja.files import UploadedFile

from gongzhi.core.errors import ValidationFailed

from .. import selectors, services
from ..constants import PhotoKind
from ..services.photos import MAX_PHOTO_BYTES
from .schemas import API_RELATED, ActionIn, CaseIn, case_detail_out


def case_create(request, payload: CaseIn):
    if payload.lng is None or payload.lat is None:
        raise ValidationFailed(_("坐标缺失或格式不正确。"), code="invalid_coordinates")
    case, created = services.case_submit(actor=request.user, **payload.dict())
    if created:
        # The row just written holds every field the answer shows (its unit
        # is not set yet); only whether the caller may see it is checked.
        case = selectors.case_ensure_visible(user=request.user, case=case)
    else:
        # Someone's earlier report with this source_ref: shown only in scope.
        case = selectors.case_get_for_user(
            user=request.user, number=case.number, related=API_RELATED
        )
    return HttpStatus(201 if created else 200, case_detail_out(case, request.user))


def case_action(request, number: str, action: str, payload: ActionIn):
    case = selectors.case_get_for_user(user=request.user, number=number, related=API_RELATED)
    services.case_act(
        case=case,
        action=action,
        actor=request.user,
        expected_version=payload.expected_version,
        params=payload.params,
    )
    case = selectors.case_get_for_user(user=request.user, number=number, related=API_RELATED)
    return case_detail_out(case, request.user)


def case_photo(request, number: str, file: File[UploadedFile], kind: Form[str] = PhotoKind.BEFORE):
    case = selectors.case_get_for_user(user=request.user, number=number, related=API_RELATED)
    if file.size is not None and file.size > MAX_PHOTO_BYTES:
        raise ValidationFailed(_("照片不能超过 5 MB。"), code="photo_too_large")
    photo = services.case_photo_add(case=case, actor=request.user, data=file.read(), kind=kind)
    return HttpStatus(201, photo)
