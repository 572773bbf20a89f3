import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sosuckhoe.places.models import AdminUnit
from sosuckhoe.places.selectors import unit_by_code, unit_successors
from sosuckhoe.places.services import CURRENT_EDITION


def _described(unit: AdminUnit) -> dict[str, str]:
    return {"code": unit.code, "name": unit.name, "edition": unit.edition}


class Command(BaseCommand):
    help = (
        "Print as JSON what a unit became in the next edition (an empty list when it did not "
        "change edition), e.g. `unit_successors 13741 --edition 2025-03`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("code", help="official code of the unit, e.g. 13741")
        parser.add_argument("--edition", default=CURRENT_EDITION.key)

    def handle(self, *args: object, **options: str) -> None:
        try:
            unit = unit_by_code(code=options["code"], edition=options["edition"])
        except AdminUnit.DoesNotExist:
            raise CommandError(
                f"No unit {options['code']} in edition {options['edition']}"
            ) from None
        answer = {
            **_described(unit),
            "successors": [_described(u) for u in unit_successors(unit=unit)],
        }
        self.stdout.write(json.dumps(answer, ensure_ascii=False))
