"""Photos: JPEG, PNG or WebP, at most 5 MB, checked by content (magic bytes
and a full decode with Pillow), never by the name or the declared type."""

from __future__ import annotations

import hashlib
import io

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from gongzhi.core.errors import PermissionDenied, ValidationFailed

from .. import workflow
from ..constants import OPEN_STATUSES, PhotoKind
from ..models import Case, CasePhoto
from ..units import is_member, unit_of
from .base import in_jurisdiction, is_reporter, lock

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTOS_PER_CASE = 20
SIGNATURES = {
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
PIL_FORMATS = {"JPEG": ("jpeg", "jpg"), "PNG": ("png", "png"), "WEBP": ("webp", "webp")}


def sniff(data: bytes) -> str | None:
    if data.startswith(SIGNATURES["jpeg"]):
        return "JPEG"
    if data.startswith(SIGNATURES["png"]):
        return "PNG"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def check_image(data: bytes) -> tuple[str, int, int]:
    """(PIL format, width, height), or ValidationFailed."""
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationFailed(_("照片不能超过 5 MB。"), code="photo_too_large")
    if not data:
        raise ValidationFailed(_("照片文件为空。"), code="photo_empty")
    kind = sniff(data)
    if kind is None:
        raise ValidationFailed(_("只接受 JPEG、PNG 或 WebP 格式的照片。"), code="photo_type")
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format != kind:
                raise ValidationFailed(_("照片内容与格式不符。"), code="photo_type")
            width, height = img.size
            img.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationFailed(_("照片文件已损坏或无法识别。"), code="photo_corrupt") from exc
    return kind, width, height


@transaction.atomic
def case_photo_add(*, case: Case, actor, data: bytes, kind: str = PhotoKind.BEFORE) -> CasePhoto:
    if kind not in PhotoKind.values:
        raise ValidationFailed(_("照片类型应为处置前或处置后。"), code="invalid_photo_kind")
    case = lock(case)
    allowed = (
        is_reporter(actor, case)
        or is_member(actor, unit_of(case))
        or (bool(actor.role_set & workflow.DISPATCH_ROLES) and in_jurisdiction(actor, case))
    )
    if not allowed:
        raise PermissionDenied(_("您无权为该案件上传照片。"))
    if case.status not in OPEN_STATUSES:
        raise ValidationFailed(_("案件已办结,不能再上传照片。"), code="case_closed")
    if case.photos.count() >= MAX_PHOTOS_PER_CASE:
        raise ValidationFailed(_("每个案件最多上传 20 张照片。"), code="too_many_photos")
    fmt, width, height = check_image(data)
    content_type, ext = PIL_FORMATS[fmt]
    digest = hashlib.sha256(data).hexdigest()
    photo = CasePhoto(
        case=case,
        kind=kind,
        content_type=f"image/{content_type}",
        size=len(data),
        width=width,
        height=height,
        sha256=digest,
        uploaded_by=actor,
    )
    photo.file.save(f"photo.{ext}", ContentFile(data), save=False)
    # The file is already written; remove it if the row is rolled back.
    name, storage = photo.file.name, photo.file.storage
    try:
        photo.save()
    except Exception:
        storage.delete(name)
        raise
    return photo


MAX_PHOTOS_PER_UPLOAD = 6


def _check_all(photos: list[bytes]) -> None:
    # Every image is checked before anything is written, so a bad file in a
    # batch saves nothing (no case, no event, no stray file on disk).
    if len(photos) > MAX_PHOTOS_PER_UPLOAD:
        raise ValidationFailed(
            _("一次最多上传 %(n)d 张照片。") % {"n": MAX_PHOTOS_PER_UPLOAD}, code="too_many_photos"
        )
    for data in photos:
        check_image(data)


@transaction.atomic
def case_report(*, actor, photos: list[bytes] = (), **fields) -> tuple[Case, bool]:
    """A resident's (or patrol's) report with its photos, all or nothing:
    ``case_submit`` with ``fields``, then each photo as 处置前."""
    from .intake import case_submit

    photos = list(photos)
    _check_all(photos)
    case, created = case_submit(actor=actor, **fields)
    if created:
        for data in photos:
            case_photo_add(case=case, actor=actor, data=data, kind=PhotoKind.BEFORE)
    return case, created


@transaction.atomic
def case_act_with_photos(
    *,
    case: Case,
    action: str,
    actor,
    expected_version: int | None = None,
    params: dict | None = None,
    photos: list[bytes] = (),
) -> Case:
    """``case_act`` and, in the same transaction, the photos that go with it
    (处置后 for a handling result, 处置前 otherwise)."""
    from . import case_act

    photos = list(photos)
    _check_all(photos)
    case = case_act(
        case=case, action=action, actor=actor, expected_version=expected_version, params=params
    )
    kind = PhotoKind.AFTER if action == "handle" else PhotoKind.BEFORE
    for data in photos:
        case_photo_add(case=case, actor=actor, data=data, kind=kind)
    return case
