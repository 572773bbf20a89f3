"""Warnings raised once, told once, summed up once a day.

A warning's `key` is unique: a rule that finds the same thing again inserts nothing
(`INSERT … ON CONFLICT DO NOTHING`). Telling its staff is claimed by a conditional UPDATE of
`sent_at`, and the day's digest by the insert of its `WarningDigest` row, each in the
transaction that queues the messages: two workers, or a retried task, send nothing twice.
"""

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sosuckhoe.accounts.audit import Actor, audit_write
from sosuckhoe.accounts.models import AuditAction, Role, StaffUser
from sosuckhoe.analytics.models import Warning, WarningDigest, WarningKind
from sosuckhoe.analytics.warnings import RULES, Candidate, Thresholds, warning_reason
from sosuckhoe.messaging.services import message_queue

# Who is told of a warning of their unit: everyone who acts on it (not analysts).
RECIPIENT_ROLES = (Role.SITE_STAFF, Role.COMMUNE, Role.DISTRICT, Role.PROVINCE)
# Who receives the daily digest of their subtree: the officers who follow it.
DIGEST_ROLES = (Role.COMMUNE, Role.DISTRICT, Role.PROVINCE, Role.NATIONAL_ADMIN)
# Kinds whose staff were told when the record was written (the reaction service tells the
# officers of a serious reaction at once): their warnings are born sent.
TOLD_AT_SOURCE = frozenset({WarningKind.SERIOUS_REACTION})

Rule = Callable[..., list[Candidate]]


def _address(user: StaffUser) -> str:
    return user.phone or user.email


@transaction.atomic
def warnings_raise(*, actor: Actor, candidates: Iterable[Candidate]) -> list[Warning]:
    """Store the candidates no warning has the key of yet; return those this call stored."""
    fresh = {c.key: c for c in candidates}
    taken = set(Warning.objects.filter(key__in=list(fresh)).values_list("key", flat=True))
    now = timezone.now()
    rows = [_row(c, now) for key, c in sorted(fresh.items()) if key not in taken]
    if not rows:
        return []
    Warning.objects.bulk_create(rows, ignore_conflicts=True)  # a concurrent run's are kept
    raised = list(Warning.objects.filter(uuid__in=[row.uuid for row in rows]).order_by("id"))
    audit_write(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="warning",
        summary=f"{len(raised)} warnings raised",
        changes={"warnings": [str(w.uuid) for w in raised]},
    )
    return raised


def _row(candidate: Candidate, now: dt.datetime) -> Warning:
    told = candidate.kind in TOLD_AT_SOURCE
    return Warning(
        kind=candidate.kind,
        unit_id=candidate.unit_id,
        key=candidate.key,
        numbers=candidate.numbers,
        link=candidate.link,
        raised_at=now,
        sent_at=now if told else None,
    )


def warning_recipients(warning: Warning) -> list[StaffUser]:
    """Active staff of the warning's unit who act on it and have a phone or an e-mail."""
    staff = StaffUser.objects.filter(
        is_active=True, unit_id=warning.unit_id, role__in=RECIPIENT_ROLES
    )
    return [user for user in staff.order_by("id") if _address(user)]


def warning_link(warning: Warning) -> str:
    """Where the warning's records are: its own link, or its line on the warnings page."""
    return warning.link or reverse("console:warning", args=[warning.uuid])


@transaction.atomic
def warning_send(*, actor: Actor, warning_id: int) -> int:
    """Tell the staff of the warning's unit, once: the messages it queued (0 when it was
    already sent, by this or another worker)."""
    claimed = Warning.objects.filter(pk=warning_id, sent_at__isnull=True).update(
        sent_at=timezone.now()
    )
    if not claimed:
        return 0
    warning = Warning.objects.get(pk=warning_id)
    recipients = warning_recipients(warning)
    with translation.override(settings.LANGUAGE_CODE):
        subject = str(warning.get_kind_display())
        body = f"{warning_reason(warning)} {warning_link(warning)}"
    for user in recipients:
        message_queue(actor=actor, to=_address(user), subject=subject, body=body)
    warning.recipients = len(recipients)
    warning.save(update_fields=["recipients"])
    return len(recipients)


@dataclass
class RunReport:
    raised: Counter[str] = field(default_factory=Counter)
    messages: int = 0


def warnings_run(
    *,
    actor: Actor,
    today: dt.date | None = None,
    limits: Thresholds | None = None,
    rules: Sequence[Rule] = RULES,
) -> RunReport:
    """Run every rule for the day, store what is new and tell its staff."""
    today = today or timezone.localdate()
    limits = limits or Thresholds.from_settings()
    report = RunReport()
    for rule in rules:
        for warning in warnings_raise(actor=actor, candidates=rule(today=today, limits=limits)):
            report.raised[warning.kind] += 1
            report.messages += warning_send(actor=actor, warning_id=warning.pk)
    return report


# --- The daily digest ---------------------------------------------------------------------


@dataclass(frozen=True)
class DigestLine:
    user: StaffUser
    counts: Counter[str]


def _digest_since(day: dt.date) -> dt.datetime:
    """Since the last digest was sent, or a day before the digest's day when there was none."""
    last = WarningDigest.objects.filter(day__lt=day).order_by("-day").first()
    if last is not None:
        return last.sent_at
    start = dt.datetime.combine(day - dt.timedelta(days=1), dt.time.min)
    return timezone.make_aware(start)


def digest_lines(warnings: Sequence[Warning]) -> list[DigestLine]:
    """Each officer with an address, and the warnings of their subtree by kind."""
    officers = StaffUser.objects.filter(is_active=True, role__in=DIGEST_ROLES).select_related(
        "unit"
    )
    lines = []
    for user in officers.order_by("id"):
        counts = Counter(w.kind for w in warnings if user.works_over(w.unit))
        if counts and _address(user):
            lines.append(DigestLine(user, counts))
    return lines


def _digest_body(line: DigestLine, day: dt.date) -> str:
    kinds = dict(WarningKind.choices)
    parts = [f"{kinds[kind]}: {n}" for kind, n in sorted(line.counts.items())]
    return _("Warnings for %(unit)s, %(day)s: %(counts)s. %(link)s") % {
        "unit": line.user.unit.name,
        "day": day.strftime("%d/%m/%Y"),
        "counts": "; ".join(parts),
        "link": reverse("console:warnings"),
    }


def warnings_digest(*, actor: Actor, day: dt.date | None = None) -> WarningDigest | None:
    """Send each officer the count of the warnings of their subtree raised since the last
    digest; None when the day's digest was already sent."""
    day = day or timezone.localdate()
    try:
        with transaction.atomic():
            return _digest_send(actor, day)
    except IntegrityError:  # the day's row exists: sent by an earlier run or another worker
        return None


def _digest_send(actor: Actor, day: dt.date) -> WarningDigest:
    now = timezone.now()
    digest = WarningDigest.objects.create(day=day, sent_at=now, warnings=0, recipients=0)
    warnings = list(
        Warning.objects.filter(raised_at__gt=_digest_since(day), raised_at__lte=now).select_related(
            "unit"
        )
    )
    lines = digest_lines(warnings)
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Daily digest of warnings")
        for line in lines:
            message_queue(
                actor=actor, to=_address(line.user), subject=subject, body=_digest_body(line, day)
            )
    digest.warnings, digest.recipients = len(warnings), len(lines)
    digest.save(update_fields=["warnings", "recipients"])
    return digest
