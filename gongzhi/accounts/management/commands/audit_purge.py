"""Delete audit rows past retention (AUDIT_RETENTION_DAYS, at least 180 days),
keeping the chain verifiable through an anchor row (docs/security.md)."""

from django.core.management.base import BaseCommand, CommandError

from gongzhi.accounts.audit import audit_purge


class Command(BaseCommand):
    help = (
        "清理超过保留期(AUDIT_RETENTION_DAYS,不少于 180 天)的审计记录,"
        "并写入锚点以保持哈希链可校验。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="保留天数(默认 AUDIT_RETENTION_DAYS,≥ 180)")
        parser.add_argument("--dry-run", action="store_true", help="只统计,不删除。")

    def handle(self, *args, days=None, dry_run=False, **options):
        try:
            result = audit_purge(days=days, dry_run=dry_run)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if not result.purged:
            self.stdout.write("没有超过保留期的审计记录。")
        elif dry_run:
            self.stdout.write(f"将清理 {result.purged} 条(序号 ≤ {result.through_seq})。")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"已清理 {result.purged} 条(序号 ≤ {result.through_seq});"
                    f"锚点为序号 {result.anchor.seq}。"
                )
            )
