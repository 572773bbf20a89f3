"""The audit log: province officers and national administrators, scoped to their unit."""

from django.urls import reverse

from sosuckhoe.console.tests.matrix import AUDIT_READERS, Case


def cases(cast) -> list[Case]:
    url = reverse("console:audit_log")
    return [Case("console:audit_log", url, AUDIT_READERS, AUDIT_READERS, post=None)]
