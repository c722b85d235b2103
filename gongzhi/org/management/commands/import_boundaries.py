from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.core.errors import ImportFailed
from gongzhi.org.services.boundaries import import_boundary_file, import_bundled_boundaries


class Command(BaseCommand):
    help = (
        "导入区划边界:默认导入随附的市、县边界(GCJ-02 转 WGS-84,省界为各市合并,"
        "无边界的开发区从所在城区划出);--file 导入用户自己的任意层级边界(GeoJSON)。可重复执行。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            default=str(Path(settings.BASE_DIR) / "data" / "boundaries"),
            help="随附边界数据目录(含 anhui_340000_cities.json 与 counties/)",
        )
        parser.add_argument(
            "--file", help="用户边界文件(GeoJSON FeatureCollection,属性含 code 或 adcode)"
        )
        parser.add_argument(
            "--crs",
            default="wgs84",
            choices=["wgs84", "gcj02", "bd09"],
            help="--file 的坐标系(默认 wgs84)",
        )

    def handle(self, *args, **options):
        try:
            if options["file"]:
                report = import_boundary_file(path=Path(options["file"]), crs=options["crs"])
            else:
                report = import_bundled_boundaries(directory=Path(options["dir"]))
        except ImportFailed as exc:
            raise CommandError(exc.message) from exc
        if options["verbosity"] == 0:
            return
        for line in report.lines() or [_("没有需要更新的边界。")]:
            self.stdout.write(line)
