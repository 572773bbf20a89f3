import datetime as dt

from django.core.management.base import BaseCommand, CommandParser

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.analytics.warning_services import warnings_digest, warnings_run


class Command(BaseCommand):
    help = "Run the warnings' rules: store and send the new warnings (and the daily digest)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--day", type=dt.date.fromisoformat, help="YYYY-MM-DD; today")
        parser.add_argument("--digest", action="store_true", help="also send the day's digest")

    def handle(self, *args: object, **options: object) -> None:
        actor = Actor.system("warnings_run")
        day = options["day"]
        assert day is None or isinstance(day, dt.date)
        report = warnings_run(actor=actor, today=day)
        for kind, n in sorted(report.raised.items()):
            self.stdout.write(f"{kind}: {n}")
        self.stdout.write(
            f"{sum(report.raised.values())} warnings raised, {report.messages} messages"
        )
        if options["digest"]:
            digest = warnings_digest(actor=actor, day=day)
            if digest is None:
                self.stdout.write("The digest of the day was already sent.")
            else:
                self.stdout.write(
                    f"Digest: {digest.warnings} warnings to {digest.recipients} officers"
                )
