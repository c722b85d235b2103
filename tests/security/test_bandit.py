"""bandit finds no high-severity issue in the project's code."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings


def test_bandit_has_no_high_severity_findings():
    bandit = Path(sys.executable).parent / "bandit"
    if not bandit.exists() and not shutil.which("bandit"):
        pytest.skip("bandit is not installed (dev extra)")
    result = subprocess.run(  # nosec B603
        [
            str(bandit),
            "-q",
            "-r",
            "gongzhi",
            "config",
            "-lll",
            "-f",
            "json",
            "-x",
            "*/migrations/*,*/static/*",
        ],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    findings = json.loads(result.stdout)["results"]
    assert [(f["filename"], f["line_number"], f["test_id"]) for f in findings] == []
