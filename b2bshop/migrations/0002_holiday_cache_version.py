"""Holidays join the versioned tables: the delivery calendar is cached per process (orders.services.calendar)."""

from django.db import migrations

TRIGGER = (
    "CREATE TRIGGER b2bshop_cache_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON orders_holiday "
    "FOR EACH STATEMENT EXECUTE FUNCTION b2bshop_bump_cache_version();"
)


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS b2bshop_cache_version ON orders_holiday;")


class Migration(migrations.Migration):
    dependencies = [
        ("b2bshop", "0001_cache_versions"),
        ("orders", "0005_invariants"),
    ]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
