"""manage.py hotspots --input messages.csv — hotspots and the monthly hard problem."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.intake import hotspots


class Command(BaseCommand):
    help = _("从群众留言中发现热点(未诉先办)并列出每月一题")

    def add_arguments(self, parser):
        parser.add_argument("--input", type=Path, required=True)
        parser.add_argument("--top", type=int, default=10)
        parser.add_argument("--threshold", type=float, default=hotspots.DEFAULT_THRESHOLD)
        parser.add_argument("--window-days", type=float, default=hotspots.DEFAULT_WINDOW_DAYS)
        parser.add_argument("--monthly", action="store_true", help=_("同时列出每月一题"))
        parser.add_argument("--json", action="store_true", help=_("输出 JSON"))

    def handle(self, *args, **opts):
        if not opts["input"].exists():
            raise CommandError(_("输入文件不存在:%(p)s") % {"p": opts["input"]})
        try:
            messages = hotspots.read_messages(opts["input"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        kw = {"threshold": opts["threshold"], "window_days": opts["window_days"]}
        found = hotspots.find_hotspots(messages, **kw)[: opts["top"]]
        monthly = hotspots.monthly_hard_problems(messages, **kw) if opts["monthly"] else {}
        if opts["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "messages": len(messages),
                        "hotspots": [summary(h) for h in found],
                        "monthly": {m: summary(hs[0]) for m, hs in monthly.items()},
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return
        self.stdout.write(_("留言 %(n)d 条,热点前 %(k)d:") % {"n": len(messages), "k": len(found)})
        for rank, h in enumerate(found, start=1):
            s = summary(h)
            self.stdout.write(
                _("%(r)d. [%(size)d 条,点赞 %(votes)d,热度 %(heat).2f] %(title)s(%(a)s ~ %(b)s)")
                % {"r": rank, **s}
            )
        if monthly:
            self.stdout.write(_("每月一题:"))
            for month, hs in monthly.items():
                s = summary(hs[0])
                self.stdout.write(_("%(m)s  [%(size)d 条] %(title)s") % {"m": month, **s})


def summary(h: hotspots.Hotspot) -> dict:
    return {
        "key": h.key,
        "size": h.size,
        "votes": h.votes,
        "heat": h.heat,
        "title": h.representative.title,
        "places": h.places,
        "a": h.first.date().isoformat() if h.first else "-",
        "b": h.last.date().isoformat() if h.last else "-",
    }
