from django.urls import path

from . import views

app_name = "party"
urlpatterns = [
    path("", views.home, name="home"),
    path("report-in/", views.report_in_register, name="report_in_register"),
    path("report-ins/<int:pk>/confirm/", views.report_in_confirm, name="report_in_confirm"),
    path("report-ins/<int:pk>/reject/", views.report_in_reject, name="report_in_reject"),
    path("orgs/", views.orgs, name="orgs"),
    path("orgs/new/", views.org_create, name="org_create"),
    path("orgs/<int:pk>/", views.org_detail, name="org"),
    path("orgs/<int:pk>/seats/", views.seat_appoint, name="seat_appoint"),
    path("conferences/new/", views.conference_establish, name="conference_establish"),
    path("conferences/<int:pk>/", views.conference_detail, name="conference"),
    path("conferences/<int:pk>/meetings/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("decisions/<int:pk>/follow-ups/", views.decision_follow_up, name="decision_follow_up"),
    path("decisions/<int:pk>/project/", views.decision_project, name="decision_project"),
    path("decisions/<int:pk>/case/", views.decision_case, name="decision_case"),
    path("seats/<int:pk>/edit/", views.seat_edit, name="seat_edit"),
    path("seats/<int:pk>/remove/", views.seat_remove, name="seat_remove"),
    path("overview/<str:code>/", views.overview, name="overview"),
]
