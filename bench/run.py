"""Benchmarks of the territory geometry; prints one JSON object.

    .venv/bin/python bench/run.py          (make bench)

Everything runs against a fresh SQLite database in a temporary directory
(GONGZHI_DATA_DIR set, DATABASE_URL unset), never the demo database:

- full Anhui import: import_divisions + import_boundaries + generate_grids
  (target < 60 s);
- locate throughput: 1,000,000 random points inside Anhui through
  GeometryIndex.locate_many over the province's ~24,000 grids and ~14,000
  ungridded communities, pinned to one core (target ≥ 200,000 points/s);
- RSS of a process holding the index (target < 300 MB).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

TARGET_IMPORT_S = 60.0
TARGET_POINTS_PER_S = 200_000
TARGET_RSS_MB = 300.0
N_POINTS = 1_000_000

IMPORT = """
import json, os, time, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from django.core.management import call_command
from gongzhi.org.models import Building, Division
times = {}
for name, kwargs in (("import_divisions", {}), ("import_boundaries", {}), ("generate_grids", {})):
    t = time.perf_counter()
    call_command(name, verbosity=0, **kwargs)
    times[name] = round(time.perf_counter() - t, 2)
times["grids"] = Division.objects.filter(level="grid").count()
times["buildings"] = Building.objects.count()
print(json.dumps(times))
"""

LOCATE = """
import json, os, time, django
os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
import numpy as np, shapely
from gongzhi.org.geo.index import build_index
from gongzhi.org.models import Division
t = time.perf_counter()
index = build_index()
build_s = time.perf_counter() - t
province = Division.objects.get(code="34").geometry
shapely.prepare(province)
rng = np.random.default_rng(2024)
x0, y0, x1, y1 = province.bounds
xs, ys = [], []
have = 0
while have < N:
    x = rng.uniform(x0, x1, N); y = rng.uniform(y0, y1, N)
    keep = shapely.contains_xy(province, x, y)
    xs.append(x[keep]); ys.append(y[keep]); have += int(keep.sum())
x = np.concatenate(xs)[:N]; y = np.concatenate(ys)[:N]
t = time.perf_counter()
codes = index.locate_many(x, y)
dt = time.perf_counter() - t
found = int(np.count_nonzero(codes != None))  # noqa: E711
print(json.dumps({"seconds": dt, "points": N, "found": found, "leaves": len(index),
                  "build_s": build_s}))
"""

RSS = """
import json, os, resource, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from gongzhi.org.geo.index import get_index
index = get_index()
index.locate(117.30, 31.80)
rss = 0.0
with open("/proc/self/status") as fh:
    for line in fh:
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) / 1024
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"rss_mb": rss, "peak_mb": peak, "leaves": len(index)}))
"""


def _run(code: str, env: dict, extra: str = "") -> dict:
    out = subprocess.run(
        [PYTHON, "-c", extra + code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="gongzhi-bench-") as tmp:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env["GONGZHI_DATA_DIR"] = tmp
        env["PYTHONPATH"] = str(ROOT)
        subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        t = time.perf_counter()
        steps = _run(IMPORT, env)
        import_s = time.perf_counter() - t
        locate = _run(LOCATE, env, extra=f"N = {N_POINTS}\n")
        rss = _run(RSS, env)
    pps = locate["points"] / locate["seconds"]
    result = {
        "full_import_seconds": {
            "value": round(import_s, 1),
            "target": f"< {TARGET_IMPORT_S:g}",
            "ok": import_s < TARGET_IMPORT_S,
            "steps": {
                k: steps[k] for k in ("import_divisions", "import_boundaries", "generate_grids")
            },
            "note": "fresh SQLite database, including Python and Django start-up",
        },
        "locate_points_per_second": {
            "value": round(pps),
            "target": f">= {TARGET_POINTS_PER_S}",
            "ok": pps >= TARGET_POINTS_PER_S,
            "points": locate["points"],
            "located": locate["found"],
            "leaves": locate["leaves"],
            "index_build_seconds": round(locate["build_s"], 2),
            "note": "one batch via locate_many, one core",
        },
        "index_rss_mb": {
            "value": round(rss["rss_mb"], 1),
            "target": f"< {TARGET_RSS_MB:g}",
            "ok": rss["rss_mb"] < TARGET_RSS_MB,
            "peak_mb": round(rss["peak_mb"], 1),
            "note": "whole process: Python + Django + the loaded index",
        },
        "grids": steps["grids"],
        "buildings": steps["buildings"],
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
    # intake classifier (issue 4): training seconds, messages/s, dev_raw accuracy and macro-F1
    subprocess.run([sys.executable, str(Path(__file__).with_name("bench_classify.py"))], check=True)
    # cases (issue 3): 1,000,000 synthetic cases; list/detail p50/p95, transitions/s
    subprocess.run([sys.executable, str(Path(__file__).with_name("bench_cases.py"))], check=True)
    # load (issue 6): locust, residents reporting + staff acting against gunicorn (200 users, 2 min)
    subprocess.run(
        [sys.executable, str(Path(__file__).with_name("load") / "run_load.py")], check=True
    )
    # intake bulk import (issue 4): 200,000 records by default, --full for 1,000,000
    subprocess.run([sys.executable, str(Path(__file__).with_name("bench_intake.py")),
                    *(["--full"] if "--full-intake" in sys.argv else [])], check=True)  # fmt: skip
