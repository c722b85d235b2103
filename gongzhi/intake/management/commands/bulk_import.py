"""manage.py bulk_import DIR — the full intake pipeline over a directory of
channel files in the adapters' own formats (docs/channels.md, decision 0032),
with a progress bar on stderr and the per-record error report in DIR/errors.csv."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.intake.bulk.pipeline import BATCH, run


class Command(BaseCommand):
    help = _("批量导入七个渠道的记录:解析、校验、定位、分类、去重、派遣建议、入库")

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument("--errors", type=Path, default=None,
                            help=_("逐条错误报告 CSV(默认 DIR/errors.csv)"))  # fmt: skip
        parser.add_argument("--no-classifier", action="store_true")
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument("--batch", type=int, default=BATCH)
        parser.add_argument("--workers", type=int, default=None,
                            help=_("解析进程数(默认:可用核数,至多 2)"))  # fmt: skip

    def handle(self, *args, **o):
        directory = o["directory"]
        if not directory.is_dir():
            raise CommandError(_("目录不存在:%(p)s") % {"p": directory})
        if o["batch"] < 1 or (o["workers"] is not None and o["workers"] < 1):
            raise CommandError(_("--batch 与 --workers 须为正整数"))
        classifier = None
        if not o["no_classifier"]:
            from gongzhi.intake.classify import ModelMissing, load_current

            try:
                classifier = load_current()
            except ModelMissing:
                self.stderr.write(_("未找到分类模型(make model):需要分类的记录转人工研判"))
        report = run(directory, classifier=classifier, progress=not o["no_progress"],
                     batch=o["batch"], workers=o["workers"])  # fmt: skip
        errors = o["errors"] or directory / "errors.csv"
        with errors.open("w", encoding="utf-8-sig", newline="") as fh:
            w = csv.writer(fh)
            w.writerow(["文件", "行号", "来源编号", "原因"])
            w.writerows(report.errors)
        out = report.as_dict()
        out["error_report"] = str(errors)
        self.stdout.write(json.dumps(out, ensure_ascii=False))
