"""Staff accounts: province officers and national administrators, each over their subtree."""

from django.urls import reverse

from sosuckhoe.console.tests.matrix import ROLES, Case

MANAGERS = frozenset({"province", "province_other", "national_admin"})


def _edit_form(member) -> dict[str, object]:
    """A valid change of the account: refused, it must change nothing."""
    return {"full_name": "Tên Mới", "role": member.role, "unit": member.unit_id, "phone": "",
            "email": ""}  # fmt: skip


def button(name: str, url: str, sees: frozenset[str], served: int = 302) -> Case:
    """The URL of a manager's button, POST only: a GET is 405 for everyone; a manager who sees
    the record is `served` (sent on, or shown the result), another manager finds no such
    record, anyone else is refused."""

    def answer(role: str) -> int:
        if role == "anonymous":
            return 302
        if role not in MANAGERS:
            return 403
        return served if role in sees else 404

    return Case(name, url, sees, MANAGERS, post={}, statuses=dict.fromkeys(ROLES, 405),
                post_statuses={role: answer(role) for role in ROLES})  # fmt: skip


def cases(cast) -> list[Case]:
    users = cast.users
    # The commune officer of Ninh Bình; the district officer of Nam Định (2025-03 edition);
    # the other province's officer, seen by themselves.
    targets = (
        (users["commune"], frozenset({"province", "national_admin"})),
        (users["district"], frozenset({"national_admin"})),
        (users["province_other"], frozenset({"province_other", "national_admin"})),
    )
    new = {"username": "moi", "full_name": "Người Mới", "role": "commune",
           "unit": cast.units.commune_a.pk}  # fmt: skip
    return [
        Case("console:staff_list", reverse("console:staff_list"), MANAGERS, MANAGERS, post=None),
        # The other province's officer gets the form back: commune A is not theirs.
        Case("console:staff_new", reverse("console:staff_new"), MANAGERS, MANAGERS, post=new),
        *(
            Case("console:staff_edit", reverse("console:staff_edit", args=[member.uuid]), sees,
                 MANAGERS, post=_edit_form(member))
            for member, sees in targets
        ),
        *(
            button(name, reverse(name, args=[member.uuid]), sees, served)
            for member, sees in targets[:2]
            for name, served in (("console:staff_deactivate", 302),
                                 ("console:staff_reactivate", 302),
                                 ("console:staff_password_reset", 200),  # the password, once
                                 ("console:staff_totp_reset", 302))
        ),
    ]  # fmt: skip
