from django.urls import path

from . import league, views
from .views import admin

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
    # Officers: the catalogue and the routing rules
    path("admin/categories/", admin.categories, name="admin_categories"),
    path("admin/categories/<int:pk>/", admin.category_edit, name="admin_category"),
    path("admin/routing/", admin.routing, name="admin_routing"),
    path("admin/routing/<int:pk>/", admin.routing_edit, name="admin_routing_rule"),
    # Fixed paths go above this line: "<str:number>/" matches any segment.
    # One case (residents and staff see different pages of it)
    path("<str:number>/", views.case_detail, name="detail"),
    path("<str:number>/act/<str:action>/", views.case_act, name="act"),
    path("<str:number>/photos/<int:pk>/", views.case_photo, name="photo"),
]
