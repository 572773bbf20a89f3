from django.core.management.base import BaseCommand

from sosuckhoe.supply.reference import supply_reference_load


class Command(BaseCommand):
    help = (
        "Load or refresh the vaccine products and schedule rules of the supply app; "
        "safe to run again."
    )

    def handle(self, *args: object, **options: object) -> None:
        report = supply_reference_load()
        self.stdout.write(
            f"Vaccine products and schedule rules: {report.created} created, "
            f"{report.updated} updated, {report.removed} removed, {report.unchanged} unchanged"
        )
        if report.kept:
            self.stdout.write(
                self.style.WARNING(
                    "Rules no longer in the file but referred to by records, kept: "
                    + ", ".join(report.kept)
                )
            )
