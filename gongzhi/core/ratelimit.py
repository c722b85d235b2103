"""A fixed-window rate limiter on Django's cache, for any view or API route.

    if rate_limit_hit("intake", client_key, limit=60, window=60):
        return too_many_requests(request)

or as a decorator on a view: ``@rate_limited("login", limit=20, window=60)``.
With REDIS_URL set the cache is Redis, so the limit holds across processes and
machines; without it each process counts on its own (demo and tests).
"""

from __future__ import annotations

import functools
import time

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _


def request_ip(request: HttpRequest) -> str:
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR") or "unknown"


def rate_limit_hit(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count one hit; True when this hit is over ``limit`` within the window."""
    bucket = int(time.time() // window)
    cache_key = f"rl:{scope}:{key}:{bucket}"
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window + 1)
        count = 1
    return count > limit


def too_many_requests(request: HttpRequest, *, retry_after: int = 60) -> HttpResponse:
    message = _("请求过于频繁,请稍后再试。")
    if request.path.startswith("/api/") or "application/json" in request.headers.get("Accept", ""):
        response: HttpResponse = JsonResponse(
            {"code": "rate_limited", "message": message}, status=429
        )
    else:
        response = TemplateResponse(
            request,
            "web/error.html",
            {"error_title": _("请求过于频繁"), "error_message": message},
            status=429,
        ).render()
    response["Retry-After"] = str(retry_after)
    return response


def rate_limited(scope: str, *, limit: int, window: int = 60, methods=("POST",)):
    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods and rate_limit_hit(
                scope, request_ip(request), limit=limit, window=window
            ):
                return too_many_requests(request, retry_after=window)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
