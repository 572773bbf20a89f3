"""The dashboards: the page, each chart's JSON and .xlsx, and a commune's targets. Counts, no
person: officers of every level and analysts read them over their subtree; site staff do not
use them; `?unit=` outside the reader's subtree is not found."""

from django.urls import reverse

from sosuckhoe.console.tests.matrix import ROLES, STAFF, Case

READERS = STAFF - {"site_staff"}
# Who holds commune A (Ninh Bình) in their subtree, among the readers: the analyst's unit is
# the province.
READS_COMMUNE_A = frozenset({"commune", "province", "national_admin", "analyst"})


def _target_post_statuses() -> dict[str, int]:
    """Setting a target is a write of the officers who hold the commune; an analyst reads."""
    answers = {"anonymous": 302, "site_staff": 403, "analyst": 403}
    for role in READERS - {"analyst"}:
        answers[role] = 302 if role in READS_COMMUNE_A else 404
    return answers


def cases(cast) -> list[Case]:
    commune_a = f"?unit={cast.units.commune_a.code}"
    no_post = dict.fromkeys(ROLES, 405)
    cases = [
        Case("console:dashboard", reverse("console:dashboard"), READERS, READERS, post=None),
        Case("console:dashboard", reverse("console:dashboard") + commune_a, READS_COMMUNE_A,
             READERS, post=None),
        Case("console:dashboard_targets", reverse("console:dashboard_targets") + commune_a,
             READS_COMMUNE_A, READERS, post={"group": "0", "persons": "40"},
             post_statuses=_target_post_statuses()),
    ]  # fmt: skip
    for slug in ("coverage", "doses", "lagging", "overdue", "stock", "reactions-product",
                 "reactions-lot", "backlog"):  # fmt: skip
        for fmt in ("json", "xlsx"):
            url = reverse(f"console:dashboard_{fmt}", args=[slug])
            cases += [
                Case(f"console:dashboard_{fmt}", url, READERS, READERS, post=None,
                     post_statuses=no_post),
                Case(f"console:dashboard_{fmt}", url + commune_a, READS_COMMUNE_A, READERS,
                     post=None, post_statuses=no_post),
            ]  # fmt: skip
    return cases
