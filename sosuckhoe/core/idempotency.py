"""Doing a creation at most once per submission key."""

from collections.abc import Callable
from typing import Protocol, TypeVar
from uuid import UUID

from django.db import IntegrityError, transaction

from sosuckhoe.core.models import SubmissionKey


class HasUuid(Protocol):
    uuid: UUID


T = TypeVar("T", bound=HasUuid)


def create_once(key: UUID | None, *, create: Callable[[], T], find: Callable[[UUID], T]) -> T:
    """Run `create` unless a submission with `key` already created something; then `find` it.

    Two submissions at the same moment both run `create`; the key's primary key lets only one
    commit, and the other returns what the first made."""
    if key is None:
        return create()
    try:
        with transaction.atomic():
            done = SubmissionKey.objects.filter(key=key).first()
            if done is not None:
                return find(done.result_uuid)
            result = create()
            SubmissionKey.objects.create(key=key, result_uuid=result.uuid)
            return result
    except IntegrityError:
        return find(SubmissionKey.objects.get(key=key).result_uuid)
