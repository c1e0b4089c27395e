"""Reads for customers: the one tenancy scope every buyer-facing query goes through."""

from __future__ import annotations

from customers.models import Customer, ShipTo, User


def get_buyer_customer(*, user: User) -> Customer:
    """The company a buyer belongs to. Every store query scopes by this and nothing else."""
    if user.customer_id is None:
        raise Customer.DoesNotExist("not a buyer")
    return user.customer


def default_ship_to(*, customer: Customer) -> dict[str, str]:
    """The company's default ship-to: the staff-set default, else its own address."""
    ship_to = ShipTo.objects.filter(customer=customer, is_default=True).first()
    if ship_to is not None:
        return ship_to_snapshot(ship_to)
    return {
        "name": customer.name,
        "postal_code": customer.postal_code,
        "prefecture": customer.prefecture,
        "address": customer.address,
        "phone": customer.phone,
    }


def ship_to_snapshot(ship_to: ShipTo) -> dict[str, str]:
    return {
        "name": ship_to.name,
        "postal_code": ship_to.postal_code,
        "prefecture": ship_to.prefecture,
        "address": ship_to.address,
        "phone": ship_to.phone,
    }
