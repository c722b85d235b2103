"""manage.py classify --input FILE.csv --output OUT.csv (id,title,detail → id,label,confidence)."""

from __future__ import annotations

import csv
import json
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
        self._warn_if_trained_on(rows, opts["model_dir"])
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

    def _warn_if_trained_on(self, rows: list[dict], model_dir: Path | None) -> None:
        """The model put to work is refit on the evaluation file too: scoring
        it on those messages measures training fit, not generalisation. Say so,
        with the figures of the model that had not seen them."""
        pointer = classify.current_pointer(model_dir)
        directory = Path(model_dir or classify.models_dir())
        if not pointer or not (directory / pointer.get("report", "")).is_file():
            return
        report = json.loads((directory / pointer["report"]).read_text(encoding="utf-8"))
        dev_file = classify.data_dir() / (report.get("evaluation_file") or "")
        if not report.get("includes_dev") or not dev_file.is_file():
            return
        seen = {_key(e.title, e.text[len(e.title) :]) for e in classify.read_raw_labelled(dev_file)}
        overlap = sum(1 for r in rows if _key(r["title"], r["detail"]) in seen)
        if not overlap:
            return
        dev = report.get("dev") or {}
        self.stderr.write(
            _(
                "注意:当前模型训练时已用过 %(file)s,输入中有 %(n)d 条留言在其中——在这些留言上的"
                "得分反映的是训练拟合,不是对未见留言的表现。未见过该文件的模型在其上的结果:"
                "准确率 %(acc)s,宏 F1 %(f1)s。要自行复核,请用 train_classifier --hold-out-dev "
                "训练的模型。"
            )
            % {
                "file": dev_file.name,
                "n": overlap,
                "acc": dev.get("accuracy", "—"),
                "f1": dev.get("macro_f1", "—"),
            }
        )


def _key(title: str, detail: str) -> tuple[str, str]:
    return classify.normalize(title), classify.normalize(detail)[:60]
