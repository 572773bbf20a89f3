import getpass
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import Role
from sosuckhoe.accounts.services import staff_create
from sosuckhoe.places.models import AdminUnit
from sosuckhoe.places.services import CURRENT_EDITION


class Command(BaseCommand):
    help = (
        "Create a staff account tied to a unit (by its official code); asks for the password, "
        "or reads it from standard input with --password-stdin."
    )
    # call_command(..., stdin=…) in tests, as Django's createsuperuser takes it.
    stealth_options = ("stdin",)

    def execute(self, *args: Any, **options: Any) -> str | None:
        self.stdin = options.get("stdin", sys.stdin)
        return super().execute(*args, **options)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--unit", required=True, help="unit code, e.g. 37 or 13669; VN = all")
        parser.add_argument("--edition", default=CURRENT_EDITION.key)
        parser.add_argument("--name", default="", help="full name")
        parser.add_argument("--email", default="")
        parser.add_argument("--phone", default="")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input, without a prompt",
        )

    def handle(self, *args: object, **options: Any) -> None:
        unit = AdminUnit.objects.filter(edition=options["edition"], code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"No unit {options['unit']} in edition {options['edition']}")
        password = self._password(from_stdin=options["password_stdin"])
        try:
            user = staff_create(
                actor=Actor.system("create_staff"),
                username=options["username"],
                password=password,
                role=Role(options["role"]),
                unit=unit,
                full_name=options["name"],
                email=options["email"],
                phone=options["phone"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(f"{user.username}: {user.get_role_display()} — {unit.name}")

    def _password(self, *, from_stdin: bool) -> str:
        if from_stdin:
            password = self.stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("No password on standard input")
            return password
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The passwords differ")
        return password
