"""Writes for CRM: contacts (key persons), their history and consent, prospect codes.

The lead import itself is `crm.services.leads`.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction

from b2bshop.errors import ValidationFailed
from crm.lead_file import person_key
from crm.models import SALES_SOURCE, CodeSequence, Contact, ContactEvent, ContactSource
from customers.models import Customer, User


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
        "department": contact.department.name if contact.department is not None else "",
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
    contact.email_key = contact.email.strip().lower()
    contact.name_key = person_key(contact.name)


def save_contact(
    *, contact: Contact, actor: User | None, now: datetime, changed: list[str] | None = None
) -> Contact:
    """Create or update a contact from staff input, recording history (and consent changes).

    A contact created by staff gets the `sales` source. Consent needs a date and a way
    (ValidationFailed otherwise), so "who agreed, when, how" can always be shown.
    """
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
