"""Bulk intake benchmark; prints one JSON object.

    .venv/bin/python bench/bench_intake.py            (200,000 records; bench/run.py)
    .venv/bin/python bench/bench_intake.py --full     (1,000,000 records)

A fresh SQLite database in a temporary directory (GONGZHI_DATA_DIR set,
DATABASE_URL unset): the whole province's territory (import_divisions,
import_boundaries, generate_grids — ~24,000 grids), then
``generate_channel_records`` writes N records in the seven channel formats and
the full pipeline (``intake.bulk.pipeline.run``: parse → validate → locate →
classify → dedupe → route → persist with the first timeline event) imports
them, pinned to two cores. Reported: cases/s over the pipeline (target ≥ 5,000)
and, for the ratio, the seconds to insert the very same final rows (cases +
events + reporters) raw with executemany into empty copies of the tables.
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
from gongzhi.intake.bulk.pipeline import run
from gongzhi.intake.classify import ModelMissing, load_current
t = time.perf_counter()
for name in ("import_divisions", "import_boundaries", "generate_grids"):
    call_command(name, verbosity=0)
territory_s = time.perf_counter() - t
out = Path(os.environ["BENCH_DIR"]) / "records"
t = time.perf_counter()
gen = generate(out, N, days=60)
gen_s = time.perf_counter() - t
try:
    clf = load_current(Path(os.environ["MODEL_DIR"]))
except ModelMissing:
    clf = None
t = time.perf_counter()
rep = run(out, classifier=clf)
pipe_s = time.perf_counter() - t
raw = {}
with connection.cursor() as cur:
    t = time.perf_counter()
    for table in ("cases_case", "cases_caseevent", "cases_casereporter"):
        cur.execute(f"SELECT * FROM {table}")
        rows = cur.fetchall()
        cols = len(cur.description)
        cur.execute(f"CREATE TABLE raw_{table} AS SELECT * FROM {table} WHERE 0")
        raw[table] = (rows, cols)
    read_s = time.perf_counter() - t
    t = time.perf_counter()
    with transaction.atomic():
        for table, (rows, cols) in raw.items():
            for s in range(0, len(rows), 20000):
                cur.executemany(f"INSERT INTO raw_{table} VALUES ({', '.join(['?'] * cols)})".replace('?', '%s'),
                                rows[s:s + 20000])
    raw_s = time.perf_counter() - t
print(json.dumps({"territory_s": territory_s, "generate_s": gen_s, "pipeline_s": pipe_s,
                  "report": rep.as_dict(), "raw_insert_s": raw_s,
                  "rows": {k: len(v[0]) for k, v in raw.items()}, "classifier": clf is not None,
                  "cores": len(cpus), "grids": gen["grids"]}))
"""  # noqa: E501


def main() -> None:
    n = 1_000_000 if "--full" in sys.argv else int(os.environ.get("BENCH_INTAKE", "200000"))
    model_dir = ROOT / "var" / "models"
    with tempfile.TemporaryDirectory(prefix="gongzhi-bench-intake-") as tmp:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(GONGZHI_DATA_DIR=tmp, PYTHONPATH=str(ROOT), BENCH_DIR=tmp,
                   MODEL_DIR=str(model_dir))  # fmt: skip
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env,
                       check=True)  # fmt: skip
        t = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", f"N = {n}\n" + RUN], cwd=ROOT, env=env,
                             check=True, capture_output=True, text=True)  # fmt: skip
        wall = time.perf_counter() - t
    r = json.loads(out.stdout.strip().splitlines()[-1])
    cases = r["report"]["imported"]
    cps = cases / r["pipeline_s"]
    print(json.dumps({
        "intake_bulk_cases_per_second": {
            "value": round(cps), "target": f">= {TARGET}", "ok": cps >= TARGET,
            "records": n, "cases": cases, "merged": r["report"]["merged"],
            "suggested": r["report"]["suggested"], "errors": r["report"]["errors"],
            "pipeline_seconds": round(r["pipeline_s"], 1), "stages": r["report"]["seconds"],
            "classifier": r["classifier"], "cores": r["cores"], "grids": r["grids"],
        },
        "intake_raw_insert": {
            "seconds": round(r["raw_insert_s"], 1), "rows": r["rows"],
            "pipeline_over_raw": round(r["pipeline_s"] / max(r["raw_insert_s"], 1e-9), 2),
            "note": "same final rows, executemany into empty copies of the tables",
        },
        "generate_seconds": round(r["generate_s"], 1),
        "wall_seconds": round(wall, 1),
    }, ensure_ascii=False, indent=2))  # fmt: skip


if __name__ == "__main__":
    main()
