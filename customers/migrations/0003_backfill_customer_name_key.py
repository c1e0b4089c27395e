"""Fill Customer.name_key for rows saved before it was kept in step with the name."""

from django.db import migrations


def backfill(apps, schema_editor):
    from b2bshop.text import normalize_company

    Customer = apps.get_model("customers", "Customer")
    batch = []
    for customer in Customer.objects.only("pk", "name", "name_key").iterator(chunk_size=2000):
        key = normalize_company(customer.name).key[:200]
        if key != customer.name_key:
            customer.name_key = key
            batch.append(customer)
        if len(batch) >= 2000:
            Customer.objects.bulk_update(batch, ["name_key"])
            batch = []
    if batch:
        Customer.objects.bulk_update(batch, ["name_key"])


class Migration(migrations.Migration):
    dependencies = [("customers", "0002_contacts_lead_imports")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
