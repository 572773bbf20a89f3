"""Doing a creation at most once per submission key."""

from collections.abc import Callable, Mapping
from typing import Protocol, TypeVar
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from sosuckhoe.core.models import SubmissionKey


class HasUuid(Protocol):
    uuid: UUID


T = TypeVar("T", bound=HasUuid)


def create_once(
    key: UUID | None, *, owner: str, create: Callable[[], T], find: Callable[[UUID], T]
) -> T:
    """Run `create` unless a submission with `key` already created something; then `find` it.

    Keys belong to the `owner` who sent them: someone else's key is refused, so that a key
    seen in a log or a shared browser reveals nothing. `find` reads within the owner's scope.
    Two submissions at the same moment both run `create`; the key's primary key lets only one
    commit, and the other returns what the first made."""
    if key is None:
        return create()
    try:
        with transaction.atomic():
            done = SubmissionKey.objects.filter(key=key).first()
            if done is not None:
                return _replay(done, owner=owner, find=find)
            result = create()
            SubmissionKey.objects.create(key=key, result_uuid=result.uuid, owner=owner)
            return result
    except IntegrityError:
        return _replay(SubmissionKey.objects.get(key=key), owner=owner, find=find)


def _sent_by_another() -> ValidationError:
    return ValidationError(_("This form was sent by someone else; open it again."))


def _replay(done: SubmissionKey, *, owner: str, find: Callable[[UUID], T]) -> T:
    if done.owner != owner:
        raise _sent_by_another()
    return find(done.result_uuid)


def replayed(done: SubmissionKey, *, owner: str, found: Mapping[UUID, T]) -> T:
    """What create_once answers for a key already used, in a batch: the record it made, from
    `found` (the batch's read of them within the owner's scope); refused as create_once
    refuses it when the key is someone else's or the record is out of the owner's reach."""
    record = found.get(done.result_uuid)
    if done.owner != owner or record is None:
        raise _sent_by_another()
    return record
