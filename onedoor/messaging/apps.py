from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "onedoor.messaging"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from onedoor.core.health import backlog_register
        from onedoor.core.worker import periodic_register
        from onedoor.messaging.services import (
            due_message_count,
            messages_held_by_provider,
            oldest_due_message_age,
            send_windows_prune,
        )
        from onedoor.messaging.tasks import send_due

        # Whatever is due (quiet hours over, a retry's time come, a task lost) goes without anyone
        # running a command: every worker loop offers to run this, and one a minute does.
        periodic_register(name="messages_send_due", every_seconds=60, func=send_due)
        periodic_register(name="send_windows_prune", every_seconds=3600, func=send_windows_prune)
        backlog_register(name="oldest_due_message_age_seconds", probe=oldest_due_message_age)
        backlog_register(name="due_messages", probe=due_message_count)
        backlog_register(name="messages_held_by_provider", probe=messages_held_by_provider)
