from django.urls import path

from . import views

app_name = "party"
urlpatterns = [
    path("", views.home, name="home"),
    path("report-in/", views.report_in_register, name="report_in_register"),
    path("report-ins/<int:pk>/confirm/", views.report_in_confirm, name="report_in_confirm"),
    path("report-ins/<int:pk>/reject/", views.report_in_reject, name="report_in_reject"),
    path("orgs/", views.orgs, name="orgs"),
]
