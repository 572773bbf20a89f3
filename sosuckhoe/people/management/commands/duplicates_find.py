import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.people.duplicate_services import (
    duplicate_run_create,
    duplicate_run_enqueue,
    duplicate_run_run,
)
from sosuckhoe.people.duplicates import REVIEW_THRESHOLD
from sosuckhoe.places.models import AdminUnit
from sosuckhoe.places.services import CURRENT_EDITION


class Command(BaseCommand):
    help = (
        "Search the persons of a unit (by default the province Ninh Bình) for records of one "
        "person registered twice, and queue the pairs found for review; nothing is merged."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", default="37", help="code of the unit (GSO)")
        parser.add_argument("--edition", default=CURRENT_EDITION.key)
        parser.add_argument("--threshold", type=float, default=REVIEW_THRESHOLD)
        parser.add_argument(
            "--background", action="store_true", help="hand the search to a worker and return"
        )

    def handle(self, *args: object, **options: object) -> None:
        unit = AdminUnit.objects.filter(edition=options["edition"], code=options["unit"]).first()
        if unit is None:
            raise CommandError("No such unit: run `manage.py load_units` first, or check the code")
        actor = Actor.system("duplicates_find")
        start = duplicate_run_enqueue if options["background"] else duplicate_run_create
        try:
            run = start(actor=actor, unit=unit, threshold=float(options["threshold"]))  # type: ignore[arg-type]
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        if options["background"]:
            self.stdout.write(f"Duplicate search {run.uuid} queued for {unit.name}")
            return
        started = time.perf_counter()
        run = duplicate_run_run(
            actor=actor,
            job_id=run.pk,
            on_progress=lambda done: self.stdout.write(f"  {done:,} persons…"),
        )
        self.stdout.write(
            f"{run.get_status_display()}: {run.progress_done:,} persons, "
            f"{run.pairs_compared:,} pairs compared, {run.pairs_queued:,} queued "
            f"in {time.perf_counter() - started:.1f} s"
        )
