import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import Role
from sosuckhoe.accounts.services import staff_create
from sosuckhoe.places.models import AdminUnit
from sosuckhoe.places.services import CURRENT_EDITION


class Command(BaseCommand):
    help = "Create a staff account tied to a unit (by its official code); asks for the password."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--unit", required=True, help="unit code, e.g. 37 or 14350; VN = all")
        parser.add_argument("--edition", default=CURRENT_EDITION.key)
        parser.add_argument("--name", default="", help="full name")
        parser.add_argument("--email", default="")

    def handle(self, *args: object, **options: str) -> None:
        unit = AdminUnit.objects.filter(edition=options["edition"], code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"No unit {options['unit']} in edition {options['edition']}")
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The passwords differ")
        try:
            user = staff_create(
                actor=Actor.system("create_staff"),
                username=options["username"],
                password=password,
                role=Role(options["role"]),
                unit=unit,
                full_name=options["name"],
                email=options["email"],
            )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        self.stdout.write(f"{user.username}: {user.get_role_display()} — {unit.name}")
