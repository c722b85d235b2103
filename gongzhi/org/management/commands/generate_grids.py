from django.core.management.base import BaseCommand, CommandError

from gongzhi.core.errors import ImportFailed
from gongzhi.org.services.generate import DEFAULT_SEED, generate_grids


class Command(BaseCommand):
    help = (
        "按随机种子生成演示用的街道、社区、网格边界与楼栋、人口(确定性,可重复执行);"
        "不会覆盖用户导入的边界。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="随机种子")
        parser.add_argument(
            "--counties", default="", help="只生成这些县级区划(逗号分隔的 6 位代码),默认全部"
        )

    def handle(self, *args, **options):
        counties = [c.strip() for c in options["counties"].split(",") if c.strip()] or None
        try:
            report = generate_grids(seed=options["seed"], counties=counties)
        except ImportFailed as exc:
            raise CommandError(exc.message) from exc
        if options["verbosity"] == 0:
            return
        for line in report.lines():
            self.stdout.write(line)
