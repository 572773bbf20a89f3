from celery import shared_task
from django.utils import timezone

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.analytics.overdue import overdue_count
from sosuckhoe.analytics.subscriptions import reports_send_due
from sosuckhoe.analytics.warning_services import warnings_digest, warnings_run
from sosuckhoe.places.selectors import country_root


@shared_task
def warnings_daily() -> None:
    """The rules, their messages and the digest; safe to run twice (each is sent once)."""
    actor = Actor.system("warnings_daily")
    warnings_run(actor=actor)
    warnings_digest(actor=actor)


@shared_task
def reports_send() -> None:
    """Yesterday's reports to their subscribers; safe to run twice (each day is claimed once)."""
    reports_send_due()


@shared_task
def overdue_daily() -> None:
    """Today's people overdue in every commune (the dashboards and the overdue warning read
    them); safe to run twice (a commune's count of a day replaces the one before)."""
    overdue_count(actor=Actor.system("overdue_daily"), unit=country_root(), on=timezone.localdate())
