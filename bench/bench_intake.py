"""Bulk intake benchmark; prints one JSON object.

    .venv/bin/python bench/bench_intake.py                    (200,000 records; bench/run.py)
    .venv/bin/python bench/bench_intake.py --records 1000000  (the province-scale run)
    .venv/bin/python bench/bench_intake.py --full             (same as --records 1000000)

A fresh SQLite database in a temporary directory (GONGZHI_DATA_DIR set,
DATABASE_URL unset): the whole province's territory (import_divisions,
import_boundaries, generate_grids — ~24,000 grids), then
``intake.bulk.generate`` writes N records in the seven channel adapters' own
formats (GBK CSV, JSON arrays, XLSX; texts from the real messages) and the full
pipeline (``intake.bulk.pipeline.run``: parse → validate → locate → classify →
dedupe → route → persist with the timeline) imports them on the two cores.
The classifier is var/models' current model (trained into the temporary
directory when there is none; not timed).

Reported: cases/s over the whole pipeline (target ≥ 5,000), records/s (cases
+ triage items), seconds per stage, and for the ratio the seconds to insert
the very same final rows (cases, events, reporters, suggestions, triage items)
raw — executemany, one transaction per 20,000, into empty copies of the tables
*with the same indexes* and the same pragmas as the pipeline's writer.
Wrap in ``flock /tmp/gongzhi-bench.lock`` on a shared machine; the load
average before and after is printed with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 5000

RUN = """
import json, os, time, django
cpus = sorted(os.sched_getaffinity(0))[:2]
os.sched_setaffinity(0, set(cpus))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from pathlib import Path
from django.core.management import call_command
from django.db import connection, transaction
from gongzhi.intake.bulk.generate import generate
from gongzhi.intake.bulk.pipeline import WRITER_PRAGMAS, run
from gongzhi.intake.classify import ModelMissing, load_current
tmp = Path(os.environ["BENCH_DIR"])
t = time.perf_counter()
for name in ("import_divisions", "import_boundaries", "generate_grids"):
    call_command(name, verbosity=0)
territory_s = time.perf_counter() - t
out = tmp / "records"
t = time.perf_counter()
gen = generate(out, N, days=60, broken=100, broken_files=1)
gen_s = time.perf_counter() - t
size_mb = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 2**20
try:
    clf = load_current(Path(os.environ["MODEL_DIR"]))
except ModelMissing:
    call_command("train_classifier", output_dir=tmp / "models", verbosity=0)
    clf = load_current(tmp / "models")
load_before = os.getloadavg()
t = time.perf_counter()
rep = run(out, classifier=clf, progress=os.environ.get("BENCH_PROGRESS") == "1")
pipe_s = time.perf_counter() - t
load_after = os.getloadavg()
tables = ("cases_case", "cases_caseevent", "cases_casereporter",
          "intake_duplicatesuggestion", "intake_triageitem")
raw = {}
with connection.cursor() as cur:
    for pragma in WRITER_PRAGMAS:  # as the pipeline's writer
        cur.execute(pragma)
    for table in tables:
        cur.execute(f"SELECT * FROM {table} ORDER BY id")
        rows = cur.fetchall()
        cols = len(cur.description)
        cur.execute("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = %s "
                    "AND sql IS NOT NULL ORDER BY type DESC", [table])
        for kind, name, sql in cur.fetchall():  # the table first, then its indexes
            sql = sql.replace(f'"{table}"', f'"raw_{table}"', 1)
            if kind == "index":
                sql = sql.replace(f'"{name}"', f'"raw_{name}"', 1)
            cur.execute(sql)
        raw[table] = (rows, cols)
    t = time.perf_counter()
    for table, (rows, cols) in raw.items():
        for s in range(0, len(rows), 20000):
            with transaction.atomic():
                cur.executemany(f"INSERT INTO raw_{table} VALUES ({', '.join(['%s'] * cols)})",
                                rows[s:s + 20000])
    raw_s = time.perf_counter() - t
print(json.dumps({"territory_s": territory_s, "generate_s": gen_s, "files_mb": size_mb,
                  "pipeline_s": pipe_s, "report": rep.as_dict(), "raw_insert_s": raw_s,
                  "rows": {k: len(v[0]) for k, v in raw.items()}, "cores": len(cpus),
                  "grids": gen["grids"], "load_before": load_before, "load_after": load_after}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int,
                        default=int(os.environ.get("BENCH_INTAKE", "200000")))  # fmt: skip
    parser.add_argument("--full", action="store_true", help="1,000,000 records")
    parser.add_argument("--progress", action="store_true", help="progress bars on stderr")
    args = parser.parse_args()
    n = 1_000_000 if args.full else args.records
    model_dir = ROOT / "var" / "models"
    with tempfile.TemporaryDirectory(prefix="gongzhi-bench-intake-", dir=ROOT / "var") as tmp:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(GONGZHI_DATA_DIR=tmp, PYTHONPATH=str(ROOT), BENCH_DIR=tmp,
                   MODEL_DIR=str(model_dir))  # fmt: skip
        env["BENCH_PROGRESS"] = "1" if args.progress else "0"
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env,
                       check=True)  # fmt: skip
        t = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", f"N = {n}\n" + RUN], cwd=ROOT, env=env,
                             check=True, stdout=subprocess.PIPE, text=True)  # fmt: skip
        wall = time.perf_counter() - t
    r = json.loads(out.stdout.strip().splitlines()[-1])
    rep = r["report"]
    cases = rep["imported"]
    cps = cases / r["pipeline_s"]
    print(json.dumps({
        "intake_bulk_cases_per_second": {
            "value": round(cps), "target": f">= {TARGET}", "ok": cps >= TARGET,
            "records_per_second": round((cases + rep["triaged"]) / r["pipeline_s"]),
            "records": n, "cases": cases, "triaged": rep["triaged"], "merged": rep["merged"],
            "suggested": rep["suggested"], "errors": rep["errors"], "files": rep["files"],
            "files_mb": round(r["files_mb"]), "pipeline_seconds": round(r["pipeline_s"], 1),
            "stages": rep["seconds"], "routes_computed": rep["routes_computed"],
            "cores": r["cores"], "grids": r["grids"],
            "load_average_before": [round(x, 2) for x in r["load_before"]],
            "load_average_after": [round(x, 2) for x in r["load_after"]],
        },
        "intake_raw_insert": {
            "seconds": round(r["raw_insert_s"], 1), "rows": r["rows"],
            "pipeline_over_raw": round(r["pipeline_s"] / max(r["raw_insert_s"], 1e-9), 2),
            "note": "same final rows, executemany per 20,000 into empty copies of the tables "
                    "with the same indexes",
        },
        "generate_seconds": round(r["generate_s"], 1),
        "territory_seconds": round(r["territory_s"], 1),
        "wall_seconds": round(wall, 1),
    }, ensure_ascii=False, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
