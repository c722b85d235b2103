"""Load scenario (issue 6, item 10): residents reporting and staff acting.

    .venv/bin/python bench/load/run_load.py            200 users, 2 minutes
    .venv/bin/python bench/load/run_load.py --quick    20 users, 20 seconds

Builds a fresh SQLite database in a temporary directory (the divisions, 蜀山/
包河 grids), creates residents and community workers with server-side
sessions (no TOTP role), starts gunicorn on a free port of 127.0.0.1, runs
locust headless, stops gunicorn, and prints one JSON object: fail ratio
(target < 1%), p95 in ms (target < 500), and whether every submitted case was
stored exactly once: a case counts as submitted only when the server
acknowledged it (201/200 with its number), failed requests are counted
apart, and no source_ref may be stored twice. gunicorn runs gthread
(-w 2 --threads 4, keep-alive; measured best of -w 3/8, -w 2/8, -w 2/4 on 2 cores) over
SQLite in WAL with a busy timeout; DEBUG off and each thread's database
connection kept (SQLITE_CONN_MAX_AGE). --workers/--threads override.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psutil  # a dependency of locust

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BIN = Path(sys.executable).parent
TARGET_FAIL_RATIO = 0.01
TARGET_P95_MS = 500


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(env, *args, capture=False):
    # Setup commands' progress lines would spoil the JSON on stdout.
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        check=True,
        text=True,
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
    )


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its live children (gunicorn's workers)."""
    total = 0.0
    root = psutil.Process(pid)
    for proc in [root, *root.children(recursive=True)]:
        try:
            t = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += t.user + t.system
    return total


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--users", type=int)
    parser.add_argument("--seconds", type=int)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=4, help="gthread threads per process")
    args = parser.parse_args()
    users = args.users or (20 if args.quick else 200)
    seconds = min(args.seconds or (20 if args.quick else 120), 120)

    with tempfile.TemporaryDirectory(prefix="gongzhi-load-") as tmp:
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
        env.update(
            GONGZHI_DATA_DIR=tmp,
            DJANGO_SETTINGS_MODULE="config.settings",
            LOG_LEVEL="WARNING",
            PYTHONPATH=str(ROOT),
            # As in production: no DEBUG (which also records every query),
            # and each gunicorn thread keeps its SQLite connection (opening
            # one costs ~1.4 ms of CPU and starts with a cold page cache).
            DEBUG="false",
            SQLITE_CONN_MAX_AGE="600",
        )
        t0 = time.perf_counter()
        _run(env, "manage.py", "migrate", "--noinput", "-v", "0")
        _run(env, "manage.py", "import_divisions", "-v", "0")
        _run(env, "manage.py", "import_boundaries", "-v", "0")
        _run(env, "manage.py", "generate_grids", "--counties", "340111", "-v", "0")
        # One account per resident user (a resident may file at most
        # CASE_SUBMIT_RATE_LIMIT reports a minute); workers share 10 accounts.
        sessions = _run(env, str(HERE / "setup_load.py"), str(users), "10", capture=True).stdout
        sessions_file = Path(tmp, "sessions.json")
        sessions_file.write_text(sessions)
        setup_s = time.perf_counter() - t0

        load_before = list(os.getloadavg())
        port = _free_port()
        workers, threads = args.workers, args.threads
        gunicorn = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "config.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                str(workers),
                "--worker-class",
                "gthread",
                "--threads",
                str(threads),
                "--keep-alive",
                "75",
                "--backlog",
                "2048",
                "--timeout",
                "60",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
                    break
                except OSError:
                    time.sleep(0.3)
            server_cpu0 = _cpu_seconds(gunicorn.pid)
            children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            refs_file = Path(tmp, "refs.json")
            lenv = {**env, "LOAD_SESSIONS": str(sessions_file), "LOAD_REFS": str(refs_file)}
            subprocess.run(
                [
                    str(BIN / "locust"),
                    "-f",
                    str(HERE / "locustfile.py"),
                    "--headless",
                    "-u",
                    str(users),
                    "-r",
                    str(max(1, users // 10)),
                    "-t",
                    f"{seconds}s",
                    "--host",
                    f"http://127.0.0.1:{port}",
                    "--csv",
                    str(Path(tmp, "stats")),
                    "--only-summary",
                    "--loglevel",
                    "WARNING",
                    "--stop-timeout",
                    "10",
                ],
                cwd=ROOT,
                env=lenv,
                check=False,
                timeout=seconds + 120,
                stdout=subprocess.DEVNULL,
            )
            children1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            server_cpu = _cpu_seconds(gunicorn.pid) - server_cpu0
            locust_cpu = (children1.ru_utime + children1.ru_stime) - (
                children0.ru_utime + children0.ru_stime
            )
        finally:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)

        failure_kinds = []
        if Path(tmp, "stats_failures.csv").exists():
            with open(Path(tmp, "stats_failures.csv")) as fh:
                failure_kinds = [
                    {"name": r["Name"], "error": r["Error"][:160], "n": int(r["Occurrences"])}
                    for r in csv.DictReader(fh)
                ]
        with open(Path(tmp, "stats_stats.csv")) as fh:
            rows = {r["Name"]: r for r in csv.DictReader(fh)}
        total = rows["Aggregated"]
        requests = int(total["Request Count"])
        failures = int(total["Failure Count"])
        fail_ratio = failures / requests if requests else 1.0
        p95 = float(total["95%"])
        stored = json.loads(
            _run(env, str(HERE / "count_cases.py"), str(refs_file), capture=True).stdout
        )
        exactly_once = (
            stored["missing"] == 0
            and stored["duplicated"] == 0
            and stored["unexpected"] == 0
            and stored["number_mismatch"] == 0
            and stored["stored_acknowledged"] == stored["acknowledged"]
        )
        result = {
            "load": {
                "users": users,
                "seconds": seconds,
                "gunicorn": f"-w {workers} --worker-class gthread --threads {threads}",
                "settings": {"DEBUG": False, "SQLITE_CONN_MAX_AGE": 600},
                "load_average_before": load_before,
                "load_average_after": list(os.getloadavg()),
                "setup_s": round(setup_s, 1),
                "requests": requests,
                "rps": round(float(total["Requests/s"]), 1),
                "fail_ratio": {
                    "value": round(fail_ratio, 4),
                    "target": "< 0.01",
                    "ok": fail_ratio < TARGET_FAIL_RATIO,
                },
                "p95_ms": {"value": p95, "target": f"< {TARGET_P95_MS}", "ok": p95 < TARGET_P95_MS},
                "failures": failures,
                "p50_ms": float(total["50%"]),
                # CPU actually spent, whatever else shares the machine: the
                # server's per request is what bench/load/profile_endpoints.py
                # breaks down per endpoint.
                "cpu_ms_per_request": {
                    "server": round(server_cpu / requests * 1000, 2) if requests else None,
                    "locust": round(locust_cpu / requests * 1000, 2) if requests else None,
                },
                "cpu_cores_used": {
                    "server": round(server_cpu / seconds, 2),
                    "locust": round(locust_cpu / seconds, 2),
                },
                "cases": {**stored, "exactly_once": exactly_once},
                "per_endpoint": {
                    n: {
                        "requests": int(r["Request Count"]),
                        "failures": int(r["Failure Count"]),
                        "p50_ms": float(r["50%"]),
                        "p95_ms": float(r["95%"]),
                        "max_ms": float(r["Max Response Time"]),
                    }
                    for n, r in rows.items()
                    if n != "Aggregated"
                },
                "failure_kinds": failure_kinds,
            }
        }
        print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
