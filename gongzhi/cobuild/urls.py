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
    path("units/", views.units, name="units"),
    path("units/new/", views.unit_create, name="unit_create"),
    path("units/<int:pk>/", views.unit_detail, name="unit"),
    path("units/<int:pk>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<int:pk>/contacts/", views.contact_create, name="contact_create"),
    path("contacts/<int:pk>/remove/", views.contact_remove, name="contact_remove"),
    path("pairings/<int:pk>/end/", views.pairing_end, name="pairing_end"),
    path("projects/<int:pk>/status/", views.project_status, name="project_status"),
]
