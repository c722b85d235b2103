from django.core.management.base import BaseCommand

from gongzhi.core.backup import restore


class Command(BaseCommand):
    help = "把备份恢复到一个新的数据库(SQLite:新文件路径;PostgreSQL:新库名)。"

    def add_arguments(self, parser):
        parser.add_argument("source")
        parser.add_argument(
            "--into", required=True, help="新数据库:SQLite 文件路径或 PostgreSQL 库名"
        )

    def handle(self, *args, source, into, **options):
        where = restore(source, into=into)
        self.stdout.write(self.style.SUCCESS(f"已恢复到 {where}"))
