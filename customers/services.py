"""Writes for customers, buyer logins and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from b2bshop.errors import NotFound, ValidationFailed
from customers import selectors
from customers.models import ApiToken, Customer, ShipTo, User


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str  # shown once, never stored


def issue_api_token(*, user: User, name: str = "") -> IssuedToken:
    """Create a token for `user`; only its SHA-256 digest is kept."""
    raw = "b2b_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:12], digest=_digest(raw))
    return IssuedToken(token=token, raw=raw)


def rotate_api_token(*, token: ApiToken, now: datetime) -> IssuedToken:
    """Revoke `token` and issue a fresh one for the same user."""
    with transaction.atomic():
        revoke_api_token(token=token, now=now)
        return issue_api_token(user=token.user, name=token.name)


def revoke_api_token(*, token: ApiToken, now: datetime) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)


def authenticate_api_token(*, raw: str) -> ApiToken | None:
    """The live token for `raw`, or None (unknown, revoked, or its user inactive)."""
    token = (
        ApiToken.objects.select_related("user", "user__customer__price_group", "user__customer__owner")
        .filter(digest=_digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is not None:
        now = timezone.now()
        # Touch at most once a minute so authenticated calls do not all write.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def create_buyer(*, customer_code: str, email: str, password: str, role: str = User.Role.BUYER) -> User:
    """Create or update the storefront login `email` for company `customer_code`."""
    if role not in User.Role.values:
        raise ValidationFailed(f"unknown role {role!r}; use one of {', '.join(User.Role.values)}")
    customer = Customer.objects.filter(code=customer_code).first()
    if customer is None:
        raise NotFound(f"no customer with code {customer_code!r}")
    email = email.strip().lower()
    if "@" not in email:
        raise ValidationFailed(f"{email!r} is not an e-mail address")
    if len(password) < 8:
        raise ValidationFailed("the password needs at least 8 characters")
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email=email).first()
        if user is not None and (user.is_staff or user.is_integration):
            raise ValidationFailed(f"{email} is a staff or integration user, not a buyer")
        if user is None:
            user = User(email=email)
        user.customer = customer
        user.role = role
        user.is_active = True
        user.set_password(password)
        user.save()
    return user


def create_integration_user(*, name: str) -> IssuedToken:
    """A non-buyer user allowed to call /api/v1/erp/, with a fresh token."""
    name = name.strip()
    if not name:
        raise ValidationFailed("--name must not be empty")
    slug = "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-") or "erp"
    email = f"{slug}@integration.invalid"
    with transaction.atomic():
        user, _created = User.objects.get_or_create(
            email=email, defaults={"full_name": name, "is_integration": True}
        )
        if not user.is_integration or user.customer_id is not None:
            raise ValidationFailed(f"{email} exists and is not an integration user")
        user.set_unusable_password()
        user.save(update_fields=["password"])
        return issue_api_token(user=user, name=name)


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
    if user.customer_id != customer.id or not selectors.can_manage_ship_tos(user=user):
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


def set_preferred_language(*, user: User, language: str) -> bool:
    """Remember the storefront language the user chose, for the e-mails sent to them. Unknown codes are ignored."""
    from django.conf import settings

    if language not in {code for code, _name in settings.LANGUAGES} or user.preferred_language == language:
        return False
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    return True


def set_web_ordering(*, customer_ids: list[int], enabled: bool) -> list[int]:
    """Switch web ordering (the shop's own choice, contract section 3); returns the ids that changed."""
    with transaction.atomic():
        changed = list(
            Customer.objects.select_for_update()
            .filter(pk__in=customer_ids, trading_status=Customer.TradingStatus.CUSTOMER)
            .exclude(ec_enabled=enabled)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        Customer.objects.filter(pk__in=changed).update(ec_enabled=enabled, updated_at=timezone.now())
    return changed
