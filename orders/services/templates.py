"""Order templates (お気に入り / 定番注文): save the cart under a name, add it back in one tap."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from b2bshop.errors import ValidationFailed
from catalog.models import Product
from catalog.selectors import visible_products
from customers.models import User
from customers.selectors import get_buyer_customer
from orders import selectors
from orders.models import OrderTemplate, OrderTemplateLine
from orders.services.cart import add_items


def save_cart_as_template(*, buyer: User, name: str) -> OrderTemplate:
    """Save the cart's lines under ``name`` (replacing a template of that name). Raises ValidationFailed."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationFailed(
            gettext("Give the template a name (at most 100 characters)."), code="invalid_name"
        )
    customer = get_buyer_customer(user=buyer)
    lines = selectors.list_cart_lines(buyer=buyer)
    if not lines:
        raise ValidationFailed(gettext("The cart is empty."), code="empty_cart")
    try:
        with transaction.atomic():
            template, _created = OrderTemplate.objects.get_or_create(
                customer=customer, name=name, defaults={"created_by": buyer}
            )
            template.lines.all().delete()
            OrderTemplateLine.objects.bulk_create(
                [
                    OrderTemplateLine(template=template, product=line.product, quantity=line.quantity)
                    for line in lines
                ]
            )
    except IntegrityError:  # a colleague saved the same name at the same moment
        raise ValidationFailed(gettext("Please try again."), code="conflict") from None
    return template


def add_template_to_cart(*, buyer: User, template_id: int) -> tuple[list[Product], list[Product]]:
    """Add the template's products to the cart; returns (added, skipped: inactive or hidden)."""
    customer = get_buyer_customer(user=buyer)
    template = selectors.get_template(customer=customer, template_id=template_id)
    lines = list(template.lines.all())
    visible = set(
        visible_products(customer=customer)
        .filter(id__in=[line.product_id for line in lines])
        .values_list("id", flat=True)
    )
    items = [(line.product, line.quantity) for line in lines if line.product_id in visible]
    add_items(buyer=buyer, items=items)
    return [p for p, _q in items], [line.product for line in lines if line.product_id not in visible]


def delete_template(*, buyer: User, template_id: int) -> None:
    customer = get_buyer_customer(user=buyer)
    selectors.get_template(customer=customer, template_id=template_id).delete()
