"""manage.py generate_channel_records --count 1000000 --out DIR — files in the
seven adapters' own formats (docs/channels.md), DIR/<channel>/<channel>-NNNN.*"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.intake.bulk.generate import PER_FILE, generate


class Command(BaseCommand):
    help = _("生成七个渠道格式的模拟记录(真实网格内的点位、真实群众留言文本)")

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=1000)
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--echo-share", type=float, default=0.05)
        parser.add_argument("--broken", type=int, default=0, help=_("故意写坏的记录数"))
        parser.add_argument("--broken-files", type=int, default=0, help=_("无法读取的文件数"))
        parser.add_argument("--per-file", type=int, default=PER_FILE, help=_("每个文件的记录数"))
        parser.add_argument("--grids-limit", type=int, default=None)

    def handle(self, *args, **o):
        if o["count"] < 0 or o["per_file"] < 1:
            raise CommandError(_("记录数不能为负数"))
        try:
            summary = generate(o["out"], o["count"], seed=o["seed"], days=o["days"],
                               echo_share=o["echo_share"], broken=o["broken"],
                               broken_files=o["broken_files"], per_file=o["per_file"],
                               grids_limit=o["grids_limit"])  # fmt: skip
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
