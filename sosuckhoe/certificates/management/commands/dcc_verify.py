import base64
import binascii
import json
import sys
from typing import Any

from cryptography import x509
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone, translation

from sosuckhoe.certificates.models import Revocation
from sosuckhoe.certificates.verifier import instant_parse, trust_of, verify

USAGE_ERROR = 2


class Command(BaseCommand):
    help = (
        "Verify the text of an EU DCC QR code (HC1:…) and print one JSON object "
        '{"decoded", "valid", "reason", "reason_code", "payload"}. Exit status: 0 valid, '
        "1 not valid, 2 usage error."
    )

    # Run once per code by a verifier: the project's checks (every URL module and view
    # imported) are not its business and only delay the answer.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("hc1", help="the text of the QR code, HC1:…")
        parser.add_argument(
            "--signer-cert",
            help="trust this signer certificate alone (Base64 DER) instead of the trust list",
        )
        parser.add_argument(
            "--at", help="judge at this ISO 8601 instant (UTC when it has no zone); default now"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        at = self._instant(options["at"])
        if options["signer_cert"] is None:
            verdict = verify(options["hc1"], at=at)
        else:
            trust = trust_of([self._certificate(options["signer_cert"])])
            verdict = verify(options["hc1"], at=at, trust=trust, revoked=self._revoked())
        with translation.override("en"):
            reason = verdict.reason
        self.stdout.write(
            json.dumps(
                {
                    "decoded": verdict.decoded,
                    "valid": verdict.valid,
                    "reason": reason,
                    "reason_code": verdict.reason_code,
                    "payload": verdict.payload,
                },
                ensure_ascii=False,
            )
        )
        if not verdict.valid:
            sys.exit(1)

    def _instant(self, text: str | None) -> Any:
        if text is None:
            return timezone.now()
        try:
            return instant_parse(text)
        except ValueError:
            raise CommandError(
                f"--at is not an ISO 8601 time: {text!r}", returncode=USAGE_ERROR
            ) from None

    def _certificate(self, text: str) -> x509.Certificate:
        try:
            return x509.load_der_x509_certificate(base64.b64decode(text, validate=True))
        except (binascii.Error, ValueError):
            raise CommandError(
                "--signer-cert is not a Base64 DER X.509 certificate", returncode=USAGE_ERROR
            ) from None

    def _revoked(self) -> set[str]:
        """Our revocation list, when this installation has its database: a certificate we
        revoked stays revoked whichever signer certificate it is checked against."""
        if Revocation._meta.db_table not in connection.introspection.table_names():
            return set()
        return set(Revocation.objects.values_list("uci_hash", flat=True))
