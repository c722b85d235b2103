"""Officers' triage decisions become training rows; the weekly retrain."""

from __future__ import annotations

import json
import os
from datetime import timedelta

import pytest
from django.core.management import call_command

from gongzhi.accounts.constants import Role
from gongzhi.cases.models import Category
from gongzhi.intake import classify, feedback, tasks
from gongzhi.intake.channels import ADAPTERS, ingest
from gongzhi.intake.classify import Prediction
from gongzhi.intake.models import TriageItem
from gongzhi.intake.triage import triage_confirm
from gongzhi.org.models import Building
from tests.factories import make_user

pytestmark = pytest.mark.django_db
SCOPE = "340111002"


class Unsure:
    def predict(self, texts, threshold=None):
        return [Prediction("城乡建设", 0.3, True) for _ in texts]


@pytest.fixture
def unsure(monkeypatch):
    monkeypatch.setattr(classify, "load_current", lambda *a, **k: Unsure())


def triaged(ref: str, text: str) -> TriageItem:
    payload = {"msgId": ref, "groupDivision": SCOPE, "sender": "业主", "text": text,
               "sentAt": "2026-11-20 20:00:00"}  # fmt: skip
    out = ingest(ADAPTERS["chat_group"], payload)
    assert out.kind == "triaged"
    return out.item


def citizen(label: str, depth: int) -> str:
    """A citizen category ``depth`` levels below the first level ``label``."""
    node = Category.objects.get(source="citizen", parent__code="T", name=label)
    for _ in range(depth):
        node = node.children.order_by("code").first()
    return node.code


def test_accepted_items_are_labelled_by_their_cases_first_level(unsure):
    building = Building.objects.filter(code__startswith=SCOPE).order_by("code").first()
    officer = make_user(SCOPE, Role.STREET_STAFF)
    school = triaged("FB-1", "孩子上学学位紧张,学校不接收")
    triage_confirm(item=school, actor=officer, category=citizen("教育文体", 2),
                   building_code=building.code)  # fmt: skip
    road = triaged("FB-2", "公交车到站不停,等了一个小时")
    triage_confirm(item=road, actor=officer, category=citizen("交通运输", 0),
                   building_code=building.code)  # fmt: skip
    gbt = triaged("FB-3", "井盖丢了")  # a GB/T 30428 class has no citizen first level
    triage_confirm(item=gbt, actor=officer, category="UC01", building_code=building.code)
    triaged("FB-4", "还没人看的留言")  # pending: not a decision

    rows = feedback.triage_examples()
    assert [(r.text, r.label) for r in rows] == [
        ("孩子上学学位紧张,学校不接收", "教育文体"),
        ("公交车到站不停,等了一个小时", "交通运输"),
    ]
    assert all(r.raw and r.weight == classify.RAW_WEIGHT for r in rows)

    # the handling unit re-categorises the case: the row follows
    road.refresh_from_db()
    road.case.category = Category.objects.get(code=citizen("城乡建设", 1))
    road.case.save(update_fields=["category"])
    assert feedback.triage_examples()[1].label == "城乡建设"


def test_training_takes_the_decisions_and_weekly_task_retrains(
    unsure, tmp_path, settings, monkeypatch
):
    settings.INTAKE_MODELS_DIR = tmp_path
    building = Building.objects.filter(code__startswith=SCOPE).order_by("code").first()
    officer = make_user(SCOPE, Role.STREET_STAFF)
    item = triaged("FB-9", "小区物业乱收停车费,业主投诉没人管")
    triage_confirm(item=item, actor=officer, category=citizen("城乡建设", 0),
                   building_code=building.code)  # fmt: skip

    assert tasks.retrain_classifier.call_local() == "not due"  # no model yet
    call_command("train_classifier", sample=300, raw=[], hold_out_dev=True, verbosity=0)
    pointer = json.loads((tmp_path / "intake-category-current.json").read_text("utf-8"))
    report = json.loads((tmp_path / pointer["report"]).read_text("utf-8"))
    assert report["feedback"] == {"state": "ok", "examples": 1}
    assert report["training_examples"] == 301 and report["raw_examples"] == 1

    # decided before the model was trained: nothing new
    assert feedback.retrain_due(minimum=1) == 0
    TriageItem.objects.filter(pk=item.pk).update(
        decided_at=feedback.model_trained_at() + timedelta(seconds=1)
    )
    assert feedback.retrain_due(minimum=2) == 0
    assert feedback.retrain_due(minimum=1) == 1
    calls = []
    monkeypatch.setattr(feedback, "RETRAIN_MIN_NEW", 1)
    monkeypatch.setattr("django.core.management.call_command", lambda *a, **k: calls.append(a))
    assert tasks.retrain_classifier.call_local() == "retrained (1 new decisions)"
    assert calls == [("train_classifier",)]


def test_load_current_follows_the_pointer_without_a_restart(tmp_path):
    call_command("train_classifier", sample=200, hold_out_dev=True, raw=[],
                 output_dir=tmp_path, feedback=False, verbosity=0)  # fmt: skip
    first = classify.load_current(tmp_path)
    pointer = tmp_path / "intake-category-current.json"
    data = json.loads(pointer.read_text("utf-8"))
    copy = tmp_path / "intake-category-20000101T000000Z.joblib"
    copy.write_bytes((tmp_path / data["file"]).read_bytes())
    # another process (the weekly task) points to another file
    pointer.write_text(json.dumps({**data, "file": copy.name}), encoding="utf-8")
    st = pointer.stat()
    os.utime(pointer, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    again = classify.load_current(tmp_path)
    assert again is not first and again.version == first.version
    assert classify.load_current(tmp_path) is again  # cached while unchanged
