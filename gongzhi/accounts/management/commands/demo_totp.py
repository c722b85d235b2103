"""Print the current TOTP code of a demo account (demo accounts only)."""

from django.core.management.base import BaseCommand, CommandError

from gongzhi.accounts.demo import DEMO_ACCOUNTS
from gongzhi.accounts.models import User
from gongzhi.accounts.security import demo_totp_secret, totp_now


class Command(BaseCommand):
    help = "打印演示账号当前的动态口令(仅限演示账号)。"

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if username not in {a.username for a in DEMO_ACCOUNTS}:
            raise CommandError(f"{username} 不是演示账号。")
        user = User.objects.filter(username=username).first()
        if user is None or not user.needs_totp:
            raise CommandError(f"{username} 不需要动态口令(或尚未运行 seed_demo)。")
        if user.totp_secret != demo_totp_secret(username):
            raise CommandError(f"{username} 的动态口令密钥已被更换,不再是演示密钥。")
        self.stdout.write(totp_now(user.totp_secret))
