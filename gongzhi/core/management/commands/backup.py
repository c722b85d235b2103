from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from gongzhi.core.backup import backup


class Command(BaseCommand):
    help = "备份整个数据库(SQLite 在线备份;PostgreSQL 使用 pg_dump -Fc)。"

    def add_arguments(self, parser):
        parser.add_argument("target", nargs="?", help="备份文件路径")

    def handle(self, *args, target=None, **options):
        from django.conf import settings

        path = Path(
            target or settings.DATA_DIR / "backups" / f"gongzhi-{timezone.now():%Y%m%d-%H%M%S}.bak"
        )
        backup(path)
        self.stdout.write(self.style.SUCCESS(f"已备份到 {path}"))
