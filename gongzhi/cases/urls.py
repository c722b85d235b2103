from django.urls import path

from . import league, views

app_name = "cases"
urlpatterns = [
    path("", views.home, name="home"),
    # Residents
    path("report/", views.report, name="report"),
    path("mine/", views.my_cases, name="mine"),
    # Staff
    path("work/", views.queue, name="queue"),
    path("work/dispatch/", views.batch_dispatch, name="batch_dispatch"),
    path("league/<str:code>/", league.league_table, name="league"),
    # Fixed paths go above this line: "<str:number>/" matches any segment.
    # One case (residents and staff see different pages of it)
    path("<str:number>/", views.case_detail, name="detail"),
    path("<str:number>/act/<str:action>/", views.case_act, name="act"),
    path("<str:number>/photos/<int:pk>/", views.case_photo, name="photo"),
]
