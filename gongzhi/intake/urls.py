from django.urls import path

from . import webhooks
from .views import channels as channel_views
from .views import dedupe as dedupe_views
from .views import hotspots as hotspot_views
from .views import outbox as outbox_views
from .views import triage as triage_views

app_name = "intake"
urlpatterns: list = [
    # Channels: webhook, file import, mapping tables, outbox, triage (issue 4, items 1–2).
    path("webhook/<slug:channel>/", webhooks.webhook, name="webhook"),
    path("import/", channel_views.upload, name="import"),
    path("import/<int:pk>/", channel_views.batch_detail, name="import_batch"),
    path("mappings/", channel_views.mappings, name="mappings"),
    path("outbox/", outbox_views.outbox_list, name="outbox"),
    path("outbox/<int:pk>/retry/", outbox_views.outbox_retry, name="outbox_retry"),
    path("triage/", triage_views.triage_list, name="triage"),
    path("triage/<int:pk>/", triage_views.triage_detail, name="triage_detail"),
    # Cross-channel duplicates and hotspots (issue 4, items 4–5).
    path("duplicates/", dedupe_views.suggestions, name="dedupe"),
    path("duplicates/<int:pk>/decide/", dedupe_views.decide, name="dedupe-decide"),
    path("hotspots/", hotspot_views.hotspots, name="hotspots"),
    path("hotspots/open-case/", hotspot_views.open_case, name="hotspot-open-case"),
    path("hotspots/hard-problems/", hotspot_views.hard_problems, name="hard-problems"),
]
