"""Profile the load scenario's endpoints in-process (Django test client).

    GONGZHI_DATA_DIR=<dir with a migrated load database> \\
        .venv/bin/python bench/load/profile_endpoints.py sessions.json [n] [--cprofile NAME]

For each request of the scenario (bench/load/locustfile.py) — a resident's
report and follow-up, a community worker's queue, list, detail and action —
prints the CPU milliseconds per request (process time, median and mean of
``n`` runs, without a profiler) and the SQL queries per request. With
``--cprofile NAME`` (e.g. ``--cprofile detail``) the top functions of that
endpoint by cumulative time follow. The test client adds ~1 ms that
gunicorn does not spend."""

import argparse
import cProfile
import json
import os
import pstats
import statistics
import time
import uuid

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("sessions")
parser.add_argument("n", nargs="?", type=int, default=100)
parser.add_argument("--cprofile", default="", help="endpoint key(s), comma-separated")
parser.add_argument("--dump", default="", help="also write each profile to DUMP.<key>.pstats")
parser.add_argument("--sql", action="store_true", help="print each endpoint's SQL once")
parser.add_argument(
    "--fill", type=int, default=0, help="report this many cases first (a mid-run database)"
)
args = parser.parse_args()

with open(args.sessions) as fh:
    sessions = json.load(fh)
resident = Client(HTTP_ACCEPT="application/json")
resident.cookies["sessionid"] = sessions["residents"][0]
worker = Client(HTTP_ACCEPT="application/json")
worker.cookies["sessionid"] = sessions["workers"][0]
lng, lat = sessions["grid"]


def ok(r):
    assert r.status_code in (200, 201), (r.status_code, r.content[:300])
    return r


def post():
    body = {"title": "楼道灯不亮", "description": "三单元楼道灯连续几晚不亮。", "category": "UC01",
            "lng": lng, "lat": lat, "source_ref": f"load-{uuid.uuid4().hex}"}  # fmt: skip
    return ok(resident.post("/api/v1/cases/", body, content_type="application/json"))


for _ in range(args.fill):
    post()
number = post().json()["number"]
for _ in range(args.n):  # cases in the worker's queue to act on
    post()
queue = ok(worker.get("/api/v1/cases/queue?limit=200")).json()
to_act = [c["number"] for c in queue if c["status"] == "submitted"]


def act():
    n = to_act.pop()
    case = ok(worker.get(f"/api/v1/cases/{n}")).json()
    return ok(
        worker.post(
            f"/api/v1/cases/{n}/actions/register",
            {"expected_version": case["version"], "params": {}},
            content_type="application/json",
        )
    )


ENDPOINTS = {
    "report": ("POST /api/v1/cases/ (resident)", post),
    "follow": (
        "GET /api/v1/cases/{n} (resident)",
        lambda: ok(resident.get(f"/api/v1/cases/{number}")),
    ),
    "queue": (
        "GET /api/v1/cases/queue (worker)",
        lambda: ok(worker.get("/api/v1/cases/queue?limit=20")),
    ),
    "list": ("GET /api/v1/cases/ (worker)", lambda: ok(worker.get("/api/v1/cases/?page_size=20"))),
    "detail": (
        "GET /api/v1/cases/{n} (worker)",
        lambda: ok(worker.get(f"/api/v1/cases/{number}")),
    ),
    "act": ("GET detail + POST /api/v1/cases/{n}/actions/register (worker)", act),
}

results = {}
for key, (name, fn) in ENDPOINTS.items():
    fn()  # warm
    with CaptureQueriesContext(connection) as ctx:
        fn()
    queries = len(ctx.captured_queries)
    if args.sql:
        print(f"-- {name}")
        for q in ctx.captured_queries:
            print("  ", q["sql"][:400])
    n = min(args.n, (len(to_act) - 2) // 2) if key == "act" else args.n
    cpu = []
    for _ in range(n):
        t = time.process_time()
        fn()
        cpu.append((time.process_time() - t) * 1000)
    results[key] = {
        "endpoint": name,
        "cpu_ms_median": round(statistics.median(cpu), 1),
        "cpu_ms_mean": round(statistics.mean(cpu), 1),
        "queries": queries,
    }
    if key in args.cprofile.split(","):
        prof = cProfile.Profile(time.process_time)
        prof.enable()
        for _ in range(min(n, 50, len(to_act)) if key == "act" else min(n, 50)):
            fn()
        prof.disable()
        if args.dump:
            prof.dump_stats(f"{args.dump}.{key}.pstats")
        print(f"== {name}")
        pstats.Stats(prof).sort_stats("cumulative").print_stats(45)
print(json.dumps(results, ensure_ascii=False, indent=2))
