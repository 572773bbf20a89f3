"""The review queue of possible duplicates: for health officers (commune and above), each
seeing the pairs whose two records live within their unit."""

from django.urls import reverse

from sosuckhoe.console.tests.matrix import ROLES, Case
from sosuckhoe.console.tests.matrix.registrations import OFFICERS, REVIEWS_COMMUNE_A, review
from sosuckhoe.people.models import DuplicatePair
from sosuckhoe.testing.factories import PersonFactory

MANAGERS = frozenset({"province", "province_other", "national_admin"})


def search(url: str, sees: frozenset[str]) -> Case:
    """Managers start a search of their unit (or of one below it); a GET is 405 for all."""

    def answer(role: str) -> int:
        if role == "anonymous":
            return 302
        if role not in MANAGERS:
            return 403
        return 302 if role in sees else 404

    return Case("console:duplicates_search", url, sees, MANAGERS, post={},
                statuses=dict.fromkeys(ROLES, 405),
                post_statuses={role: answer(role) for role in ROLES})  # fmt: skip


def cases(cast) -> list[Case]:
    units = cast.units
    first = PersonFactory(home_unit=units.commune_a, full_name="Phạm Thị Lan")
    second = PersonFactory(home_unit=units.commune_a, full_name="Pham Thi Lan")
    low, high = sorted((first, second), key=lambda p: p.pk)
    pair = DuplicatePair.objects.create(
        person_a=low, person_b=high, score=0.97, reasons={"name": "folded", "birth": "exact"}
    )
    url = reverse("console:duplicates")
    in_a = f"unit={units.commune_a.code}"
    return [
        Case("console:duplicates", url, OFFICERS, OFFICERS, post=None),
        Case("console:duplicates", f"{url}?{in_a}", REVIEWS_COMMUNE_A, OFFICERS, post=None),
        review(
            "console:duplicate_dismiss", reverse("console:duplicate_dismiss", args=[pair.uuid]), {}
        ),
        search(reverse("console:duplicates_search"), MANAGERS),
        search(f"{reverse('console:duplicates_search')}?{in_a}", MANAGERS - {"province_other"}),
    ]
