from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "onedoor.casework"
    label = "casework"
    verbose_name = "Casework"
