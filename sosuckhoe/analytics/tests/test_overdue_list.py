"""The list of people overdue, by name: equal to the schedule engine's judgement of each
person on record, scoped to the reader and audited, and in agreement with the count."""

import datetime as dt
from collections import Counter

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.accounts.models import AuditEvent
from sosuckhoe.analytics.models import OverdueCount
from sosuckhoe.analytics.overdue import overdue_count
from sosuckhoe.analytics.overdue_selectors import overdue_page, overdue_persons
from sosuckhoe.analytics.warnings import Thresholds, overdue_people
from sosuckhoe.imports.exports import Filters
from sosuckhoe.imports.exports_jobs import export_job_create, export_job_run
from sosuckhoe.imports.models import ExportList
from sosuckhoe.people.models import Person
from sosuckhoe.people.services import person_merge
from sosuckhoe.places.selectors import country_root
from sosuckhoe.supply.schedule import next_dose_due
from sosuckhoe.testing.doses import paper_dose
from sosuckhoe.testing.factories import PersonFactory
from sosuckhoe.vaccination.models import VoidKind
from sosuckhoe.vaccination.services.doses import dose_void
from sosuckhoe.vaccination.services.eligibility import birth_of, prior_doses

SYSTEM = Actor.system("tests")


def _paper(cast, person, lot, site, days_ago):  # type: ignore[no-untyped-def]
    actor = cast.actor("national_admin")
    return paper_dose(actor=actor, person=person, lot=lot, site=site, days_ago=days_ago)


@pytest.fixture
def people(cast, site, site_b, stock):  # type: ignore[no-untyped-def]
    """Residents overdue and not, in both communes of the province and in the other province;
    a dose voided; a duplicate merged away. Named by what they are."""
    comirnaty = stock("comirnaty", number="CO-1", doses=100)
    vaxzevria = stock("vaxzevria", number="VX-1", doses=100, at=site_b)
    a, b, other = cast.units.commune_a, cast.units.commune_b, cast.units.other_commune

    def person(unit, *days_ago, lot=comirnaty, at=site, **fields):  # type: ignore[no-untyped-def]
        resident = PersonFactory(home_unit=unit, birth_date=dt.date(1980, 5, 1), **fields)
        for days in days_ago:
            _paper(cast, resident, lot, at, days)
        return resident

    named = {
        "late_long": person(a, 200),
        "late": person(a, 120),
        "late_vaxzevria": person(a, 150, lot=vaxzevria, at=site_b),
        "recent": person(a, 5),
        "complete": person(a, 120, 90),
        "never": person(a),
        "second_voided": person(a, 130, 100),
        "only_voided": person(a, 130),
        "late_in_b": person(b, 160, lot=vaxzevria, at=site_b),
        "late_elsewhere": person(other, 140, at=site_b),
    }
    for name in ("second_voided", "only_voided"):
        last = named[name].doses.order_by("-given_at").first()
        dose_void(actor=SYSTEM, dose=last, kind=VoidKind.NOT_VALID, reason="Ghi nhầm")
    return named


def _truth(units, today):  # type: ignore[no-untyped-def]
    """Each active resident of the units whose next dose, by their valid doses, is overdue:
    {person id: (kind, number, last day of the window)}."""
    truth = {}
    for person in Person.objects.filter(home_unit__in=units, merged_into__isnull=True):
        due = next_dose_due(birth=birth_of(person), history=prior_doses(person, until=today),
                            on=today)  # fmt: skip
        if due is not None and due.overdue:
            truth[person.pk] = (due.kind, due.number, due.overdue_after)
    return truth


def _listed(rows):  # type: ignore[no-untyped-def]
    return {row.person_id: (row.kind, row.number, row.due_by) for row in rows}


def test_the_list_names_exactly_the_residents_the_schedule_finds_overdue(cast, people):
    today = timezone.localdate()
    overdue_count(actor=SYSTEM, unit=country_root(), on=today)
    province = [cast.units.commune_a, cast.units.commune_b]
    rows = list(overdue_persons(actor=cast.actor("province"), unit=cast.units.province))
    assert _listed(rows) == _truth(province, today)
    listed = {row.person_id for row in rows}
    for name in ("late_long", "late", "late_vaxzevria", "second_voided", "late_in_b"):
        assert people[name].pk in listed, name
    for name in ("recent", "complete", "never", "only_voided", "late_elsewhere"):
        assert people[name].pk not in listed, name
    assert [row.due_by for row in rows] == sorted(row.due_by for row in rows)
    assert rows[0].person_id == people["late_long"].pk
    last = people["second_voided"].doses.filter(voided_at=None).get()
    assert next(r for r in rows if r.person_id == people["second_voided"].pk).last_dose == last


def test_a_commune_officer_lists_their_commune_and_finds_no_other(cast, people):
    today = timezone.localdate()
    overdue_count(actor=SYSTEM, unit=country_root(), on=today)
    commune = cast.actor("commune")
    rows = list(overdue_persons(actor=commune, unit=cast.units.commune_a))
    assert _listed(rows) == _truth([cast.units.commune_a], today)
    for unit in (cast.units.commune_b, cast.units.province, cast.units.other_commune):
        with pytest.raises(Http404):
            overdue_persons(actor=commune, unit=unit)
    with pytest.raises(Http404):
        overdue_persons(actor=cast.actor("province"), unit=cast.units.other_commune)
    with pytest.raises(Http404):
        overdue_persons(actor=cast.actor("analyst"), unit=cast.units.commune_a)


def test_the_list_agrees_with_the_count_dose_by_dose(cast, people):
    today = timezone.localdate()
    total = overdue_count(actor=SYSTEM, unit=country_root(), on=today)
    rows = overdue_persons(actor=cast.actor("national_admin"), unit=country_root())
    listed = Counter((row.unit_id, row.kind, row.number) for row in rows)
    counted = Counter(
        {
            (unit, kind, number): n
            for unit, kind, number, n in OverdueCount.objects.filter(persons__gt=0).values_list(
                "unit_id", "kind", "number", "persons"
            )
        }
    )
    assert listed == counted
    assert sum(listed.values()) == total == OverdueCount.objects.aggregate(n=Sum("persons"))["n"]
    assert total >= 6


def test_a_person_merged_away_or_given_a_dose_since_the_count_leaves_the_list(cast, people, stock):
    counted_on = timezone.localdate() - dt.timedelta(days=2)
    overdue_count(actor=SYSTEM, unit=cast.units.province, on=counted_on)
    keep = PersonFactory(home_unit=cast.units.commune_a, birth_date=dt.date(1980, 5, 1),
                         sex=people["late"].sex)  # fmt: skip
    person_merge(actor=SYSTEM, keep=keep, duplicate=people["late"])
    first = people["late_long"].doses.get()
    _paper(cast, people["late_long"], first.lot, first.site, 1)
    province = cast.actor("province")
    listed = {row.person_id for row in overdue_persons(actor=province, unit=cast.units.province)}
    assert people["late"].pk not in listed
    assert keep.pk not in listed
    assert people["late_long"].pk not in listed
    assert people["late_vaxzevria"].pk in listed
    overdue_count(actor=SYSTEM, unit=cast.units.province, on=timezone.localdate())
    listed = {row.person_id for row in overdue_persons(actor=province, unit=cast.units.province)}
    assert keep.pk in listed
    assert people["late"].pk not in listed


def test_the_list_narrows_to_the_vaccine_of_the_last_dose(cast, people):
    overdue_count(actor=SYSTEM, unit=cast.units.province, on=timezone.localdate())
    vaxzevria = people["late_vaxzevria"].doses.get().product
    rows = overdue_persons(actor=cast.actor("province"), unit=cast.units.province,
                           product=vaxzevria)  # fmt: skip
    assert {row.person_id for row in rows} == {
        people["late_vaxzevria"].pk,
        people["late_in_b"].pk,
    }


def test_a_page_of_the_list_is_audited_as_one_list_of_the_persons_shown(cast, people):
    overdue_count(actor=SYSTEM, unit=cast.units.province, on=timezone.localdate())
    before = AuditEvent.objects.count()
    page = overdue_page(actor=cast.actor("commune"), unit=cast.units.commune_a)
    event = AuditEvent.objects.order_by("-id").first()
    assert AuditEvent.objects.count() == before + 1
    shown = {str(row.person.uuid) for row in page.object_list}
    assert set(event.changes["shown"]) == shown
    assert shown
    assert event.scope_path == cast.units.commune_a.path


def test_the_page_shows_the_people_to_call_and_the_overdue_warning_links_to_it(
    cast, people, django_assert_max_num_queries
):
    today = timezone.localdate()
    overdue_count(actor=SYSTEM, unit=cast.units.province, on=today)
    client = cast.client_for("commune")
    url = reverse("console:overdue")
    with django_assert_max_num_queries(12):
        page = client.get(url).content.decode()
    late = people["late_long"]
    assert late.full_name in page
    assert str(late.birth_year) in page
    position = {name: page.find(f'data-person="{p.uuid}"') for name, p in people.items()}
    assert -1 < position["late_long"] < position["late"]
    assert position["late_in_b"] == position["recent"] == -1
    warning = next(
        c
        for c in overdue_people(today=today, limits=Thresholds())
        if c.unit_id == cast.units.commune_a.pk
    )
    assert warning.link == f"{url}?unit={cast.units.commune_a.code}"
    assert client.get(warning.link).status_code == 200
    assert client.get(f"{url}?unit={cast.units.commune_b.code}").status_code == 404


def test_the_list_exports_with_the_persons_the_page_shows_and_the_days_overdue(cast, people):
    today = timezone.localdate()
    overdue_count(actor=SYSTEM, unit=country_root(), on=today)
    shown = list(overdue_persons(actor=cast.actor("commune"), unit=cast.units.commune_a))
    job = export_job_create(
        actor=cast.actor("commune"),
        list_kind=ExportList.OVERDUE,
        export_format="xlsx",
        filters=Filters(unit=cast.units.commune_a),
        language="en",
    )
    job = export_job_run(job_id=job.pk)
    header, *rows = load_workbook(job.file.path, read_only=True).worksheets[0].values
    assert (header[0], header[-1]) == ("Full name", "Days overdue")
    assert [row[0] for row in rows] == [o.person.full_name for o in shown]
    assert [row[-1] for row in rows] == [(today - o.due_by).days for o in shown]
    with pytest.raises(PermissionDenied):  # the analyst reads no personal data
        export_job_create(
            actor=cast.actor("analyst"),
            list_kind=ExportList.OVERDUE,
            export_format="csv",
            filters=Filters(unit=cast.units.commune_a),
            language="en",
        )
