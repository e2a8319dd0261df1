from django.urls import path

from onedoor.privacy import views

app_name = "privacy"

urlpatterns = [
    path("data-protection/", views.home, name="home"),
    path("data-protection/search/", views.search, name="search"),
    path("data-protection/export/", views.export, name="export"),
    path(
        "data-protection/referrals/<str:reference>/export.<str:fmt>",
        views.referral_export,
        name="referral_export",
    ),
    path("cases/<str:reference>/legal-hold/", views.legal_hold, name="legal_hold"),
]
