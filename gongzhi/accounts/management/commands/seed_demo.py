from django.core.management.base import BaseCommand

from gongzhi.accounts.demo import DEMO_PASSWORD, demo_users_ensure
from gongzhi.cases.demo import cases_generate
from gongzhi.cobuild.demo import cobuild_generate, demo_liaisons_bind
from gongzhi.intake.demo import intake_generate
from gongzhi.org.services.staffing import staffing_generate
from gongzhi.party.demo import demo_member_bind, party_generate
from gongzhi.volunteering.demo import volunteering_generate


class Command(BaseCommand):
    help = "生成演示数据(部门、员额、社区工作者、网格员)并创建各角色演示账号。可重复执行。"

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2024)
        parser.add_argument("--password", default=DEMO_PASSWORD)
        parser.add_argument("--quiet-accounts", action="store_true", help="不打印演示账号")

    def handle(self, *args, **options):
        report = staffing_generate(seed=options["seed"])
        self.stdout.write(
            f"部门 +{report.departments},员额核定 +{report.quotas},"
            f"社区工作者 +{report.staff_posts},网格员 +{report.grid_members}"
        )
        accounts = demo_users_ensure(password=options["password"])
        # Party building, co-building and volunteering (issue 5).
        units = cobuild_generate(seed=options["seed"])
        orgs = party_generate(seed=options["seed"])
        activities = volunteering_generate(seed=options["seed"])
        by_name = {account.username: user for account, user in accounts}
        demo_liaisons_bind(accounts=by_name)
        demo_member_bind(
            user=by_name.get("huangguoshan_party"),
            community_code="340202016002",
            employer_name="安徽师范大学",
        )
        self.stdout.write(f"驻区单位 +{units},党组织 +{orgs},志愿活动 +{activities}")
        self.stdout.write(f"诉求案件 +{cases_generate(seed=options['seed']).created}")
        # Issue 4: the seven channels' sample files and demo webhook keys.
        intake = intake_generate(user=by_name.get("baohe"))
        self.stdout.write(
            f"渠道样例文件 {intake.files} 个:立案 +{intake.created},人工分拣 +{intake.triaged},"
            f"错误记录 {intake.failed}(见“渠道导入”)"
        )
        if options["quiet_accounts"]:
            return
        self.stdout.write("")
        self.stdout.write(f"演示账号(密码均为 {options['password']}):")
        for account, user in accounts:
            roles = "、".join(sorted(str(r.label) for r in account.roles))
            totp = f"  动态口令密钥 {user.totp_secret}" if user.needs_totp else ""
            self.stdout.write(
                f"  {account.username:<20} {roles:<12} {user.division.name}({user.division.code})"
                f"{totp}"
            )
        self.stdout.write("")
        self.stdout.write(
            "对接平台演示密钥(webhook 请求头 X-Gongzhi-Platform 填平台编码,签名算法见 "
            "docs/channels.md):"
        )
        for code, secret in intake.platforms.items():
            self.stdout.write(f"  {code:<24} {secret}")
        self.stdout.write("")
        self.stdout.write(
            "组织部门和三类管理员账号登录时还需动态口令:把上面的密钥加入任一验证器应用"
            "(如 Google Authenticator),或运行 `.venv/bin/python manage.py demo_totp <用户名>`"
            " 打印当前口令(每30秒更新,每个口令只能用一次)。"
        )
