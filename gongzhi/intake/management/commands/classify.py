"""manage.py classify --input FILE.csv --output OUT.csv (id,title,detail → id,label,confidence)."""

from __future__ import annotations

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.intake import classify
from gongzhi.intake.textio import read_csv_rows

REQUIRED = ("id", "title", "detail")
BATCH = 5000


class Command(BaseCommand):
    help = _("对 CSV 中的留言(id,title,detail)分类,输出 id,label,confidence")

    def add_arguments(self, parser):
        parser.add_argument("--input", type=Path, required=True)
        parser.add_argument("--output", type=Path, required=True)
        parser.add_argument("--model-dir", type=Path, help=_("模型目录"))

    def handle(self, *args, **opts):
        if not opts["input"].exists():
            raise CommandError(_("输入文件不存在:%(p)s") % {"p": opts["input"]})
        header, rows = read_csv_rows(opts["input"])
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise CommandError(
                _("输入文件缺少必需的列:%(cols)s(需要表头 id,title,detail)")
                % {"cols": ", ".join(missing)}
            )
        try:
            model = classify.load_current(opts["model_dir"])
        except classify.ModelMissing as exc:
            raise CommandError(str(exc)) from exc
        n = 0
        with open(opts["output"], "w", encoding="utf-8", newline="") as fh:
            out = csv.writer(fh)
            out.writerow(["id", "label", "confidence"])
            for start in range(0, len(rows), BATCH):
                chunk = rows[start : start + BATCH]
                proba = model.predict_proba(
                    [f"{r['title']} {r['detail']}" for r in chunk], [r["title"] for r in chunk]
                )
                labels = model.labels
                for r, p in zip(chunk, proba, strict=True):
                    best = int(p.argmax())
                    out.writerow([r["id"], labels[best], f"{p[best]:.4f}"])
                    n += 1
        self.stdout.write(
            self.style.SUCCESS(_("已分类 %(n)d 条,写入 %(p)s") % {"n": n, "p": opts["output"]})
        )
