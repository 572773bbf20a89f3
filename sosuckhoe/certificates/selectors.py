"""What certificates are made of and what verifiers read: the doses a certificate covers,
signer certificates and revoked identifiers. The last two hold no personal data, and the doses
are read for a write service that has checked its scope, so none of these is scoped; a person's
certificate for staff (`certificate_current`, `certificate_person_for_change`) is."""

import base64
from collections.abc import Collection, Sequence
from typing import Any
from uuid import UUID

from cryptography import x509
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from sosuckhoe.accounts.audit import Actor
from sosuckhoe.certificates.keys import certificate_load
from sosuckhoe.certificates.models import (
    Certificate,
    CertificateQuerySet,
    Revocation,
    SignerKey,
)
from sosuckhoe.certificates.outputs import Card, CardDose
from sosuckhoe.certificates.payload import DoseFacts, Holder
from sosuckhoe.people.audit import record_read, records_shown
from sosuckhoe.people.models import Person
from sosuckhoe.people.selectors import person_read
from sosuckhoe.vaccination.models import Dose, VaccinationSession

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
        .filter(person_id__any=frozenset(person_ids))
        .order_by("person_id", "given_at", "id")
        .values_list("person_id", *_DOSE_FACTS)
    )
    facts: dict[int, list[DoseFacts]] = {}
    for person_id, *values in rows:
        facts.setdefault(person_id, []).append(DoseFacts(*values))
    return facts


def holders_unscoped(person_ids: Collection[int]) -> dict[int, Holder]:
    rows = Person.objects.filter(pk__any=frozenset(person_ids)).values_list("pk", *Holder._fields)
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


def certificate_current(*, actor: Actor, person_uuid: UUID) -> Certificate:
    """A person's current certificate for staff who see them, the read of the person audited;
    404 when the person is not theirs or has no current certificate."""
    person = person_read(actor=actor, person_uuid=person_uuid)
    return get_object_or_404(Certificate.objects.current().select_related("person"), person=person)


def certificate_person_for_change(*, actor: Actor, person_uuid: UUID) -> Person:
    """The person a certificate is issued to, within the actor's scope; not found otherwise."""
    return get_object_or_404(Person.objects.visible_to(actor.user), uuid=person_uuid)


def certificate_current_unscoped(person: Person) -> Certificate | None:
    return Certificate.objects.current().filter(person=person).first()


# --- Staff reads: scoped like the person, audited -----------------------------------------


def _visible(actor: Actor) -> CertificateQuerySet:
    persons = Person.objects.visible_to(actor.user)
    return Certificate.objects.filter(person__in=persons).select_related("person__home_unit")


def person_certificates(*, actor: Actor, person: Person) -> list[Certificate]:
    """A person's certificates, the newest first: the current one and those revoked."""
    certificates = list(_visible(actor).filter(person=person).order_by("-issued_at", "-id"))
    records_shown(
        actor=actor,
        object_type="certificate",
        records=certificates,
        summary=f"{person.full_name}: certificates",
        scope_path=person.home_unit.path,
    )
    return certificates


def certificate_read(*, actor: Actor, certificate_uuid: UUID, purpose: str) -> Certificate:
    """A current certificate to hand out (`purpose`: its QR or card); not found when it is
    revoked or its holder is not the reader's to see."""
    return record_read(
        _visible(actor).current().filter(uuid=certificate_uuid).first(),
        actor=actor,
        person=lambda c: c.person,
        object_type="certificate",
        summary=lambda c: f"{c.person.full_name}: {purpose}",
        changes=lambda c: {"person": str(c.person.uuid), "purpose": purpose},
    )


def _session_persons(session: VaccinationSession) -> QuerySet[Dose, Any]:
    """The persons who had a valid dose in the session (its site, day and vaccine)."""
    return (
        Dose.objects.valid()
        .filter(site_id=session.site_id, given_on=session.date, product_id=session.product_id)
        .values("person_id")
    )


def session_certificates(*, actor: Actor, session: VaccinationSession) -> list[Certificate]:
    """The current certificates of the reader's persons vaccinated in the session, by name."""
    certificates = list(
        _visible(actor)
        .current()
        .filter(person_id__in=_session_persons(session))
        .order_by("person__name_key", "person_id")
    )
    records_shown(
        actor=actor,
        object_type="certificate",
        records=certificates,
        summary=f"{session}: certificates",
        scope_path=session.site.unit.path,
    )
    return certificates


def session_persons_uncertified(*, actor: Actor, session: VaccinationSession) -> list[Person]:
    """The reader's persons vaccinated in the session who have no current certificate: for
    the issuing service, which checks and audits each."""
    return list(
        Person.objects.visible_to(actor.user)
        .filter(pk__in=_session_persons(session), merged_into__isnull=True)
        .exclude(pk__in=Certificate.objects.current().values("person_id"))
        .order_by("pk")
    )


def cards_unscoped(certificates: Sequence[Certificate]) -> list[Card]:
    """What the cards of certificates already read say: the holder as signed, and the doses
    each covers (the person's valid doses up to its latest), read in one query."""
    rows = (
        Dose.objects.valid()
        .filter(person_id__in=[c.person_id for c in certificates])
        .order_by("person_id", "given_at", "id")
        .values_list("person_id", "id", "given_on", "product__name", "kind")
    )
    doses: dict[int, list[tuple[int, CardDose]]] = {}
    for person_id, dose_id, given_on, vaccine, kind in rows:
        listed = doses.setdefault(person_id, [])
        listed.append((dose_id, CardDose(len(listed) + 1, given_on, vaccine, kind)))
    return [_card(c, doses.get(c.person_id, [])) for c in certificates]


def _card(certificate: Certificate, doses: list[tuple[int, CardDose]]) -> Card:
    ids = [dose_id for dose_id, _ in doses]
    covered = ids.index(certificate.latest_dose_id) + 1 if certificate.latest_dose_id in ids else 0
    name = certificate.payload["nam"]
    birth = certificate.payload["dob"]
    return Card(
        full_name=" ".join(filter(None, (name.get("fn"), name.get("gn")))),
        birth="/".join(reversed(birth.split("-"))),
        doses=[dose for _, dose in doses[:covered]],
        uvci=certificate.uvci,
        hc1=certificate.hc1,
        issued_at=certificate.issued_at,
        expires_at=certificate.expires_at,
    )
