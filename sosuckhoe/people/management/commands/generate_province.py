import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sosuckhoe.people.generator import population_generate
from sosuckhoe.places.models import AdminUnit, UnitLevel
from sosuckhoe.places.services import CURRENT_EDITION


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

    def handle(self, *args: object, **options: object) -> None:
        persons = int(options["persons"])  # type: ignore[call-overload]
        if persons < 1:
            raise CommandError("--persons must be at least 1")
        province = AdminUnit.objects.filter(
            edition=options["edition"], code=options["province"], level=UnitLevel.PROVINCE
        ).first()
        if province is None:
            raise CommandError(
                "No such province: run `manage.py load_units` first, or check the code"
            )
        started = time.perf_counter()
        result = population_generate(
            unit=province,
            persons=persons,
            seed=options["seed"],  # type: ignore[arg-type]
            on_progress=lambda done: self.stdout.write(f"  {done:,} persons…"),
        )
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"{result.persons:,} persons in {result.households:,} households in {province.name} "
            f"({elapsed:.1f} s, {result.persons / elapsed:,.0f} persons/s)"
        )
