from django.urls import path

from . import views

app_name = "volunteering"
urlpatterns = [
    path("", views.home, name="home"),
    path("activities/new/", views.activity_create, name="activity_create"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
    path("activities/<int:pk>/signup/", views.sign_up, name="sign_up"),
    path("activities/<int:pk>/finish/", views.finish, name="finish"),
    path("scan/<str:token>/", views.scan, name="scan"),
    path("wishes/", views.wishes, name="wishes"),
    path("wishes/<int:pk>/<str:action>/", views.wish_action, name="wish_action"),
    path("teams/", views.teams, name="teams"),
    path("brands/new/", views.brand_create, name="brand_create"),
    path("teams/new/", views.team_create, name="team_create"),
    path("points/", views.points_rules, name="points"),
]
