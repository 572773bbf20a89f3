"""What certificates are made of and what verifiers read: the doses a certificate covers,
signer certificates and revoked identifiers. The last two hold no personal data, and the doses
are read for a write service that has checked its scope, so none of these is scoped."""

import base64
from collections.abc import Collection
from typing import Any

from cryptography import x509

from sosuckhoe.certificates.keys import certificate_load
from sosuckhoe.certificates.models import Revocation, SignerKey
from sosuckhoe.certificates.payload import DoseFacts, Holder
from sosuckhoe.people.models import Person
from sosuckhoe.vaccination.models import Dose

_DOSE_FACTS = (
    "id",
    "given_on",
    "series_doses",
    "product__vaccine_type",
    "product__dcc_code",
    "product__holder",
)


def dose_facts_unscoped(person_ids: Collection[int]) -> dict[int, list[DoseFacts]]:
    """The valid doses of these persons in the order given, in one query, by person."""
    rows = (
        Dose.objects.valid()
        .filter(person_id__in=list(person_ids))
        .order_by("person_id", "given_at", "id")
        .values_list("person_id", *_DOSE_FACTS)
    )
    facts: dict[int, list[DoseFacts]] = {}
    for person_id, *values in rows:
        facts.setdefault(person_id, []).append(DoseFacts(*values))
    return facts


def holders_unscoped(person_ids: Collection[int]) -> dict[int, Holder]:
    rows = Person.objects.filter(pk__in=list(person_ids)).values_list("pk", *Holder._fields)
    return {pk: Holder(*values) for pk, *values in rows}


def trust_list_unscoped() -> dict[bytes, list[x509.Certificate]]:
    """Every signer certificate by key id, the retired ones too: what they signed still
    verifies until it expires."""
    trust: dict[bytes, list[x509.Certificate]] = {}
    for kid, der in SignerKey.objects.values_list("kid", "certificate"):
        trust.setdefault(base64.b64decode(kid), []).append(certificate_load(bytes(der)))
    return trust


def any_revoked_unscoped(uci_hashes: Collection[str]) -> bool:
    return Revocation.objects.filter(uci_hash__in=list(uci_hashes)).exists()


def trust_list_document() -> dict[str, Any]:
    """The public trust list: each signer's certificate (Base64 DER) by key id (Base64)."""
    rows = SignerKey.objects.order_by("created_at", "id").values_list(
        "kid", "certificate", "not_before", "not_after", "is_active"
    )
    return {
        "certificates": [
            {
                "kid": kid,
                "certificate": base64.b64encode(bytes(der)).decode("ascii"),
                "not_before": not_before.isoformat(),
                "not_after": not_after.isoformat(),
                "active": active,
            }
            for kid, der, not_before, not_after, active in rows
        ]
    }


def revocation_list_document() -> dict[str, Any]:
    """The public revocation list, one batch of "UCI" hashes per signer key id, as the EU
    revocation lists group them."""
    batches: dict[str, list[dict[str, str]]] = {}
    for kid, uci_hash in Revocation.objects.order_by("id").values_list("kid", "uci_hash"):
        batches.setdefault(kid, []).append({"hash": uci_hash})
    return {
        "batches": [
            {"kid": kid, "hashType": "UCI", "entries": entries}
            for kid, entries in sorted(batches.items())
        ]
    }
