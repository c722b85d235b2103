"""Profile the load scenario's endpoints in-process (cProfile, Django test client).

    GONGZHI_DATA_DIR=<dir with a migrated load database> \\
        .venv/bin/python bench/load/profile_endpoints.py sessions.json [n]

Prints the mean time per request and the top functions by cumulative time."""

import cProfile
import json
import os
import pstats
import sys
import time
import uuid

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.test import Client  # noqa: E402

with open(sys.argv[1]) as fh:
    sessions = json.load(fh)
n = int(sys.argv[2]) if len(sys.argv) > 2 else 100
client = Client(HTTP_ACCEPT="application/json")
client.cookies["sessionid"] = sessions["residents"][0]
lng, lat = sessions["grid"]


def post():
    body = {"title": "楼道灯不亮", "description": "三单元楼道灯连续几晚不亮。", "category": "UC01",
            "lng": lng, "lat": lat, "source_ref": f"load-{uuid.uuid4().hex}"}  # fmt: skip
    r = client.post("/api/v1/cases/", body, content_type="application/json")
    assert r.status_code in (200, 201), r.content[:300]
    return r.json()["number"]


number = post()
CASES = (
    ("POST /api/v1/cases/", post),
    ("GET /api/v1/cases/{n}", lambda: client.get(f"/api/v1/cases/{number}")),
)
for name, fn in CASES:
    prof = cProfile.Profile()
    t = time.perf_counter()
    prof.enable()
    for _ in range(n):
        fn()
    prof.disable()
    print(f"== {name}: {(time.perf_counter() - t) / n * 1000:.1f} ms/request")
    pstats.Stats(prof).sort_stats("cumulative").print_stats(35)
