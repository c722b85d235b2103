"""Case benchmarks with 1,000,000 cases; prints one JSON object.

    .venv/bin/python bench/bench_cases.py        (also run by bench/run.py)

A fresh SQLite database in a temporary directory (GONGZHI_DATA_DIR set,
DATABASE_URL unset): the real territory (import_divisions, import_boundaries,
grids generated for the seed article's four counties), then **1,000,000
synthetic case rows** written directly with ``executemany`` (not through the
services — that would take hours): spread over every grid of the generated
counties and every community of the province (communities without grids
stand for their own cell), 3 % of them at 常青街道 (340111002), statuses,
channels, urgencies and categories drawn with fixed weights, creation times
over the last two years, units, deadlines and timestamps consistent with the
status. Reporter names/phones are left empty (they would be ciphertext). The
street's cases also get four timeline events each.

Measured through the real code, as the street's staff (Django test client,
session login, JSON API → selectors):

- a street's case list: first page, filtered (status, category prefix,
  urgency), p50/p95 in ms (target p95 < 100 ms);
- a case detail (with its timeline and allowed actions), p50/p95 in ms
  (target p95 < 100 ms);
- transitions per second: dispatch → accept → handle on registered cases of
  the street through ``cases.services`` (one transaction each, with the lock,
  the timeline event and the huey enqueue).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

N_CASES = int(os.environ.get("BENCH_CASES", "1000000"))
STREET = "340111002"
STREET_SHARE = 0.03
COUNTIES = ["340111", "340176", "340202", "340302"]
REPS = 200
TARGET_P95_MS = 100.0
TARGET_SETUP_S = 180.0

STATUSES = [
    ("submitted", 2),
    ("registered", 2),
    ("voided", 3),
    ("merged", 1),
    ("dispatched", 3),
    ("in_progress", 8),
    ("rejected", 1),
    ("extension_requested", 1),
    ("suspended", 1),
    ("handled", 2),
    ("verified", 1),
    ("closed", 20),
    ("rated", 55),
]
CHANNELS = ["hotline_12345"] * 5 + ["web"] * 3 + ["grid_patrol"] * 2 + ["urban_management"]
URGENCIES = ["normal"] * 8 + ["urgent"] * 2 + ["critical"]
DISPATCHED = {
    "dispatched",
    "in_progress",
    "rejected",
    "extension_requested",
    "suspended",
    "handled",
    "verified",
    "closed",
    "rated",
}
HANDLED = {"handled", "verified", "closed", "rated"}
CLOSED = {"closed", "rated"}
RATINGS = ["satisfied"] * 7 + ["basically"] * 2 + ["unsatisfied"]


def _setup_django(tmp: str) -> None:
    os.environ.pop("DATABASE_URL", None)
    os.environ["GONGZHI_DATA_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _ts(dt: datetime) -> str:
    # Naive UTC, the format Django's SQLite backend stores (isoformat is
    # several times faster than strftime over 5,000,000 calls).
    return dt.isoformat(" ", "microseconds")


def _territory() -> dict:
    from django.core.management import call_command

    t = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("import_divisions", verbosity=0)
    call_command("import_boundaries", verbosity=0)
    call_command("generate_grids", counties=",".join(COUNTIES), verbosity=0)
    return {"territory_seconds": round(time.perf_counter() - t, 1)}


def _generate(rng: random.Random) -> dict:
    """1,000,000 synthetic rows with executemany (see the module docstring)."""
    from django.db import connection, transaction

    from gongzhi.cases.models import Category
    from gongzhi.org.models import Department, Division

    t0 = time.perf_counter()
    leaves = list(
        Division.objects.filter(level="grid").values_list("id", "code", "center_lng", "center_lat")
    )
    gridded = {code[:12] for _i, code, _x, _y in leaves}
    leaves += [
        row
        for row in Division.objects.filter(level="community").values_list(
            "id", "code", "center_lng", "center_lat"
        )
        if row[1] not in gridded
    ]
    street_leaves = [row for row in leaves if row[1].startswith(STREET)]
    ids = dict(Division.objects.filter(level__in=["street", "community"]).values_list("code", "id"))
    depts: dict[str, list[int]] = {}
    for pk, code in Department.objects.values_list("id", "division__code"):
        depts.setdefault(code, []).append(pk)
    categories = list(
        Category.objects.filter(children__isnull=True).values_list("id", "limit_normal_hours")
    )
    statuses = [s for s, w in STATUSES for _ in range(w)]
    now = datetime.now(UTC).replace(tzinfo=None)
    cols = [
        "created_at",
        "updated_at",
        "number",
        "channel",
        "source_ref",
        "title",
        "description",
        "category_id",
        "urgency",
        "lng",
        "lat",
        "address",
        "grid_id",
        "division_path",
        "reporter_name",
        "reporter_phone",
        "reporter_phone_bidx",
        "status",
        "unit_type",
        "unit_division_id",
        "unit_department_id",
        "dispatcher_division_id",
        "result",
        "accept_due",
        "handle_due",
        "warn_at",
        "limit_hours",
        "dispatched_at",
        "accepted_at",
        "handled_at",
        "closed_at",
        "priority",
        "rework_count",
        "rejection_count",
        "extension_count",
        "extension_hours_requested",
        "ruled",
        "ruling",
        "ruled_unreasonable",
        "is_joint",
        "rating",
        "rating_comment",
        "void_reason",
        "version",
    ]
    sql = f"INSERT INTO cases_case ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})"
    per_day: dict[str, int] = {}
    span = 730 * 86400
    # Creation times drawn up front and sorted, so that ids grow with
    # created_at as they do in production (rows are inserted in time order).
    offsets = sorted((rng.uniform(3600, span) for _ in range(N_CASES)), reverse=True)

    def row(i: int):
        grid_id, code, lng, lat = (
            rng.choice(street_leaves) if rng.random() < STREET_SHARE else rng.choice(leaves)
        )
        created = now - timedelta(seconds=offsets[i])
        created_ts = _ts(created)
        day = created_ts[:4] + created_ts[5:7] + created_ts[8:10]
        per_day[day] = per_day.get(day, 0) + 1
        status = rng.choice(statuses)
        category_id, limit = rng.choice(categories)
        street_code, community_code = code[:9], code[:12]
        unit_type, unit_div, unit_dept = "", None, None
        dispatched = accepted = handled = closed = accept_due = handle_due = None
        if status in DISPATCHED:
            r = rng.random()
            street_depts = depts.get(street_code)
            if r < 0.45 and street_depts:
                unit_type, unit_div, unit_dept = (
                    "department",
                    ids.get(street_code),
                    rng.choice(street_depts),
                )
            elif r < 0.75:
                unit_type, unit_div = "community", ids.get(community_code)
            else:
                unit_type, unit_div = "street", ids.get(street_code)
            dispatched = created + timedelta(hours=rng.uniform(0.2, 8))
            accept_due = dispatched + timedelta(hours=6)
            handle_due = dispatched + timedelta(days=7)
            if status != "dispatched" and status != "rejected":
                accepted = dispatched + timedelta(hours=rng.uniform(0.1, 10))
            if status in HANDLED:
                handled = dispatched + timedelta(hours=rng.uniform(2, 240))
            if status in CLOSED:
                closed = handled + timedelta(hours=rng.uniform(1, 48))
        return (
            created_ts,
            created_ts,
            f"GZ{day}{per_day[day]:05d}",
            rng.choice(CHANNELS),
            "",
            f"合成案件 {i}",
            "基准测试合成数据(非真实诉求)。",
            category_id,
            rng.choice(URGENCIES),
            lng or 117.3,
            lat or 31.8,
            "",
            grid_id,
            code,
            "",
            "",
            "",
            status,
            unit_type,
            unit_div,
            unit_dept,
            ids.get(community_code) if dispatched else None,
            "已处置" if handled else "",
            _ts(accept_due) if accept_due else None,
            _ts(handle_due) if handle_due else None,
            # 80 % of the (calendar-approximated) limit, as set_handle_due stores it
            _ts(dispatched + timedelta(days=7 * 0.8)) if handle_due else None,
            limit if dispatched else 0,
            _ts(dispatched) if dispatched else None,
            _ts(accepted) if accepted else None,
            _ts(handled) if handled else None,
            _ts(closed) if closed else None,
            0,
            1 if rng.random() < 0.03 else 0,
            1 if status == "rejected" else 0,
            1 if rng.random() < 0.05 else 0,
            0,
            False,
            "",
            False,
            False,
            rng.choice(RATINGS) if status == "rated" else "",
            "",
            "不属于受理范围" if status == "voided" else "",
            1,
        )

    # Throwaway database: no journal, no fsync, a large page cache, and the
    # secondary indexes dropped during the load and rebuilt once afterwards
    # (one sort per index instead of 1,000,000 random B-tree inserts each).
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode = OFF")
        cursor.execute("PRAGMA synchronous = OFF")
        cursor.execute("PRAGMA cache_size = -1000000")
        cursor.execute("PRAGMA temp_store = MEMORY")
        cursor.execute("PRAGMA threads = 4")  # sorter helper threads for CREATE INDEX
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            " AND tbl_name IN ('cases_case', 'cases_caseevent')"
        )
        indexes = cursor.fetchall()
        for name, _sql in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    batch = 50_000
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, N_CASES, batch):
            cursor.executemany(sql, [row(i) for i in range(start, min(N_CASES, start + batch))])
    gen_s = time.perf_counter() - t0
    # Timeline events (4 per case) for the street's cases, for the detail page.
    t1 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, created_at, status FROM cases_case WHERE division_path LIKE %s",
            [STREET + "%"],
        )
        street_rows = cursor.fetchall()
        events = []
        for case_id, created, status in street_rows:
            for action, frm, to in (
                ("submit", "", "submitted"),
                ("register", "submitted", "registered"),
                ("dispatch", "registered", "dispatched"),
                ("accept", "dispatched", status),
            ):
                events.append((case_id, action, frm, to, "", "{}", True, created))
        cursor.executemany(
            "INSERT INTO cases_caseevent (case_id, action, from_status, to_status, note, payload,"
            " public, created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            events,
        )
    t2 = time.perf_counter()
    with connection.cursor() as cursor:
        for _name, index_sql in indexes:
            cursor.execute(index_sql)
        cursor.execute("ANALYZE")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA cache_size = -65536")
    return {
        "generate_seconds": round(gen_s, 1),
        "events_seconds": round(t2 - t1, 1),
        "index_seconds": round(time.perf_counter() - t2, 1),
        "street_cases": len(street_rows),
        "leaves": len(leaves),
    }


def _pcts(samples: list[float]) -> dict:
    samples = sorted(samples)
    p95 = samples[int(len(samples) * 0.95) - 1]
    return {
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(p95, 2),
        "target_p95_ms": TARGET_P95_MS,
        "ok": p95 < TARGET_P95_MS,
        "n": len(samples),
    }


def _measure(rng: random.Random) -> dict:
    from django.test import Client

    from gongzhi.accounts.constants import Role
    from gongzhi.accounts.models import User, UserRole
    from gongzhi.cases.models import Case
    from gongzhi.cases.selectors import path_q
    from gongzhi.org.models import Division

    street = Division.objects.get(code=STREET)
    staff, created = User.objects.get_or_create(
        username="bench_street", defaults={"display_name": "基准街道", "division": street}
    )
    if created:
        staff.set_unusable_password()
        staff.save()
        UserRole.objects.create(user=staff, role=Role.STREET_STAFF)
    client = Client()
    client.force_login(staff)

    community = (
        Case.objects.filter(path_q(STREET)).order_by("-id").values_list("division_path", flat=True)
    ).first()[:12]
    scenarios = {
        "street_list_unfiltered": [{}],
        "street_list_status": [
            {"status": "in_progress,dispatched,extension_requested"},
            {"status": "handled,verified"},
        ],
        "street_list_status_category": [
            {"status": "closed,rated", "category": "T01"},
            {"status": "in_progress", "category": "UE"},
        ],
        "street_list_urgency": [{"urgency": "urgent"}],
        "community_list": [{"division": community}, {"division": community, "status": "rated"}],
    }
    out: dict = {}
    for name, variants in scenarios.items():
        samples = []
        for i in range(REPS):
            params = {**variants[i % len(variants)], "page_size": 20}
            t = time.perf_counter()
            response = client.get("/api/v1/cases/", params)
            samples.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, response.content[:300]
        out[name] = _pcts(samples)
    # The second page through the cursor (?before=) of the unfiltered list.
    first = client.get("/api/v1/cases/", {"page_size": 20}).json()
    samples = []
    for _ in range(REPS):
        t = time.perf_counter()
        response = client.get("/api/v1/cases/", {"page_size": 20, "before": first["next_before"]})
        samples.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, response.content[:300]
    out["street_list_next_page_cursor"] = _pcts(samples)
    # The staff work queue page, first page: "my queue" (the default) and
    # every case of the jurisdiction.
    for name, params in (("staff_queue_page_mine", {}), ("staff_queue_page_all", {"scope": "all"})):
        samples = []
        for _ in range(REPS // 4):
            t = time.perf_counter()
            response = client.get("/cases/work/", params)
            samples.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, response.content[:300]
        out[name] = _pcts(samples)
    numbers = list(Case.objects.filter(path_q(STREET)).values_list("number", flat=True)[:5000])
    detail_ms = []
    for _ in range(REPS):
        number = rng.choice(numbers)
        t = time.perf_counter()
        response = client.get(f"/api/v1/cases/{number}")
        detail_ms.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, response.content[:300]
    return {
        **out,
        "case_detail": _pcts(detail_ms),
        "transitions": _transitions(staff),
    }


def _transitions(staff) -> dict:
    from gongzhi.cases.models import Case
    from gongzhi.cases.selectors import path_q
    from gongzhi.cases.services import case_accept, case_dispatch, case_handle
    from gongzhi.cases.units import Unit
    from gongzhi.org.models import Division

    street = Division.objects.get(code=STREET)
    unit = Unit.of_division(street)
    cases = list(Case.objects.filter(path_q(STREET), status="registered").order_by("id")[:150])
    n = 0
    t = time.perf_counter()
    for case in cases:
        case = case_dispatch(case=case, actor=staff, unit=unit)
        case = case_accept(case=case, actor=staff)
        case_handle(case=case, actor=staff, result="基准测试处置。")
        n += 3
    seconds = time.perf_counter() - t
    return {
        "value": round(n / seconds, 1) if seconds else None,
        "unit": "transitions/s",
        "transitions": n,
        "note": "dispatch → accept → handle through cases.services, one transaction each",
    }


def main() -> None:
    """``BENCH_DIR=/some/dir`` keeps the generated database there and reuses
    it on the next run (generation skipped); by default a temporary
    directory is used and removed."""
    rng = random.Random(2024)
    keep = os.environ.get("BENCH_DIR")
    with tempfile.TemporaryDirectory(prefix="gongzhi-bench-cases-") as tmp:
        data_dir = keep or tmp
        reuse = bool(keep) and (Path(keep) / "gongzhi.sqlite3").exists()
        _setup_django(data_dir)
        started = time.perf_counter()
        result = {"cases": N_CASES}
        if reuse:
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
            result["reused_database"] = str(Path(keep) / "gongzhi.sqlite3")
        else:
            result.update(_territory())
            result.update(_generate(rng))
            result["setup_seconds"] = round(time.perf_counter() - started, 1)
            result["setup_target_seconds"] = TARGET_SETUP_S
            print(json.dumps(result), file=sys.stderr, flush=True)
        result.update(_measure(rng))
        result["load_average"] = os.getloadavg()
        result["note"] = (
            "synthetic case rows (executemany), real territory and grids; "
            "timings through the JSON API with a logged-in street staff member"
        )
    print(json.dumps({"cases_benchmark": result}, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
