"""Classifier benchmark: training seconds, inference messages/s, accuracy and
macro-F1 on dev_raw.csv (from the evaluation model, which never saw it; the
shipped model is then refit with it). Prints JSON.

    .venv/bin/python bench/bench_classify.py
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

TARGET_F1 = 0.93
TARGET_TRAIN_S = 120
TARGET_MSG_S = 2000


def main() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from gongzhi.intake import classify, hotspots

    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        with open(os.devnull, "w") as devnull:
            call_command("train_classifier", output_dir=Path(tmp), verbosity=0, stdout=devnull)
        train_s = time.perf_counter() - started
        model = classify.load_current(Path(tmp))
        report = json.loads(
            (Path(tmp) / f"{classify.MODEL_KIND}-{model.version}.report.json").read_text("utf-8")
        )
    messages = hotspots.read_messages(classify.data_dir() / "messages_with_votes.csv")
    texts = [m.text for m in messages] * 2
    titles = [m.title for m in messages] * 2
    model.predict_proba(texts[:100], titles[:100])  # warm-up
    started = time.perf_counter()
    model.predict_proba(texts, titles)
    msg_s = len(texts) / (time.perf_counter() - started)
    dev = report["dev"]
    result = {
        "classifier_training_seconds": {
            "value": round(train_s, 1),
            "target": f"< {TARGET_TRAIN_S}",
            "ok": train_s < TARGET_TRAIN_S,
            "note": (
                "train_classifier end to end: read, de-leak, label raw copies, fit + calibrate "
                "the evaluation model, evaluate on dev_raw, refit on every labelled row, save"
            ),
        },
        "classifier_messages_per_second": {
            "value": round(msg_s),
            "target": f">= {TARGET_MSG_S}",
            "ok": msg_s >= TARGET_MSG_S,
            "messages": len(texts),
            "note": "raw title + detail from messages_with_votes.csv, one batch, one process",
        },
        "classifier_dev_raw": {
            "accuracy": dev["accuracy"],
            "macro_f1": dev["macro_f1"],
            "target_macro_f1": f">= {TARGET_F1}",
            "ok": dev["macro_f1"] >= TARGET_F1,
            "per_class_f1": dev["per_class_f1"],
            "triage_share": dev["triage_share"],
            "accuracy_above_threshold": dev["accuracy_above_threshold"],
            "examples": dev["examples"],
            "measured_on": report["dev_measured_on"],
            "removed_as_copies_of_dev": report["removed_as_copies_of_dev"],
            "raw_copies": report["raw_copies"]["examples"],
            "shipped_model_training_examples": report["training_examples"],
        },
        "model_version": model.version,
    }
    result["load_average"] = [round(x, 1) for x in os.getloadavg()]
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
