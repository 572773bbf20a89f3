from django.core.management.base import BaseCommand

from sosuckhoe.vaccination.services.reference import vaccination_reference_load


class Command(BaseCommand):
    help = "Load the priority groups, screening forms and reaction terms; safe to run again."

    def handle(self, *args: object, **options: object) -> None:
        report = vaccination_reference_load()
        self.stdout.write(
            f"Vaccination reference: created {report.created or 'nothing'}, "
            f"updated {report.updated or 'nothing'}."
        )
