"""Reports e-mailed each day to the addresses a unit's officers listed: the subscriptions
(created and stopped by officers over their subtree) and the sending, run each morning by
Celery beat (`analytics.tasks.reports_send`) or the `report_send` command."""

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sosuckhoe.accounts.audit import Actor, audit_write
from sosuckhoe.accounts.models import AuditAction
from sosuckhoe.analytics.models import ReportKind, ReportSubscription
from sosuckhoe.analytics.reports import Sheet, report_sheet, sheet_pdf, sheet_xlsx
from sosuckhoe.places.models import AdminUnit

logger = logging.getLogger(__name__)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_RECIPIENTS = 20


def _refuse(message: str, code: str, **params: object) -> ValidationError:
    return ValidationError(message, code=code, params=params or None)


def recipients_clean(text: str) -> str:
    """The addresses one per line, each checked; refused when none or too many."""
    addresses = [a.strip().lower() for a in text.replace(",", "\n").replace(";", "\n").split()]
    addresses = list(dict.fromkeys(a for a in addresses if a))
    if not addresses or len(addresses) > MAX_RECIPIENTS:
        raise _refuse(
            _("List between 1 and %(max)s e-mail addresses."), "recipients", max=MAX_RECIPIENTS
        )
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            raise _refuse(
                _("%(address)s is not an e-mail address."), "recipient_invalid", address=address
            ) from None
    return "\n".join(addresses)


def _audit(actor: Actor, subscription: ReportSubscription, action: AuditAction) -> None:
    audit_write(
        actor=actor,
        action=action,
        scope_path=subscription.unit.path,
        object_type="report_subscription",
        object_uuid=subscription.uuid,
        summary=f"{subscription.kind} {subscription.unit.code}",
        changes={
            "kind": subscription.kind,
            "recipients": subscription.addresses,
            "active": subscription.is_active,
        },
    )


@transaction.atomic
@transaction.atomic
def subscription_create(
    *, actor: Actor, kind: str, unit: AdminUnit, recipients: str
) -> ReportSubscription:
    """Send a unit's report each day to the addresses listed."""
    if not actor.covers(unit):
        raise _refuse(_("%(unit)s is outside your unit."), "outside_scope", unit=unit.name)
    subscription = ReportSubscription(
        kind=kind, unit=unit, recipients=recipients_clean(recipients), created_by_name=actor.name
    )
    subscription.full_clean()
    subscription.save()
    _audit(actor, subscription, AuditAction.CREATE)
    return subscription


@transaction.atomic
def subscription_stop(*, actor: Actor, subscription: ReportSubscription) -> ReportSubscription:
    """Send the report no more."""
    if not actor.covers(subscription.unit):
        raise _refuse(
            _("%(unit)s is outside your unit."), "outside_scope", unit=subscription.unit.name
        )
    ReportSubscription.objects.filter(pk=subscription.pk).update(is_active=False)
    subscription.is_active = False
    _audit(actor, subscription, AuditAction.UPDATE)
    return subscription


def report_email(subscription: ReportSubscription, day: dt.date) -> EmailMessage:
    """The e-mail of a subscription's report of a day, in Vietnamese, .xlsx and PDF attached."""
    with translation.override(settings.LANGUAGE_CODE):
        sheet = report_sheet(kind=subscription.kind, unit=subscription.unit, day=day)
        message = EmailMessage(
            subject=f"{sheet.title} — {subscription.unit.name} — {day:%d/%m/%Y}",
            body=_report_body(sheet, subscription),
            to=subscription.addresses,
        )
        message.attach(f"{sheet.filename}.xlsx", sheet_xlsx(sheet), XLSX)
        message.attach(f"{sheet.filename}.pdf", sheet_pdf(sheet), "application/pdf")
    return message


def _report_body(sheet: Sheet, subscription: ReportSubscription) -> str:
    kind = ReportKind(subscription.kind).label
    return "\n".join(
        [
            sheet.title,
            *sheet.lines,
            "",
            _("The report is attached as a spreadsheet (.xlsx) and as PDF."),
            _("You receive it because an officer of %(unit)s listed this address for: %(kind)s.")
            % {"unit": subscription.unit.name, "kind": kind},
        ]
    )


def _claim(subscription: ReportSubscription, day: dt.date) -> bool:
    """Mark the day sent before sending: of two workers, one claims it."""
    not_yet = Q(last_sent_on__isnull=True) | Q(last_sent_on__lt=day)
    claimed = ReportSubscription.objects.filter(not_yet, pk=subscription.pk, is_active=True)
    return claimed.update(last_sent_on=day) == 1


def reports_send_due(*, day: dt.date | None = None) -> int:
    """Send every active subscription's report of `day` (yesterday by default) not sent yet;
    the number sent. A report that fails to leave is given back to the next run."""
    day = day or timezone.localdate() - dt.timedelta(days=1)
    connection = get_connection(settings.REPORT_EMAIL_BACKEND)
    sent = 0
    due = ReportSubscription.objects.filter(is_active=True).select_related("unit")
    for subscription in due.filter(Q(last_sent_on__isnull=True) | Q(last_sent_on__lt=day)):
        if not _claim(subscription, day):
            continue
        try:
            message = report_email(subscription, day)
            message.connection = connection
            message.send()
        except (OSError, ValueError):
            logger.exception("report %s of %s not sent", subscription.pk, day)
            ReportSubscription.objects.filter(pk=subscription.pk, last_sent_on=day).update(
                last_sent_on=subscription.last_sent_on
            )
            continue
        sent += 1
    return sent
