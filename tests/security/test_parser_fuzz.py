"""hypothesis on the parsers (issue 6, item 9): coordinates and channel /
division CSV files. ID numbers are in test_validators.py.

Anything a parser is given ends in a value or in the parser's own refusal
(ValueError with a Chinese message, ImportFailed) — never another exception.
"""

from __future__ import annotations

import contextlib
import math
import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gongzhi.core.errors import ImportFailed
from gongzhi.intake.textio import read_csv_rows
from gongzhi.org.geo.coords import gcj02_to_wgs84, to_wgs84, wgs84_to_bd09, wgs84_to_gcj02
from gongzhi.org.services.divisions import ANHUI_FILES, read_rows

CHINESE = re.compile(r"[\u4e00-\u9fff]")
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Mainland China's bounding box, where GCJ-02 / BD-09 offsets apply.
china_lng = st.floats(min_value=73.7, max_value=134.7)
china_lat = st.floats(min_value=18.2, max_value=53.5)
any_float = st.floats(allow_nan=True, allow_infinity=True)


def _metres(lng1, lat1, lng2, lat2) -> float:
    dx = (lng1 - lng2) * 111_320 * math.cos(math.radians(lat1))
    dy = (lat1 - lat2) * 110_540
    return math.hypot(dx, dy)


@FAST
@given(china_lng, china_lat)
def test_gcj02_round_trip_is_within_a_metre(lng, lat):
    back = to_wgs84(*wgs84_to_gcj02(lng, lat), "gcj02")
    assert _metres(lng, lat, *back) < 1.0


@FAST
@given(china_lng, china_lat)
def test_bd09_round_trip_is_within_a_metre(lng, lat):
    back = to_wgs84(*wgs84_to_bd09(lng, lat), "BD-09")
    assert _metres(lng, lat, *back) < 1.0


@FAST
@given(st.floats(-180, 180), st.floats(-90, 90))
def test_wgs84_is_identity_and_results_are_finite(lng, lat):
    assert to_wgs84(lng, lat) == (lng, lat)
    for crs in ("gcj02", "bd09"):
        x, y = to_wgs84(lng, lat, crs)
        assert math.isfinite(x) and math.isfinite(y)
    x, y = gcj02_to_wgs84(lng, lat)
    assert math.isfinite(x) and math.isfinite(y)


@FAST
@given(any_float, any_float, st.sampled_from(["wgs84", "gcj02", "bd09", "WGS-84", "gcj_02"]))
def test_out_of_range_or_not_finite_raises_value_error_in_chinese(lng, lat, crs):
    ok = math.isfinite(lng) and math.isfinite(lat) and abs(lng) <= 180 and abs(lat) <= 90
    assume(not ok)
    try:
        to_wgs84(lng, lat, crs)
    except ValueError as exc:
        assert CHINESE.search(str(exc))
    else:
        raise AssertionError("accepted an impossible coordinate")


@FAST
@given(st.text(max_size=12))
def test_unknown_crs_raises_value_error_in_chinese(crs):
    assume(crs.strip().lower().replace("-", "").replace("_", "") not in {"wgs84", "gcj02", "bd09"})
    try:
        to_wgs84(117.3, 31.8, crs)
    except ValueError as exc:
        assert CHINESE.search(str(exc))
    else:
        raise AssertionError(f"accepted crs {crs!r}")


# --- CSV readers ---------------------------------------------------------------

csv_like = st.one_of(
    st.binary(max_size=600),
    st.text(max_size=300).map(lambda t: t.encode("utf-8")),
    st.text(max_size=300).map(lambda t: t.encode("gb18030")),
    st.lists(st.lists(st.text(max_size=8), max_size=5), max_size=6).map(
        lambda rows: "\n".join(",".join(r) for r in rows).encode()
    ),
)


@FAST
@given(csv_like)
def test_channel_csv_reader_never_crashes(raw):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "batch.csv"
        path.write_bytes(raw)
        try:
            header, rows = read_csv_rows(path)
        except (ImportFailed, ValueError):
            return
        assert all(isinstance(h, str) for h in header)
        assert all(isinstance(v, str) for row in rows for v in row.values())


def _division_header(filename: str) -> bytes:
    for name, _level, cols in ANHUI_FILES:
        if name == filename:
            return (",".join(cols) + "\n").encode()
    raise KeyError(filename)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([f for f, _l, _c in ANHUI_FILES]),
    csv_like,
    st.booleans(),
)
def test_division_reader_refuses_bad_files_with_import_failed(target, raw, with_header):
    """One of the four files is replaced by random bytes (with or without the
    right header); the reader answers ImportFailed or ValueError, nothing else."""
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        for name, _level, _cols in ANHUI_FILES:
            directory.joinpath(name).write_bytes(_division_header(name))
        body = _division_header(target) + raw if with_header else raw
        directory.joinpath(target).write_bytes(body)
        with contextlib.suppress(ImportFailed, ValueError):
            read_rows(directory, province_code="34", province_name="安徽省")
