"""Create an API key for a member of staff and print it: it is shown this once."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import StaffUser
from sosuckhoe.api.services import api_token_create


class Command(BaseCommand):
    help = "Create an API key for USERNAME and print it (shown once; only its hash is kept)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the key is for")

    def handle(self, *args: Any, **options: Any) -> None:
        user = StaffUser.objects.select_related("unit").filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No member of staff is called {options['username']!r}.")
        _token, key = api_token_create(
            actor=Actor.system("api_token_create"), user=user, name=options["name"]
        )
        self.stdout.write(key)
