from django.core.management.base import BaseCommand, CommandError, CommandParser

from sosuckhoe.analytics.services import rollups_rebuild
from sosuckhoe.places.models import AdminUnit
from sosuckhoe.places.selectors import unit_by_code


class Command(BaseCommand):
    help = (
        "Recompute the dose and reaction counts from the raw rows, in one transaction: all of "
        "them, or those of the communes of one unit of today's edition (--unit 37)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", help="official code of a unit, e.g. 37 (Ninh Bình)")

    def handle(self, *args: object, **options: str | None) -> None:
        unit = None
        if options["unit"]:
            try:
                unit = unit_by_code(code=options["unit"])
            except AdminUnit.DoesNotExist:
                raise CommandError(f"No unit {options['unit']} in today's edition") from None
        rebuilt = rollups_rebuild(unit=unit)
        self.stdout.write(
            f"{rebuilt.dose_rows} dose count rows, {rebuilt.total_rows} dose total rows, "
            f"{rebuilt.lot_rows} lot rows, {rebuilt.reaction_rows} reaction count rows"
        )
