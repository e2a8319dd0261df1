from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "onedoor.referrals"
    label = "referrals"
    verbose_name = "Referrals and routing"

    def ready(self) -> None:
        from onedoor.core.worker import periodic_register
        from onedoor.referrals.tasks import referrer_digests_send

        # Referrers who chose it get one digest a day of their referrals' milestones.
        periodic_register(name="referrer_digests_send", every_seconds=24 * 60 * 60, func=referrer_digests_send)
