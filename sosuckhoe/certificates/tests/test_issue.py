import base64
import datetime as dt
import hashlib
import re
import zlib

import cbor2
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from sosuckhoe.accounts.models import AuditEvent
from sosuckhoe.certificates.base45 import b45decode
from sosuckhoe.certificates.models import Certificate, Revocation, RevokeReason, SignerKey
from sosuckhoe.certificates.payload import icao_transliterate, luhn_mod_n, name_entry, uvci_new
from sosuckhoe.certificates.services import (
    certificate_issue,
    certificate_revoke,
    certificates_refresh,
)
from sosuckhoe.certificates.tests.conftest import SYSTEM
from sosuckhoe.certificates.verifier import verify
from sosuckhoe.people.services import person_merge, person_update
from sosuckhoe.supply.models import Lot, Product
from sosuckhoe.testing.factories import PersonFactory
from sosuckhoe.vaccination.models import Dose, VoidKind
from sosuckhoe.vaccination.services.batch import DoseItem, doses_record_batch
from sosuckhoe.vaccination.services.doses import dose_void


def _cose(hc1):
    return cbor2.loads(zlib.decompress(b45decode(hc1.removeprefix("HC1:"))))


def test_names_are_transliterated_as_icao_9303_writes_them():
    assert icao_transliterate("Nguyễn Thị Đào") == "NGUYEN<THI<DAO"
    assert icao_transliterate("Lê-Hoàng  Ánh") == "LE<HOANG<ANH"
    assert name_entry("Trần Văn Đức") == {
        "fn": "Trần",
        "fnt": "TRAN",
        "gn": "Văn Đức",
        "gnt": "VAN<DUC",
    }
    assert name_entry("Hùng") == {"fn": "Hùng", "fnt": "HUNG"}


def test_the_uvci_check_character_is_luhn_mod_n_as_the_ehn_guidelines_give_it():
    # The worked example of the DCC schema FAQ ("UVCI checksum").
    assert luhn_mod_n("URN:UVCI:01:NL:187/37512422923") == "Z"
    uvci = uvci_new("VN")
    assert re.fullmatch(r"URN:UVCI:01:VN:[0-9A-F]{32}#[A-Z0-9/:]", uvci)
    assert luhn_mod_n(uvci[:-2]) == uvci[-1]
    assert uvci_new("VN") != uvci
    with pytest.raises(ValueError, match="not a UVCI character"):
        luhn_mod_n("URN:UVCI:01:VN:abc")


def _luhn_by_the_letter(text: str) -> str:
    """The guidelines' algorithm step by step: from the right, every other value doubled and
    its base-n digits added; the check character brings the sum to a multiple of n."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/:"
    n, total = len(alphabet), 0
    for position, char in enumerate(reversed(text)):
        addend = alphabet.index(char) * (2 if position % 2 == 0 else 1)
        total += addend // n + addend % n
    return alphabet[-total % n]


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/:", max_size=80))
def test_the_check_character_is_the_one_the_guidelines_compute(text):
    assert luhn_mod_n(text) == _luhn_by_the_letter(text)


def test_a_certificate_covers_the_latest_valid_dose_and_verifies(cast, signer, vaccinated):
    certificate = certificate_issue(actor=cast.actor("commune"), person=vaccinated)
    latest = Dose.objects.valid().filter(person=vaccinated).latest("given_at")
    entry = certificate.payload["v"][0]
    assert certificate.latest_dose == latest
    assert entry == {
        "tg": "840539006",
        "vp": "1119349007",
        "mp": "EU/1/20/1528",
        "ma": "ORG-100030215",
        "dn": 2,
        "sd": latest.series_doses,
        "dt": latest.given_on.isoformat(),
        "co": "VN",
        "is": "Ministry of Health of Viet Nam",
        "ci": certificate.uvci,
    }
    assert certificate.payload["nam"]["fnt"] == "NGUYEN"
    assert certificate.payload["dob"] == "1985-04-12"
    verdict = verify(certificate.hc1, at=timezone.now())
    assert (verdict.valid, verdict.reason_code) == (True, "valid")
    assert verdict.payload == certificate.payload


def test_the_issuer_named_in_the_settings_is_the_one_certified(cast, signer, vaccinated, settings):
    settings.CERTIFICATE_ISSUER = "Sở Y tế Ninh Bình"
    certificate = certificate_issue(actor=cast.actor("commune"), person=vaccinated)
    assert certificate.payload["v"][0]["is"] == "Sở Y tế Ninh Bình"
    assert cbor2.loads(_cose(certificate.hc1).value[2])[1] == "VN"


def test_the_signed_message_is_a_tagged_cose_sign1_by_es256_with_the_signers_kid(
    cast, signer, vaccinated
):
    certificate = certificate_issue(actor=cast.actor("commune"), person=vaccinated)
    cose = _cose(certificate.hc1)
    assert cose.tag == 18
    protected = cbor2.loads(cose.value[0])
    assert protected == {1: -7, 4: hashlib.sha256(bytes(signer.certificate)).digest()[:8]}
    assert len(cose.value[3]) == 64  # r || s
    claims = cbor2.loads(cose.value[2])
    assert claims[1] == "VN"
    assert claims[6] == int(certificate.issued_at.timestamp())
    assert claims[4] == int(certificate.expires_at.timestamp())
    assert certificate.expires_at.date() == (certificate.issued_at + dt.timedelta(days=365)).date()
    assert claims[-260][1] == certificate.payload


def test_issuing_again_without_a_change_keeps_the_certificate(cast, signer, vaccinated):
    first = certificate_issue(actor=cast.actor("commune"), person=vaccinated)
    assert certificate_issue(actor=cast.actor("province"), person=vaccinated) == first
    assert Certificate.objects.count() == 1


def test_an_added_dose_reissues_and_revokes_the_previous_certificate(
    cast, signer, vaccinated, give
):
    first = certificate_issue(actor=cast.actor("commune"), person=vaccinated)
    give(vaccinated, 1)  # dose_record re-issues in its own transaction
    first.refresh_from_db()
    second = Certificate.objects.current().get(person=vaccinated)
    assert second.payload["v"][0]["dn"] == 3
    assert (first.revoke_reason, first.replaced_by) == (RevokeReason.SUPERSEDED, second)
    assert Revocation.objects.filter(certificate=first).exists()
    assert verify(first.hc1, at=timezone.now()).reason_code == "revoked"
    assert verify(second.hc1, at=timezone.now()).valid


def test_a_voided_dose_reissues_and_the_last_void_withdraws(cast, signer, vaccinated):
    first = certificate_issue(actor=cast.actor("commune"), person=vaccinated)
    doses = list(Dose.objects.valid().filter(person=vaccinated).order_by("given_at"))
    dose_void(actor=cast.actor("commune"), dose=doses[1], kind=VoidKind.NOT_VALID, reason="Sai lô")
    second = Certificate.objects.current().get(person=vaccinated)
    assert second != first
    assert second.payload["v"][0]["dn"] == 1
    dose_void(actor=cast.actor("commune"), dose=doses[0], kind=VoidKind.NOT_VALID, reason="Sai lô")
    second.refresh_from_db()
    assert second.revoke_reason == RevokeReason.WITHDRAWN
    assert not Certificate.objects.current().filter(person=vaccinated).exists()


def test_without_a_valid_signer_a_refresh_revokes_and_an_issue_is_refused(
    cast, signer, vaccinated, give
):
    first = certificate_issue(actor=cast.actor("commune"), person=vaccinated)
    now = timezone.now()
    SignerKey.objects.update(
        not_before=now - dt.timedelta(days=2), not_after=now - dt.timedelta(days=1)
    )
    give(vaccinated, 1)
    certificates_refresh(actor=SYSTEM, person_ids=[vaccinated.pk])
    first.refresh_from_db()
    assert first.revoke_reason == RevokeReason.OUTDATED
    with pytest.raises(ValidationError) as error:
        certificate_issue(actor=cast.actor("commune"), person=vaccinated)
    assert error.value.code == "no_signer"


def test_refreshing_leaves_persons_without_a_certificate_without_one(cast, signer, vaccinated):
    certificates_refresh(actor=SYSTEM, person_ids=[vaccinated.pk])
    assert not Certificate.objects.exists()


def test_issuing_writes_an_audit_row_in_the_persons_unit(cast, signer, vaccinated):
    certificate = certificate_issue(actor=cast.actor("commune"), person=vaccinated)
    event = AuditEvent.objects.get(object_uuid=certificate.uuid)
    assert (event.action, event.scope_path, event.actor) == (
        "create",
        cast.units.commune_a.path,
        cast.users["commune"],
    )


@pytest.mark.parametrize(
    ("role", "code"), [("commune_other", "outside_unit"), ("analyst", "outside_unit")]
)
def test_staff_outside_the_persons_unit_may_not_issue(cast, signer, vaccinated, role, code):
    audits = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        certificate_issue(actor=cast.actor(role), person=vaccinated)
    assert error.value.code == code
    assert (Certificate.objects.count(), AuditEvent.objects.count()) == (0, audits)


def test_a_person_without_a_valid_dose_gets_no_certificate(cast, signer):
    with pytest.raises(ValidationError) as error:
        certificate_issue(actor=cast.actor("commune"), person=cast.own_person)
    assert error.value.code == "no_valid_dose"


def test_without_a_signer_key_nothing_is_issued(cast, vaccinated):
    with pytest.raises(ValidationError) as error:
        certificate_issue(actor=cast.actor("commune"), person=vaccinated)
    assert error.value.code == "no_signer"
    assert not Certificate.objects.exists()


def test_a_revoked_certificate_is_published_and_refused(cast, signer, vaccinated, client):
    certificate = certificate_issue(actor=cast.actor("commune"), person=vaccinated)
    certificate_revoke(actor=cast.actor("commune"), certificate=certificate, reason="error")
    digest = hashlib.sha256(certificate.uvci.encode()).digest()[:16]
    assert Revocation.objects.get().uci_hash == base64.b64encode(digest).decode()
    assert verify(certificate.hc1, at=timezone.now()).reason_code == "revoked"
    with pytest.raises(ValidationError) as error:
        certificate_revoke(actor=cast.actor("commune"), certificate=certificate, reason="error")
    assert error.value.code == "already_revoked"


def test_doses_entered_in_a_batch_reissue_the_certificate(cast, signer, vaccinated, site):
    first = certificate_issue(actor=cast.actor("commune"), person=vaccinated)
    product = Product.objects.get(key="comirnaty")
    item = DoseItem(
        person=vaccinated,
        product=product,
        lot=Lot.objects.filter(product=product).get(),
        site=site,
        given_at=timezone.now() - dt.timedelta(days=1),
        late_entry_reason="Nhập bù từ sổ tiêm giấy",
    )
    (result,) = doses_record_batch(actor=cast.actor("commune"), items=[item], use_stock=False)
    assert result.accepted, result.error
    first.refresh_from_db()
    assert first.revoke_reason == RevokeReason.SUPERSEDED
    assert Certificate.objects.current().get(person=vaccinated).payload["v"][0]["dn"] == 3


def test_a_corrected_name_reissues_the_certificate(cast, signer, vaccinated):
    first = certificate_issue(actor=cast.actor("commune"), person=vaccinated)
    person_update(actor=cast.actor("commune"), person=vaccinated, full_name="Lê Thị Hồng Nhung")
    first.refresh_from_db()
    assert first.revoke_reason == RevokeReason.SUPERSEDED
    current = Certificate.objects.current().get(person=vaccinated)
    assert current.payload["nam"]["fn"] == "Lê"
    assert current.payload["nam"]["gnt"] == "THI<HONG<NHUNG"


def test_a_merge_withdraws_the_duplicates_certificate_and_reissues_the_kept_ones(
    cast, signer, vaccinated, give
):
    duplicate = PersonFactory(
        home_unit=vaccinated.home_unit,
        full_name=vaccinated.full_name,
        sex=vaccinated.sex,
        birth_date=vaccinated.birth_date,
        birth_year=vaccinated.birth_year,
        id_kind="none",
        id_number="",
    )
    give(duplicate, 100)
    kept = certificate_issue(actor=cast.actor("commune"), person=vaccinated)
    retired = certificate_issue(actor=cast.actor("commune"), person=duplicate)
    person_merge(actor=cast.actor("commune"), keep=vaccinated, duplicate=duplicate)
    kept.refresh_from_db()
    retired.refresh_from_db()
    assert retired.revoke_reason == RevokeReason.WITHDRAWN
    assert kept.revoke_reason == RevokeReason.SUPERSEDED
    assert Certificate.objects.current().get(person=vaccinated).payload["v"][0]["dn"] == 3
