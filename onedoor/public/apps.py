from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "onedoor.public"
    label = "public"
    verbose_name = "Public front door"
