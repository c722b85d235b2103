"""Classifier: training on a slice, the model file round trip, the classify CLI."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from gongzhi.intake import classify
from gongzhi.org.services.staffing import COUNTY_DEPARTMENTS

SLICE = 700


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("models")
    call_command("train_classifier", sample=SLICE, output_dir=out, feedback=False, verbosity=0)
    classify.load_current.cache_clear()
    return out


def test_training_writes_model_and_report(model_dir):
    pointer = json.loads((model_dir / "intake-category-current.json").read_text("utf-8"))
    report = json.loads((model_dir / pointer["report"]).read_text("utf-8"))
    assert report["version"] == pointer["version"]
    # the dev figures come from a model that never saw dev_raw.csv nor its copies
    removed = report["removed_as_copies_of_dev"]
    assert removed > 0
    # raw messages whose tokenized copy is one of the slice's rows train as raw rows
    copies = report["raw_copies"]["examples"]
    assert report["raw_copies"]["files"] == ["messages_with_votes.csv", "messages_with_replies.csv"]
    assert 0 < copies < SLICE
    assert report["dev_measured_on"] == {
        "training_examples": SLICE + copies,
        "includes_dev": False,
    }
    # the model put to work then learns from them too
    assert report["includes_dev"] is True
    assert report["training_examples"] == SLICE + copies + removed + report["dev"]["examples"]
    assert report["raw_examples"] == copies + report["dev"]["examples"]
    assert report["dev"]["examples"] == 446
    assert report["feedback"] == {"state": "off", "examples": 0}
    assert 0 < report["dev"]["macro_f1"] <= 1
    assert set(report["dev"]["per_class_f1"]) == set(classify.LABELS)
    assert report["training_seconds"] > 0


def test_model_round_trips_through_the_file(model_dir):
    model = classify.load_current(model_dir)
    again = classify.load(model_dir / f"intake-category-{model.version}.joblib")
    text = ["小区物业乱收停车费", "孩子上学学位紧张,学校不接收"]
    assert (model.predict_proba(text) == again.predict_proba(text)).all()
    assert set(model.labels) == set(classify.LABELS)


def test_confidence_threshold_sends_low_confidence_to_triage(model_dir):
    model = classify.load_current(model_dir)
    pred = model.predict_one("请问", "")
    assert 0 < pred.confidence <= 1
    assert model.predict_one("请问", "", threshold=1.01).needs_triage
    assert not model.predict_one("请问", "", threshold=0.0).needs_triage
    assert pred.needs_triage == (pred.confidence < model.threshold)


def test_units_exist_in_county_departments():
    names = {n for n, _d in COUNTY_DEPARTMENTS}
    assert set(classify.RESPONSIBLE_UNITS) == set(classify.LABELS)
    for units in classify.RESPONSIBLE_UNITS.values():
        assert units and set(units) <= names


def test_subcategory_hint_is_a_literal_taxonomy_match():
    assert classify.suggest_subcategory("楼顶有违章建筑没人管", "城乡建设") == (
        "城乡规划",
        "违章建筑",
    )
    assert classify.suggest_subcategory("你好", "城乡建设") is None


def test_classify_cli_round_trip(model_dir, tmp_path):
    src = tmp_path / "in.csv"
    src.write_text(
        "id,title,detail\n1,小区垃圾清运不及时,楼下垃圾堆了三天\n2,社保卡补办,怎么补办社保卡\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    call_command("classify", input=src, output=out, model_dir=model_dir)
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["id"] for r in rows] == ["1", "2"]
    assert all(r["label"] in classify.LABELS for r in rows)
    assert all(0 <= float(r["confidence"]) <= 1 for r in rows)


def test_classify_cli_warns_when_the_model_was_trained_on_the_input(model_dir, tmp_path):
    """The shipped model is refit on dev_raw.csv: scoring it there is training
    fit, and the command says so (with the held-out figures); other files pass
    without the warning."""
    dev = classify.data_dir() / "dev_raw.csv"
    lines = dev.read_text(encoding="utf-8-sig").splitlines()
    rows = list(csv.DictReader(lines))[:5]
    src = tmp_path / "dev5.csv"
    with src.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "title", "detail"])
        w.writerows([r["id"], r["title"], r["detail"]] for r in rows)
    err = io.StringIO()
    call_command("classify", input=src, output=tmp_path / "o.csv", model_dir=model_dir, stderr=err)
    assert "已用过 dev_raw.csv" in err.getvalue() and "5 条" in err.getvalue()
    other = tmp_path / "other.csv"
    other.write_text("id,title,detail\n1,路灯不亮,晚上小区路灯不亮\n", encoding="utf-8")
    err = io.StringIO()
    call_command(
        "classify", input=other, output=tmp_path / "o2.csv", model_dir=model_dir, stderr=err
    )
    assert err.getvalue() == ""


def test_classify_cli_reads_gbk(model_dir, tmp_path):
    src = tmp_path / "gbk.csv"
    src.write_bytes("id,title,detail\n7,路灯不亮,晚上路灯不亮\n".encode("gbk"))
    out = tmp_path / "out.csv"
    call_command("classify", input=src, output=out, model_dir=model_dir)
    assert out.read_text("utf-8").splitlines()[1].startswith("7,")


def test_classify_cli_missing_columns_is_a_chinese_error(model_dir, tmp_path):
    src = tmp_path / "bad.csv"
    src.write_text("id,text\n1,路灯坏了\n", encoding="utf-8")
    with pytest.raises(CommandError, match="缺少必需的列"):
        call_command("classify", input=src, output=tmp_path / "o.csv", model_dir=model_dir)


def test_classify_cli_exit_code_is_non_zero(model_dir, tmp_path):
    import subprocess
    import sys

    src = tmp_path / "bad.csv"
    src.write_text("id,title\n1,路灯坏了\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "manage.py", "classify", "--input", str(src), "--output",
         str(tmp_path / "o.csv"), "--model-dir", str(model_dir)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode != 0
    assert "缺少必需的列" in proc.stderr


def test_missing_model_is_a_chinese_error(tmp_path):
    src = tmp_path / "in.csv"
    src.write_text("id,title,detail\n1,a,b\n", encoding="utf-8")
    with pytest.raises(CommandError, match="分类模型不存在"):
        call_command("classify", input=src, output=tmp_path / "o.csv", model_dir=tmp_path)


CORPUS = [
    "小区物业乱收停车费",
    "物业公司不作为,小区垃圾成堆",
    "学校食堂收费太高",
    "停车费收费标准",
    "学校",
]


def test_char_ngrams_match_sklearn_tfidf():
    from sklearn.feature_extraction.text import TfidfVectorizer

    ours = classify.CharNgramTfidf(ngram_range=(1, 2), min_df=2).fit(CORPUS)
    ref = TfidfVectorizer(analyzer="char", ngram_range=(1, 2), min_df=2, sublinear_tf=True)
    ref.fit(CORPUS)
    probe = [*CORPUS, "停车场收费", "", "😀物业"]
    column = {ours._key_of(g): i for g, i in ref.vocabulary_.items()}
    order = [column[k] for k in ours.keys_]
    assert len(order) == len(ref.vocabulary_)
    expected = ref.transform(probe).toarray()[:, order]
    assert abs(ours.transform(probe).toarray() - expected).max() < 1e-6


def test_vocabulary_words_are_counted_as_substrings():
    block = classify.CharNgramTfidf(ngram_range=(2, 4), vocabulary=["物业", "停车费", "物业公司"])
    block.fit(CORPUS)
    x = block.transform(["物业公司停车费物业", "学校"]).toarray()
    assert (x[0] > 0).sum() == 3  # 物业 (twice), 物业公司, 停车费
    assert not x[1].any()


def test_feature_tables_are_rebuilt_after_pickling():
    import pickle

    block = classify.CharNgramTfidf(ngram_range=(2, 4), vocabulary=["物业", "物业公司"]).fit(CORPUS)
    again = pickle.loads(pickle.dumps(block))
    assert "_dense" not in pickle.loads(pickle.dumps(block)).__getstate__()
    assert (again.transform(CORPUS) != block.transform(CORPUS)).nnz == 0


def test_word_vocabulary_comes_from_segmented_training_rows():
    rows = [
        classify.Example("小区 物业 停车费", "城乡建设"),
        classify.Example("物业 收费", "城乡建设"),
    ]
    assert classify.word_vocabulary(rows, min_count=2) == ["物业"]


def test_near_duplicates_share_a_cross_validation_group():
    rows = [
        classify.Example("小区 物业 乱收 停车费 业主 反映", "城乡建设"),
        classify.Example("小区 物业 乱收 停车费 业主 反映 多次", "城乡建设"),
        classify.Example("学校 食堂 收费 太高", "教育文体"),
    ]
    groups = classify.near_duplicate_groups(rows)
    assert groups[0] == groups[1] != groups[2]


def test_a_raw_copy_shares_the_group_of_its_tokenized_row():
    """Grouped CV must not train on a message's tokenized row and score its raw
    copy (or the reverse): the raw text is segmented into the words' space."""
    rows = [
        classify.Example("小区 物业 乱收 停车费 业主 反映 多次", "城乡建设"),
        classify.Example("学校 食堂 收费 太高 家长 反映", "教育文体"),
        classify.Example("小区物业乱收停车费，业主反映多次", "城乡建设", raw=True),
        classify.Example("医院 挂号 排队 太久", "卫生计生"),
    ]
    groups = classify.near_duplicate_groups(rows)
    assert groups[2] == groups[0]
    assert len({groups[0], groups[1], groups[3]}) == 3


def test_grouped_cross_validation_reports_macro_f1():
    rows = classify.read_tokenized(classify.data_dir() / "train_tokenized.csv")[::20]
    result = classify.cross_validate(rows, folds=3)
    assert 0 < result["macro_f1"] <= 1
    assert set(result["per_class_f1"]) == set(classify.LABELS)
    assert "raw_macro_f1" not in result


def test_grouped_cross_validation_scores_raw_rows_on_their_own():
    rows = classify.read_tokenized(classify.data_dir() / "train_tokenized.csv")[::20]
    raw = classify.read_raw_labelled(classify.data_dir() / "dev_raw.csv")[:40]
    result = classify.cross_validate(rows + raw, folds=3)
    assert result["raw_examples"] == 40
    assert 0 < result["raw_macro_f1"] <= 1 and 0 < result["raw_accuracy"] <= 1


def test_title_is_read_before_the_space_run_of_tokenized_rows(tmp_path):
    src = tmp_path / "t.csv"
    src.write_text(
        "tokens,label\n路灯 不亮     晚上 小区 路灯 不亮,城乡建设\n"
        "社保卡 补办 流程,劳动和社会保障\n",
        encoding="utf-8",
    )
    rows = classify.read_tokenized(src)
    assert [r.title for r in rows] == ["路灯 不亮", ""]


def test_title_block_falls_back_to_the_first_characters():
    assert classify.title_text("路灯坏了 晚上很黑", "路灯坏了!") == "路灯坏了"
    assert (
        classify.title_text("A市小区路灯坏了,晚上很黑,请尽快修理好吗谢谢")
        == "a市小区路灯坏了晚上很黑请尽快修理好吗谢"
    )


def test_normalize_matches_plain_nfkc_then_strip():
    import re
    import unicodedata

    def reference(text):
        return re.sub(r"[\s\W_]+", "", unicodedata.normalize("NFKC", text).lower())

    for text in ["Ａ市Ａ３区，面积１２０㎡！“物业”…", "①号楼　３栋_B座【急】", "々〇ﾊﾝ", ""]:
        assert classify.normalize(text) == reference(text)


def test_hold_out_dev_ships_the_evaluated_model(tmp_path):
    call_command("train_classifier", sample=300, output_dir=tmp_path, feedback=False,
                 raw=[], hold_out_dev=True, verbosity=0)  # fmt: skip
    pointer = json.loads((tmp_path / "intake-category-current.json").read_text("utf-8"))
    report = json.loads((tmp_path / pointer["report"]).read_text("utf-8"))
    assert report["includes_dev"] is False
    assert report["training_examples"] == 300 and report["raw_examples"] == 0


def test_raw_rows_weigh_more_and_give_no_vocabulary():
    raw = classify.Example("小区门口乱停车没人管", "交通运输", weight=classify.RAW_WEIGHT, raw=True)
    tok = classify.Example("小区 门口 乱停车 没人管", "交通运输")
    tok2 = classify.Example("门口 乱停车", "交通运输")
    assert classify.word_vocabulary([raw, tok, tok2]) == ["乱停车", "门口"]
    assert classify.RAW_WEIGHT > 1


def test_raw_copies_take_their_training_rows_label():
    train = [
        classify.Example("小区 物业 乱收 停车费 业主 投诉", "城乡建设"),
        classify.Example("学校 招生 学位 紧张 孩子 上学", "教育文体"),
    ]
    raw = [
        ("小区物业乱收停车费", "业主投诉"),
        ("小区物业乱收停车费", "业主投诉"),  # a repost counts once
        ("今天天气不错", "大家出来走走"),  # no training row like it
        ("学校招生学位紧张", "孩子上学"),
    ]
    held = [classify.Example("学校招生学位紧张 孩子上学", "教育文体")]
    got = classify.label_raw_copies(train, raw)
    assert [(e.title, e.label, e.raw) for e in got] == [
        ("小区物业乱收停车费", "城乡建设", True),
        ("学校招生学位紧张", "教育文体", True),
    ]
    # a message close to a held-out one never trains the evaluation model
    assert [e.title for e in classify.label_raw_copies(train, raw, held)] == ["小区物业乱收停车费"]
