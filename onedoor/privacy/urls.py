from django.urls import path

from onedoor.privacy import views, views_rights

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
    path("data-protection/referrals/<str:reference>/", views_rights.referral, name="referral"),
    path("data-protection/referrals/<str:reference>/correct/", views_rights.rectify, name="rectify"),
    path("data-protection/referrals/<str:reference>/erase/", views_rights.erase, name="erase"),
    path("data-protection/referrals/<str:reference>/restrict/", views_rights.restrict, name="restrict"),
    path(
        "data-protection/referrals/<str:reference>/restrictions/<int:restriction_id>/lift/",
        views_rights.lift,
        name="lift",
    ),
    path("cases/<str:reference>/legal-hold/", views.legal_hold, name="legal_hold"),
    path("cases/<str:reference>/withdraw-consent/", views_rights.consent_withdrawal, name="consent_withdrawal"),
]
