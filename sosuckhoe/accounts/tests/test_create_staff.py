"""`create_staff`: a password typed at a terminal or, for scripts, read from standard input."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sosuckhoe.accounts.models import AuditEvent, StaffUser


def _create_staff(*args: str, stdin: str) -> str:
    out = StringIO()
    call_command("create_staff", *args, stdin=StringIO(stdin), stdout=out)
    return out.getvalue()


def test_a_password_on_standard_input_creates_the_account_without_a_prompt(cast, monkeypatch):
    monkeypatch.setattr("getpass.getpass", lambda prompt="": pytest.fail("prompted"))
    out = _create_staff(
        "lan", "--role", "commune", "--unit", "13669", "--name", "Phạm Thị Lan",
        "--phone", "0912345678", "--password-stdin", stdin="ngay mai troi nang\nsecond line\n",
    )  # fmt: skip
    user = StaffUser.objects.get(username="lan")
    assert user.check_password("ngay mai troi nang")  # the first line, without its newline
    assert (user.unit, user.phone) == (cast.units.commune_a, "+84912345678")
    assert "lan" in out
    event = AuditEvent.objects.get(object_uuid=user.uuid)
    assert event.actor_username == "system:create_staff"


def test_a_windows_line_ending_is_not_part_of_the_password(cast):
    _create_staff(
        "lan", "--role", "commune", "--unit", "13669", "--password-stdin",
        stdin="ngay mai troi nang\r\n",
    )  # fmt: skip
    assert StaffUser.objects.get(username="lan").check_password("ngay mai troi nang")


def test_an_unknown_unit_is_refused_before_any_password_is_read(cast):
    stdin = StringIO("ngay mai troi nang\n")
    with pytest.raises(CommandError, match="No unit 99999 in edition 2025-07"):
        call_command(
            "create_staff", "lan", "--role", "commune", "--unit", "99999", "--password-stdin",
            stdin=stdin, stdout=StringIO(),
        )  # fmt: skip
    assert stdin.read() == "ngay mai troi nang\n"
    assert not StaffUser.objects.filter(username="lan").exists()


@pytest.mark.parametrize(("stdin", "message"), [("", "No password"), ("12345\n", "too short")])
def test_an_empty_or_weak_password_is_refused_and_nothing_is_created(cast, stdin, message):
    with pytest.raises(CommandError, match=message):
        _create_staff(
            "lan", "--role", "commune", "--unit", "13669", "--password-stdin", stdin=stdin
        )
    assert not StaffUser.objects.filter(username="lan").exists()
    assert not AuditEvent.objects.exists()


def test_without_the_option_the_password_is_asked_twice(cast, monkeypatch):
    answers = iter(["ngay mai troi nang", "ngay mai troi mua"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    with pytest.raises(CommandError, match="differ"):
        _create_staff("lan", "--role", "commune", "--unit", "13669", stdin="")
