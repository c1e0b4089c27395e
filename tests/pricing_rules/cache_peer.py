"""A second process for tests/pricing_rules/test_rule_cache.py: keeps its own per-process caches.

Reads "cart BUYER_ID" or "checkout BUYER_ID KEY" lines on stdin and answers one JSON line each.
"""

import json
import sys

import django

django.setup()

from django.utils import timezone  # noqa: E402

from b2bshop.versions import version_scope  # noqa: E402
from customers.models import User  # noqa: E402
from orders.services.cart import buyer_cart  # noqa: E402
from orders.services.checkout import CheckoutDetails, RulesViolated, place_order  # noqa: E402


def answer(words: list[str]) -> dict:
    buyer = User.objects.get(pk=int(words[1]))
    with version_scope():  # like one request of a web process
        if words[0] == "cart":
            state = buyer_cart(buyer=buyer, on=timezone.localdate())
            return {"violations": sorted(v.code for v in state.evaluation.violations)}
        try:
            placed = place_order(
                buyer=buyer, idempotency_key=words[2], details=CheckoutDetails(), now=timezone.now()
            )
        except RulesViolated as exc:
            return {"violations": sorted(v.code for v in exc.violations)}
        return {"order": placed.order.number}


for line in sys.stdin:
    print(json.dumps(answer(line.split())), flush=True)
