"""Rules are cached per process (b2bshop.versions), yet a rule staff save applies to the next checkout.

The version row is bumped by a trigger in the saving transaction, so every process sees the change
with its next request: this one (the test client) and another one (a peer process with its own cache).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from catalog.selectors import all_categories
from orders.services.cart import add_items
from pricing_rules.models import Rule
from tests import factories
from tests.pricing_rules.test_rules_db import _admin_post

ROOT = Path(__file__).resolve().parents[2]


def _checkout(client, key):
    return client.post(
        "/api/v1/store/checkout", data="{}", content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )


@pytest.mark.django_db
def test_a_rule_saved_in_admin_applies_to_the_next_checkout(client):
    staff, buyer = factories.make_staff(), factories.make_buyer()
    product = factories.make_product(base_price="1000")
    add_items(buyer=buyer, items=[(product, 3)])
    client.force_login(staff)
    _admin_post(
        client, reverse("admin:pricing_rules_rule_add"), code="max", kind="maximum_quantity", quantity="900"
    )
    client.force_login(buyer)
    assert client.get("/api/v1/store/cart").json()["violations"] == []  # rules now cached in this process

    client.force_login(staff)
    saved = _admin_post(
        client, reverse("admin:pricing_rules_rule_add"), code="moq5", kind="minimum_quantity", quantity="5"
    )
    assert saved.status_code == 302

    client.force_login(buyer)
    response = _checkout(client, "after-rule")
    assert response.status_code == 422, response.content
    assert [v["code"] for v in response.json()["violations"]] == ["below_moq"]


@pytest.mark.django_db
def test_categories_renamed_are_seen_at_once():
    category = factories.make_category(code="OLD")
    assert "OLD" in {c.code for c in all_categories()}
    type(category).objects.filter(pk=category.pk).update(code="NEW")  # bypassing every service
    assert {c.code for c in all_categories()} >= {"NEW"} and "OLD" not in {c.code for c in all_categories()}


@pytest.fixture
def peer():
    """Another process of the shop with its own per-process cache, on the test database."""
    db = django_settings.DATABASES["default"]
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.pricing_rules.cache_peer"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.settings",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        },
    )

    def ask(*words: object) -> dict:
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(" ".join(str(w) for w in words) + "\n")
        process.stdin.flush()
        return json.loads(process.stdout.readline())

    yield ask
    process.stdin.close()  # type: ignore[union-attr]
    process.wait(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_another_process_uses_a_rule_saved_here_at_its_next_checkout(client, peer):
    staff, buyer = factories.make_staff(), factories.make_buyer()
    product = factories.make_product(base_price="1000")
    add_items(buyer=buyer, items=[(product, 3)])
    factories.make_category()  # the category tree has a version too
    assert peer("cart", buyer.pk) == {"violations": []}  # the peer has loaded and cached the rules
    assert peer("cart", buyer.pk) == {"violations": []}

    client.force_login(staff)
    saved = _admin_post(
        client, reverse("admin:pricing_rules_rule_add"), code="moq5", kind="minimum_quantity", quantity="5"
    )
    assert saved.status_code == 302
    assert peer("checkout", buyer.pk, "k1") == {"violations": ["below_moq"]}

    rule = Rule.objects.get(code="moq5")
    client.post(reverse("admin:pricing_rules_rule_delete", args=[rule.pk]), {"post": "yes"})
    assert "order" in peer("checkout", buyer.pk, "k2")  # the deleted rule no longer applies
