from django.urls import path

from . import views

app_name = "cobuild"
urlpatterns = [
    path("", views.home, name="home"),
    path("needs/<int:pk>/match/", views.need_match, name="need_match"),
    path("resources/", views.resource_add, name="resource_add"),
    path("pairings/", views.pairing_create, name="pairing_create"),
    path("projects/", views.project_create, name="project_create"),
    path("assessments/", views.assessment_create, name="assessment_create"),
]
