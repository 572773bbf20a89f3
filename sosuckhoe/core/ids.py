"""The public identifier of a new record."""

from uuid import UUID

from uuid_utils.compat import uuid7


def new_uuid() -> UUID:
    """A UUID of version 7 (RFC 9562): its first 48 bits the millisecond of its making, the
    other 74 random. Records made together then lie side by side in every index of their
    uuids (their own, and the audit rows' `object_uuid`), where random ones (version 4) put
    each insert on a random page of indexes larger than memory: an import's audit rows took
    a third less of the server's time with them (docs/performance.md). The time it tells is
    when the record was made, which the record itself says (`created_at`, the audit log);
    the identifiers stay unguessable (74 random bits) and are never a credential: every URL
    that names a record is behind the login and the record's scope."""
    return uuid7()
