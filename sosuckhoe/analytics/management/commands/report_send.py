import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sosuckhoe.analytics.subscriptions import reports_send_due


class Command(BaseCommand):
    help = (
        "E-mail the reports of every active subscription not yet sent for the day (yesterday "
        "by default, --day 2026-11-26): what Celery beat runs each morning."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--day", help="the reports' day, YYYY-MM-DD")

    def handle(self, *args: object, **options: str | None) -> None:
        day = None
        if options["day"]:
            try:
                day = dt.date.fromisoformat(options["day"])
            except ValueError:
                raise CommandError(f"Not a day: {options['day']}") from None
        self.stdout.write(f"{reports_send_due(day=day)} reports sent")
