"""Issuing and verifying EU DCC vaccination certificates on one core, against raw ECDSA P-256
signing and verifying of the very same bytes in the same run.

    make bench B=certificates
    BENCH_PERSONS=5000 make bench B=certificates     # a quick try

Persons (BENCH_PERSONS, default 20,000) are reused from the table or generated, with their
campaign histories, as for bench/doses.py. Then, for BENCH_CERTIFICATES persons who have doses
(default 2,000), each round measures, one after the other:
1. issue: the persons and their valid doses read from the tables (500 persons a query), the
   payload, CBOR, the ES256 signature, zlib and Base45 — certificate_issue less its writes;
2. raw sign: `sign` of each certificate's COSE Sig_structure with the same key;
3. verify: every step of `verify` (prefix to revocation, the JSON schema included) against
   the trust and revocation lists held in memory, as an offline verifier holds them;
4. raw verify: `verify` of each signature over its Sig_structure.
The figures are the medians of BENCH_ROUNDS rounds (default 5), in operations per second;
each ratio is the median of the rounds' own ratios.

Environment: DATABASE_URL, BENCH_PERSONS, BENCH_CERTIFICATES, BENCH_ROUNDS.
"""

import os
import statistics
from collections.abc import Callable, Iterable

from _api import reference_load
from _common import bench_line, bench_persons_wanted, django_ready, timed
from doses import doses_ensure
from search import persons_ensure

CHUNK = 500  # persons whose doses are read in one query


def person_ids(count: int) -> list[int]:
    from sosuckhoe.vaccination.models import Dose

    ids = Dose.objects.valid().order_by("person_id").values_list("person_id", flat=True)
    return list(ids.distinct()[:count])


def issue_all(ids: list[int], signer: object) -> list[str]:
    """Each person's certificate text, from the doses in the table."""
    from dateutil.relativedelta import relativedelta
    from django.utils import timezone

    from sosuckhoe.certificates.payload import uvci_new, vaccination_payload
    from sosuckhoe.certificates.selectors import dose_facts_unscoped, holders_unscoped
    from sosuckhoe.certificates.services import hc1_sign

    now = timezone.now()
    expires_at = now + relativedelta(months=12)
    texts = []
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        holders, doses = holders_unscoped(chunk), dose_facts_unscoped(chunk)
        for pk, holder in holders.items():
            payload = vaccination_payload(holder=holder, doses=doses[pk], uvci=uvci_new())
            texts.append(hc1_sign(payload, signer=signer, issued_at=now, expires_at=expires_at))
    return texts


def signed_parts(texts: Iterable[str]) -> list[tuple[bytes, bytes]]:
    """(Sig_structure, DER signature) of each certificate: what the raw operations get."""
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    from sosuckhoe.certificates import hcert

    parts = []
    for text in texts:
        cose = hcert.cose_parse(hcert.inflate(hcert.base45_decode(hcert.unprefix(text))))
        r, s = cose.signature[:32], cose.signature[32:]
        signature = encode_dss_signature(int.from_bytes(r, "big"), int.from_bytes(s, "big"))
        parts.append((cose.to_be_signed(), signature))
    return parts


def rate(count: int, work: Callable[[], object]) -> float:
    return count / timed(work)


def main() -> None:
    django_ready()
    wanted = int(os.environ.get("BENCH_CERTIFICATES", 2000))
    rounds = int(os.environ.get("BENCH_ROUNDS", 5))
    reference_load()
    persons_ensure(bench_persons_wanted(20_000))
    doses_ensure()

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from django.utils import timezone

    from sosuckhoe.accounts.audit import Actor
    from sosuckhoe.certificates.keys import private_key_decrypt
    from sosuckhoe.certificates.models import Revocation, SignerKey
    from sosuckhoe.certificates.selectors import trust_list_unscoped
    from sosuckhoe.certificates.services import signer_create
    from sosuckhoe.certificates.verifier import verify

    signer = SignerKey.objects.filter(is_active=True).first() or signer_create(
        actor=Actor.system("bench")
    )
    key = private_key_decrypt(bytes(signer.private_key))
    public_key, ecdsa = key.public_key(), ec.ECDSA(hashes.SHA256())
    ids = person_ids(wanted)
    texts = issue_all(ids, signer)  # warms the caches: key, schema, Base45 table
    parts = signed_parts(texts)
    trust = trust_list_unscoped()
    revoked = set(Revocation.objects.values_list("uci_hash", flat=True))
    now = timezone.now()
    print(f"{len(texts):,} certificates of about {len(texts[0])} characters", flush=True)
    if not all(verify(text, at=now, trust=trust, revoked=revoked).valid for text in texts):
        raise SystemExit("an issued certificate does not verify")

    figures: dict[str, list[float]] = {}
    for _ in range(rounds):
        measured = {
            "issue": rate(len(texts), lambda: issue_all(ids, signer)),
            "raw_sign": rate(len(parts), lambda: [key.sign(tbs, ecdsa) for tbs, _ in parts]),
            "verify": rate(
                len(texts),
                lambda: [verify(text, at=now, trust=trust, revoked=revoked) for text in texts],
            ),
            "raw_verify": rate(
                len(parts), lambda: [public_key.verify(sig, tbs, ecdsa) for tbs, sig in parts]
            ),
        }
        print("  " + "  ".join(f"{k}={v:,.0f}/s" for k, v in measured.items()), flush=True)
        for name, value in measured.items():
            figures.setdefault(name, []).append(value)
    median = {name: statistics.median(values) for name, values in figures.items()}
    # Each ratio from the figures of one round, measured within seconds of each other: the
    # machine's load moves both alike.
    ratios = {
        side: statistics.median(
            mine / raw_rate
            for mine, raw_rate in zip(figures[side], figures[f"raw_{raw}"], strict=True)
        )
        for side, raw in (("issue", "sign"), ("verify", "verify"))
    }
    print(
        bench_line(
            "certificates",
            issue_per_s=round(median["issue"]),
            raw_sign_per_s=round(median["raw_sign"]),
            issue_ratio=ratios["issue"],
            verify_per_s=round(median["verify"]),
            raw_verify_per_s=round(median["raw_verify"]),
            verify_ratio=ratios["verify"],
        )
    )


if __name__ == "__main__":
    main()
