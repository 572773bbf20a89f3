"""Migration operations that only one database needs."""

from django.db import migrations


def binary_collation(table: str, column: str, length: int) -> migrations.RunPython:
    """Collate a text column "C" on PostgreSQL, so a plain b-tree index serves both
    `LIKE 'prefix%'` and ORDER BY. SQLite compares bytes already (BINARY)."""

    def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f'ALTER TABLE {table} ALTER COLUMN {column} TYPE varchar({length}) COLLATE "C"'
            )

    def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"ALTER TABLE {table} ALTER COLUMN {column} "
                f'TYPE varchar({length}) COLLATE "default"'
            )

    return migrations.RunPython(forwards, backwards, elidable=False)
