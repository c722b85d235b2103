"""A fixed-window rate limiter on Django's cache, for any view or API route.

    if rate_limit_hit("intake", client_key, limit=60, window=60):
        return too_many_requests(request)

or as a decorator on a view: ``@rate_limited("login", limit=20, window=60)``.

Counters must be shared by every process that serves requests, or gunicorn's
workers would each grant the full limit. With REDIS_URL set they live in the
Redis cache (shared across processes and machines); without it, in a small
SQLite file beside the data (``RATE_LIMIT_DB``), shared by every process on
the machine and updated with one atomic upsert per hit. A deployment on more
than one machine must set REDIS_URL (docs/operations.md).
"""

from __future__ import annotations

import functools
import sqlite3
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _


def request_ip(request: HttpRequest, default: str = "unknown") -> str:
    """The client's address. ``X-Real-IP`` only with ``BEHIND_PROXY`` (nginx
    overwrites it, docs/operations.md); otherwise any client could name its
    own address — and so its own rate-limit budget and audit trail."""
    if getattr(settings, "BEHIND_PROXY", False):
        real = request.META.get("HTTP_X_REAL_IP")
        if real:
            return real
    return request.META.get("REMOTE_ADDR") or default


def rate_limit_hit(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count one hit; True when this hit is over ``limit`` within the window."""
    bucket = int(time.time() // window)
    cache_key = f"rl:{scope}:{key}:{bucket}"
    if getattr(settings, "REDIS_URL", ""):
        count = _cache_incr(cache_key, window)
    else:
        count = _file_store().incr(cache_key, expires=(bucket + 1) * window)
    return count > limit


def retry_after(window: int) -> int:
    """Seconds until the current window of ``rate_limit_hit`` ends (1 … window):
    the honest ``Retry-After`` for a client over its limit."""
    return window - int(time.time()) % window


def reset() -> None:
    """Forget every rate-limit counter (tests; an operator lifting a block).

    Only the counters: with Redis the cache may share its database with other
    data, so its keys are deleted by pattern, never the whole database."""
    if getattr(settings, "REDIS_URL", ""):
        client = cache._cache.get_client(write=True)  # django's RedisCache client
        for key in client.scan_iter(match=f"*{cache.make_key('rl:')}*"):
            client.delete(key)
    else:
        cache.clear()  # the in-process cache (login lockout counters in tests)
        _file_store().clear()


def _cache_incr(cache_key: str, window: int) -> int:
    cache.add(cache_key, 0, timeout=window + 1)
    try:
        return cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window + 1)
        return 1


class _FileStore:
    """Counters in a SQLite file: one atomic UPSERT … RETURNING per hit, so
    concurrent processes never lose a count; expired rows are swept now and then."""

    def __init__(self, path: Path):
        self.path = path
        self.local = threading.local()
        self.hits = 0

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS hits "
                "(key TEXT PRIMARY KEY, n INTEGER NOT NULL, expires INTEGER NOT NULL)"
            )
            self.local.conn = conn
        return conn

    def incr(self, key: str, *, expires: int) -> int:
        conn = self._conn()
        (count,) = conn.execute(
            "INSERT INTO hits (key, n, expires) VALUES (?, 1, ?) "
            "ON CONFLICT(key) DO UPDATE SET n = n + 1 RETURNING n",
            (key, expires),
        ).fetchone()
        self.hits += 1
        if self.hits % 1000 == 0:
            conn.execute("DELETE FROM hits WHERE expires < ?", (int(time.time()),))
        return count

    def clear(self) -> None:
        self._conn().execute("DELETE FROM hits")


_stores: dict[str, _FileStore] = {}
_stores_lock = threading.Lock()


def _file_store() -> _FileStore:
    path = str(settings.RATE_LIMIT_DB)
    store = _stores.get(path)
    if store is None:
        with _stores_lock:
            store = _stores.setdefault(path, _FileStore(Path(path)))
    return store


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
