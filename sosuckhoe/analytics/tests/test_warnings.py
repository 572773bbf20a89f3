"""Each rule of the warnings on records made for it, and the warnings raised, told and
summed up once."""

import dataclasses
import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.analytics.models import (
    DoseRollup,
    OverduePerson,
    ReactionRollup,
    Warning,
    WarningDigest,
    WarningKind,
)
from sosuckhoe.analytics.tasks import warnings_daily
from sosuckhoe.analytics.warning_services import warnings_digest, warnings_raise, warnings_run
from sosuckhoe.analytics.warnings import (
    BackgroundRate,
    Candidate,
    Thresholds,
    background_rates,
    duplicates_waiting,
    entry_backlogs,
    impossible_ages,
    lots_expiring,
    oe_signals,
    overdue_people,
    prr_signals,
    serious_reactions,
    short_intervals,
    stock_outs,
    surges,
    warning_reason,
)
from sosuckhoe.messaging.models import OutboundMessage
from sosuckhoe.people.models import DuplicatePair, DuplicatePairStatus
from sosuckhoe.supply.models import Lot, Product
from sosuckhoe.supply.services import lot_register, stock_use
from sosuckhoe.testing.factories import PersonFactory
from sosuckhoe.vaccination.models import AefiTerm, Dose, Reaction, ReactionOutcome
from sosuckhoe.vaccination.services.doses import dose_record
from sosuckhoe.vaccination.services.reactions import reaction_outcome_set, reaction_record
from sosuckhoe.vaccination.services.tally import tally_enter

SYSTEM = Actor.system("tests")
LIMITS = Thresholds()
ANAPHYLAXIS = BackgroundRate("S2", "anaphylaxis", "per_million_doses", 1.31, 0)


def _reason(candidate: Candidate) -> str:
    """The reason a warning of the candidate would show: every number its text needs."""
    warning = Warning(kind=candidate.kind, unit_id=candidate.unit_id, numbers=candidate.numbers)
    with translation.override("en"):
        return warning_reason(warning)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def lots(reference):
    """Two lots of Comirnaty and one of Spikevax."""
    expiry = timezone.localdate() + dt.timedelta(days=365)

    def lot(key: str, number: str) -> Lot:
        product = Product.objects.get(key=key)
        return lot_register(actor=SYSTEM, product=product, number=number, expiry_date=expiry)

    return {
        "c1": lot("comirnaty", "C-1"),
        "c2": lot("comirnaty", "C-2"),
        "s": lot("spikevax", "S-1"),
    }


@pytest.fixture
def reactions(cast, lots, today):
    """Reaction counts of 10 days ago in the cast's province, {(lot, sign code): n}."""

    def make(counts: dict[tuple[str, str], int], unit=None) -> None:
        terms = dict(AefiTerm.objects.values_list("code", "pk"))
        ReactionRollup.objects.bulk_create(
            ReactionRollup(
                unit=unit or cast.units.commune_a,
                day=today - dt.timedelta(days=10),
                product_id=lots[lot].product_id,
                lot=lots[lot],
                term_id=terms[code],
                serious=code.startswith("S"),
                reactions=n,
            )
            for (lot, code), n in counts.items()
        )

    return make


# --- Reaction signals -----------------------------------------------------------------------


def _kind_of_subject(candidate: Candidate) -> str:
    """ "p" for a product's signal, "l" for a lot's (the key names which)."""
    return candidate.key.split(":")[2][0]


def test_a_sign_reported_far_more_often_after_one_vaccine_is_a_prr_signal(
    cast, lots, reactions, today
):
    # Anaphylaxis in 8 of Comirnaty's 28 reports, in 1 of Spikevax's 101.
    reactions({("c1", "S2"): 8, ("c1", "C1"): 20, ("s", "S2"): 1, ("s", "C1"): 100})
    found = [c for c in prr_signals(today=today, limits=LIMITS) if _kind_of_subject(c) == "p"]
    assert [(c.unit_id, c.numbers["subject"], c.numbers["a"]) for c in found] == [
        (cast.units.province.pk, lots["c1"].product.name, 8)
    ]
    assert found[0].numbers["term"].startswith("S2 ")
    assert "PRR" in _reason(found[0])


def test_a_sign_reported_alike_after_every_vaccine_is_no_prr_signal(reactions, today):
    reactions({("c1", "S2"): 5, ("c1", "C1"): 50, ("s", "S2"): 10, ("s", "C1"): 100})
    assert prr_signals(today=today, limits=LIMITS) == []


def test_a_lot_with_a_sign_its_sister_lot_lacks_is_a_lot_signal(lots, reactions, today):
    # Comirnaty as a whole reports anaphylaxis no more than Spikevax (6/106 against 2/22), but
    # all of it after lot C-1 (6 of its 26 reports, none of C-2's 80).
    reactions(
        {("c1", "S2"): 6, ("c1", "C1"): 20, ("c2", "C1"): 80, ("s", "S2"): 2, ("s", "C1"): 20}
    )
    found = prr_signals(today=today, limits=LIMITS)
    assert [(_kind_of_subject(c), c.numbers["subject"]) for c in found] == [
        ("l", f"{lots['c1'].product.name} C-1")
    ]
    assert found[0].numbers["rows"]["lot"] == lots["c1"].pk


def test_reactions_outside_the_window_raise_no_signal(reactions, today):
    reactions({("c1", "S2"): 8, ("c1", "C1"): 20, ("s", "S2"): 1, ("s", "C1"): 100})
    later = today + dt.timedelta(days=LIMITS.signal_days)
    assert prr_signals(today=later, limits=LIMITS) == []


def _doses(cast, lots, today, n: int) -> None:
    DoseRollup.objects.create(
        unit=cast.units.commune_b,
        day=today - dt.timedelta(days=20),
        product_id=lots["c1"].product_id,
        kind="primary",
        number=1,
        age_band="18-49",
        sex="F",
        priority_group=0,
        doses=n,
    )


def test_ten_anaphylaxis_cases_after_a_million_doses_are_above_the_background(
    cast, lots, reactions, today
):
    _doses(cast, lots, today, 1_000_000)
    reactions({("c1", "S2"): 10})
    found = oe_signals(today=today, limits=LIMITS, rates=[ANAPHYLAXIS])
    assert [(c.unit_id, c.numbers["observed"], c.numbers["expected"]) for c in found] == [
        (cast.units.province.pk, 10, 1.31)
    ]
    assert found[0].numbers["lower"] >= 1
    assert "1.31" in _reason(found[0])


def test_two_anaphylaxis_cases_after_a_million_doses_are_within_the_background(
    cast, lots, reactions, today
):
    _doses(cast, lots, today, 1_000_000)
    reactions({("c1", "S2"): 2})
    assert oe_signals(today=today, limits=LIMITS, rates=[ANAPHYLAXIS]) == []


def test_the_background_rates_in_use_name_coded_signs_and_a_known_basis(reference):
    codes = set(AefiTerm.objects.values_list("code", flat=True))
    assert background_rates()
    for rate in background_rates():
        assert rate.term_code in codes
        assert rate.basis in {"per_million_doses", "per_100k_person_years"}


# --- A serious reaction ---------------------------------------------------------------------


def _dose(cast, lot, site, person=None) -> Dose:
    """A dose of yesterday entered today from the paper record (no screening of today)."""
    return dose_record(
        actor=SYSTEM,
        person=person or PersonFactory(home_unit=cast.units.commune_a),
        product=lot.product,
        lot=lot,
        site=site,
        given_at=timezone.now() - dt.timedelta(days=1),
        late_entry_reason="Nhập bù từ sổ tiêm giấy",
        use_stock=False,
    )


def test_a_serious_reaction_is_a_warning_of_the_persons_commune(cast, site, stock, today):
    dose = _dose(cast, stock(), site)
    reaction = reaction_record(
        actor=SYSTEM, dose=dose, onset_at=timezone.now(), terms=["S2"], reporter_name="Trạm"
    )
    reaction_record(
        actor=SYSTEM, dose=dose, onset_at=timezone.now(), terms=["C1"], reporter_name="Trạm"
    )
    found = serious_reactions(today=today, limits=LIMITS)
    assert [(c.key, c.unit_id) for c in found] == [
        (f"serious_reaction:{reaction.uuid}", cast.units.commune_a.pk)
    ]
    assert str(dose.uuid) in found[0].link
    assert "S2" in _reason(found[0])


def test_a_reaction_made_serious_days_after_its_report_is_a_warning_then(cast, site, stock, today):
    dose = _dose(cast, stock(), site)
    reaction = reaction_record(
        actor=SYSTEM, dose=dose, onset_at=timezone.now(), terms=["C1"], reporter_name="Trạm"
    )
    Reaction.objects.filter(pk=reaction.pk).update(
        reported_at=timezone.now() - dt.timedelta(days=30)
    )
    assert serious_reactions(today=today, limits=LIMITS) == []
    reaction_outcome_set(actor=SYSTEM, reaction=reaction, outcome=ReactionOutcome.SEQUELAE)
    assert [c.key for c in serious_reactions(today=today, limits=LIMITS)] == [
        f"serious_reaction:{reaction.uuid}"
    ]


# --- Stock ----------------------------------------------------------------------------------


def test_a_lot_expiring_soon_with_doses_left_is_a_warning(cast, site, stock, today):
    soon = stock(number="SOON", expiry=today + dt.timedelta(days=10), doses=30)
    stock(number="LATER", expiry=today + dt.timedelta(days=200))
    found = lots_expiring(today=today, limits=LIMITS)
    assert [(c.numbers["lot"], c.numbers["doses"], c.unit_id) for c in found] == [
        (soon.number, 30, cast.units.commune_a.pk)
    ]
    assert "SOON" in _reason(found[0])


def test_stock_that_lasts_fewer_days_than_set_at_the_recent_rate_is_a_warning(site, stock, today):
    lot = stock(doses=40)
    for days_ago in range(1, 8):  # 5 doses a day for a week: 5 left, one day's worth
        stock_use(
            actor=SYSTEM, facility=site, lot=lot, doses=5, on=today - dt.timedelta(days=days_ago)
        )
    limits = dataclasses.replace(LIMITS, use_rate_days=7)
    found = stock_outs(today=today, limits=limits)
    assert [(c.numbers["doses"], c.numbers["rate"], c.numbers["days_left"]) for c in found] == [
        (5, 5.0, 1.0)
    ]
    assert "5.0" in _reason(found[0])


def test_stock_that_lasts_long_enough_is_no_warning(site, stock, today):
    lot = stock(doses=500)
    stock_use(actor=SYSTEM, facility=site, lot=lot, doses=5, on=today - dt.timedelta(days=1))
    assert stock_outs(today=today, limits=LIMITS) == []


# --- People overdue ------------------------------------------------------------------------


def test_a_commune_with_residents_long_overdue_in_the_recent_count_is_a_warning(cast, today):
    fresh, stale = today - dt.timedelta(days=1), today - dt.timedelta(days=9)
    long_ago, lately = today - dt.timedelta(days=60), today - dt.timedelta(days=5)
    for unit, due_by, counted_on in (
        (cast.units.commune_a, long_ago, fresh),
        (cast.units.commune_a, long_ago, fresh),
        (cast.units.commune_a, lately, fresh),  # five days late: not yet
        (cast.units.commune_b, long_ago, stale),  # a count too old to tell
        (cast.units.other_commune, lately, fresh),
    ):
        OverduePerson.objects.create(
            unit=unit,
            person=PersonFactory(home_unit=unit),
            kind="primary",
            number=2,
            due_by=due_by,
            counted_on=counted_on,
        )
    found = overdue_people(today=today, limits=LIMITS)
    assert [(c.unit_id, c.numbers["count"]) for c in found] == [(cast.units.commune_a.pk, 2)]
    assert found[0].link.endswith(f"?unit={cast.units.commune_a.code}")
    assert "2" in _reason(found[0])
    strict = dataclasses.replace(LIMITS, overdue_days=0)
    assert {c.unit_id for c in overdue_people(today=today, limits=strict)} == {
        cast.units.commune_a.pk,
        cast.units.other_commune.pk,
    }


# --- The sites' day -------------------------------------------------------------------------


def test_a_site_whose_tally_of_yesterday_exceeds_its_doses_entered_is_a_warning(
    cast, site, stock, today
):
    yesterday = today - dt.timedelta(days=1)
    lot = stock()
    _dose(cast, lot, site)
    tally_enter(actor=SYSTEM, site=site, day=yesterday, product=lot.product, doses=3)
    found = entry_backlogs(today=today, limits=LIMITS)
    assert [(c.numbers["tallied"], c.numbers["entered"]) for c in found] == [(3, 1)]
    assert found[0].key == f"entry_backlog:{site.pk}:{yesterday.isoformat()}"
    assert "3" in _reason(found[0])


def test_a_site_that_entered_its_whole_tally_is_no_warning(cast, site, stock, today):
    lot = stock()
    _dose(cast, lot, site)
    tally_enter(
        actor=SYSTEM, site=site, day=today - dt.timedelta(days=1), product=lot.product, doses=1
    )
    assert entry_backlogs(today=today, limits=LIMITS) == []


# --- Data quality ---------------------------------------------------------------------------


def test_a_dose_recorded_for_someone_older_than_possible_is_a_data_quality_warning(
    cast, site, stock, today
):
    lot = stock()
    old = PersonFactory(home_unit=cast.units.commune_b, birth_date=None, birth_year=1890)
    _dose(cast, lot, site, person=old)
    _dose(cast, lot, site)
    found = impossible_ages(today=today, limits=LIMITS)
    assert [(c.unit_id, c.numbers["count"]) for c in found] == [(cast.units.commune_b.pk, 1)]
    assert "120" in _reason(found[0])


def test_two_doses_of_a_vaccine_a_week_apart_are_a_data_quality_warning(cast, site, stock, today):
    dose = _dose(cast, stock(), site)
    # A row no service would write today (the schedule refuses it): as an old import left it.
    Dose.objects.create(
        person=dose.person,
        product=dose.product,
        lot=dose.lot,
        site=site,
        given_at=dose.given_at - dt.timedelta(days=7),
        given_on=dose.given_on - dt.timedelta(days=7),
        kind=dose.kind,
        number=1,
        series_doses=dose.series_doses,
    )
    found = short_intervals(today=today, limits=LIMITS)
    assert [(c.unit_id, c.numbers["count"]) for c in found] == [(cast.units.commune_a.pk, 1)]
    assert "14" in _reason(found[0])


def test_duplicate_candidates_waiting_are_a_weekly_warning_of_their_commune(cast, today):
    first, second, third = PersonFactory.create_batch(3, home_unit=cast.units.commune_b)
    DuplicatePair.objects.create(person_a=first, person_b=second, score=0.93)
    DuplicatePair.objects.create(
        person_a=first, person_b=third, score=0.91, status=DuplicatePairStatus.DISMISSED
    )
    found = duplicates_waiting(today=today, limits=LIMITS)
    assert [(c.unit_id, c.numbers["count"]) for c in found] == [(cast.units.commune_b.pk, 1)]
    assert found[0].link.endswith(f"?unit={cast.units.commune_b.code}")
    assert "duplicate" in _reason(found[0])


# --- Surges ---------------------------------------------------------------------------------


def test_a_commune_whose_count_jumps_today_is_a_surge(cast, today):
    series = {
        cast.units.commune_a.pk: [2, 3, 2, 4, 3, 2, 3, 5, 6, 9],
        cast.units.commune_b.pk: [2, 3, 2, 4, 3, 2, 3, 5, 6, 3],
    }
    found = surges(kind=WarningKind.DECLARATION_SURGE, series=series, today=today, limits=LIMITS)
    assert [c.unit_id for c in found] == [cast.units.commune_a.pk]
    assert "EARS C2" in _reason(found[0])


# --- Raised once, told once, summed up once -------------------------------------------------


@pytest.fixture
def officers(cast):
    """The commune officer has a phone; the province officer an e-mail address."""
    commune, province = cast.users["commune"], cast.users["province"]
    commune.phone, commune.email = "+84912345678", ""
    commune.save(update_fields=["phone", "email"])
    province.phone, province.email = "", "tinh@example.vn"
    province.save(update_fields=["phone", "email"])
    return commune, province


def _backlog_rule(cast):
    def rule(*, today: dt.date, limits: Thresholds) -> list[Candidate]:
        numbers = {"site": "Trạm Y tế", "day": "01/11/2026", "tallied": 5, "entered": 2}
        return [Candidate(WarningKind.ENTRY_BACKLOG, cast.units.commune_a.pk, "k:1", numbers, "/x")]

    return rule


def test_a_warning_found_twice_is_raised_and_sent_once(cast, officers, today):
    rules = [_backlog_rule(cast)]
    first = warnings_run(actor=SYSTEM, today=today, rules=rules)
    second = warnings_run(actor=SYSTEM, today=today, rules=rules)
    assert first.raised == {WarningKind.ENTRY_BACKLOG: 1}
    assert first.messages == 1  # the commune's officer; the province is told in the digest
    assert not second.raised
    assert second.messages == 0
    warning = Warning.objects.get()
    assert warning.sent_at is not None
    assert warning.recipients == 1
    message = OutboundMessage.objects.get()
    assert message.to == "+84912345678"
    assert "/x" in message.body


def test_a_serious_reaction_is_born_sent_the_reaction_service_told_its_officers(cast, officers):
    candidate = Candidate(WarningKind.SERIOUS_REACTION, cast.units.commune_a.pk, "k:s", {})
    [warning] = warnings_raise(actor=SYSTEM, candidates=[candidate])
    assert warning.sent_at is not None
    assert not OutboundMessage.objects.exists()


def test_the_digest_tells_each_officer_of_their_subtree_once_a_day(cast, officers, today):
    warnings_run(actor=SYSTEM, today=today, rules=[_backlog_rule(cast)])
    OutboundMessage.objects.all().delete()
    digest = warnings_digest(actor=SYSTEM, day=today)
    assert digest is not None
    assert (digest.warnings, digest.recipients) == (1, 2)
    assert sorted(OutboundMessage.objects.values_list("to", flat=True)) == [
        "+84912345678",
        "tinh@example.vn",
    ]
    assert warnings_digest(actor=SYSTEM, day=today) is None
    assert OutboundMessage.objects.count() == 2
    assert WarningDigest.objects.count() == 1


def test_the_whole_run_on_real_records_raises_what_the_rules_find(
    cast, officers, site, stock, today
):
    stock(number="SOON", expiry=today + dt.timedelta(days=3))
    report = warnings_run(actor=SYSTEM, today=today)
    assert report.raised == {WarningKind.LOT_EXPIRING: 1}
    assert Warning.objects.get().unit == cast.units.commune_a


def test_the_command_runs_the_rules_and_the_digest_once(cast, officers, site, stock, today):
    stock(number="SOON", expiry=today + dt.timedelta(days=3))
    out = StringIO()
    call_command("warnings_run", "--digest", stdout=out)
    call_command("warnings_run", "--digest", stdout=out)
    assert "lot_expiring: 1" in out.getvalue()
    assert "The digest of the day was already sent." in out.getvalue()
    assert Warning.objects.count() == 1


def test_the_beat_schedule_names_the_daily_task(settings):
    assert settings.CELERY_BEAT_SCHEDULE["warnings-daily"]["task"] == warnings_daily.name
