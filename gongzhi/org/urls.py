from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("<str:code>/", views.division_detail, name="division"),
]
