"""Reading warnings: those of the reader's subtree, with their reason in the reader's
language. Warnings name no person (a serious reaction by its case reference), so reading them
leaves no audit row, and analysts read them like the counts."""

import datetime as dt
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.db.models import Case, Sum, Value, When
from django.http import Http404
from django.utils import timezone

from sosuckhoe.analytics.models import ReactionRollup, Warning, WarningKind
from sosuckhoe.analytics.warning_services import TOLD_AT_SOURCE, warning_link
from sosuckhoe.analytics.warnings import warning_reason

LIST_LIMIT = 200
PANEL_DAYS = 7
# The panel's order: harm to a person or an outbreak first, then what stops vaccination
# (stock), then a unit's work (entries, its plan), then the weekly counts of each commune.
URGENCY = (
    WarningKind.SERIOUS_REACTION,
    WarningKind.DECLARATION_SURGE,
    WarningKind.REACTION_PRR,
    WarningKind.REACTION_OE,
    WarningKind.STOCK_OUT,
    WarningKind.LOT_EXPIRING,
    WarningKind.ENTRY_BACKLOG,
    WarningKind.BEHIND_PLAN,
    WarningKind.OVERDUE,
    WarningKind.DATA_QUALITY,
)
SIGNAL_KINDS = (WarningKind.REACTION_PRR, WarningKind.REACTION_OE)


@dataclass(frozen=True)
class WarningRow:
    warning: Warning
    reason: str
    link: str
    told_at_source: bool  # its staff were told by the service that wrote the record


def _row(warning: Warning) -> WarningRow:
    told = warning.kind in TOLD_AT_SOURCE
    return WarningRow(warning, warning_reason(warning), warning_link(warning), told)


def warnings_list(*, user: Any, kind: str = "", limit: int = LIST_LIMIT) -> list[WarningRow]:
    """The latest warnings of the user's subtree, of one kind or all."""
    warnings = Warning.objects.visible_to(user).select_related("unit")
    if kind:
        warnings = warnings.filter(kind=kind)
    return [_row(w) for w in warnings.order_by("-raised_at", "-id")[:limit]]


def warnings_latest(*, user: Any, limit: int = 5) -> list[WarningRow]:
    """The few most urgent, for the dashboard's panel (`console/_warnings_panel.html`): those
    of the last PANEL_DAYS days first, by kind in URGENCY's order (a serious reaction before
    a commune's weekly count of people overdue, of which a province has one a commune), the
    newest first within a kind; older ones after."""
    since = timezone.now() - dt.timedelta(days=PANEL_DAYS)
    recent = Case(When(raised_at__gte=since, then=Value(0)), default=Value(1))
    urgency = Case(
        *(When(kind=kind, then=Value(rank)) for rank, kind in enumerate(URGENCY)),
        default=Value(len(URGENCY)),
    )
    warnings = (
        Warning.objects.visible_to(user)
        .select_related("unit")
        .order_by(recent, urgency, "-raised_at", "-id")
    )
    return [_row(w) for w in warnings[:limit]]


def warning_read(*, user: Any, warning_uuid: UUID) -> WarningRow:
    """One warning of the user's subtree; not found otherwise."""
    warning = Warning.objects.visible_to(user).select_related("unit").filter(uuid=warning_uuid)
    found = warning.first()
    if found is None:
        raise Http404
    return _row(found)


@dataclass(frozen=True)
class SignalRow:
    commune: str
    lot: str
    term: str
    serious: bool
    reactions: int


def signal_rows(warning: Warning, *, limit: int = LIST_LIMIT) -> list[SignalRow]:
    """The counts behind a reaction signal: its reactions per commune, lot, sign and
    seriousness over the signal's dose days, in the warning's province."""
    rows = warning.numbers.get("rows") if warning.kind in SIGNAL_KINDS else None
    if not rows:
        return []
    counts = ReactionRollup.objects.filter(
        unit_id__in=warning.unit.subtree_ids,
        product_id=rows["product"],
        term_id=rows["term"],
        day__range=(dt.date.fromisoformat(rows["since"]), dt.date.fromisoformat(rows["until"])),
    )
    if rows.get("lot"):
        counts = counts.filter(lot_id=rows["lot"])
    sums = (
        counts.values_list("unit__name", "lot__number", "term__code", "serious")
        .annotate(n=Sum("reactions"))
        .order_by("-n", "unit__name")[:limit]
    )
    return [SignalRow(*row) for row in sums if row[4]]
