"""manage.py train_classifier — train the category model and write its report."""

from __future__ import annotations

import json
import platform
import random
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.intake import classify


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
            "--threshold", type=float, default=classify.DEFAULT_TRIAGE_THRESHOLD,
            help=_("置信度低于此值转人工分拣"),
        )  # fmt: skip

    def handle(self, *args, **opts):
        started = time.perf_counter()
        train_path = opts["train"] or classify.data_dir() / "train_tokenized.csv"
        dev_path = opts["dev"] or classify.data_dir() / "dev_raw.csv"
        if not train_path.exists():
            raise CommandError(_("训练集不存在:%(p)s") % {"p": train_path})
        examples = classify.read_tokenized(train_path)
        held_out = classify.read_raw_labelled(dev_path) if dev_path.exists() else []
        examples, leaked = classify.drop_leaked(examples, held_out)
        if opts["sample"]:
            random.Random(0).shuffle(examples)
            examples = examples[: opts["sample"]]
        if len({e.label for e in examples}) < 2:
            raise CommandError(_("训练集至少需要两个类别"))
        model = classify.train(examples, threshold=opts["threshold"])
        train_seconds = time.perf_counter() - started
        grouped_cv = classify.cross_validate(examples, opts["cv"]) if opts["cv"] > 1 else None
        report = {
            "kind": classify.MODEL_KIND,
            "version": model.version,
            "training_seconds": round(train_seconds, 2),
            "training_examples": len(examples),
            "removed_as_copies_of_dev": leaked,
            "train_file": str(train_path.name),
            "evaluation_file": str(dev_path.name) if held_out else None,
            "model": model.meta,
            "machine": platform.machine(),
            "dev": classify.evaluate(model, held_out),
            "grouped_cv": grouped_cv,
        }
        path = classify.save(model, report, opts["output_dir"])
        self.stdout.write(json.dumps(report["dev"], ensure_ascii=False))
        if grouped_cv:
            self.stdout.write(json.dumps(grouped_cv, ensure_ascii=False))
        self.stdout.write(
            self.style.SUCCESS(
                _("模型已保存:%(path)s(训练 %(s).1f 秒,%(n)d 条)")
                % {"path": path, "s": train_seconds, "n": len(examples)}
            )
        )
