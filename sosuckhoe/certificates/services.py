"""Issuing, re-issuing and revoking certificates, and creating signer keys. Every write is
one transaction with its audit row; a refusal writes nothing."""

import base64
import datetime as dt
from collections.abc import Iterable
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sosuckhoe.accounts.audit import Actor, audit_write
from sosuckhoe.accounts.models import AuditAction
from sosuckhoe.certificates import hcert
from sosuckhoe.certificates.keys import (
    kid_of,
    private_key_decrypt,
    private_key_encrypt,
    signer_certificate_build,
    signer_key_generate,
)
from sosuckhoe.certificates.models import Certificate, Revocation, RevokeReason, SignerKey
from sosuckhoe.certificates.payload import (
    Holder,
    issuer_identity,
    uvci_new,
    vaccination_payload,
)
from sosuckhoe.certificates.selectors import dose_facts_unscoped
from sosuckhoe.certificates.verifier import uci_hash
from sosuckhoe.core.lookups import any_of
from sosuckhoe.core.rows import planned_once
from sosuckhoe.people.models import Person


def _refusal(code: str, message: str) -> ValidationError:
    return ValidationError(message, code=code)


def _manages_signers(actor: Actor) -> bool:
    """The country's signer keys: a command run by the operator, or a national administrator."""
    if actor.user is None:
        return bool(actor.system_name)
    return actor.user.sees_whole_country


@transaction.atomic
def signer_create(
    *,
    actor: Actor,
    valid_days: int | None = None,
    csca: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None = None,
    types: tuple[str, ...] = ("v",),
) -> SignerKey:
    """A new document-signer key, which becomes the active one; the keys before it stay in
    the trust list, so that what they signed still verifies."""
    if not _manages_signers(actor):
        raise _refusal("not_allowed", _("Only a national administrator creates signer keys."))
    key = signer_key_generate()
    not_before = timezone.now().replace(microsecond=0)
    not_after = not_before + dt.timedelta(
        days=valid_days or settings.CERTIFICATE_SIGNER_VALIDITY_DAYS
    )
    certificate = signer_certificate_build(
        key=key,
        common_name=f"DSC {settings.CERTIFICATE_COUNTRY} {not_before:%Y-%m-%d %H%M%S}",
        not_before=not_before,
        not_after=not_after,
        issuer=csca,
        types=types,
    )
    der = certificate.public_bytes(Encoding.DER)
    SignerKey.objects.filter(is_active=True).update(is_active=False)
    signer = SignerKey.objects.create(
        kid=base64.b64encode(kid_of(der)).decode("ascii"),
        certificate=der,
        private_key=private_key_encrypt(key),
        not_before=not_before,
        not_after=not_after,
        is_active=True,
    )
    audit_write(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="signer_key",
        object_uuid=signer.uuid,
        summary=signer.kid,
        changes={"not_after": not_after.isoformat(), "types": list(types)},
    )
    return signer


def _signer_now(at: dt.datetime) -> SignerKey | None:
    """The active signer key, when there is one and its certificate is valid at `at`."""
    signer = SignerKey.objects.filter(is_active=True).first()
    if signer is None or not signer.not_before <= at <= signer.not_after:
        return None
    return signer


def hc1_sign(
    payload: dict[str, Any],
    *,
    signer: SignerKey,
    issued_at: dt.datetime,
    expires_at: dt.datetime,
) -> str:
    """The payload signed by `signer` as the text of a QR code: CWT, COSE, zlib, Base45."""
    claims = hcert.cwt_encode(
        payload,
        issuer=issuer_identity()[0],
        issued_at=issued_at,
        expires_at=expires_at,
    )
    key = private_key_decrypt(bytes(signer.private_key))
    return hcert.hc1_encode(hcert.cose_sign(claims, key=key, kid=base64.b64decode(signer.kid)))


def _without_identifier(payload: dict[str, Any]) -> dict[str, Any]:
    """What a certificate says, less its identifier: new for every certificate."""
    entries = [{k: v for k, v in entry.items() if k != "ci"} for entry in payload["v"]]
    return payload | {"v": entries}


def _revoke(actor: Actor, certificate: Certificate, *, reason: str, at: dt.datetime) -> None:
    """Revoke, publish the hash, and audit it."""
    certificate.revoked_at, certificate.revoke_reason = at, reason
    certificate.save(update_fields=["revoked_at", "revoke_reason"])
    Revocation.objects.create(
        uci_hash=uci_hash(certificate.uvci), kid=certificate.signer.kid, certificate=certificate
    )
    _audit(actor, certificate, AuditAction.UPDATE, revoked=reason)


def _audit(actor: Actor, certificate: Certificate, action: AuditAction, **changes: Any) -> None:
    audit_write(
        actor=actor,
        action=action,
        scope_path=certificate.person.home_unit.path,
        object_type="certificate",
        object_uuid=certificate.uuid,
        summary=certificate.uvci,
        changes=changes,
    )


def _current(person: Person) -> Certificate | None:
    return (
        Certificate.objects.current()
        .select_related("signer", "person__home_unit")
        .filter(person=person)
        .first()
    )


def _issue(*, actor: Actor, person: Person, outdated_ok: bool) -> Certificate | None:
    """The certificate of the person's valid doses now: the current one when it still says
    the same, else a new one that replaces it (revoked); with no valid dose left, the current
    one is revoked and there is none. Without a valid signer key, refused; or, when
    `outdated_ok`, the current one is revoked (a dose is never refused for want of a key)."""
    now = timezone.now().replace(microsecond=0)
    doses, current = dose_facts_unscoped([person.pk]).get(person.pk, []), _current(person)
    if not doses:
        if current is not None:
            _revoke(actor, current, reason=RevokeReason.WITHDRAWN, at=now)
        return None
    uvci = uvci_new(issuer_identity()[0])
    payload = vaccination_payload(holder=Holder.of(person), doses=doses, uvci=uvci)
    if current is not None and _without_identifier(current.payload) == _without_identifier(payload):
        return current
    signer = _signer_now(now)
    if signer is None:
        if not outdated_ok:
            raise _refusal("no_signer", _("No certificate signer key is valid now."))
        if current is not None:
            _revoke(actor, current, reason=RevokeReason.OUTDATED, at=now)
        return None
    expires_at = now + relativedelta(months=settings.CERTIFICATE_VALIDITY_MONTHS)
    if current is not None:
        # The current one first: one unrevoked certificate per person at any moment.
        _revoke(actor, current, reason=RevokeReason.SUPERSEDED, at=now)
    certificate = Certificate.objects.create(
        person=person,
        uvci=uvci,
        hc1=hc1_sign(payload, signer=signer, issued_at=now, expires_at=expires_at),
        payload=payload,
        signer=signer,
        latest_dose_id=doses[-1].dose_id,
        issued_at=now,
        expires_at=expires_at,
    )
    if current is not None:
        current.replaced_by = certificate
        current.save(update_fields=["replaced_by"])
    _audit(actor, certificate, AuditAction.CREATE, replaces=current.uvci if current else None)
    return certificate


def _person_locked(person: Person) -> Person:
    """The person row locked: one person's certificates change one at a time."""
    return (
        Person.objects.select_for_update(of=("self",)).select_related("home_unit").get(pk=person.pk)
    )


@transaction.atomic
def certificate_issue(*, actor: Actor, person: Person) -> Certificate:
    """The person's certificate of their valid doses: the current one when the doses have not
    changed since, else a new one replacing (and revoking) it."""
    person = _person_locked(person)
    if not actor.covers(person.home_unit):
        raise _refusal("outside_unit", _("This record is outside your unit."))
    if person.merged_into_id:
        raise _refusal("person_merged", _("This record was merged into another person's."))
    certificate = _issue(actor=actor, person=person, outdated_ok=False)
    if certificate is None:
        raise _refusal("no_valid_dose", _("The person has no valid dose to certify."))
    return certificate


@transaction.atomic
def certificate_revoke(*, actor: Actor, certificate: Certificate, reason: str) -> Certificate:
    """Revoke a current certificate (issued in error, withdrawn) and publish its hash."""
    certificate = (
        Certificate.objects.select_for_update()
        .select_related("signer", "person__home_unit")
        .get(pk=certificate.pk)
    )
    if not actor.covers(certificate.person.home_unit):
        raise _refusal("outside_unit", _("This record is outside your unit."))
    if certificate.revoked_at is not None:
        raise _refusal("already_revoked", _("This certificate is already revoked."))
    if reason not in RevokeReason.values:
        raise _refusal("revoke_reason_invalid", _("Choose a reason for the revocation."))
    _revoke(actor, certificate, reason=reason, at=timezone.now())
    return certificate


def certificates_withdraw(*, actor: Actor, person: Person) -> None:
    """Revoke the person's current certificate, if any (the person is merged into another),
    inside the caller's transaction, after its own scope check."""
    current = Certificate.objects.current().filter(person=person).first()
    if current is not None:
        _revoke(actor, current, reason=RevokeReason.WITHDRAWN, at=timezone.now())


# No savepoint of its own: it runs inside the dose service's transaction, which a failure
# here ends anyway, and a savepoint was two round trips of every dose.
@transaction.atomic(savepoint=False)
def certificates_refresh(*, actor: Actor, person_ids: Iterable[int]) -> None:
    """Bring the certificates of these persons in line with their valid doses: re-issue (and
    revoke the one before) where the doses changed, revoke where none is left. Persons who
    never had a certificate get none here. Called by the dose services inside their own
    transaction, after their own scope check: a certificate follows the doses it covers."""
    holders = _holders(set(person_ids))
    if not holders:
        return
    persons = Person.objects.filter(pk__any=holders).order_by("pk")
    for person in persons.select_for_update(of=("self",)).select_related("home_unit"):
        _issue(actor=actor, person=person, outdated_ok=True)


def _holders(person_ids: set[int]) -> set[int]:
    """Who of these persons holds a current certificate: a statement written once
    (`core.rows`), as every dose recorded asks it, where the queryset was compiled each time."""
    condition, params = any_of("person_id", list(person_ids), connection.vendor)
    with planned_once(generic=len(person_ids) == 1) as cursor:
        cursor.execute(
            f"SELECT person_id FROM certificates_certificate"
            f" WHERE revoked_at IS NULL AND {condition}",
            params,
        )
        return {person_id for (person_id,) in cursor.fetchall()}
