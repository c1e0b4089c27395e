"""Reads for customers: the one tenancy scope every buyer-facing query goes through."""

from __future__ import annotations

from django.db.models import QuerySet

from b2bshop.errors import NotFound
from customers.models import Customer, ShipTo, User


def get_buyer_customer(*, user: User) -> Customer:
    """The company a buyer belongs to: the one tenancy scope of every store page and API. Raises NotFound.

    customers.auth loads it (with its price group and sales rep) together with the user, so no query.
    """
    customer = user.customer if user.customer_id is not None else None
    if customer is None:
        raise NotFound("not a buyer")
    return customer


SHIP_TO_FIELDS = ("name", "postal_code", "prefecture", "address", "phone")


def default_ship_to(*, customer: Customer) -> dict[str, str]:
    """The company's default ship-to: the staff-set default, else its own address."""
    ship_to = ShipTo.objects.filter(customer=customer, is_default=True).first()
    return ship_to_snapshot(ship_to if ship_to is not None else customer)


def ship_to_snapshot(ship_to: ShipTo | Customer) -> dict[str, str]:
    """What an order keeps of its delivery address (a ShipTo, or the customer's own address)."""
    return {field: getattr(ship_to, field) for field in SHIP_TO_FIELDS}


def list_ship_tos(*, customer: Customer) -> list[ShipTo]:
    """The company's delivery addresses, default first (one query)."""
    return list(ShipTo.objects.filter(customer=customer))


def list_buyers(*, customer: Customer) -> QuerySet[User]:
    """The company's active logins (the storefront "my company" page)."""
    return User.objects.filter(customer=customer, is_active=True).order_by("role", "email")


def can_manage_ship_tos(*, user: User) -> bool:
    """Company admins (会社管理者) manage their own ship-tos; the default one stays staff's choice."""
    return bool(user.customer_id) and user.role == User.Role.ADMIN
