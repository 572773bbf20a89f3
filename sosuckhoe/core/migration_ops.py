"""Migration operations that only one database needs."""

from django.db import migrations, models

from sosuckhoe.core.ids import new_uuid


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


def foreign_key_index_dropped(
    alter: migrations.AlterField, *, table: str, index: str
) -> migrations.SeparateDatabaseAndState:
    """`alter`, a foreign key's `db_index` turned off, with only its index dropped in the
    database. Django's own AlterField would rebuild a SQLite table whole, which drops the
    triggers that keep the audit log and the stock ledger append-only, and drop and add the
    foreign key again on PostgreSQL, which checks every row of a large table."""
    column = f"{alter.name}_id"
    return migrations.SeparateDatabaseAndState(
        state_operations=[alter],
        database_operations=[
            migrations.RunSQL(
                f'DROP INDEX IF EXISTS "{index}"',
                reverse_sql=f'CREATE INDEX "{index}" ON "{table}" ("{column}")',
            )
        ],
    )


def python_default_changed(*alters: migrations.AlterField) -> migrations.SeparateDatabaseAndState:
    """`alters`, each changing only a field's default, in the migration state alone: Django
    sets such a default on the instance and never in the database, and its own AlterField
    would rebuild a SQLite table whole, which drops the triggers that keep the audit log and
    the stock ledger append-only."""
    return migrations.SeparateDatabaseAndState(state_operations=list(alters))


def uuids_time_ordered(*model_names: str) -> migrations.SeparateDatabaseAndState:
    """The `uuid` field of each model given its default `core.ids.new_uuid`, in the state
    alone (python_default_changed)."""
    field = models.UUIDField(default=new_uuid, editable=False, unique=True)
    return python_default_changed(
        *(
            migrations.AlterField(model_name=name, name="uuid", field=field.clone())
            for name in model_names
        )
    )
