from django.urls import reverse

from sosuckhoe.accounts.models import AuditEvent
from sosuckhoe.people.models import DuplicatePair, DuplicatePairStatus, DuplicateRun
from sosuckhoe.testing.factories import PersonFactory


def _pair(cast, score: float, name: str, unit=None) -> DuplicatePair:
    unit = unit or cast.units.commune_a
    first = PersonFactory(home_unit=unit, full_name=name)
    second = PersonFactory(home_unit=unit, full_name=name, phone="")
    return DuplicatePair.objects.create(
        person_a=first,
        person_b=second,
        score=score,
        reasons={"name": "exact", "birth": "swapped", "document": "differs", "phone": "missing"},
    )


def test_the_queue_shows_the_likeliest_pairs_of_the_officers_unit_first_and_audits_them(cast):
    likely = _pair(cast, 0.99, "Vũ Thị Mai")
    less = _pair(cast, 0.85, "Đặng Văn Hải")
    elsewhere = _pair(cast, 0.98, "Lý Văn Tú", unit=cast.units.other_commune)
    page = cast.client_for("commune").get(reverse("console:duplicates")).content.decode()
    assert page.index(str(likely.uuid)) < page.index(str(less.uuid))
    assert str(elsewhere.uuid) not in page
    assert "<mark>" in page
    assert 'class="bad"' in page
    merge = reverse("console:person_merge", args=[likely.person_a.uuid, likely.person_b.uuid])
    assert merge in page
    shown = AuditEvent.objects.get(summary__startswith="possible duplicates").changes["persons"]
    assert set(shown) == {
        str(p.uuid) for pair in (likely, less) for p in (pair.person_a, pair.person_b)
    }


def test_a_dismissed_pair_leaves_the_queue(cast):
    pair = _pair(cast, 0.9, "Vũ Thị Mai")
    client = cast.client_for("province")
    response = client.post(reverse("console:duplicate_dismiss", args=[pair.uuid]))
    assert response.status_code == 302
    pair.refresh_from_db()
    assert pair.status == DuplicatePairStatus.DISMISSED
    assert str(pair.uuid) not in client.get(reverse("console:duplicates")).content.decode()


def test_a_pair_with_a_record_outside_the_officers_unit_is_not_found(cast):
    inside = PersonFactory(home_unit=cast.units.commune_a, full_name="Vũ Thị Mai")
    outside = PersonFactory(home_unit=cast.units.other_commune, full_name="Vũ Thị Mai")
    pair = DuplicatePair.objects.create(person_a=inside, person_b=outside, score=0.9)
    client = cast.client_for("commune")
    assert str(pair.uuid) not in client.get(reverse("console:duplicates")).content.decode()
    response = client.post(reverse("console:duplicate_dismiss", args=[pair.uuid]))
    assert response.status_code == 404


def test_a_province_officer_starts_a_search_of_their_unit_for_a_worker(cast):
    response = cast.client_for("province").post(reverse("console:duplicates_search"))
    assert response.status_code == 302
    run = DuplicateRun.objects.get()
    assert (run.unit, run.status, run.started_by_name) == (
        cast.units.province,
        "pending",
        "province",
    )
