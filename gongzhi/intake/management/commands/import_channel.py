"""Import a source platform's export file: ``manage.py import_channel --channel X FILE``."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from gongzhi.intake.channels import ADAPTERS, import_file


class Command(BaseCommand):
    help = "导入来源平台导出的文件(CSV/JSON/XLSX),输出逐条错误报告"

    def add_arguments(self, parser):
        parser.add_argument("--channel", required=True, choices=sorted(ADAPTERS))
        parser.add_argument("file")

    def handle(self, *args, channel, file, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"文件不存在:{path}")
        batch = import_file(ADAPTERS[channel], path.name, path.read_bytes())
        self.stdout.write(
            f"批次 {batch.pk}:共 {batch.total} 条,新建 {batch.created},重复 {batch.duplicates},"
            f"转人工 {batch.triaged},错误 {batch.failed}(编码 {batch.encoding or '-'})"
        )
        for err in batch.errors.all():
            ref = f" [{err.source_ref}]" if err.source_ref else ""
            self.stdout.write(f"  第 {err.line} 行{ref}:{err.reason}")
        return None
