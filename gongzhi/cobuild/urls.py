from django.urls import path

from . import views

app_name = "cobuild"
urlpatterns = [
    path("", views.home, name="home"),
    path("needs/<int:pk>/match/", views.need_match, name="need_match"),
    path("resources/", views.resource_add, name="resource_add"),
]
