from django.apps import AppConfig


class VolunteeringConfig(AppConfig):
    name = "gongzhi.volunteering"
    label = "volunteering"
    verbose_name = "志愿服务"

    def ready(self):
        # party's pages show volunteering's figures but never import this app
        # (decision 0015): it hands them over here.
        from gongzhi.party import hooks

        from . import selectors

        hooks.register_service_hours(selectors.service_hours)
        hooks.register_overview_count("activities", selectors.overview_activities)
        hooks.register_overview_count("wishes", selectors.overview_wishes)
