from django.core.management.base import BaseCommand

from sosuckhoe.places.services import EDITIONS, units_load


class Command(BaseCommand):
    help = "Load or refresh Vietnam's administrative units (every edition); safe to run again."

    def handle(self, *args: object, **options: object) -> None:
        for edition in EDITIONS:
            report = units_load(edition=edition)
            self.stdout.write(
                f"{edition.key}: {report.created} created, {report.updated} updated, "
                f"{report.unchanged} unchanged"
            )
