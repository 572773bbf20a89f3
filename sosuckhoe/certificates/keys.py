"""Document-signer keys: EC P-256 keys and their X.509 certificates, key ids, the extended
key usages of the certificate types, and the private keys encrypted at rest."""

import datetime as dt
import hashlib
from functools import lru_cache

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# The extended key usages a document-signer certificate may carry to limit it to certificate
# types (eHN "Technical Specifications for Digital Green Certificates", vol. 1). Some issuers
# used the same arcs under 1.3.6.1.4.1.0.1847 (the test vectors have both).
_EKU_ARC, _EKU_ARC_VARIANT = "1.3.6.1.4.1.1847.2021.1", "1.3.6.1.4.1.0.1847.2021.1"
_EKU_TYPES = {"t": "1", "v": "2", "r": "3"}
EKU_OF_TYPE = {kind: x509.ObjectIdentifier(f"{_EKU_ARC}.{n}") for kind, n in _EKU_TYPES.items()}
_EKUS_OF_TYPE = {
    kind: frozenset(x509.ObjectIdentifier(f"{arc}.{n}") for arc in (_EKU_ARC, _EKU_ARC_VARIANT))
    for kind, n in _EKU_TYPES.items()
}
DCC_EKUS = frozenset().union(*_EKUS_OF_TYPE.values())


def kid_of(certificate_der: bytes) -> bytes:
    """The COSE key id of a signer: the first 8 bytes of the SHA-256 of its DER certificate."""
    return hashlib.sha256(certificate_der).digest()[:8]


@lru_cache(maxsize=256)
def certificate_load(der: bytes) -> x509.Certificate:
    """Kept per process: the trust list names the same few certificates on every call."""
    return x509.load_der_x509_certificate(der)


def certificate_types(certificate: x509.Certificate) -> frozenset[str] | None:
    """The certificate types (v, t, r) a signer may sign; None when its certificate names none
    of the DCC key usages, which allows every type."""
    try:
        usages = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return None
    named = DCC_EKUS.intersection(usages)
    if not named:
        return None
    return frozenset(kind for kind, oids in _EKUS_OF_TYPE.items() if oids & named)


_SIGNATURE_ONLY = x509.KeyUsage(
    digital_signature=True,
    content_commitment=False,
    key_encipherment=False,
    data_encipherment=False,
    key_agreement=False,
    key_cert_sign=False,
    crl_sign=False,
    encipher_only=False,
    decipher_only=False,
)


def signer_key_generate() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def signer_certificate_build(
    *,
    key: ec.EllipticCurvePrivateKey,
    common_name: str,
    not_before: dt.datetime,
    not_after: dt.datetime,
    issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None = None,
    types: tuple[str, ...] = ("v",),
) -> x509.Certificate:
    """A document-signer certificate for `key`, limited to `types`: self-signed, or signed
    by a CSCA given as (certificate, key)."""
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, settings.CERTIFICATE_COUNTRY),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, settings.CERTIFICATE_ISSUER[:64]),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    issuer_name, signing_key = (issuer[0].subject, issuer[1]) if issuer else (subject, key)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(_SIGNATURE_ONLY, critical=True)
        .add_extension(x509.ExtendedKeyUsage([EKU_OF_TYPE[t] for t in types]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    return builder.sign(signing_key, hashes.SHA256())


def csca_load(
    *, certificate_pem: bytes, key_pem: bytes, password: bytes | None
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A country signing CA given as PEM files, to sign document-signer certificates with."""
    certificate = x509.load_pem_x509_certificate(certificate_pem)
    key = serialization.load_pem_private_key(key_pem, password)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ValueError("The CSCA key must be an elliptic-curve key.")
    if key.public_key() != certificate.public_key():
        raise ValueError("The CSCA key does not belong to the CSCA certificate.")
    return certificate, key


def _passphrase() -> bytes:
    value = settings.CERTIFICATE_KEY_PASSPHRASE
    if not value:
        raise ImproperlyConfigured(
            "CERTIFICATE_KEY_PASSPHRASE is required to create or use a certificate signer key"
        )
    return value.encode()


def private_key_encrypt(key: ec.EllipticCurvePrivateKey) -> bytes:
    """The key as encrypted PKCS#8 DER: never stored in clear."""
    return key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(_passphrase()),
    )


@lru_cache(maxsize=8)
def private_key_decrypt(encrypted: bytes) -> ec.EllipticCurvePrivateKey:
    """Kept per process: decrypting runs a deliberately slow key derivation."""
    key = serialization.load_der_private_key(encrypted, _passphrase())
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise ImproperlyConfigured("A certificate signer key is not an elliptic-curve key.")
    return key
