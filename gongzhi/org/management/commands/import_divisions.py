from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from gongzhi.core.errors import ImportFailed
from gongzhi.org.services.divisions import divisions_import, read_rows


class Command(BaseCommand):
    help = "导入安徽省统计用区划代码(市、县、乡镇街道、村社区),可重复执行。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            default=str(Path(settings.BASE_DIR) / "data" / "divisions"),
            help="含 anhui_cities/areas/streets/villages.csv 的目录",
        )
        parser.add_argument("--province-code", default="34")
        parser.add_argument("--province-name", default="安徽省")

    def handle(self, *args, **options):
        try:
            rows = read_rows(
                Path(options["dir"]),
                province_code=options["province_code"],
                province_name=options["province_name"],
            )
            report = divisions_import(rows=rows)
        except ImportFailed as exc:
            raise CommandError(exc.message) from exc
        for line in report.lines():
            self.stdout.write(line)
