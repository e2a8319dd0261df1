from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "onedoor.insights"
    label = "insights"
    verbose_name = "Commissioner insights"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from onedoor.core.worker import periodic_register
        from onedoor.insights import measures  # noqa: F401  (registers every measure and its computation)
        from onedoor.insights.rollups import rollups_refresh

        # The rollups follow the facts every five minutes: only the days whose facts changed are rebuilt.
        periodic_register(name="insights_rollups_refresh", every_seconds=300, func=rollups_refresh)
