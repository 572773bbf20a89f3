"""The access matrix: what each role gets from each console URL, GET and POST.

Each domain describes its URLs in a module of this package with a function
`cases(cast) -> list[Case]`; `test_access_matrix.py` walks every case for every role and fails
on a console URL that no module describes.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection
from django.db.models import Model

# Every role of the cast, with an own-unit and an other-unit variant where it applies, and a
# visitor who is not signed in.
ROLES = (
    "anonymous",
    "site_staff",
    "commune",
    "commune_other",
    "district",
    "province",
    "province_other",
    "national_admin",
    "analyst",
)
STAFF = frozenset(ROLES) - {"anonymous"}
PERSONAL_DATA = STAFF - {"analyst"}
AUDIT_READERS = frozenset({"province", "province_other", "national_admin"})

# Who sees a record of commune A (Ninh Bình), of the other province's commune, of the district's
# commune (Nam Định, 3-level edition).
SEES_COMMUNE_A = frozenset({"site_staff", "commune", "province", "national_admin"})
SEES_OTHER_PROVINCE = frozenset({"province_other", "national_admin"})
SEES_DISTRICT = frozenset({"district", "national_admin"})

# Statuses that mean "the page did its work": shown, or done and redirected.
SERVED = frozenset({200, 302})


@dataclass(frozen=True)
class Case:
    """One URL: `gate` may use the page at all (others get 403, whatever the record), `sees`
    are answered (the others 404), a visitor is sent to sign in. `post` is the form a POST
    sends; None: the page takes no POST (405 for everyone). `statuses` and `post_statuses`
    override the answer a role gets."""

    name: str
    url: str
    sees: frozenset[str]
    gate: frozenset[str] = STAFF
    post: Mapping[str, Any] | None = field(default_factory=dict)
    statuses: Mapping[str, int] = field(default_factory=dict)
    post_statuses: Mapping[str, int] = field(default_factory=dict)

    def expected(self, role: str) -> int:
        """The answer to a GET."""
        if role in self.statuses:
            return self.statuses[role]
        if role == "anonymous":
            return 302
        if role not in self.gate:
            return 403
        return 200 if role in self.sees else 404

    def expected_post(self, role: str) -> frozenset[int]:
        """The answers a POST may get: a refusal is the GET's refusal; a served page may
        redirect after doing its work."""
        if role in self.post_statuses:
            return frozenset({self.post_statuses[role]})
        if self.post is None:
            return frozenset({405})
        refused = self.expected(role)
        return SERVED if refused == 200 else frozenset({refused})

    def refuses_post(self, role: str) -> bool:
        return not self.expected_post(role) & SERVED


CaseSource = Callable[[Any], list[Case]]


def fingerprint() -> dict[str, Any]:
    """Every row of every table of sosuckhoe's apps: what a refused POST must leave as it was.
    PostgreSQL hashes each table itself: sending every row to the test twice for every POST
    of every role made the matrix a third of the PostgreSQL suite's time. Elsewhere the rows
    are read as the database holds them: through the ORM, building its query and converting
    every value of some eighty tables took 50 ms, against 4, twice for each refused POST."""
    models = [
        model
        for model in apps.get_models()
        if model.__module__.startswith("sosuckhoe.") and not model._meta.proxy
    ]
    if connection.vendor == "postgresql":
        return _hashed_by_the_server(models)
    quote = connection.ops.quote_name
    rows: dict[str, Any] = {}
    with connection.cursor() as cursor:
        for model in models:
            table, key = quote(model._meta.db_table), quote(model._meta.pk.column)
            cursor.execute(f"SELECT * FROM {table} ORDER BY {key}")
            rows[model._meta.label] = cursor.fetchall()
    return rows


def _hashed_by_the_server(models: list[type[Model]]) -> dict[str, Any]:
    quote = connection.ops.quote_name
    query = " UNION ALL ".join(
        f"SELECT %s, count(*), md5(string_agg(t::text, '|' ORDER BY t.{quote(m._meta.pk.column)}))"
        f" FROM {quote(m._meta.db_table)} t"
        for m in models
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [m._meta.label for m in models])
        return {label: (count, digest) for label, count, digest in cursor.fetchall()}
