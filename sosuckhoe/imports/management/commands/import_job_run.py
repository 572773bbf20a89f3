from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sosuckhoe.imports import services
from sosuckhoe.imports.jobs import import_job_run


class Command(BaseCommand):
    help = (
        "Run an import job in this process, as a worker would: a confirmed job waiting, or one "
        "whose worker stopped half way (failed, or silent for IMPORT_STALE_SECONDS), resumed "
        "after its last committed chunk. Prints the job's status and counters."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("job_id", type=int)
        parser.add_argument(
            "--chunk-rows",
            type=int,
            default=services.CHUNK,
            help="rows per transaction (fewer: less work done again after a crash)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        services.CHUNK = max(1, options["chunk_rows"])
        job = import_job_run(job_id=options["job_id"])
        counters = " ".join(f"{name}={count}" for name, count in job.counters.items())
        self.stdout.write(f"{job.status} last_row={job.last_row} {counters}")
