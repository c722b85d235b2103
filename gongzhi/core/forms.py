"""Parsing of posted form fields for server-rendered pages (party,
co-building and volunteering use it). Bad input raises ``ValidationFailed``
with a Chinese message; every form's view is wrapped in
``redisplay_on_error``, which shows it again with the user's values and the
message, and nothing has been written."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.db import transaction
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed


def text(data, name: str, label: str, *, required: bool = True, max_length: int = 100) -> str:
    value = (data.get(name) or "").strip()
    if required and not value:
        raise ValidationFailed(_("请填写%(label)s。") % {"label": label})
    if len(value) > max_length:
        raise ValidationFailed(
            _("%(label)s不能超过%(n)s个字。") % {"label": label, "n": max_length}
        )
    return value


def choice(data, name: str, label: str, values, *, required: bool = True) -> str:
    value = (data.get(name) or "").strip()
    if not value and not required:
        return ""
    if value not in values:
        raise ValidationFailed(_("请选择正确的%(label)s。") % {"label": label})
    return value


def integer(data, name: str, label: str, *, default: int | None = None, minimum: int = 0) -> int:
    raw = (data.get(name) or "").strip()
    if not raw and default is not None:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValidationFailed(_("%(label)s须为整数。") % {"label": label}) from exc
    if value < minimum:
        raise ValidationFailed(_("%(label)s不能小于%(n)s。") % {"label": label, "n": minimum})
    return value


def optional_pk(data, name: str) -> int | None:
    raw = (data.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise ValidationFailed(_("所选项目不存在。"))
    return int(raw)


def date(data, name: str, label: str, *, required: bool = True) -> dt.date | None:
    raw = (data.get(name) or "").strip()
    if not raw and not required:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationFailed(_("请按“年-月-日”填写%(label)s。") % {"label": label}) from exc


def datetime(data, name: str, label: str) -> dt.datetime:
    """A ``datetime-local`` input, read in the site's time zone."""
    raw = (data.get(name) or "").strip()
    try:
        value = dt.datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationFailed(_("请填写正确的%(label)s。") % {"label": label}) from exc
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def lines(data, name: str) -> list[str]:
    return [line.strip() for line in (data.get(name) or "").splitlines() if line.strip()]


def redisplay_on_error(page, form: str):
    """Decorate a POST view so that bad input re-renders its page with the
    user's values and the Chinese message instead of an error page.

    ``page(request, *args, **kwargs)`` returns ``(template, context)`` of the
    page holding the form, called with the view's own arguments. On any domain
    error but not-found and permission (a validation failure, a conflict) the
    view's writes are rolled back and the page is rendered with
    ``form_errors`` (form name → message), ``posted`` (the submitted values)
    and ``error_pk`` (the view's ``pk``, telling which row's form failed when
    a page repeats a form per row), with the error's status (400, or 409 for
    a conflict). Not-found and permission errors keep their error pages, so a
    foreign id still answers 404."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                with transaction.atomic():
                    return view(request, *args, **kwargs)
            except (NotFound, PermissionDenied):
                raise
            except DomainError as exc:
                if request.headers.get("HX-Request"):
                    raise  # htmx swaps the middleware's error fragment in place
                template, ctx = page(request, *args, **kwargs)
                ctx["form_errors"] = {form: exc.message}
                ctx["posted"] = request.POST
                ctx["error_pk"] = kwargs.get("pk")
                status = exc.status if 400 <= exc.status < 500 else 400
                return render(request, template, ctx, status=status)

        return wrapper

    return decorate
