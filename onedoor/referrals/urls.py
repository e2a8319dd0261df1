from django.urls import path

from onedoor.referrals.views import provider, referrer

app_name = "referrals"

urlpatterns = [
    path("referrals/new/", referrer.referral_new, name="new"),
    path("referrals/signposted/<int:pk>/", referrer.signposted, name="signposted"),
    path("referrals/mine/", referrer.my_referrals, name="mine"),
    path("referrals/mine/<str:reference>/", referrer.my_referral_detail, name="mine_detail"),
    path("queue/", provider.queues, name="queues"),
    path("queue/<slug:slug>/", provider.queue, name="queue"),
    path("cases/<str:reference>/", provider.referral_detail, name="detail"),
    path("cases/<str:reference>/handed-on/", provider.handed_on, name="handed_on"),
    path("cases/<str:reference>/accept/", provider.accept, name="accept"),
    path("cases/<str:reference>/triage/", provider.triage, name="triage"),
    path("cases/<str:reference>/decline/", provider.decline, name="decline"),
    path("cases/<str:reference>/reroute/", provider.reroute, name="reroute"),
    path("cases/<str:reference>/claim/", provider.claim, name="claim"),
    path("cases/<str:reference>/assign/", provider.assign, name="assign"),
]
