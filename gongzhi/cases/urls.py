from django.urls import path

from . import league

app_name = "cases"
urlpatterns: list = [
    path("league/<str:code>/", league.league_table, name="league"),
]
