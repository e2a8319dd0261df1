from django.urls import path

from onedoor.insights.context import export, views

urlpatterns = [
    path("insights/context/reach/", views.reach, name="context-reach"),
    path("insights/context/equity/", views.equity, name="context-equity"),
    path("insights/context/deprivation/", views.deprivation, name="context-deprivation"),
    path("insights/context/police-profile/", views.police_profile, name="context-police-profile"),
    path("insights/context/<slug:name>/export.<str:fmt>", export.context_export, name="context-export"),
]
