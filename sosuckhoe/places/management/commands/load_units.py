from django.core.management.base import BaseCommand

from sosuckhoe.places.services import (
    CROSSWALK,
    EDITIONS,
    LoadReport,
    unit_successors_load,
    units_load,
)


class Command(BaseCommand):
    help = (
        "Load or refresh Vietnam's administrative units (every edition) and the links from old "
        "communes to the communes they became; safe to run again."
    )

    def handle(self, *args: object, **options: object) -> None:
        for edition in EDITIONS:
            report = units_load(edition=edition)
            self.stdout.write(
                f"{edition.key}: {report.created} created, {report.updated} updated, "
                f"{report.unchanged} unchanged"
            )
        self._successors(unit_successors_load(crosswalk=CROSSWALK), int(options["verbosity"]))

    def _successors(self, report: LoadReport, verbosity: int) -> None:
        self.stdout.write(
            f"{CROSSWALK.old.key} → {CROSSWALK.new.key} successor links: {report.created} created, "
            f"{report.updated} updated, {report.removed} removed, {report.unchanged} unchanged"
        )
        if report.unplaced:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(report.unplaced)} rows of {CROSSWALK.filename} not placed "
                    "(a code that is not in its edition; -v 2 lists them)"
                )
            )
        # The same rows every time (places/data/README.md says why): listed when asked for.
        for row in report.unplaced if verbosity > 1 else ():
            self.stdout.write(
                f"  line {row.line}: {row.old_code} → {row.new_code}, "
                f"missing {', '.join(row.missing)}"
            )
