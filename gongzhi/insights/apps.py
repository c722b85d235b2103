from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class InsightsConfig(AppConfig):
    name = "gongzhi.insights"
    label = "insights"
    verbose_name = "指标与分析"

    def ready(self):
        # Every installed app may define indicators in ``<app>.indicators``;
        # importing the module registers them (see gongzhi.insights.registry).
        autodiscover_modules("indicators")
