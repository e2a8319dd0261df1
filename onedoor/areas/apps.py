from django.apps import AppConfig


class AreasConfig(AppConfig):
    name = "onedoor.areas"
    label = "areas"
    verbose_name = "Area"

    def ready(self) -> None:
        from onedoor.areas import checks  # noqa: F401 - registers the start-up check
