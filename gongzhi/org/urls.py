from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("<str:code>/", views.division_detail, name="division"),
    path("<str:code>/map.geojson", views.division_map, name="division_map"),
]
