import base64
import os
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.certificates.keys import csca_load
from sosuckhoe.certificates.services import signer_create

CSCA_PASSPHRASE_VARIABLE = "CERTIFICATE_CSCA_KEY_PASSPHRASE"


class Command(BaseCommand):
    help = (
        "Create a document-signer key (EC P-256) and its X.509 certificate, self-signed or "
        "signed by a CSCA, and make it the key that signs new certificates. The keys before it "
        "stay in the trust list. The private key is stored encrypted with "
        "CERTIFICATE_KEY_PASSPHRASE."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, help="validity of the signer certificate")
        parser.add_argument(
            "--type",
            dest="types",
            action="append",
            choices=["v", "t", "r"],
            help="certificate types it may sign (vaccination v, test t, recovery r); default v",
        )
        parser.add_argument("--csca-cert", type=Path, help="CSCA certificate, PEM")
        parser.add_argument(
            "--csca-key",
            type=Path,
            help=f"CSCA private key, PEM (encrypted with ${CSCA_PASSPHRASE_VARIABLE} if set)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["days"] is not None and options["days"] < 1:
            raise CommandError("--days must be at least 1")
        try:
            signer = signer_create(
                actor=Actor.system("signer_create"),
                valid_days=options["days"],
                csca=self._csca(options["csca_cert"], options["csca_key"]),
                types=tuple(options["types"] or ["v"]),
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"Signer key {signer.kid} is active until {signer.not_after:%Y-%m-%d}.")
        self.stdout.write(base64.b64encode(bytes(signer.certificate)).decode("ascii"))

    def _csca(self, certificate: Path | None, key: Path | None) -> Any:
        if certificate is None and key is None:
            return None
        if certificate is None or key is None:
            raise CommandError("--csca-cert and --csca-key go together")
        passphrase = os.environ.get(CSCA_PASSPHRASE_VARIABLE)
        try:
            return csca_load(
                certificate_pem=certificate.read_bytes(),
                key_pem=key.read_bytes(),
                password=passphrase.encode() if passphrase else None,
            )
        except (OSError, ValueError, TypeError) as error:
            raise CommandError(f"The CSCA cannot be read: {error}") from None
