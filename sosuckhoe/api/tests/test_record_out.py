"""A record made of plain fields shows every instance with the fields of one template; what it
shows is what fields built for each record show."""

import pytest

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.api.serializers import common
from sosuckhoe.api.serializers.vaccination import DoseOut, ReactionOut
from sosuckhoe.testing.doses import paper_dose
from sosuckhoe.testing.factories import PersonFactory
from sosuckhoe.vaccination.models import VoidKind
from sosuckhoe.vaccination.services import dose_void

SYSTEM = Actor.system("test")


@pytest.fixture
def doses(cast, site, stock):
    lot = stock()
    made = []
    for days_ago in (400, 200, 30):
        person = PersonFactory(home_unit=cast.units.commune_a)
        made.append(paper_dose(actor=SYSTEM, person=person, lot=lot, site=site, days_ago=days_ago))
    made[1] = dose_void(
        actor=SYSTEM, dose=made[1], kind=VoidKind.ENTERED_IN_ERROR, reason="Nhập nhầm người"
    )
    return made


def test_a_plain_record_shares_its_fields_and_a_record_with_a_method_field_does_not():
    assert DoseOut().fields is DoseOut().fields
    assert ReactionOut().fields is not ReactionOut().fields


def test_shared_fields_show_each_record_as_its_own_fields_do(doses, monkeypatch):
    shown = [DoseOut(dose).data for dose in doses]
    monkeypatch.setattr(common, "_BOUND", {})
    monkeypatch.setattr(common, "_PLAIN_FIELDS", ())  # every instance builds its own
    assert DoseOut().fields is not DoseOut().fields
    assert shown == [DoseOut(dose).data for dose in doses]
    assert [row["uuid"] for row in shown] == [str(dose.uuid) for dose in doses]
    assert shown[0]["voided_at"] is None
    assert shown[1]["voided_at"] is not None
