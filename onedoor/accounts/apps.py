from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "onedoor.accounts"
    label = "accounts"
    verbose_name = "Users and organisations"
