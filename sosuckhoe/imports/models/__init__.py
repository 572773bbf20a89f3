"""The imports' tables, one module per part: imports as jobs (`jobs`), the column mapping saved
per layout (`layouts`), exports as jobs (`exports`)."""

from sosuckhoe.imports.models.jobs import (
    ImportJob,
    ImportJobQuerySet,
    ImportRejection,
    ImportStorage,
    ListKind,
    import_storage,
)

__all__ = [
    "ImportJob",
    "ImportJobQuerySet",
    "ImportRejection",
    "ImportStorage",
    "ListKind",
    "import_storage",
]
