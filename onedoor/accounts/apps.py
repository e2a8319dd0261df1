from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "onedoor.accounts"
    label = "accounts"
    verbose_name = "Users and organisations"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from onedoor.accounts import signals  # noqa: F401 - connects the audit receivers
        from onedoor.accounts.permissions import sync_administrators_group

        # After every app's migrations, not just this one's: the permissions of apps listed after accounts
        # only exist once their own post_migrate has run.
        post_migrate.connect(sync_administrators_group, dispatch_uid="onedoor_administrators_group")
