from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "onedoor.core"
    label = "core"
    verbose_name = "Reference data and audit"

    def ready(self) -> None:
        from onedoor.core.housekeeping import task_results_prune
        from onedoor.core.submissions import submission_keys_purge
        from onedoor.core.worker import periodic_register

        # Expired one-time submission keys, hourly; finished task results past their keeping time, daily.
        periodic_register(name="submission_keys_purge", every_seconds=3600, func=submission_keys_purge)
        periodic_register(name="task_results_prune", every_seconds=24 * 3600, func=task_results_prune)
