"""Import a source platform's export file: ``manage.py import_channel --channel X FILE``."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.intake.channels import ADAPTERS, import_file, is_empty


class Command(BaseCommand):
    help = "导入来源平台导出的文件(CSV/JSON/XLSX),输出逐条错误报告"

    def add_arguments(self, parser):
        parser.add_argument("--channel", required=True, choices=sorted(ADAPTERS))
        parser.add_argument("file")

    def handle(self, *args, channel, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("文件不存在:%(path)s") % {"path": path})
        data = path.read_bytes()
        # The same answer as the upload form, which refuses an empty file.
        if is_empty(data):
            raise CommandError(_("所提交的是空文件。"))
        batch = import_file(ADAPTERS[channel], path.name, data)
        errors = list(batch.errors.all())
        unreadable = [e for e in errors if not e.line]
        if unreadable:
            raise CommandError(
                _("批次 %(pk)s:文件无法读取,未导入任何记录。原因:%(reason)s")
                % {"pk": batch.pk, "reason": unreadable[0].reason}
            )
        self.stdout.write(
            _(
                "批次 %(pk)s:共 %(total)s 条,新建 %(created)s,重复 %(duplicates)s,"
                "转人工 %(triaged)s,错误 %(failed)s(编码 %(encoding)s)"
            )
            % {
                "pk": batch.pk,
                "total": batch.total,
                "created": batch.created,
                "duplicates": batch.duplicates,
                "triaged": batch.triaged,
                "failed": batch.failed,
                "encoding": batch.encoding or "-",
            }
        )
        for err in errors:
            ref = f" [{err.source_ref}]" if err.source_ref else ""
            self.stdout.write(
                _("  第 %(line)s 行%(ref)s:%(reason)s")
                % {"line": err.line, "ref": ref, "reason": err.reason}
            )
        return None
