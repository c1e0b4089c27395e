"""The buyer's own company: its logins and ship-to addresses (the storefront "my company" page)."""

from __future__ import annotations

from django.db.models import QuerySet

from customers.models import Customer, ShipTo, User


def list_buyers(*, customer: Customer) -> QuerySet[User]:
    return User.objects.filter(customer=customer, is_active=True).order_by("role", "email")


def list_ship_tos(*, customer: Customer) -> QuerySet[ShipTo]:
    return ShipTo.objects.filter(customer=customer)


def can_manage_ship_tos(*, user: User) -> bool:
    """Company admins (会社管理者) manage their own ship-tos; the default one stays staff's choice."""
    return bool(user.customer_id) and user.role == User.Role.ADMIN


def add_ship_to(
    *,
    customer: Customer,
    user: User,
    name: str,
    postal_code: str,
    prefecture: str,
    address: str,
    phone: str = "",
) -> ShipTo:
    """Add a (non-default) delivery address to `customer`. Raises PermissionError unless `user` is its admin."""
    if user.customer_id != customer.id or not can_manage_ship_tos(user=user):
        raise PermissionError("only the company's admin may add ship-to addresses")
    return ShipTo.objects.create(
        customer=customer,
        name=name,
        postal_code=postal_code,
        prefecture=prefecture,
        address=address,
        phone=phone,
        is_default=False,
    )
