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
