"""The stock ledger is append-only in PostgreSQL itself: a correction is a new line.

Only UPDATE and DELETE are refused, not TRUNCATE, so that the test runner can still empty the
table between transactional tests; SQLite keeps no trigger, because its test flush deletes
rows one by one."""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE FUNCTION supply_stockmovement_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the stock ledger is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER supply_stockmovement_append_only
    BEFORE UPDATE OR DELETE ON supply_stockmovement
    FOR EACH ROW EXECUTE FUNCTION supply_stockmovement_refuse_change();
"""
POSTGRES_BACKWARD = """
DROP TRIGGER supply_stockmovement_append_only ON supply_stockmovement;
DROP FUNCTION supply_stockmovement_refuse_change();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("supply", "0001_products_rules_lots_stock")]
    operations = [migrations.RunPython(forwards, backwards)]
