import base64
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from sosuckhoe.certificates.keys import private_key_decrypt
from sosuckhoe.certificates.models import SignerKey

VECTORS = Path(__file__).parent / "data" / "eu-dcc"


def _case(name):
    return json.loads((VECTORS / f"{name}.json").read_text())


def _dcc_verify(*args, database):
    """The command as an operator runs it, on a fresh installation's empty database."""
    return subprocess.run(
        [sys.executable, "manage.py", "dcc_verify", *args],
        cwd=settings.BASE_DIR,
        env=os.environ | {"DATABASE_URL": f"sqlite:///{database}"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _certificate(key):
    return x509.load_der_x509_certificate(bytes(key.certificate))


def test_signer_create_makes_an_encrypted_key_for_vaccinations_and_rotates(db, capsys):
    call_command("signer_create")
    first = SignerKey.objects.get()
    call_command("signer_create", "--days", "30")
    second = SignerKey.objects.get(is_active=True)
    assert second != first
    assert SignerKey.objects.filter(pk=first.pk, is_active=False).exists()
    certificate = _certificate(second)
    usages = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert [u.dotted_string for u in usages] == ["1.3.6.1.4.1.1847.2021.1.2"]
    assert certificate.issuer == certificate.subject
    assert (second.not_after - second.not_before) == dt.timedelta(days=30)
    assert b"PRIVATE" not in bytes(second.private_key)
    with pytest.raises(TypeError):  # no passphrase, no key
        serialization.load_der_private_key(bytes(second.private_key), None)
    assert private_key_decrypt(bytes(second.private_key)).public_key() == (certificate.public_key())
    assert second.kid in capsys.readouterr().out


def test_signer_create_refuses_to_run_without_a_passphrase(db, settings):
    settings.CERTIFICATE_KEY_PASSPHRASE = ""
    with pytest.raises(Exception, match="CERTIFICATE_KEY_PASSPHRASE"):
        call_command("signer_create")
    assert not SignerKey.objects.exists()


def test_signer_create_may_have_the_certificate_signed_by_a_csca(db, tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CSCA VN test")])
    now = dt.datetime.now(dt.UTC)
    csca = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "csca.pem").write_bytes(csca.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "csca.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    call_command(
        "signer_create", "--csca-cert", tmp_path / "csca.pem", "--csca-key", tmp_path / "csca.key"
    )
    certificate = _certificate(SignerKey.objects.get())
    assert certificate.issuer == name
    certificate.verify_directly_issued_by(csca)
    with pytest.raises(CommandError):
        call_command("signer_create", "--csca-cert", tmp_path / "csca.pem")


@pytest.mark.parametrize(("name", "status"), [("AT_1", 0), ("common_CO5", 1), ("common_H1", 1)])
def test_dcc_verify_prints_one_verdict_and_exits_by_it(tmp_path, name, status):
    case = _case(name)
    result = _dcc_verify(
        "--signer-cert",
        case["TESTCTX"]["CERTIFICATE"],
        "--at",
        case["TESTCTX"]["VALIDATIONCLOCK"],
        case["PREFIX"],
        database=tmp_path / "fresh.sqlite3",
    )
    assert result.returncode == status, result.stderr
    verdict = json.loads(result.stdout)
    assert verdict["valid"] is (status == 0)
    assert verdict["decoded"] is (name != "common_H1")
    assert isinstance(verdict["reason"], str)
    assert verdict["reason"]
    if status == 0:
        assert verdict["payload"] == case["JSON"]


@pytest.mark.parametrize(
    "args",
    [
        ["--at", "yesterday", "HC1:X"],
        ["--signer-cert", "not base64!", "HC1:X"],
        ["--signer-cert", base64.b64encode(b"not a certificate").decode(), "HC1:X"],
    ],
)
def test_dcc_verify_refuses_bad_options_as_usage_errors(args, capsys):
    with pytest.raises(CommandError) as error:
        call_command("dcc_verify", *args)
    assert error.value.returncode == 2
    assert capsys.readouterr().out == ""


def test_dcc_verify_exits_2_without_the_text_to_verify(tmp_path):
    result = _dcc_verify("--at", "2021-05-03T18:00:00Z", database=tmp_path / "fresh.sqlite3")
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
