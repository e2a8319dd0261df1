from django.apps import AppConfig


class PoliceConfig(AppConfig):
    name = "onedoor.police"
    verbose_name = "Police overnight transfer"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from onedoor.core.worker import periodic_register
        from onedoor.police import receivers  # noqa: F401 - connects the messaging signals
        from onedoor.police.chunks import police_batches_resume_stale

        # A batch whose chunk tasks were lost (a worker killed between claiming and enqueueing, say) is
        # picked up again by itself: every five minutes, any running batch idle for ten is resumed.
        periodic_register(name="police_batches_resume_stale", every_seconds=300, func=police_batches_resume_stale)
