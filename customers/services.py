"""Writes for customers, buyer logins and API tokens."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext

from b2bshop.errors import NotFound, ValidationFailed
from b2bshop.hot_sql import fetch_first
from customers import selectors
from customers.models import ApiToken, Customer, Invitation, ShipTo, User
from mail.services import LINK_PLACEHOLDER, enqueue_email, language_for

INVITATION_EMAIL = "invitation"
PASSWORD_RESET_EMAIL = "password_reset"  # noqa: S105 - an e-mail kind, not a secret


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    raw: str  # shown once, never stored


def issue_api_token(*, user: User, name: str = "") -> IssuedToken:
    """Create a token for `user`; only its SHA-256 digest is kept."""
    raw = "b2b_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:12], digest=selectors.token_digest(raw))
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
    token = fetch_first(
        ApiToken,
        ("user", *(f"user__{path}" for path in selectors.USER_RELATED)),
        'r."digest" = %s AND r."revoked_at" IS NULL AND "user"."is_active"',
        [selectors.token_digest(raw)],
        tail="LIMIT 1",
    )
    if token is not None:
        now = timezone.now()
        # Touch at most once a minute so authenticated calls do not all write.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


UNSET: Any = object()


def parse_spending_limit(raw: str | int | Decimal | None) -> Decimal | None:
    """A per-order spending limit in whole yen ("50000", "50,000", "¥50,000"); empty = no limit.

    Raises ValidationFailed for anything else (negative, fractional, not a number).
    """
    if raw is None:
        return None
    text = str(raw).strip().replace(",", "").replace("¥", "").replace("￥", "")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or value < 0 or value != value.to_integral_value() or value >= 10**14:
        raise ValidationFailed(
            gettext("Enter the spending limit as a whole number of yen, or leave it empty for no limit."),
            code="invalid_spending_limit",
        )
    return value.quantize(Decimal(1))


def check_password_strength(*, password: str, user: User) -> None:
    """The configured password validators (AUTH_PASSWORD_VALIDATORS). Raises ValidationFailed, translated."""
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), details={"password": exc.messages}) from None


def create_buyer(
    *,
    customer_code: str,
    email: str,
    password: str,
    role: str = User.Role.BUYER,
    spending_limit: Decimal | None = UNSET,
) -> User:
    """Create or update the storefront login `email` for company `customer_code`.

    ``spending_limit`` (whole yen, None = no limit) sends the buyer's larger orders to approval;
    left out, an existing login keeps its limit.
    """
    if role not in User.Role.values:
        raise ValidationFailed(f"unknown role {role!r}; use one of {', '.join(User.Role.values)}")
    customer = Customer.objects.filter(code=customer_code).first()
    if customer is None:
        raise NotFound(f"no customer with code {customer_code!r}")
    email = email.strip().lower()
    if "@" not in email:
        raise ValidationFailed(f"{email!r} is not an e-mail address")
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email=email).first()
        check_password_strength(password=password, user=user or User(email=email))
        if user is not None and (user.is_staff or user.is_integration):
            raise ValidationFailed(f"{email} is a staff or integration user, not a buyer")
        if user is None:
            user = User(email=email)
        user.customer = customer
        user.role = role
        if spending_limit is not UNSET:
            user.spending_limit = spending_limit
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


# ============================================================================================
# Company self-service: the company admin invites, deactivates and sets roles and limits
# ============================================================================================
# Every function is scoped to the admin's own company (customers.selectors.get_member):
# another company's user is NotFound (404), and so is everything for a non-admin.


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
    selectors.require_company_admin(admin=admin)
    role = _check_role(role)
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationFailed(gettext("Enter a valid e-mail address."), code="invalid_email") from None
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
            digest=selectors.token_digest(secrets.token_urlsafe(32)),  # replaced below, once the id is known
            created_at=now,
            expires_at=now + timedelta(days=settings.INVITATION_EXPIRY_DAYS),
        )
        token = invitation_token(invitation)
        invitation.digest = selectors.token_digest(token)
        invitation.save(update_fields=["digest"])
        queue_invitation_email(invitation=invitation, now=now)
    return IssuedInvitation(invitation=invitation, token=token)


def accept_invitation(*, token: str, password: str, now: datetime) -> User:
    """Set the invited colleague's password and activate the login; the link then stops working.

    The password must pass the configured validators (``SetPasswordForm`` checks them first; this
    checks again for other callers). Raises NotFound as ``get_open_invitation``, ValidationFailed.
    """
    with transaction.atomic():
        invitation = selectors.get_open_invitation(token=token, now=now)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:  # the same link submitted twice at once
            raise NotFound(gettext("This invitation link was already used."), code="invitation_invalid")
        user = invitation.user
        check_password_strength(password=password, user=user)
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
        user = selectors.get_member(admin=admin, user_id=user_id)
        user = User.objects.select_for_update().get(pk=user.pk)
        if (
            user.role == User.Role.ADMIN
            and role != User.Role.ADMIN
            and user.is_active
            and not _keeps_an_admin(customer_id=selectors.require_company_admin(admin=admin), without=user)
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
        user = selectors.get_member(admin=admin, user_id=user_id)
        user = User.objects.select_for_update().get(pk=user.pk)
        if not active:
            if user.pk == admin.pk:
                raise ValidationFailed(gettext("You cannot deactivate yourself."), code="self")
            if user.role == User.Role.ADMIN and not _keeps_an_admin(
                customer_id=selectors.require_company_admin(admin=admin), without=user
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


def invitation_token(invitation: Invitation) -> str:
    """The invitation link's token, derived from the invitation (HMAC with SECRET_KEY).

    Derived rather than random so the e-mail worker can make the link at send time from the
    invitation's id: the outbox row never holds a live token (mail.services.LINK_PLACEHOLDER).
    Still single-use (accepted_at), revocable (revoked_at) and expiring (expires_at); the
    database keeps only its digest.
    """
    return salted_hmac(
        "customers.invitation",
        f"{invitation.pk}:{round(invitation.created_at.timestamp() * 1_000_000)}",
        algorithm="sha256",
    ).hexdigest()


def queue_invitation_email(*, invitation: Invitation, now: datetime) -> None:
    """Write the invitation e-mail to the outbox in the caller's transaction (the link is made at send time)."""
    user = invitation.user
    inviter = invitation.invited_by
    enqueue_email(
        kind=INVITATION_EMAIL,
        template="customers/email/invitation",
        context={
            "user": user,
            "customer": user.customer,
            "link": LINK_PLACEHOLDER,
            "inviter": inviter,
            "days": settings.INVITATION_EXPIRY_DAYS,
        },
        to=user.email,
        language=language_for(user),
        reason=f"invited by {inviter.email if inviter else 'staff'}",
        ref=f"invitation:{invitation.pk}",
        recipient_id=user.pk,
        now=now,
    )


def invitation_link(ref: str, now: datetime) -> str | None:
    """Send time: the live link of an invitation still open, else None (used, revoked, expired)."""
    invitation_id = ref.removeprefix("invitation:")
    if not invitation_id.isdigit():
        return None
    invitation = Invitation.objects.filter(
        pk=int(invitation_id),
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
    ).first()
    if invitation is None:
        return None
    return settings.SITE_URL + reverse("accounts:accept_invitation", args=[invitation_token(invitation)])


def queue_password_reset_email(*, user: User, now: datetime) -> None:
    """Write the password-reset e-mail to the outbox in the caller's transaction.

    The reset token is made at send time (`password_reset_link`): Django's tokens are derived from
    the user's state, so the link then counts its validity from the sending and dies with any
    password change, and the send log never holds one.
    """
    enqueue_email(
        kind=PASSWORD_RESET_EMAIL,
        template="customers/email/password_reset",
        context={"user": user, "link": LINK_PLACEHOLDER},
        to=user.email,
        language=language_for(user),
        reason="password reset asked for on the login page",
        ref=f"user:{user.pk}",
        recipient_id=user.pk,
        now=now,
    )


def password_reset_link(ref: str, now: datetime) -> str | None:
    """Send time: a fresh reset link for an active login with a password, else None."""
    user_id = ref.removeprefix("user:")
    user = User.objects.filter(pk=int(user_id), is_active=True).first() if user_id.isdigit() else None
    if user is None or not user.has_usable_password():
        return None
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("password_reset_confirm", args=[uid, token])


def erase_user(*, user: User) -> User:
    """Erase a buyer login's personal data on request (APPI): it can no longer log in or be reached.

    The row stays so the company's orders keep their "placed by"; its name and address are gone, its
    tokens revoked, its login records (django-axes) deleted. Staff and ERP users are refused.
    """
    if user.is_staff or user.is_integration:
        raise ValidationFailed(gettext("Staff and ERP logins are not erased this way."))
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    old_email = user.email
    with transaction.atomic():
        user.email = f"erased-{user.pk}@erased.invalid"
        user.full_name = ""
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["email", "full_name", "is_active", "password"])
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        for model in (AccessAttempt, AccessFailureLog, AccessLog):
            model.objects.filter(username__iexact=old_email).delete()
    return user
