"""The log scanner of tests/logscan.py catches personal data, and only that."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.logscan import PersonalDataLogHandler, scan_text

VALID_ID = "11010519491231002X"  # GB 11643's worked example


@pytest.mark.parametrize(
    "text, kind",
    [
        ("居民 13855667788 反映", "mobile phone"),
        (f"id={VALID_ID}", "ID number"),
        ("mail zhang.wei@example.com", "email address"),
    ],
)
def test_scanner_catches_personal_data(text, kind):
    assert [k for k, _ in scan_text(text)] == [kind]
    assert "5566" not in scan_text(text)[0][1] or kind != "mobile phone"


@pytest.mark.parametrize(
    "text",
    [
        "138****7788",  # masked
        "340104********1234",  # masked
        "case GZ202601010001 division 340111002001 grid 340111002001001",
        "building 3401110020010010001",  # 19 digits
        "110105194912310021",  # 18 digits, wrong check digit
        "took 1385566778899 ns",  # 13 digits
    ],
)
def test_scanner_leaves_masked_values_and_codes_alone(text):
    assert scan_text(text) == []


def test_handler_records_a_planted_log_line():
    handler = PersonalDataLogHandler()
    logger = logging.getLogger("tests.logscan.planted")
    logger.addHandler(handler)
    logger.propagate = False  # planted for this handler only, not for the session's scan
    try:
        logger.warning("reporter phone %s", "13912345678")
        logger.info("nothing personal here: division %s", "340111002001")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    assert len(handler.findings) == 1
    assert "mobile phone" in handler.findings[0]
    assert "13912345678" not in handler.findings[0]  # the report itself is masked


def test_a_planted_record_fails_the_whole_run(tmp_path):
    """A child pytest with the plugin: one test logs a phone number, the
    test passes, the session fails and names it."""
    root = Path(__file__).resolve().parents[2]
    (tmp_path / "test_planted.py").write_text(
        textwrap.dedent(
            """
            import logging

            def test_logs_a_phone():
                logging.getLogger("gongzhi.demo").warning("call 13912345678")
            """
        )
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "tests.logscan",
            "-p",
            "no:django",
            "-p",
            "no:cacheprovider",
            "-q",
            "-o",
            "addopts=",
            str(tmp_path),
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 passed" in result.stdout
    assert "personal data in log records" in result.stdout
    assert "test_logs_a_phone" in result.stdout
    assert "13912345678" not in result.stdout
