"""Cache versions (b2bshop.versions): the table, a never-reset sequence and the triggers that bump it."""

from django.db import migrations, models

VERSIONED_TABLES = ("pricing_rules_rule", "catalog_category", "catalog_visibilityrule", "customers_pricegroup")

FUNCTION = """
CREATE SEQUENCE IF NOT EXISTS b2bshop_cacheversion_seq;
CREATE OR REPLACE FUNCTION b2bshop_bump_cache_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO b2bshop_cacheversion ("key", "version")
    VALUES (TG_TABLE_NAME, nextval('b2bshop_cacheversion_seq'))
    ON CONFLICT ("key") DO UPDATE SET "version" = EXCLUDED."version";
    RETURN NULL;
END
$$;
"""

TRIGGER = (
    "CREATE TRIGGER b2bshop_cache_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
    "FOR EACH STATEMENT EXECUTE FUNCTION b2bshop_bump_cache_version();"
)


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # the SQLite demo caches nothing (b2bshop.versions)
    schema_editor.execute(FUNCTION)
    for table in VERSIONED_TABLES:
        schema_editor.execute(TRIGGER.format(table=table))


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in VERSIONED_TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS b2bshop_cache_version ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS b2bshop_bump_cache_version();")
    schema_editor.execute("DROP SEQUENCE IF EXISTS b2bshop_cacheversion_seq;")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("pricing_rules", "0002_rule_description_position_decimals"),
        ("catalog", "0006_invariants"),
        ("customers", "0008_staff_roles"),
    ]

    operations = [
        migrations.CreateModel(
            name="CacheVersion",
            fields=[
                ("key", models.CharField(max_length=63, primary_key=True, serialize=False)),
                ("version", models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
