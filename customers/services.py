"""Writes for customers, buyer logins and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from b2bshop.errors import NotFound, ValidationFailed
from customers.models import (
    ApiToken,
    CodeSequence,
    Contact,
    ContactEvent,
    ContactSource,
    Customer,
    User,
)


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


# ============================================================================================
# Customer master and contacts
# ============================================================================================


def save_customer(*, customer: Customer) -> Customer:
    """Save a customer; the normalised name key used for matching is recomputed on every save."""
    customer.save()  # Customer.save() sets name_key from names.normalize_company(name).key
    return customer


def reserve_codes(*, name: str, prefix: str, count: int, width: int = 6) -> list[str]:
    """Reserve `count` consecutive codes (P000001 …) from a named sequence; gaps never reused.

    Runs in its own small transaction step: the counter row is locked only while it is bumped.
    """
    if count <= 0:
        return []
    with transaction.atomic():
        CodeSequence.objects.get_or_create(name=name)
        seq = CodeSequence.objects.select_for_update().get(name=name)
        start = seq.last_value + 1
        seq.last_value += count
        seq.save(update_fields=["last_value"])
    return [f"{prefix}{n:0{width}d}" for n in range(start, start + count)]


def reserve_prospect_codes(*, count: int) -> list[str]:
    """Free prospect codes: P + sequence, skipping any code the ERP already uses."""
    codes: list[str] = []
    while len(codes) < count:
        batch = reserve_codes(name="prospect", prefix="P", count=count - len(codes))
        taken = set(Customer.objects.filter(code__in=batch).values_list("code", flat=True))
        codes.extend(c for c in batch if c not in taken)
    return codes


def _contact_snapshot(contact: Contact) -> dict[str, object]:
    return {
        "id": contact.pk,
        "name": contact.name,
        "name_kana": contact.name_kana,
        "title": contact.title,
        "email": contact.email,
        "phone": contact.phone,
        "role": contact.role,
        "department": contact.department.name if contact.department_id else "",
        "owner_id": contact.owner_id,
        "marketing_consent": contact.marketing_consent,
        "marketing_consent_date": contact.marketing_consent_date.isoformat()
        if contact.marketing_consent_date
        else None,
        "marketing_consent_method": contact.marketing_consent_method,
        "last_contacted_at": contact.last_contacted_at.isoformat() if contact.last_contacted_at else None,
    }


def merge_contacts(
    *, survivor: Contact, duplicates: list[Contact], actor: User | None, now: datetime
) -> Contact:
    """Merge duplicate contacts of one customer into `survivor`, keeping every source and history.

    Sources and history rows move to the survivor (a source already on it is kept once); blank
    fields are filled from the duplicates; consent is kept if any record had it (with that
    record's date and way); the latest last_contacted_at wins. Each duplicate leaves a `merged`
    event with its full snapshot, then is deleted. Raises ValidationFailed across customers.
    """
    duplicates = [d for d in duplicates if d.pk != survivor.pk]
    if not duplicates:
        return survivor
    if any(d.customer_id != survivor.customer_id for d in duplicates):
        raise ValidationFailed("only contacts of the same customer can be merged")
    with transaction.atomic():
        ids = sorted([survivor.pk, *(d.pk for d in duplicates)])
        locked = {c.pk: c for c in Contact.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
        survivor = locked[survivor.pk]
        existing = set(survivor.sources.values_list("source", "event", "captured_on"))
        for dup in (locked[d.pk] for d in duplicates):
            for src in dup.sources.all():
                key = (src.source, src.event, src.captured_on)
                if key in existing:
                    continue
                existing.add(key)
                ContactSource.objects.filter(pk=src.pk).update(contact=survivor)
            ContactEvent.objects.filter(contact=dup).update(contact=survivor)
            for field in (
                "name",
                "name_kana",
                "title",
                "email",
                "phone",
                "department_id",
                "owner_id",
                "user_id",
            ):
                if not getattr(survivor, field) and getattr(dup, field):
                    setattr(survivor, field, getattr(dup, field))
                    if field == "user_id":
                        Contact.objects.filter(pk=dup.pk).update(user=None)
            if survivor.role == Contact.Role.UNKNOWN and dup.role != Contact.Role.UNKNOWN:
                survivor.role = dup.role
            survivor.is_key_person = survivor.is_key_person or dup.is_key_person
            if dup.marketing_consent and not survivor.marketing_consent:
                survivor.marketing_consent = True
                survivor.marketing_consent_date = dup.marketing_consent_date
                survivor.marketing_consent_method = dup.marketing_consent_method
            if dup.last_contacted_at and (
                survivor.last_contacted_at is None or dup.last_contacted_at > survivor.last_contacted_at
            ):
                survivor.last_contacted_at = dup.last_contacted_at
            ContactEvent.objects.create(
                contact=survivor,
                kind=ContactEvent.Kind.MERGED,
                at=now,
                actor=actor,
                note=f"merged contact #{dup.pk} {dup}"[:300],
                data=_contact_snapshot(dup),
            )
            dup.delete()
        _set_contact_keys(survivor)
        survivor.save()
    return survivor


def _set_contact_keys(contact: Contact) -> None:
    from customers.leads import person_key

    contact.email_key = contact.email.strip().lower()
    contact.name_key = person_key(contact.name)


def save_contact(
    *, contact: Contact, actor: User | None, now: datetime, changed: list[str] | None = None
) -> Contact:
    """Create or update a contact from staff input, recording history (and consent changes).

    A contact created by staff gets the `sales` source. Consent needs a date and a way
    (ValidationFailed otherwise), so "who agreed, when, how" can always be shown.
    """
    from customers.models import SALES_SOURCE

    if contact.marketing_consent and (
        not contact.marketing_consent_date or not contact.marketing_consent_method
    ):
        raise ValidationFailed("marketing consent needs the date and the way it was given")
    if not contact.marketing_consent:
        contact.marketing_consent_date = None
        contact.marketing_consent_method = ""
    created = contact.pk is None
    with transaction.atomic():
        _set_contact_keys(contact)
        contact.save()
        if created:
            ContactSource.objects.get_or_create(
                contact=contact, source=SALES_SOURCE, event="", captured_on=None
            )
            ContactEvent.objects.create(contact=contact, kind=ContactEvent.Kind.CREATED, at=now, actor=actor)
        elif changed:
            consent_fields = {"marketing_consent", "marketing_consent_date", "marketing_consent_method"}
            if consent_fields & set(changed):
                ContactEvent.objects.create(
                    contact=contact,
                    kind=ContactEvent.Kind.CONSENT,
                    at=now,
                    actor=actor,
                    data={
                        "marketing_consent": contact.marketing_consent,
                        "date": contact.marketing_consent_date.isoformat()
                        if contact.marketing_consent_date
                        else None,
                        "method": contact.marketing_consent_method,
                    },
                )
            other = sorted(set(changed) - consent_fields)
            if other:
                ContactEvent.objects.create(
                    contact=contact,
                    kind=ContactEvent.Kind.UPDATED,
                    at=now,
                    actor=actor,
                    data={"fields": other},
                )
    return contact


def set_marketing_consent(
    *, contact: Contact, consent: bool, given_on: date | None, method: str, actor: User | None, now: datetime
) -> Contact:
    """Record (or withdraw) consent to marketing e-mail with the date and the way it was given."""
    if consent and method not in Contact.ConsentMethod.values:
        raise ValidationFailed(f"unknown consent method {method!r}")
    contact.marketing_consent = consent
    contact.marketing_consent_date = given_on if consent else None
    contact.marketing_consent_method = method if consent else ""
    return save_contact(
        contact=contact,
        actor=actor,
        now=now,
        changed=["marketing_consent", "marketing_consent_date", "marketing_consent_method"],
    )


def record_contacted(*, contact: Contact, at: datetime, actor: User | None, note: str = "") -> Contact:
    """Note that someone reached this person (feeds the key-person coverage)."""
    with transaction.atomic():
        Contact.objects.filter(pk=contact.pk).update(last_contacted_at=at)
        ContactEvent.objects.create(
            contact=contact, kind=ContactEvent.Kind.CONTACTED, at=at, actor=actor, note=note[:300]
        )
    contact.last_contacted_at = at
    return contact


def link_buyer_contact(*, user: User, contact: Contact) -> Contact:
    """Link a buyer login to its contact record (one-to-one, same company). Raises ValidationFailed."""
    if user.customer_id is None or user.customer_id != contact.customer_id:
        raise ValidationFailed("the login and the contact belong to different companies")
    with transaction.atomic():
        Contact.objects.filter(user=user).exclude(pk=contact.pk).update(user=None)
        contact.user = user
        if not contact.email:
            contact.email = user.email
        _set_contact_keys(contact)
        contact.save()
    return contact
