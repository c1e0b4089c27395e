"""The administrator role reads the audit log and the login records (customers.roles.AUDIT_PERMISSIONS)."""

from django.db import migrations


def sync_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    from customers.roles import sync_staff_roles

    # Permissions are normally created after all migrations (post_migrate); the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_staff_roles(
        group_model=apps.get_model("auth", "Group"),
        permission_model=apps.get_model("auth", "Permission"),
        registry=apps,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0008_staff_roles"),
        ("auditlog", "0017_add_actor_email"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(sync_roles, migrations.RunPython.noop)]
