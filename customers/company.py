"""The buyer's own company: its logins and ship-to addresses (the storefront "my company" pages).

The company admin manages the logins here: invitations (a single-use, expiring link to set a
password), deactivation, roles and per-order spending limits. Every function is scoped to the
admin's own company; another company's user is NotFound (404).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from b2bshop.errors import NotFound, ValidationFailed
from customers.models import Customer, Invitation, ShipTo, User


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


# ============================================================================================
# Company self-service: the company admin invites, deactivates and sets roles and limits
# ============================================================================================


@dataclass(frozen=True, slots=True)
class Member:
    """A login of the company as its admin sees it."""

    user: User
    status: str  # "active" | "invited" | "deactivated"


def can_manage_members(*, user: User) -> bool:
    """Only a company admin (会社管理者) manages the company's logins."""
    return bool(user.is_buyer) and user.role == User.Role.ADMIN


def _require_admin(admin: User) -> None:
    # Anyone else is not told that these pages exist (404, never 403).
    if not can_manage_members(user=admin):
        raise NotFound(gettext("Page not found."), code="not_found")


def list_members(*, admin: User, now: datetime) -> list[Member]:
    """Every login of the admin's company: active first, then invited, then deactivated. Raises NotFound."""
    _require_admin(admin)
    pending = Invitation.objects.filter(
        user_id=OuterRef("pk"), accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    )
    users = (
        User.objects.filter(customer_id=admin.customer_id)
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
    _require_admin(admin)
    user = User.objects.filter(customer_id=admin.customer_id, pk=user_id).first()
    if user is None:
        raise NotFound(gettext("This user does not exist."), code="user_not_found")
    return user


def _check_role(role: str) -> str:
    if role not in User.Role.values:
        raise ValidationFailed(gettext("Choose buyer, approver or company admin."), code="invalid_role")
    return role


def _keeps_an_admin(*, customer_id: int, without: User) -> bool:
    """True when another active admin remains if ``without`` stops being one."""
    return (
        User.objects.filter(customer_id=customer_id, role=User.Role.ADMIN, is_active=True)
        .exclude(pk=without.pk)
        .exists()
    )


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class IssuedInvitation:
    invitation: Invitation
    token: str  # only in the e-mail; the database keeps its digest


def invite_member(
    *,
    admin: User,
    email: str,
    full_name: str = "",
    role: str = User.Role.BUYER,
    spending_limit: Decimal | None = None,
    now: datetime,
) -> IssuedInvitation:
    """Invite a colleague: an inactive login plus a single-use link, e-mailed after commit.

    Inviting an address again (not accepted yet, or deactivated) replaces earlier links. Raises
    NotFound (not a company admin), ValidationFailed (bad address or role, or an address that
    belongs to someone outside the company).
    """
    _require_admin(admin)
    role = _check_role(role)
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationFailed(gettext("Enter a valid e-mail address."), code="invalid_email") from None
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email=email).first()
        if user is not None and user.customer_id != admin.customer_id:
            raise ValidationFailed(
                gettext("This e-mail address cannot be invited. Please contact us."), code="email_taken"
            )
        if user is not None and user.is_active:
            raise ValidationFailed(
                gettext("%(email)s can already log in.") % {"email": email}, code="already_active"
            )
        if user is None:
            user = User(email=email, customer_id=admin.customer_id, is_active=False)
            user.set_unusable_password()
        user.full_name = full_name.strip()[:100] or user.full_name
        user.role = role
        user.spending_limit = spending_limit
        user.save()
        Invitation.objects.filter(user=user, accepted_at__isnull=True, revoked_at__isnull=True).update(
            revoked_at=now
        )
        invitation = Invitation.objects.create(
            user=user,
            invited_by=admin,
            digest=_digest(token),
            created_at=now,
            expires_at=now + timedelta(days=settings.INVITATION_EXPIRY_DAYS),
        )
        transaction.on_commit(lambda: send_invitation(invitation_id=invitation.pk, token=token), robust=True)
    return IssuedInvitation(invitation=invitation, token=token)


def get_open_invitation(*, token: str, now: datetime) -> Invitation:
    """The invitation a link carries if it can still be used. Raises NotFound (unknown, used, expired, revoked)."""
    invitation = (
        Invitation.objects.select_related("user__customer")
        .filter(digest=_digest(token or ""), accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if invitation is None or invitation.expires_at <= now or invitation.user.customer_id is None:
        raise NotFound(
            gettext("This invitation link is no longer valid. Ask your company administrator for a new one."),
            code="invitation_invalid",
        )
    return invitation


def accept_invitation(*, token: str, password: str, now: datetime) -> User:
    """Set the invited colleague's password and activate the login; the link then stops working.

    The password must pass the configured validators (``SetPasswordForm`` checks them first).
    Raises NotFound as ``get_open_invitation``.
    """
    with transaction.atomic():
        invitation = get_open_invitation(token=token, now=now)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:  # the same link submitted twice at once
            raise NotFound(gettext("This invitation link was already used."), code="invitation_invalid")
        user = invitation.user
        user.set_password(password)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        invitation.accepted_at = now
        invitation.save(update_fields=["accepted_at"])
    return user


def update_member(*, admin: User, user_id: int, role: str, spending_limit: Decimal | None) -> User:
    """Set a colleague's role and per-order spending limit. The company always keeps an active admin.

    Raises NotFound (not an admin, another company's user), ValidationFailed.
    """
    role = _check_role(role)
    with transaction.atomic():
        user = get_member(admin=admin, user_id=user_id)
        user = User.objects.select_for_update().get(pk=user.pk)
        if (
            user.role == User.Role.ADMIN
            and role != User.Role.ADMIN
            and user.is_active
            and not _keeps_an_admin(customer_id=admin.customer_id, without=user)
        ):
            raise ValidationFailed(
                gettext("The company needs at least one active administrator."), code="last_admin"
            )
        user.role = role
        user.spending_limit = spending_limit
        user.save(update_fields=["role", "spending_limit"])
    return user


def set_member_active(*, admin: User, user_id: int, active: bool, now: datetime) -> User:
    """Deactivate (or reactivate) a colleague's login; a deactivated login cannot log in or use a token.

    Unused invitations of a deactivated login are revoked. Raises NotFound, ValidationFailed
    (deactivating oneself or the last active admin; reactivating someone who never set a password).
    """
    with transaction.atomic():
        user = get_member(admin=admin, user_id=user_id)
        user = User.objects.select_for_update().get(pk=user.pk)
        if not active:
            if user.pk == admin.pk:
                raise ValidationFailed(gettext("You cannot deactivate yourself."), code="self")
            if user.role == User.Role.ADMIN and not _keeps_an_admin(
                customer_id=admin.customer_id, without=user
            ):
                raise ValidationFailed(
                    gettext("The company needs at least one active administrator."), code="last_admin"
                )
            Invitation.objects.filter(user=user, accepted_at__isnull=True, revoked_at__isnull=True).update(
                revoked_at=now
            )
        elif not user.has_usable_password():
            raise ValidationFailed(
                gettext("This person has not set a password yet; send a new invitation instead."),
                code="never_activated",
            )
        user.is_active = active
        user.save(update_fields=["is_active"])
    return user


def send_invitation(*, invitation_id: int, token: str) -> int:
    """E-mail the invitation link, in Japanese (the colleague has no language setting yet)."""
    invitation = Invitation.objects.select_related("user__customer", "invited_by").get(pk=invitation_id)
    user = invitation.user
    link = settings.SHOP_BASE_URL.rstrip("/") + reverse("accounts:accept_invitation", args=[token])
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "invitation": invitation,
            "user": user,
            "customer": user.customer,
            "link": link,
            "inviter": invitation.invited_by,
            "days": settings.INVITATION_EXPIRY_DAYS,
        }
        subject = render_to_string("customers/email/invitation_subject.txt", context).strip()
        body = render_to_string("customers/email/invitation.txt", context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
