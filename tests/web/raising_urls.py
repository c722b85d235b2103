"""URLs whose views raise, for the error-page tests (test settings only)."""

from django.urls import include, path

from config.urls import urlpatterns as real_urlpatterns
from gongzhi.core.errors import Conflict, PermissionDenied, ValidationFailed


def boom(request):
    raise RuntimeError("secret detail that must not reach the page")


def forbidden(request):
    raise PermissionDenied("该操作需要审计管理员权限。")


def invalid(request):
    raise ValidationFailed("截止日期不能早于今天。")


def conflict(request):
    raise Conflict("该事项已被他人处理。")


urlpatterns = [
    path("boom/", boom),
    path("forbidden/", forbidden),
    path("invalid/", invalid),
    path("conflict/", conflict),
    path("", include(real_urlpatterns)),
]

handler403 = "gongzhi.web.views.error_403"
handler404 = "gongzhi.web.views.error_404"
handler500 = "gongzhi.web.views.error_500"
