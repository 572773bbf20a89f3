"""The warnings pages: the reason in the reader's language, the counts behind a signal, and
the dashboard's panel."""

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from sosuckhoe.analytics.models import ReactionRollup, Warning, WarningKind
from sosuckhoe.analytics.warning_selectors import URGENCY, warnings_latest
from sosuckhoe.supply.models import Product
from sosuckhoe.supply.services import lot_register
from sosuckhoe.vaccination.models import AefiTerm
from sosuckhoe.vaccination.tests.conftest import reference, reference_rows  # noqa: F401

BACKLOG = {"site": "Trạm Y tế Phường Nam Định", "day": "01/11/2026", "tallied": 12, "entered": 10}


def _warning(unit, key, kind=WarningKind.ENTRY_BACKLOG, numbers=BACKLOG, **fields) -> Warning:
    return Warning.objects.create(
        kind=kind, unit=unit, key=key, numbers=numbers, raised_at=timezone.now(), **fields
    )


def test_the_list_shows_the_warnings_of_the_readers_units_with_their_reason(cast):
    own = _warning(cast.units.commune_a, "own", link="/console/sites/")
    _warning(cast.units.other_commune, "foreign")
    page = cast.client_for("commune").get(reverse("console:warnings"), HTTP_ACCEPT_LANGUAGE="vi")
    body = page.content.decode()
    assert str(own.uuid) in body
    assert body.count("data-warning=") == 1
    assert "Trạm Y tế Phường Nam Định, ngày 01/11/2026: sổ kiểm đếm giấy ghi 12 mũi" in body
    assert 'href="/console/sites/"' in body


def test_the_list_narrows_to_one_kind(cast):
    _warning(cast.units.commune_a, "backlog")
    url = reverse("console:warnings") + f"?kind={WarningKind.LOT_EXPIRING}"
    body = cast.client_for("province").get(url).content.decode()
    assert "data-warning=" not in body


@pytest.mark.usefixtures("reference")
def test_a_signals_page_lists_the_reactions_behind_it_in_its_province(cast):
    product = Product.objects.get(key="comirnaty")
    lot = lot_register(
        actor=cast.actor("province"),
        product=product,
        number="C-9",
        expiry_date=timezone.localdate() + dt.timedelta(days=100),
    )
    term = AefiTerm.objects.get(code="S2")
    day = timezone.localdate() - dt.timedelta(days=3)
    for unit, n in ((cast.units.commune_a, 4), (cast.units.other_commune, 7)):
        ReactionRollup.objects.create(
            unit=unit, day=day, product=product, lot=lot, term=term, serious=True, reactions=n
        )
    rows = {
        "product": product.pk,
        "term": term.pk,
        "lot": None,
        "since": str(day),
        "until": str(day),
    }
    numbers = {
        **dict.fromkeys(("subject", "term"), "x"),
        **dict.fromkeys(("a", "b", "c", "d", "prr", "chi2", "days"), 1),
        **dict.fromkeys(("prr_min", "chi2_min", "n_min"), 1),
        "rows": rows,
    }
    warning = _warning(cast.units.province, "signal", WarningKind.REACTION_PRR, numbers)
    page = cast.client_for("analyst").get(reverse("console:warning", args=[warning.uuid]))
    assert [(r.commune, r.lot, r.reactions) for r in page.context["signal_rows"]] == [
        (cast.units.commune_a.name, "C-9", 4)
    ]


def test_the_panel_shows_the_latest_few(cast):
    for n in range(7):
        _warning(cast.units.commune_a, f"w{n}")
    user = cast.users["province"]
    html = render_to_string(
        "console/_warnings_panel.html", {"warnings_panel": warnings_latest(user=user)}
    )
    assert html.count("data-warning=") == 5
    assert reverse("console:warnings") in html


OVERDUE = {"count": 5, "day": "27/11/2026"}
SERIOUS = {"case": "PU-2026-0001", "product": "Comirnaty", "day": "26/11/2026", "terms": "S2"}


def test_the_panel_puts_the_most_urgent_of_the_week_first(cast):
    commune = cast.units.commune_a
    overdue = [_warning(commune, f"o{n}", WarningKind.OVERDUE, OVERDUE) for n in range(6)]
    serious = _warning(commune, "serious", WarningKind.SERIOUS_REACTION, SERIOUS)
    old = _warning(commune, "old", WarningKind.SERIOUS_REACTION, SERIOUS)
    Warning.objects.filter(pk=old.pk).update(raised_at=timezone.now() - dt.timedelta(days=8))
    shown = [row.warning for row in warnings_latest(user=cast.users["province"])]
    assert shown[0] == serious
    assert old not in shown
    assert shown[1:] == sorted(overdue, key=lambda w: (w.raised_at, w.pk), reverse=True)[:4]


def test_every_kind_of_warning_has_its_place_in_the_panel():
    assert sorted(URGENCY) == sorted(WarningKind.values)
