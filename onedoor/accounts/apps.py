from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "onedoor.accounts"
    label = "accounts"
    verbose_name = "Users and organisations"

    def ready(self) -> None:
        from onedoor.accounts import signals  # noqa: F401 - connects the audit receivers
