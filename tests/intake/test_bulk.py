"""Bulk import end to end on a small N: generated files in the seven channel
formats → cases with their first timeline event; idempotent re-run; broken
records reported one by one, good ones imported, nothing half-written."""

from __future__ import annotations

import csv

import pytest
from django.core.management import call_command

from gongzhi.cases.catalogue import seed_categories
from gongzhi.cases.constants import Status
from gongzhi.cases.models import Case, CaseEvent, CaseReporter, Category
from gongzhi.intake.bulk.formats import LAYOUTS, file_for
from gongzhi.intake.bulk.generate import generate
from gongzhi.intake.bulk.pipeline import run

pytestmark = pytest.mark.django_db

N = 2000
BROKEN = 14


@pytest.fixture
def files(tmp_path, db):
    seed_categories(Category)
    summary = generate(tmp_path, N, broken=BROKEN, echo_share=0.08, days=10)
    assert all(file_for(tmp_path, lay).exists() for lay in LAYOUTS.values())
    return tmp_path, summary


def test_end_to_end_idempotent_with_error_report(files):
    directory, summary = files
    assert sum(summary["by_channel"].values()) == N
    report = run(directory)
    assert report.read == N + BROKEN
    bad = [e for e in report.errors if "BAD" in e[2] or not e[2]]
    assert len(bad) == BROKEN
    # an echo jittered across a grid edge may land where no grid is drawn
    stray = [e for e in report.errors if e not in bad]
    assert len(stray) <= 5 and all(e[3] == "该位置尚未划分社区或网格" for e in stray)
    good = N - len(stray)
    assert report.imported == good
    assert Case.objects.count() == good
    # every case has its submit event; merged ones also the merge event
    assert CaseEvent.objects.filter(action="submit").count() == good
    merged = Case.objects.filter(status=Status.MERGED)
    assert merged.count() == report.merged > 0
    assert CaseEvent.objects.filter(action="merge").count() == report.merged
    assert all(c.master.status == Status.SUBMITTED for c in merged.select_related("master")[:50])
    assert CaseReporter.objects.filter(via_case__in=merged).count() > 0
    # masters moved up the queue
    assert Case.objects.filter(priority__gt=0, status=Status.SUBMITTED).exists()
    # channels, numbering and grid paths are consistent
    channels = set(Case.objects.values_list("channel", flat=True))
    assert channels >= {"hotline_12345", "chat_group", "skynet", "police_110"}
    assert Case.objects.values("number").distinct().count() == good
    c = Case.objects.filter(channel="hotline_12345").exclude(reporter_phone="").first()
    assert c.reporter_phone.startswith("1") and c.grid.code == c.division_path
    reasons = {e[3] for e in report.errors}
    assert {"缺少问题描述", "时间缺失或格式不正确", "坐标不在安徽省范围内", "群所属网格编码未知",
            "JSON 格式错误", "坐标缺失或格式不正确"} <= reasons  # fmt: skip

    again = run(directory)
    assert again.imported == 0 and again.skipped_existing == good
    assert Case.objects.count() == good


def test_command_writes_the_error_report(files, capsys):
    directory, _summary = files
    call_command("bulk_import", str(directory), "--no-classifier", "--no-progress")
    rows = list(csv.reader((directory / "errors.csv").open(encoding="utf-8-sig")))
    assert rows[0] == ["文件", "行号", "来源编号", "原因"] and len(rows) >= BROKEN + 1
    assert Case.objects.count() == N + BROKEN + 1 - len(rows)


def test_a_failing_batch_writes_nothing_of_it(files, monkeypatch):
    directory, _summary = files
    from gongzhi.intake.bulk import pipeline

    calls = {"n": 0}
    original = pipeline.Persister._write

    def flaky(self, *a):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("disk full")
        return original(self, *a)

    monkeypatch.setattr(pipeline.Persister, "_write", flaky)
    with pytest.raises(RuntimeError):
        run(directory, batch=500)
    # the first batch is in, the failed one left no case and no event
    assert Case.objects.count() == 500
    assert (
        CaseEvent.objects.count() == CaseEvent.objects.filter(case__in=Case.objects.all()).count()
    )
    monkeypatch.setattr(pipeline.Persister, "_write", original)
    report = run(directory, batch=500)
    assert report.skipped_existing == 500
    assert Case.objects.count() == 500 + report.imported
