"""manage.py train_classifier — train the category model and write its report."""

from __future__ import annotations

import argparse
import json
import platform
import random
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _

from gongzhi.intake import classify

# Raw messages in the data directory; those whose tokenized copy is a training
# row train as raw examples (classify.label_raw_copies).
RAW_FILES = ("messages_with_votes.csv", "messages_with_replies.csv")


class Command(BaseCommand):
    help = _("用已标注的群众留言训练诉求分类模型,并在 dev_raw.csv 上评估")

    def add_arguments(self, parser):
        parser.add_argument("--train", type=Path, help=_("训练集(tokens,label)"))
        parser.add_argument("--dev", type=Path, help=_("评估集(id,title,time,detail,label)"))
        parser.add_argument("--output-dir", type=Path, help=_("模型目录"))
        parser.add_argument("--sample", type=int, default=0, help=_("只用前 N 条随机样本"))
        parser.add_argument(
            "--cv", type=int, default=0,
            help=_("另做 N 折分组交叉验证(近似重复的留言同组),结果写入报告"),
        )  # fmt: skip
        parser.add_argument(
            "--raw", type=Path, nargs="*",
            help=_("未标注的原始留言文件(留言主题,留言详情);其中与训练集相同的留言按训练集标注加入"),
        )  # fmt: skip
        parser.add_argument(
            "--hold-out-dev", action="store_true",
            help=_("不用评估集重训:交付的模型即评估所用的模型"),
        )  # fmt: skip
        parser.add_argument(
            "--feedback", action=argparse.BooleanOptionalAction, default=True,
            help=_("加入人工研判确认的留言作为训练样本(需要数据库)"),
        )  # fmt: skip
        parser.add_argument(
            "--threshold", type=float, default=classify.DEFAULT_TRIAGE_THRESHOLD,
            help=_("置信度低于此值转人工分拣"),
        )  # fmt: skip

    def handle(self, *args, **opts):
        started = time.perf_counter()
        train_path = opts["train"] or classify.data_dir() / "train_tokenized.csv"
        dev_path = opts["dev"] or classify.data_dir() / "dev_raw.csv"
        if not train_path.exists():
            raise CommandError(_("训练集不存在:%(p)s") % {"p": train_path})
        tokenized = classify.read_tokenized(train_path)
        held_out = classify.read_raw_labelled(dev_path) if dev_path.exists() else []
        examples, copies = classify.drop_leaked(tokenized, held_out)
        if opts["sample"]:
            random.Random(0).shuffle(examples)
            examples = examples[: opts["sample"]]
        raw_paths = opts["raw"] if opts["raw"] is not None else [
            p for name in RAW_FILES if (p := classify.data_dir() / name).exists()
        ]  # fmt: skip
        raw = [m for p in raw_paths for m in classify.read_raw_unlabelled(p)]
        copies_raw = classify.label_raw_copies(examples, raw, held_out)
        feedback, feedback_state = self._feedback(opts["feedback"])
        examples += copies_raw + feedback
        if len({e.label for e in examples}) < 2:
            raise CommandError(_("训练集至少需要两个类别"))
        # 1. The evaluation model never sees dev_raw.csv nor its tokenized copies.
        model = classify.train(examples, threshold=opts["threshold"])
        dev = classify.evaluate(model, held_out)
        grouped_cv = classify.cross_validate(examples, opts["cv"]) if opts["cv"] > 1 else None
        # 2. The model put to work learns from every labelled message there is,
        # the raw dev messages included (unless --hold-out-dev).
        refit = bool(held_out) and not opts["hold_out_dev"]
        if refit:
            model = classify.train(examples + copies + held_out, threshold=opts["threshold"])
        train_seconds = time.perf_counter() - started
        report = {
            "kind": classify.MODEL_KIND,
            "version": model.version,
            "training_seconds": round(train_seconds, 2),
            "training_examples": model.meta["training_examples"],
            "raw_examples": model.meta["raw_examples"],
            "feedback": {"state": feedback_state, "examples": len(feedback)},
            "raw_copies": {"files": [p.name for p in raw_paths], "examples": len(copies_raw)},
            "includes_dev": refit,
            "removed_as_copies_of_dev": len(copies),
            "train_file": str(train_path.name),
            "evaluation_file": str(dev_path.name) if held_out else None,
            "model": model.meta,
            "machine": platform.machine(),
            # measured before the refit: a model that had not seen these messages
            "dev_measured_on": {
                "training_examples": len(examples),
                "includes_dev": False,
            },
            "dev": dev,
            "grouped_cv": grouped_cv,
        }
        path = classify.save(model, report, opts["output_dir"])
        self.stdout.write(json.dumps(report["dev"], ensure_ascii=False))
        if grouped_cv:
            self.stdout.write(json.dumps(grouped_cv, ensure_ascii=False))
        self.stdout.write(
            self.style.SUCCESS(
                _("模型已保存:%(path)s(训练 %(s).1f 秒,%(n)d 条)")
                % {"path": path, "s": train_seconds, "n": report["training_examples"]}
            )
        )
        if refit:
            self.stdout.write(
                _("以上评估来自未见过 %(dev)s 的模型;交付的模型已把它一并用于训练。")
                % {"dev": dev_path.name}
            )

    @staticmethod
    def _feedback(wanted: bool) -> tuple[list[classify.Example], str]:
        if not wanted:
            return [], "off"
        from gongzhi.intake.feedback import triage_examples

        try:
            return triage_examples(), "ok"
        except DatabaseError as exc:  # no database yet (first `make demo` step)
            return [], f"unavailable: {exc.__class__.__name__}"
