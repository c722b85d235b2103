from django.urls import path  # noqa: F401

app_name = "intake"
urlpatterns: list = []

# Cross-channel duplicates and hotspots (issue 4, items 4–5).
from django.urls import path as _path  # noqa: E402

from gongzhi.intake.views import dedupe as dedupe_views  # noqa: E402
from gongzhi.intake.views import hotspots as hotspot_views  # noqa: E402

urlpatterns += [
    _path("duplicates/", dedupe_views.suggestions, name="dedupe"),
    _path("duplicates/<int:pk>/decide/", dedupe_views.decide, name="dedupe-decide"),
    _path("hotspots/", hotspot_views.hotspots, name="hotspots"),
    _path("hotspots/open-case/", hotspot_views.open_case, name="hotspot-open-case"),
    _path("hotspots/hard-problems/", hotspot_views.hard_problems, name="hard-problems"),
]
