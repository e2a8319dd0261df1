from typing import Any

from django.core.management.base import BaseCommand

from onedoor.casework.demo import load_casework_demo
from onedoor.core.tasks import tasks_suppressed


class Command(BaseCommand):
    help = "Demo casework for vs.caseworker over the demo referrals (run after load_demo; runs once)."

    def handle(self, *args: Any, **options: Any) -> None:
        with tasks_suppressed():  # demo history: nobody to email or alert
            counts = load_casework_demo()
        self.stdout.write(f"Demo casework: {counts['cases']} Victim Support cases worked by vs.caseworker.")
