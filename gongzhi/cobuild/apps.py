from django.apps import AppConfig


class CobuildConfig(AppConfig):
    name = "gongzhi.cobuild"
    label = "cobuild"
    verbose_name = "共建共治"
