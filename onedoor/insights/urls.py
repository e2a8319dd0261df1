from django.urls import include, path

from onedoor.insights import views

app_name = "insights"

urlpatterns = [
    path("insights/", views.overview, name="overview"),
    path("", include("onedoor.insights.context.urls")),
]
