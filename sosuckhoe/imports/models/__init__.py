"""The imports' tables, one module per part: imports as jobs (`jobs`), the column mapping saved
per layout (`layouts`), exports as jobs (`exports`)."""

from sosuckhoe.imports.models.exports import ExportFormat, ExportJob, ExportList
from sosuckhoe.imports.models.jobs import (
    ImportJob,
    ImportJobPart,
    ImportJobQuerySet,
    ImportRejection,
    ImportStorage,
    ListKind,
    import_storage,
)
from sosuckhoe.imports.models.layouts import ImportLayout

__all__ = [
    "ExportFormat",
    "ExportJob",
    "ExportList",
    "ImportJob",
    "ImportJobPart",
    "ImportJobQuerySet",
    "ImportLayout",
    "ImportRejection",
    "ImportStorage",
    "ListKind",
    "import_storage",
]
