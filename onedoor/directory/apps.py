from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "onedoor.directory"
    label = "directory"
    verbose_name = "Services directory"
