import time
from uuid import RFC_4122

import pytest

from sosuckhoe.core.ids import new_uuid
from sosuckhoe.testing.factories import PersonFactory


def test_new_uuids_are_version_7_in_the_order_they_were_made():
    made = [new_uuid() for _ in range(1000)]
    assert {(u.version, u.variant) for u in made} == {(7, RFC_4122)}
    assert len(set(made)) == 1000
    # Their first 48 bits are the millisecond they were made: later ones sort after.
    time.sleep(0.002)
    assert max(made) < new_uuid()
    assert abs((made[0].int >> 80) - time.time() * 1000) < 60_000


@pytest.mark.django_db
def test_a_new_record_takes_a_time_ordered_uuid(cast):
    person = PersonFactory(home_unit=cast.units.commune_a)
    assert person.uuid.version == 7
