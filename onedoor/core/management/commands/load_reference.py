from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from onedoor.core.reference_data import load_reference


class Command(BaseCommand):
    help = "Load (or refresh) the national reference data: offence groups, categories, rights. Districts: load_area."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            counts = load_reference()
        for dataset, n in counts.items():
            self.stdout.write(f"{dataset}: {n} rows")
