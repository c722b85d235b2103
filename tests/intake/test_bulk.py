"""Bulk import end to end on a small N: generated files in the seven channel
adapters' own formats (GBK CSV, JSON arrays, XLSX) → cases with their first
timeline event, or triage items when the classifier is unsure; idempotent
re-run; broken records reported one by one, good ones imported, nothing
half-written; reporter data encrypted with its blind index."""

from __future__ import annotations

import csv

import pytest
from django.core.management import call_command
from django.db import connection

from gongzhi.cases.constants import Status
from gongzhi.cases.models import Case, CaseEvent, CaseReporter, Category
from gongzhi.intake.bulk import formats
from gongzhi.intake.bulk.generate import generate
from gongzhi.intake.bulk.pipeline import run
from gongzhi.intake.channels.skynet import EVENTS
from gongzhi.intake.classify import Prediction
from gongzhi.intake.models import ChannelMapping, TriageItem

pytestmark = pytest.mark.django_db

N = 1500
BROKEN = 20  # two of each of the ten kinds in generate.BROKEN
CHANNELS = {"urban_management", "hotline_12345", "petition", "skynet", "police_110",
            "grid_patrol", "chat_group"}  # fmt: skip


class StubClassifier:
    """Deterministic stand-in for the trained model: a first-level citizen class,
    unsure about every text whose length is divisible by 5."""

    def __init__(self, label: str):
        self.label = label
        self.seen: list[str] = []

    def predict(self, texts, subcategory=True):
        texts = list(texts)
        self.seen += texts
        return [Prediction(self.label, 0.3 if len(t) % 5 == 0 else 0.9, len(t) % 5 == 0,
                     alternatives=[("其他", 0.05)]) for t in texts]  # fmt: skip


@pytest.fixture
def label(db):
    return Category.objects.filter(source="citizen", parent__code="T").order_by("code").first()


@pytest.fixture
def files(tmp_path, db):
    summary = generate(tmp_path, N, broken=BROKEN, broken_files=1, echo_share=0.1, days=10,
                       per_file=400)  # fmt: skip
    return tmp_path, summary


def test_files_are_the_adapters_formats(files):
    directory, _summary = files
    found = formats.scan(directory)
    assert {ch for ch, _p in found} == CHANNELS
    suffix = {ch: p.suffix for ch, p in found if "broken" not in p.name}
    assert suffix == {"urban_management": ".csv", "police_110": ".csv", "chat_group": ".csv",
                      "hotline_12345": ".json", "skynet": ".json", "grid_patrol": ".json",
                      "petition": ".xlsx"}  # fmt: skip
    urban = next(p for ch, p in found if ch == "urban_management")
    raw = urban.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")  # exported in GBK, as city platforms do
    assert "案卷号,问题类型,大类代码" in raw.decode("gbk")


def test_end_to_end_idempotent_with_error_report(files, label):
    directory, _summary = files
    clf = StubClassifier(label.name)
    report = run(directory, classifier=clf)
    assert report.read == N + BROKEN
    bad = [e for e in report.errors if e[2].startswith("BAD") or e[1] == 0 or "BAD" in e[2]]
    assert len(bad) == BROKEN + 1  # + the unreadable file
    # a jittered echo may land where no grid is drawn (test territory: 4 counties)
    stray = [e for e in report.errors if e not in bad]
    assert len(stray) <= 10 and all("网格" in e[3] or "服务区域" in e[3] for e in stray)
    good = N - len(stray)
    assert report.imported + report.triaged == good
    assert Case.objects.count() == report.imported
    assert TriageItem.objects.count() == report.triaged > 0
    # every case has its submit event; merged ones also the merge event
    assert CaseEvent.objects.filter(action="submit").count() == report.imported
    merged = Case.objects.filter(status=Status.MERGED)
    assert merged.count() == report.merged > 0
    # ... and the master's timeline names each duplicate it absorbed (as case_merge)
    assert CaseEvent.objects.filter(action="merge", case__in=merged).count() == report.merged
    master_side = CaseEvent.objects.filter(action="merge").exclude(case__in=merged)
    assert master_side.count() == report.merged
    assert set(master_side.values_list("payload__duplicate", flat=True)) == set(
        merged.values_list("number", flat=True)
    )
    assert all(e.from_status == e.to_status == Status.SUBMITTED for e in master_side[:50])
    assert all(c.master.status == Status.SUBMITTED for c in merged.select_related("master")[:50])
    assert CaseReporter.objects.filter(via_case__in=merged).count() > 0
    assert Case.objects.filter(priority__gt=0, status=Status.SUBMITTED).exists()
    # every channel, numbering and grid paths consistent
    assert set(Case.objects.values_list("channel", flat=True)) == CHANNELS
    assert Case.objects.values("number").distinct().count() == report.imported
    c = Case.objects.filter(channel="police_110").first()
    assert c.source_ref.startswith("110:") and c.grid.code == c.division_path
    # codes went through the mapping tables, not the classifier
    for case in Case.objects.filter(channel="skynet").select_related("category")[:30]:
        assert case.category.code in set(EVENTS.values())
    for case in Case.objects.filter(channel="urban_management").select_related("category")[:30]:
        assert case.category.code[:2] in ("UC", "UE")
    # reasons are the adapters' own
    reasons = " ".join(e[3] for e in report.errors)
    for words in ("缺少字段“诉求内容”", "日期格式不正确", "坐标位于海上", "坐标不在安徽省范围内",
                  "群所属区划编码不正确", "未配置映射", "缺少坐标", "缺少字段“信访人”",
                  "晚于当前时间", "没有对应的事项分类", "JSON 格式错误"):  # fmt: skip
        assert words in reasons, words
    # triage items as submit_or_triage writes them
    item = next(t for t in TriageItem.objects.filter(channel="hotline_12345") if t.sender_phone)
    assert item.reason.startswith("分类置信度不足") and item.guesses["confidence"] == 0.3
    assert item.guesses["point"]["lng"] and item.sender_phone.startswith("1")

    again = run(directory, classifier=clf)
    assert again.imported == 0 and again.triaged == 0
    assert again.skipped_existing == good
    assert Case.objects.count() == report.imported


def test_reporter_data_encrypted_with_blind_index(files, label):
    directory, _summary = files
    clf = StubClassifier(label.name)
    run(directory, classifier=clf, workers=1)
    # in-process: only texts without a mapped code were classified, each once
    assert clf.seen and len(clf.seen) == len(set(clf.seen))
    case = Case.objects.filter(channel="hotline_12345").exclude(reporter_phone="").first()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT reporter_name, reporter_phone, reporter_phone_bidx FROM cases_case "
            "WHERE id = %s",
            [case.pk],
        )
        name, phone, bidx = cur.fetchone()
    assert name.startswith("gz1$") and phone.startswith("gz1$") and len(bidx) == 64
    assert case.reporter_phone not in phone
    assert Case.objects.filter(reporter_phone=case.reporter_phone).filter(pk=case.pk).exists()
    with connection.cursor() as cur:
        cur.execute("SELECT sender_phone FROM intake_triageitem WHERE sender_phone <> '' LIMIT 1")
        assert cur.fetchone()[0].startswith("gz1$")
    rep = next(r for r in CaseReporter.objects.all() if r.phone)
    assert rep is not None and rep.phone.startswith("1")
    assert CaseReporter.objects.filter(phone=rep.phone).exists()


def test_without_a_model_unmapped_records_go_to_triage(files):
    directory, _summary = files
    report = run(directory, classifier=None)
    assert report.triaged > 0
    assert set(TriageItem.objects.values_list("reason", flat=True)) <= {
        "分类模型未就绪",
    }
    # mapped channels still become cases
    assert Case.objects.filter(channel__in=["skynet", "urban_management", "grid_patrol"]).exists()


def test_officers_mapping_rows_win(files, label):
    directory, _summary = files
    other = Category.objects.filter(source="citizen", parent__code="T").exclude(pk=label.pk).first()
    ChannelMapping.objects.create(channel="police_110", source_code="求助", category=other)
    ChannelMapping.objects.create(channel="police_110", source_code="邻里纠纷", category=other)
    ChannelMapping.objects.create(channel="police_110", source_code="其他", category=other)
    run(directory, classifier=StubClassifier(label.name))
    codes = set(Case.objects.filter(channel="police_110").values_list("category__code", flat=True))
    # the built-in 110 classes and the officers' rows: never the classifier's label
    assert label.code not in codes and other.code in codes


def test_command_writes_the_error_report(files, capsys):
    directory, _summary = files
    call_command("bulk_import", str(directory), "--no-classifier", "--no-progress",
                 "--workers", "1")  # fmt: skip
    rows = list(csv.reader((directory / "errors.csv").open(encoding="utf-8-sig")))
    assert rows[0] == ["文件", "行号", "来源编号", "原因"] and len(rows) >= BROKEN + 2
    done = Case.objects.count() + TriageItem.objects.count()
    assert done == N + BROKEN - (len(rows) - 1 - 1)  # minus bad records (not the file row)


def test_a_failing_batch_writes_nothing_of_it(files, label, monkeypatch):
    directory, _summary = files
    from gongzhi.intake.bulk import pipeline

    calls = {"n": 0}
    original = pipeline.Persister._write

    def flaky(self, cur, job):
        if job.case_rows:
            calls["n"] += 1
            if calls["n"] == 2:
                raise RuntimeError("disk full")
        return original(self, cur, job)

    clf = StubClassifier(label.name)
    monkeypatch.setattr(pipeline.Persister, "_write", flaky)
    with pytest.raises(RuntimeError):
        run(directory, classifier=clf, batch=500)
    # the first batch of cases is in, the failed one left no case and no event
    assert Case.objects.count() == 500
    assert (
        CaseEvent.objects.count() == CaseEvent.objects.filter(case__in=Case.objects.all()).count()
    )
    assert not CaseEvent.objects.exclude(case__in=Case.objects.all()).exists()
    monkeypatch.setattr(pipeline.Persister, "_write", original)
    report = run(directory, classifier=clf, batch=500)
    assert report.skipped_existing == 500 + TriageItem.objects.count() - report.triaged
    assert Case.objects.count() == 500 + report.imported
