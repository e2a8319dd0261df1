from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "onedoor.privacy"
    label = "privacy"
    verbose_name = "Personal data lifecycle"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from onedoor.core.worker import periodic_register
        from onedoor.privacy.tasks import apply_retention_daily

        # The retention schedule is applied once a day by whichever worker claims it (docs/data-protection.md).
        periodic_register(name="apply_retention", every_seconds=24 * 60 * 60, func=apply_retention_daily)
