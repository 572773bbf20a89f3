from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.analytics.overdue import overdue_count
from sosuckhoe.places.models import AdminUnit
from sosuckhoe.places.selectors import country_root, unit_by_code


class Command(BaseCommand):
    help = (
        "Count, per commune, the people whose next dose is past the end of its window today: "
        "all communes of today's edition, or those of one unit (--unit 37). Run daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", help="official code of a unit, e.g. 37 (Ninh Bình)")

    def handle(self, *args: object, **options: str | None) -> None:
        try:
            unit = unit_by_code(code=options["unit"]) if options["unit"] else country_root()
        except AdminUnit.DoesNotExist:
            raise CommandError(f"No unit {options['unit']} in today's edition") from None
        total = overdue_count(
            actor=Actor.system("overdue_count"),
            unit=unit,
            on=timezone.localdate(),
            on_progress=lambda done, of: self.stdout.write(f"{done}/{of} communes", ending="\r"),
        )
        self.stdout.write(f"\n{total} people overdue in {unit.name}")
