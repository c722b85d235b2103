"""The JSON API: one django-ninja router per app, errors mapped once."""

from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.renderers import JSONRenderer
from ninja.security import django_auth

from gongzhi.cases.api import router as cases_router
from gongzhi.cobuild.api import router as cobuild_router
from gongzhi.core.errors import DomainError
from gongzhi.insights.api import router as insights_router
from gongzhi.intake.api import router as intake_router
from gongzhi.org.api import router as org_router
from gongzhi.party.api import router as party_router
from gongzhi.volunteering.api import router as volunteering_router


class UnicodeJSONRenderer(JSONRenderer):
    """Chinese text as UTF-8, not as \\u escapes."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=UnicodeJSONRenderer(),
    title="共治 Gongzhi API",
    version="1",
    description="党建引领基层治理平台接口。所有读取均限定在调用者的管辖范围内。",
    auth=django_auth,
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def domain_error(request, exc: DomainError):
    return api.create_response(request, exc.as_dict(), status=exc.status)


@api.exception_handler(AuthenticationError)
def auth_error(request, exc):
    return api.create_response(
        request, {"code": "unauthenticated", "message": _("请先登录。")}, status=401
    )


@api.exception_handler(NinjaValidationError)
def validation_error(request, exc: NinjaValidationError):
    return api.create_response(
        request,
        {"code": "invalid", "message": _("请求参数不正确。"), "errors": exc.errors},
        status=422,
    )


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    """django-ninja's own errors carry English text: the two a caller meets
    (a body that is not JSON, a session call without its CSRF token) get a
    code and a Chinese message; anything else keeps ours."""
    text = str(exc)
    if text.startswith("Cannot parse request body"):
        code, message = "unparsable_body", _("请求体不是有效的 JSON。")
    elif text == "CSRF check Failed":
        code, message = "csrf_failed", _("CSRF 校验失败:请在请求头 X-CSRFToken 中带上 csrftoken。")
    else:
        code, message = "http_error", text
    return api.create_response(request, {"code": code, "message": message}, status=exc.status_code)


api.add_router("/org/", org_router, tags=["区划与网格"])
api.add_router("/cases/", cases_router, tags=["诉求与事件"])
api.add_router("/intake/", intake_router, tags=["智能受理"])
api.add_router("/party/", party_router, tags=["党的建设"])
api.add_router("/cobuild/", cobuild_router, tags=["共建共治"])
api.add_router("/volunteering/", volunteering_router, tags=["志愿服务"])
api.add_router("/insights/", insights_router, tags=["指标"])
