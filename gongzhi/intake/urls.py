from django.urls import path

from . import webhooks
from .views import channels as channel_views
from .views import outbox as outbox_views
from .views import triage as triage_views

app_name = "intake"
urlpatterns: list = [
    path("webhook/<slug:channel>/", webhooks.webhook, name="webhook"),
    path("import/", channel_views.upload, name="import"),
    path("import/<int:pk>/", channel_views.batch_detail, name="import_batch"),
    path("mappings/", channel_views.mappings, name="mappings"),
    path("outbox/", outbox_views.outbox_list, name="outbox"),
    path("outbox/<int:pk>/retry/", outbox_views.outbox_retry, name="outbox_retry"),
    path("triage/", triage_views.triage_list, name="triage"),
    path("triage/<int:pk>/", triage_views.triage_detail, name="triage_detail"),
]
