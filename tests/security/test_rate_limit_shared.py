"""Rate-limit counters are shared by every process of the machine without
Redis (gunicorn workers must not each grant the full limit), and no hit is
lost when processes count at the same moment."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
from django.test import override_settings

from gongzhi.core import ratelimit

HITS_PER_PROCESS = 150
PROCESSES = 4


def _hammer(path: str, limit: int, out) -> None:
    with override_settings(RATE_LIMIT_DB=Path(path), REDIS_URL=""):
        ratelimit._stores.clear()
        over = sum(
            ratelimit.rate_limit_hit("test", "10.0.0.1", limit=limit, window=3600)
            for _ in range(HITS_PER_PROCESS)
        )
    out.put(over)


@pytest.fixture
def counter_file(tmp_path):
    return tmp_path / "ratelimit.sqlite3"


def test_processes_share_one_count_and_lose_no_hit(counter_file):
    limit = 100
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    procs = [
        ctx.Process(target=_hammer, args=(str(counter_file), limit, out)) for _ in range(PROCESSES)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    over = sum(out.get(timeout=5) for _ in procs)
    total = PROCESSES * HITS_PER_PROCESS
    # Exactly the hits past the shared limit are refused (500); with
    # per-process counters each process would refuse only its own 50 (200).
    assert over == total - limit


def test_reset_forgets_counts(counter_file):
    with override_settings(RATE_LIMIT_DB=counter_file, REDIS_URL=""):
        assert not ratelimit.rate_limit_hit("t", "k", limit=1, window=60)
        assert ratelimit.rate_limit_hit("t", "k", limit=1, window=60)
        ratelimit.reset()
        assert not ratelimit.rate_limit_hit("t", "k", limit=1, window=60)


def _redis_up() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _redis_up(), reason="needs Redis at 127.0.0.1:6379")
def test_with_redis_reset_deletes_only_the_counters():
    from django.core.cache import caches

    url = "redis://127.0.0.1:6379/15"
    redis_cache = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    }
    with override_settings(CACHES=redis_cache, REDIS_URL=url):
        cache = caches["default"]
        cache.set("not-a-counter", "kept")
        try:
            assert not ratelimit.rate_limit_hit("t", "k", limit=1, window=60)
            assert ratelimit.rate_limit_hit("t", "k", limit=1, window=60)
            ratelimit.reset()
            assert not ratelimit.rate_limit_hit("t", "k", limit=1, window=60)
            assert cache.get("not-a-counter") == "kept"
        finally:
            cache.delete("not-a-counter")
            ratelimit.reset()
