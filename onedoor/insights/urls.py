from django.urls import include, path

from onedoor.insights import views

app_name = "insights"

urlpatterns = [
    path("insights/", views.overview, name="overview"),
    path("", include("onedoor.insights.context.urls")),
    path("insights/quarterly-return/", views.quarterly_return, name="quarterly_return"),
    path("insights/report/", views.report, name="report"),
    path("insights/commentary/", views.commentary, name="commentary"),
    path("insights/<slug:group>/", views.group_page, name="group"),
]
