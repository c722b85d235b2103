from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "gongzhi.intake"
    label = "intake"
    verbose_name = "智能受理"

    def ready(self):
        # Status changes of cases from source platforms go to the outbox in
        # the same transaction (docs/decisions/0031).
        from gongzhi.cases.services.base import on_case_event

        from .outbox import enqueue_for_event

        on_case_event(enqueue_for_event)
