"""Turn domain errors raised in page views into Chinese error pages."""

from __future__ import annotations

import logging

from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from gongzhi.core.errors import DomainError, NotFound, PermissionDenied

logger = logging.getLogger(__name__)


class DomainErrorMiddleware:
    """NotFound → 404 page, PermissionDenied → 403 page, any other DomainError
    → an error page showing its message (status 400, or the error's own 4xx
    status such as 409 for a conflict). The API maps these errors itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DomainError):
            return None
        if isinstance(exception, NotFound):
            template, status = "404.html", 404
        elif isinstance(exception, PermissionDenied):
            template, status = "403.html", 403
        else:
            template = "web/error.html"
            status = exception.status if 400 <= exception.status < 500 else 400
        logger.info("domain error on %s: %s (%s)", request.path, exception.code, exception.message)
        if request.headers.get("HX-Request"):
            template = "web/_error_fragment.html"
        response = TemplateResponse(
            request,
            template,
            {"error_message": exception.message, "error_title": _("操作未能完成")},
            status=status,
        )
        return response.render()


def _tile_source(url: str) -> str:
    """The CSP source for a configured tile URL such as
    https://t{s}.tianditu.gov.cn/…: a wildcard for the sub-domain template."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.netloc
    if "{" in host:
        host = "*." + host.split(".", 1)[1]
    return f"{parts.scheme}://{host}" if parts.scheme and host else ""


class SecurityHeadersMiddleware:
    """Content-Security-Policy on every answer, and ``Cache-Control: no-store``
    on every answer to a signed-in user: behind the login every page may show
    personal data, and no shared or browser cache should keep it.

    Scripts only from our own origin (no inline script anywhere in the
    templates); inline styles stay allowed because Leaflet, htmx and the SVG
    QR codes set style attributes.
    """

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        img = ["'self'", "data:", "blob:"]
        tiles = _tile_source(getattr(settings, "MAP_TILE_URL", ""))
        if tiles:
            img.append(tiles)
        self.csp = "; ".join(
            [
                "default-src 'self'",
                "script-src 'self'",
                "style-src 'self' 'unsafe-inline'",
                f"img-src {' '.join(img)}",
                "connect-src 'self'",
                "font-src 'self'",
                "object-src 'none'",
                "base-uri 'self'",
                "form-action 'self'",
                "frame-ancestors 'none'",
            ]
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.csp)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store"
        return response
