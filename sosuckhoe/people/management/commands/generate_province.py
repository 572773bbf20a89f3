import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.core.jobs import JobStatus
from sosuckhoe.people.jobs import population_job_create, population_job_enqueue, population_job_run
from sosuckhoe.places.models import AdminUnit, UnitLevel
from sosuckhoe.places.services import CURRENT_EDITION, commune_stations_ensure
from sosuckhoe.vaccination.generator import campaign_generate


class Command(BaseCommand):
    help = (
        "Generate a synthetic population living in a real province: by default Ninh Bình as "
        "it has been since July 2025; --edition 2025-03 --province 36 gives Nam Định before."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--persons", type=int, default=20_000)
        parser.add_argument("--province", default="37", help="province code (GSO)")
        parser.add_argument(
            "--edition", default=CURRENT_EDITION.key, choices=["2025-03", "2025-07"]
        )
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument(
            "--background", action="store_true", help="hand the job to a worker and return"
        )
        parser.add_argument(
            "--doses",
            action="store_true",
            help="then give the persons vaccination histories of the 2021–2022 campaign",
        )

    def handle(self, *args: object, **options: object) -> None:
        persons = int(options["persons"])  # type: ignore[call-overload]
        province = AdminUnit.objects.filter(
            edition=options["edition"], code=options["province"], level=UnitLevel.PROVINCE
        ).first()
        if province is None:
            raise CommandError(
                "No such province: run `manage.py load_units` first, or check the code"
            )
        actor, seed = Actor.system("generate_province"), options["seed"]
        start = population_job_enqueue if options["background"] else population_job_create
        try:
            job = start(actor=actor, unit=province, persons=persons, seed=seed)  # type: ignore[arg-type]
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        if options["background"]:
            self.stdout.write(f"Population job {job.uuid} queued for {province.name}")
            return
        started = time.perf_counter()
        job = population_job_run(
            actor=actor,
            job_id=job.pk,
            on_progress=lambda done: self.stdout.write(f"  {done:,} persons…"),
        )
        if job.status != JobStatus.DONE:
            raise CommandError(f"Population job {job.uuid} ended {job.status}: nothing was kept")
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"{job.progress_done:,} persons in {job.households_made:,} households in "
            f"{province.name} ({elapsed:.1f} s, {job.progress_done / elapsed:,.0f} persons/s)"
        )
        if options["doses"]:
            self._doses(actor, province, seed)  # type: ignore[arg-type]

    def _doses(self, actor: Actor, province: AdminUnit, seed: int | None) -> None:
        started = time.perf_counter()
        commune_stations_ensure(province=province)
        report = campaign_generate(
            actor=actor,
            unit=province,
            seed=seed,
            on_progress=lambda done: self.stdout.write(f"  {done:,} doses…"),
        )
        elapsed = time.perf_counter() - started
        doses = report.histories.doses
        self.stdout.write(
            f"{doses:,} doses for {report.histories.persons:,} persons ({elapsed:.1f} s, "
            f"{doses / elapsed:,.0f} doses/s); refused by the rules: {report.histories.refused}; "
            f"{report.reactions:,} reactions, {report.voids:,} voided, "
            f"{report.sessions:,} sessions"
        )
