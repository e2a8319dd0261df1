"""`manage.py onedoor_worker`: the production task worker. It takes every option `db_worker` takes and
runs the same loop, but it survives database restarts, recovers stuck tasks and runs the periodic jobs
(onedoor/core/worker.py, ADR 0008)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from onedoor.core.worker import SupervisedWorker


class Command(DbWorkerCommand):
    help = "Run the OneDoor task worker: reconnects after database outages, recovers stuck tasks, runs periodic jobs"

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = SupervisedWorker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
        )
        # No autoreload: a supervisor restarts the process, and a reload could cut a task in half.
        worker.configure_signals()
        worker.run()
