from django.apps import AppConfig


class PoliceConfig(AppConfig):
    name = "onedoor.police"
    verbose_name = "Police overnight transfer"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from onedoor.police import receivers  # noqa: F401 - connects the messaging signals
