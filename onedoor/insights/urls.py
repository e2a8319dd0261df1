from django.urls import path

from onedoor.insights import views

app_name = "insights"

urlpatterns = [
    path("insights/", views.overview, name="overview"),
]
