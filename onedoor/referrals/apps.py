from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "onedoor.referrals"
    label = "referrals"
    verbose_name = "Referrals and routing"
