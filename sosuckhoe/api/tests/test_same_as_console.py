"""The API returns the same data as the console for the same user."""

import pytest
from django.urls import reverse

from sosuckhoe.accounts.models import AuditEvent
from sosuckhoe.vaccination.selectors import person_vaccination_history


@pytest.mark.parametrize("role", ["site_staff", "commune", "province", "national_admin"])
def test_a_persons_doses_via_the_api_are_those_the_console_shows(cast, world, api_for, role):
    client = api_for(role)
    extra = client.post(reverse("api:doses"), world.dose_body(world.dosee), format="json")
    assert extra.status_code == 201
    client.post(
        reverse("api:dose_void", args=[world.dose.uuid]),
        {"kind": "not_valid", "reason": "sai lô"},
        format="json",
    )
    for person in (cast.own_person, world.dosee):
        shown = person_vaccination_history(actor=cast.actor(role), person_uuid=person.uuid)
        api = client.get(reverse("api:person", args=[person.uuid])).json()
        assert [
            (d["uuid"], d["kind"], d["number"], d["voided_at"] is not None) for d in api["doses"]
        ] == [(str(d.uuid), d.kind, d.number, d.voided_at is not None) for d in shown.doses]
        assert api["doses"], "a comparison of two empty lists would prove nothing"
        next_due = shown.next_due
        assert (api["next_due"] or {}).get("due") == (
            next_due.due.isoformat() if next_due else None
        )


def test_the_console_page_and_the_api_show_the_same_doses(cast, world, api_for):
    page = cast.client_for("commune").get(reverse("console:person", args=[cast.own_person.uuid]))
    api = api_for("commune").get(reverse("api:person", args=[cast.own_person.uuid])).json()
    assert page.status_code == 200
    assert [str(d.uuid) for d in page.context["history"].doses] == [d["uuid"] for d in api["doses"]]


def test_a_read_through_the_api_is_audited_like_the_consoles(cast, world, api_for):
    client = api_for("commune")  # making its key is audited too
    before = AuditEvent.objects.count()
    client.get(reverse("api:dose", args=[world.dose.uuid]))
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1
    assert (event.actor_username, event.object_type, event.object_uuid) == (
        "commune",
        "dose",
        world.dose.uuid,
    )
