"""No personal data in logs over the whole test run (issue 6, item 9).

A pytest plugin (registered from tests/conftest.py): a handler on the root
logger sees every record emitted during the session, keeps those whose text
looks like personal data (a mobile number, an ID number with a valid GB 11643
check digit, …) and fails the run at the end, naming the logger, the test
and the masked hit. Under pytest-xdist each worker scans its own records and
hands its findings to the controller, which fails the session.

``scan_text`` is the scanner; ``tests/security/test_logscan.py`` proves it
catches a planted record.
"""

from __future__ import annotations

import logging
import re

import pytest

from gongzhi.core.validators import id_check_char

PATTERNS = {
    "mobile phone": re.compile(r"(?<![\d*])1[3-9]\d{9}(?![\d*])"),
    "ID number": re.compile(r"(?<![\d*])\d{6}(?:19|20)\d{2}[01]\d[0-3]\d\d{3}[\dXx](?![\d*])"),
    "email address": re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]*[A-Za-z]{2,}"),
}
MAX_FINDINGS = 50


def _mask(value: str) -> str:
    return value[:3] + "*" * max(len(value) - 7, 1) + value[-4:]


def scan_text(text: str) -> list[tuple[str, str]]:
    """(kind, masked value) for each piece of personal data in ``text``."""
    hits = []
    for kind, pattern in PATTERNS.items():
        for m in pattern.finditer(text):
            value = m.group(0)
            if kind == "ID number" and id_check_char(value[:17]) != value[17].upper():
                continue  # 18 digits that are not an ID number (ids, timestamps)
            hits.append((kind, _mask(value)))
    return hits


class PersonalDataLogHandler(logging.Handler):
    """Keeps only the records that carry personal data (not every record)."""

    def __init__(self):
        super().__init__(level=logging.NOTSET)
        self.findings: list[str] = []
        self.current_test = "(outside a test)"
        self.scanned = 0

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
            if record.exc_info and not record.exc_text:
                text += "\n" + logging.Formatter().formatException(record.exc_info)
            elif record.exc_text:
                text += "\n" + record.exc_text
        except Exception:  # a broken record is not this scanner's business
            return
        self.scanned += 1
        for kind, masked in scan_text(text):
            if len(self.findings) < MAX_FINDINGS:
                self.findings.append(
                    f"{self.current_test}: {record.name} {record.levelname} logged a {kind} "
                    f"({masked})"
                )


_handler = PersonalDataLogHandler()


def _attach() -> None:
    root = logging.getLogger()
    if _handler not in root.handlers:  # dictConfig (Django's setup) replaces handlers
        root.addHandler(_handler)


def pytest_sessionstart(session):
    _attach()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    _attach()
    _handler.current_test = item.nodeid


def pytest_sessionfinish(session, exitstatus):
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # an xdist worker: the controller reports
        workeroutput["logscan_findings"] = list(_handler.findings)
        return
    _report(session, _handler.findings)


def pytest_testnodedown(node, error):
    findings = getattr(node, "workeroutput", {}).get("logscan_findings", [])
    _handler.findings.extend(findings)


def _report(session, findings):
    if not findings:
        return
    tr = session.config.pluginmanager.get_plugin("terminalreporter")
    if tr is not None:
        tr.section("personal data in log records", sep="=", red=True)
        for line in findings:
            tr.write_line(line)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
