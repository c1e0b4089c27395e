"""Staff roles (Django groups from a data migration), each tried against the admin and the staff pages."""

from __future__ import annotations

import importlib

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command

from catalog.models import Price
from customers import roles
from customers.models import User
from pricing_rules.models import Rule
from tests import factories
from tests.crm.builders import make_contact
from tests.orders.builders import make_rule
from tests.orders.erp_builders import make_confirmed_order

pytestmark = pytest.mark.django_db

ALL_ROLES = [roles.ORDER_DESK, roles.SALES, roles.MARKETING, roles.RULES_MANAGER, roles.ADMINISTRATOR]


@pytest.fixture(autouse=True)
def _groups():
    """Transactional tests elsewhere flush the database (groups included); put the roles back."""
    call_command("sync_staff_roles")


def _staff(role: str) -> User:
    user = factories.make_staff(superuser=False)
    user.groups.add(Group.objects.get(name=role))
    return User.objects.get(pk=user.pk)  # fresh: no cached permissions


@pytest.fixture
def world():
    product = factories.make_product(sku="W-1", base_price="100")
    price = factories.make_price(product=product, unit_price="90")
    rule = make_rule(code="min-amount", kind="minimum_order_amount", amount="3000")
    order = make_confirmed_order()
    return {"product": product, "price": price, "rule": rule, "order": order}


def test_the_data_migration_creates_the_five_groups_with_every_permission_they_name():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    migration = importlib.import_module("customers.migrations.0008_staff_roles")
    Group.objects.all().delete()
    state = MigrationExecutor(connection).loader.project_state(("customers", "0008_staff_roles"))
    migration.create_roles(state.apps, None)
    assert set(Group.objects.values_list("name", flat=True)) == set(ALL_ROLES)
    for role, perms in roles.wanted_permissions().items():
        got = set(Group.objects.get(name=role).permissions.values_list("content_type__app_label", "codename"))
        assert got == perms, role
    call_command("sync_staff_roles")  # idempotent, and finds every permission it names


def test_only_rules_managers_may_change_rules_and_prices():
    for role in ALL_ROLES:
        user = _staff(role)
        writes = [
            user.has_perm(f"{label}.{action}_{model}")
            for label, model in [("pricing_rules", "rule"), ("catalog", "price"), ("customers", "pricegroup")]
            for action in ("add", "change", "delete")
        ]
        assert all(writes) if role == roles.RULES_MANAGER else not any(writes), role
    assert not Permission.objects.filter(
        group__name=roles.ADMINISTRATOR, codename__in=["change_rule", "change_price", "add_rule"]
    ).exists()


def test_rules_manager_edits_rules_and_prices_in_the_admin_but_not_orders(client, world):
    client.force_login(_staff(roles.RULES_MANAGER))
    assert client.get("/admin/pricing_rules/rule/add/").status_code == 200
    response = client.post(
        f"/admin/catalog/price/{world['price'].pk}/change/",
        {"product": world["product"].pk, "min_quantity": 1, "unit_price": "85"},
    )
    assert response.status_code == 302, response.content.decode()[:1000]
    world["price"].refresh_from_db()
    assert str(world["price"].unit_price) == "85.00"
    assert client.get("/admin/orders/order/").status_code == 403
    assert client.get("/admin/customers/user/").status_code == 403


@pytest.mark.parametrize("role", [roles.ORDER_DESK, roles.SALES, roles.MARKETING, roles.ADMINISTRATOR])
def test_other_roles_cannot_change_a_price_or_a_rule_in_the_admin(client, world, role):
    client.force_login(_staff(role))
    assert client.get("/admin/pricing_rules/rule/add/").status_code == 403
    client.post(
        f"/admin/catalog/price/{world['price'].pk}/change/",
        {"product": world["product"].pk, "min_quantity": 1, "unit_price": "1"},
    )
    world["price"].refresh_from_db()
    assert str(world["price"].unit_price) == "90.00"
    client.post(f"/admin/pricing_rules/rule/{world['rule'].pk}/delete/", {"post": "yes"})
    assert Rule.objects.filter(pk=world["rule"].pk).exists()
    assert Price.objects.count() == 1


def test_order_desk_works_orders_and_keys_in_proxy_orders(client, world):
    client.force_login(_staff(roles.ORDER_DESK))
    assert client.get("/admin/orders/order/").status_code == 200
    assert client.get(f"/admin/orders/order/{world['order'].pk}/change/").status_code == 200
    assert client.get("/admin/orders/orderpush/").status_code == 200
    assert client.get("/orders/staff/proxy/").status_code == 200
    assert client.get("/admin/crm/contact/").status_code == 403
    assert client.get("/admin/crm/leadimport/").status_code == 403


@pytest.mark.parametrize("role", [roles.SALES, roles.MARKETING, roles.RULES_MANAGER])
def test_only_order_desk_and_administrators_key_in_proxy_orders(client, role):
    client.force_login(_staff(role))
    assert client.get("/orders/staff/proxy/").status_code == 403


def test_sales_see_only_the_contacts_of_their_own_accounts(client):
    rep = _staff(roles.SALES)
    mine = factories.make_customer(name="自社担当商事")
    mine.owner = rep
    mine.save()
    theirs = factories.make_customer(name="他社担当商事")
    own_contact = make_contact(customer=mine, name="山田 一郎")
    assigned = make_contact(customer=theirs, name="佐藤 次郎", owner=rep)
    other = make_contact(customer=theirs, name="鈴木 三郎")
    client.force_login(rep)
    page = client.get("/admin/crm/contact/").content.decode()
    assert "山田 一郎" in page and "佐藤 次郎" in page and "鈴木 三郎" not in page
    assert client.get(f"/admin/crm/contact/{own_contact.pk}/change/").status_code == 200
    assert client.get(f"/admin/crm/contact/{assigned.pk}/change/").status_code == 200
    hidden = client.get(f"/admin/crm/contact/{other.pk}/change/")
    assert hidden.status_code == 302  # the admin treats it as missing
    assert client.get("/admin/crm/leadimport/").status_code == 403
    client.force_login(_staff(roles.ADMINISTRATOR))
    assert "鈴木 三郎" in client.get("/admin/crm/contact/").content.decode()


def test_marketing_sees_leads_but_not_contacts(client):
    client.force_login(_staff(roles.MARKETING))
    assert client.get("/admin/crm/leadimport/").status_code == 200
    assert client.get("/admin/crm/leadrow/").status_code == 200
    assert client.get("/admin/crm/contact/").status_code == 403
    assert client.get("/admin/orders/order/").status_code == 403


def test_administrator_manages_staff_and_orders_and_reads_prices(client, world):
    client.force_login(_staff(roles.ADMINISTRATOR))
    assert client.get("/admin/customers/user/").status_code == 200
    assert client.get("/admin/auth/group/").status_code == 200
    assert client.get("/admin/orders/order/").status_code == 200
    assert client.get(f"/admin/catalog/price/{world['price'].pk}/change/").status_code == 200  # read-only
    assert client.get("/admin/catalog/price/add/").status_code == 403
