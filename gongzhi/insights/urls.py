from django.urls import path

from . import views

app_name = "insights"
urlpatterns = [
    path("<str:code>/", views.dashboard, name="dashboard"),
]
