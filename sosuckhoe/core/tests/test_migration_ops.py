"""Foreign keys whose own index only repeated the first column of another: the migrations
drop those indexes and nothing else (a rebuilt SQLite table would lose its triggers)."""

import pytest
from django.db import DatabaseError, connection, transaction

from sosuckhoe.accounts.models import AuditEvent

DROPPED = {
    "accounts_auditevent": {"accounts_auditevent_actor_id_179eee89"},
    "supply_stockmovement": {
        "supply_stockmovement_facility_id_8fe0e6fa",
        "supply_stockmovement_lot_id_08e64283",
    },
    "vaccination_dose": {
        "vaccination_dose_booking_id_9d2c9890",
        "vaccination_dose_voided_by_id_eeac31b9",
    },
}
KEPT = {
    "accounts_auditevent": {"audit_actor_at"},
    "supply_stockmovement": {
        "stockmovement_facility_lot",
        "stockmovement_lot_at",
        "stockmovement_one_return_per_use",
    },
    "vaccination_dose": {"dose_booking", "dose_voided_by", "dose_person_given"},
}


def _index_names(table: str) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, table))


@pytest.mark.django_db
@pytest.mark.parametrize("table", sorted(DROPPED))
def test_the_repeated_indexes_are_gone_and_the_others_stay(table):
    names = _index_names(table)
    assert not names & DROPPED[table]
    assert KEPT[table] <= names


@pytest.mark.django_db
def test_the_audit_log_is_still_append_only_after_its_index_was_dropped():
    event = AuditEvent.objects.create(actor_username="x", action="create", scope_path="/")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(summary="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
