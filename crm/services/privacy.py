"""Personal data under the APPI (個人情報保護法): a person's data on request, erasure, retention of leads.

- ``contact_data`` is everything the shop holds about one contact (and their buyer login, if any);
  ``export_contact_data`` hands it out as JSON or CSV and leaves an audit event.
- ``erase_contact_data`` anonymises the contact in place (the row stays so history counts stay true):
  name, kana, title, e-mail, phone, consent and the notes and snapshots of their history are
  cleared, their buyer login is erased (customers.services.erase_user), the e-mail send log forgets
  the address, and audit rows no longer name them.
- ``purge_stale_leads`` deletes contacts of prospects that never became customers once they are
  older than LEAD_RETENTION_DAYS, and clears the raw rows and files of old lead imports.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q

from b2bshop.audit import record_event
from b2bshop.csv_safe import SafeWriter
from b2bshop.errors import ValidationFailed
from crm.models import Contact, ContactEvent, LeadImport, LeadRow
from customers import services as customer_services
from customers.models import Customer, User
from mail import services as mail_services

EXPORT_FORMATS = ("json", "csv")


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def contact_data(*, contact: Contact) -> dict[str, Any]:
    """Everything held about the person: the contact, where it came from, its history, their login."""
    contact = Contact.objects.select_related("customer", "department", "user").get(pk=contact.pk)
    data: dict[str, Any] = {
        "contact": {
            "id": contact.pk,
            "customer_code": contact.customer.code,
            "customer_name": contact.customer.name,
            "department": contact.department.name if contact.department else "",
            "name": contact.name,
            "name_kana": contact.name_kana,
            "title": contact.title,
            "email": contact.email,
            "phone": contact.phone,
            "role": contact.role,
            "purpose": contact.purpose,
            "marketing_consent": contact.marketing_consent,
            "marketing_consent_date": _iso(contact.marketing_consent_date),
            "marketing_consent_method": contact.marketing_consent_method,
            "last_contacted_at": _iso(contact.last_contacted_at),
            "created_at": _iso(contact.created_at),
            "erased_at": _iso(contact.erased_at),
        },
        "sources": [
            {"source": s.source, "event": s.event, "captured_on": _iso(s.captured_on)}
            for s in contact.sources.order_by("pk")
        ],
        "history": [
            {"kind": e.kind, "at": _iso(e.at), "note": e.note, "data": e.data}
            for e in contact.history.order_by("pk")
        ],
        "login": None,
    }
    if contact.user is not None:
        user = contact.user
        data["login"] = {
            "email": user.email,
            "name": user.full_name,
            "role": user.role,
            "language": user.preferred_language,
            "active": user.is_active,
            "created_at": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        }
    return data


def _csv(data: dict[str, Any]) -> str:
    """One row per fact: section, index, field, value (safe against spreadsheet formulas)."""
    out = io.StringIO()
    writer = SafeWriter(out)
    writer.writerow(["section", "index", "field", "value"])
    for section in ("contact", "login"):
        for field, value in (data[section] or {}).items():
            writer.writerow([section, "", field, "" if value is None else value])
    for section in ("sources", "history"):
        for index, item in enumerate(data[section], start=1):
            for field, value in item.items():
                shown = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value
                writer.writerow([section, index, field, "" if shown is None else shown])
    return out.getvalue()


def export_contact_data(*, contact: Contact, fmt: str, actor: User | None) -> str:
    """The person's data as JSON or CSV text; the export itself is an audit event (who, when, where)."""
    if fmt not in EXPORT_FORMATS:
        raise ValidationFailed(f"format must be one of {', '.join(EXPORT_FORMATS)}")
    data = contact_data(contact=contact)
    record_event(obj=contact, event="personal_data_export", details={"format": fmt}, actor=actor)
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2, default=str)
    return _csv(data)


def erase_contact_data(*, contact: Contact, actor: User | None, now: datetime) -> Contact:
    """Anonymise the person (a deletion request). Idempotent: erasing twice changes nothing more."""
    with transaction.atomic():
        contact = Contact.objects.select_for_update(of=("self",)).select_related("user").get(pk=contact.pk)
        if contact.erased_at is not None:
            return contact
        addresses = {a for a in (contact.email, contact.user.email if contact.user else "") if a}
        if contact.user is not None and not (contact.user.is_staff or contact.user.is_integration):
            _forget_in_audit_log(obj=contact.user, user=contact.user)
            customer_services.erase_user(user=contact.user)
        for address in addresses:
            mail_services.erase_address(email=address)
        contact.history.update(note="", data={})
        contact.name = contact.name_kana = contact.title = contact.email = contact.phone = ""
        contact.email_key = contact.name_key = ""
        contact.marketing_consent = False
        contact.marketing_consent_date = None
        contact.marketing_consent_method = ""
        contact.erased_at = now
        contact.save()
        _forget_in_audit_log(obj=contact, user=None)
        ContactEvent.objects.create(contact=contact, kind=ContactEvent.Kind.ERASED, at=now, actor=actor)
        record_event(obj=contact, event="personal_data_erased", actor=actor)
    return contact


def _forget_in_audit_log(*, obj: Contact | User, user: User | None) -> None:
    """Audit rows keep what happened, but no longer the person's name or address."""
    content_type = ContentType.objects.get_for_model(type(obj))
    LogEntry.objects.filter(content_type=content_type, object_pk=str(obj.pk)).update(
        object_repr=f"#{obj.pk}", serialized_data=None
    )
    if user is not None:
        LogEntry.objects.filter(actor=user).update(actor_email=None)


@dataclass(frozen=True, slots=True)
class PurgeResult:
    contacts: int
    lead_rows: int
    lead_files: int


def purge_stale_leads(*, now: datetime, days: int, dry_run: bool) -> PurgeResult:
    """Delete lead contacts of prospects that never became customers, older than `days`.

    Contacts with a buyer login are kept (the person uses the shop). Lead imports older than `days`
    lose their raw rows' personal fields and their uploaded file; their counts stay.
    """
    cutoff = now - timedelta(days=days)
    contacts = Contact.objects.filter(
        customer__trading_status=Customer.TradingStatus.PROSPECT, created_at__lt=cutoff, user__isnull=True
    )
    old_imports = LeadImport.objects.filter(created_at__lt=cutoff)
    rows = LeadRow.objects.filter(lead_import__in=old_imports).exclude(data={})
    files = old_imports.exclude(Q(file="") | Q(file__isnull=True))
    result = PurgeResult(contacts=contacts.count(), lead_rows=rows.count(), lead_files=files.count())
    if dry_run:
        return result
    with transaction.atomic():
        contacts.delete()
        rows.update(data={})
        for lead_import in files:
            lead_import.file.delete(save=False)
            lead_import.file = ""
            lead_import.save(update_fields=["file"])
    return result


def record_contacts_export(*, contact_ids: list[int], actor: User | None, what: str) -> int:
    """An export of many contacts (the admin's CSV list): one audit event per person exported."""
    for contact in Contact.objects.filter(pk__in=contact_ids).order_by("pk"):
        record_event(obj=contact, event="personal_data_export", details={"format": what}, actor=actor)
    return len(contact_ids)
