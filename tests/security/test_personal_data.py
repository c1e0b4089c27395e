"""Personal data (APPI): consent and purpose, export and erasure on request, lead retention, masked logs."""

from __future__ import annotations

import io
import json
import logging
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.http import HttpRequest
from django.utils import timezone

from b2bshop.log_masking import MaskPersonalData
from crm.models import Contact, ContactEvent, ContactSource, LeadImport, LeadRow
from customers import roles
from customers.models import Customer
from mail.models import OutgoingEmail
from mail.services import enqueue_email
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    customer = factories.make_customer()
    buyer = factories.make_buyer(customer=customer, email="taro@acme.example.jp")
    contact = Contact.objects.create(
        customer=customer,
        name="=山田 太郎",
        name_kana="ヤマダ タロウ",
        email="taro@acme.example.jp",
        phone="03-1111-2222",
        purpose=Contact.Purpose.BUSINESS,
        marketing_consent=True,
        marketing_consent_date=timezone.localdate(),
        marketing_consent_method=Contact.ConsentMethod.BUSINESS_CARD,
        user=buyer,
    )
    ContactSource.objects.create(contact=contact, source="expo-2026", event="展示会")
    ContactEvent.objects.create(
        contact=contact, kind=ContactEvent.Kind.CONTACTED, at=timezone.now(), note="山田様に電話 03-1111-2222"
    )
    return contact


def _action(client, action, contact):
    return client.post(
        "/admin/crm/contact/", {"action": action, "_selected_action": [contact.pk]}, REMOTE_ADDR="203.0.113.5"
    )


def test_export_on_request_as_json_holds_everything_and_is_audited(person):
    out = io.StringIO()
    call_command("contact_data", "export", "--email", "TARO@acme.example.jp", stdout=out)
    data = json.loads(out.getvalue())
    assert data["contact"]["name"] == "=山田 太郎" and data["contact"]["phone"] == "03-1111-2222"
    assert data["contact"]["purpose"] == "business" and data["contact"]["marketing_consent"] is True
    assert data["sources"][0]["source"] == "expo-2026"
    assert data["history"][0]["note"].startswith("山田様に電話")
    assert data["login"]["email"] == "taro@acme.example.jp"
    (entry,) = LogEntry.objects.get_for_object(person).filter(action=LogEntry.Action.ACCESS)
    assert entry.additional_data == {"event": "personal_data_export", "format": "json"}


def test_export_as_csv_from_admin_is_formula_safe_and_records_who_and_where(client, person):
    staff = factories.make_staff()
    client.force_login(staff)
    response = _action(client, "export_personal_data_csv", person)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode()
    assert "contact,,name,'=山田 太郎" in text and "contact,,email,taro@acme.example.jp" in text
    (entry,) = LogEntry.objects.get_for_object(person).filter(action=LogEntry.Action.ACCESS)
    assert entry.actor == staff and entry.remote_addr == "203.0.113.5"


def test_erasure_on_request_anonymises_the_person_everywhere(
    client, person, django_capture_on_commit_callbacks
):
    buyer = person.user
    enqueue_email(
        kind="test",
        template="mail/email/message",
        context={"subject": "山田様", "body": "こんにちは"},
        to="taro@acme.example.jp",
        language="ja",
        reason="test",
        now=timezone.now(),
    )
    staff = factories.make_staff()
    client.force_login(staff)
    assert _action(client, "erase_personal_data", person).status_code == 302

    person.refresh_from_db()
    assert (person.name, person.name_kana, person.email, person.phone) == ("", "", "", "")
    assert not person.marketing_consent and person.erased_at is not None
    assert set(person.history.values_list("note", flat=True)) == {""}
    buyer.refresh_from_db()
    assert not buyer.is_active and "taro" not in buyer.email and buyer.full_name == ""
    client.logout()
    assert not client.login(request=HttpRequest(), username="taro@acme.example.jp", password="buyer-pass-123")
    mail = OutgoingEmail.objects.get()
    assert "taro" not in mail.to_email and mail.subject == "" and mail.body_text == ""
    assert mail.status == OutgoingEmail.Status.SUPPRESSED
    assert not LogEntry.objects.filter(object_repr__contains="山田").exists()
    assert (
        LogEntry.objects.get_for_object(person).filter(additional_data__event="personal_data_erased").exists()
    )
    # a second request changes nothing more
    client.force_login(staff)
    assert _action(client, "erase_personal_data", person).status_code == 302
    assert person.history.filter(kind=ContactEvent.Kind.ERASED).count() == 1


def test_only_roles_that_may_delete_contacts_can_erase(client, person):
    sales = factories.make_staff(superuser=False)
    sales.groups.add(Group.objects.get(name=roles.SALES))
    person.customer.owner = sales
    person.customer.save()
    client.force_login(sales)
    page = client.get("/admin/crm/contact/").content.decode()
    assert "export_personal_data_json" in page and "erase_personal_data" not in page
    _action(client, "erase_personal_data", person)
    person.refresh_from_db()
    assert person.erased_at is None and person.email


def _lead(customer: Customer, days_old: int, **fields) -> Contact:
    contact = Contact.objects.create(customer=customer, name="リード", email="lead@example.jp", **fields)
    Contact.objects.filter(pk=contact.pk).update(created_at=timezone.now() - timedelta(days=days_old))
    return contact


def test_leads_that_never_became_customers_are_deleted_after_the_retention_limit():
    prospect = factories.make_customer()
    prospect.trading_status = Customer.TradingStatus.PROSPECT
    prospect.save()
    limit = settings.LEAD_RETENTION_DAYS
    old_lead, fresh_lead = _lead(prospect, limit + 1), _lead(prospect, limit - 1)
    old_customer_contact = _lead(factories.make_customer(), limit + 1)
    lead_import = LeadImport.objects.create(
        source="expo", file_name="leads.csv", created_at=timezone.now() - timedelta(days=limit + 1)
    )
    LeadRow.objects.create(
        lead_import=lead_import, row=1, status="new", data={"person_name": "佐藤", "email": "s@example.jp"}
    )

    out = io.StringIO()
    call_command("purge_stale_leads", "--dry-run", stdout=out)
    assert "would delete 1 lead contacts" in out.getvalue() and "would clear 1 lead rows" in out.getvalue()
    assert Contact.objects.filter(pk=old_lead.pk).exists()

    call_command("purge_stale_leads", stdout=io.StringIO())
    assert not Contact.objects.filter(pk=old_lead.pk).exists()
    assert Contact.objects.filter(pk__in=[fresh_lead.pk, old_customer_contact.pk]).count() == 2
    assert LeadRow.objects.get().data == {}
    assert (
        settings.CELERY_BEAT_SCHEDULE["crm-purge-stale-leads"]["task"] == "crm.tasks.purge_stale_leads_task"
    )


def test_logs_mask_addresses_and_phone_numbers():
    root_filters = [f for h in logging.getLogger().handlers for f in h.filters]
    assert any(isinstance(f, MaskPersonalData) for f in root_filters)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(MaskPersonalData())
    logger = logging.getLogger("tests.masking")
    logger.addHandler(handler)
    try:
        logger.warning(
            "mail to %s failed, call %s (order %s)", "taro@acme.example.jp", "090-1234-5678", "W-000123"
        )
    finally:
        logger.removeHandler(handler)
    line = stream.getvalue()
    assert "taro@" not in line and "t***@acme.example.jp" in line
    assert "1234-5678" not in line and "***-****-5678" in line and "W-000123" in line


def test_each_contact_has_a_purpose_and_imported_leads_are_for_sales(tmp_path):
    assert Contact._meta.get_field("purpose").default == Contact.Purpose.BUSINESS
    leads = tmp_path / "leads.csv"
    leads.write_text(
        "company_name,person_name,email\n新規商事株式会社,佐藤 健,sato@shinki.example.jp\n", encoding="utf-8"
    )
    call_command("import_leads", str(leads), "--source", "expo-2026", stdout=io.StringIO())
    contact = Contact.objects.get(email="sato@shinki.example.jp")
    assert contact.purpose == Contact.Purpose.SALES
