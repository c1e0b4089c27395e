"""Staff roles: the five groups of customers.roles with their permissions (re-run: manage.py sync_staff_roles)."""

from django.db import migrations


def create_roles(apps, schema_editor):
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


def remove_roles(apps, schema_editor):
    from customers.roles import ROLES, ADMINISTRATOR

    apps.get_model("auth", "Group").objects.filter(name__in=[*ROLES, ADMINISTRATOR]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("customers", "0007_invitation"),
        ("billing", "0001_initial"),
        ("crm", "0001_initial"),
        ("catalog", "0005_visibility_rules"),
        ("orders", "0004_approval"),
        ("pricing_rules", "0002_rule_description_position_decimals"),
        ("integration", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
