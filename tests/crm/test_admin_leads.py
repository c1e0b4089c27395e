"""Admin: lead upload (sync and through the Celery task), progress, report download, review queue, merge, coverage."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from crm.models import Contact, LeadImport, LeadRow
from crm.tasks import import_leads_task
from customers.models import Customer
from tests.crm.builders import lead_csv, make_contact, make_master_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def master():
    return [
        make_master_customer(
            code="C001",
            name="株式会社山田商事",
            domain="yamada-shoji.co.jp",
            phone="03-1111-2222",
            address="東京都千代田区1-1-1",
            prefecture="東京都",
            name_kana="ヤマダショウジ",
        ),
        make_master_customer(
            code="C002",
            name="山田商事株式会社",
            domain="yamada-osaka.co.jp",
            phone="06-1111-2222",
            address="大阪府大阪市北区1-1-1",
            prefecture="大阪府",
            name_kana="ヤマダショウジ",
        ),
        make_master_customer(code="C003", name="東京鋼材株式会社", domain="tokyo-kouzai.co.jp"),
    ]


ROWS = [
    {"company_name": "(株)山田商事", "person_name": "佐藤 健", "email": "sato@yamada-shoji.co.jp"},
    {"company_name": "山田商事", "person_name": "鈴木 一郎"},  # two customers with this name: review
    {"company_name": '=HYPERLINK("http://evil")', "person_name": "X"},
]


def _upload(staff_client, data: bytes, name: str = "leads.csv", source: str = "expo"):
    return staff_client.post(
        reverse("admin:crm_leadimport_upload"),
        {"file": SimpleUploadedFile(name, data, content_type="text/csv"), "source": source},
    )


def test_upload_small_file_imports_synchronously_and_report_downloads(staff_client, master):
    response = _upload(staff_client, lead_csv(ROWS, encoding="cp932"))
    lead_import = LeadImport.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{lead_import.pk}/change/")
    assert lead_import.status == "done" and lead_import.processed_rows == 3
    page = staff_client.get(response["Location"])
    assert page.status_code == 200 and "lead-import-progress" in page.content.decode()
    report = staff_client.get(reverse("admin:crm_leadimport_report", args=[lead_import.pk]))
    text = b"".join(report.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["row", "company_name", "status", "customer_code", "score", "reason"]
    assert rows[1][2:4] == ["matched", "C001"] and rows[2][2] == "review"
    assert rows[3][1].startswith("'=")


def test_upload_without_company_name_shows_the_error(staff_client, master):
    response = _upload(staff_client, b"name,email\nx,y\n")
    assert response.status_code == 200 and "company_name" in response.content.decode()
    assert not LeadImport.objects.exists()


def test_large_upload_goes_through_the_task_with_progress(
    staff_client, master, settings, tmp_path, django_capture_on_commit_callbacks, monkeypatch
):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.LEAD_IMPORT_SYNC_MAX_BYTES = 10
    sent = []
    monkeypatch.setattr(import_leads_task, "delay", lambda **kw: sent.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(staff_client, lead_csv(ROWS))
    lead_import = LeadImport.objects.get()
    assert sent == [{"import_id": lead_import.pk}]
    assert lead_import.status == "queued" and lead_import.processed_rows == 0 and lead_import.total_rows == 3
    page = staff_client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' in page
    import_leads_task(import_id=lead_import.pk)  # what the worker runs
    lead_import.refresh_from_db()
    assert lead_import.status == "done" and lead_import.percent == 100 and lead_import.matched_count == 1
    lead_import.file.delete()


def test_review_queue_confirm_link_and_prospect(staff_client, master):
    rows = [
        {"company_name": "山田商事", "person_name": "鈴木 一郎", "email": "suzuki@example.jp"},
        {"company_name": "山田商事", "person_name": "高橋 次郎"},
        {"company_name": "山田商事", "person_name": "伊藤 三郎"},
    ]
    _upload(staff_client, lead_csv(rows))
    queue = staff_client.get(reverse("admin:crm_reviewleadrow_changelist"))
    assert queue.status_code == 200 and "鈴木" in queue.content.decode()
    r1, r2, r3 = LeadRow.objects.order_by("row")
    assert r1.status == "review" and r1.resolution == "pending" and len(r1.candidates) >= 2
    # confirm the suggestion (bulk action)
    staff_client.post(
        reverse("admin:crm_reviewleadrow_changelist"),
        {"action": "confirm_suggested", "_selected_action": [r1.pk]},
    )
    r1.refresh_from_db()
    assert r1.resolution == "confirmed" and r1.contact.customer == r1.customer
    # pick the other candidate on the decide page
    other = next(code for code, _s in r2.candidates if code != r2.customer_code)
    page = staff_client.get(reverse("admin:crm_reviewleadrow_resolve", args=[r2.pk]))
    assert other in page.content.decode()
    staff_client.post(
        reverse("admin:crm_reviewleadrow_resolve", args=[r2.pk]),
        {"action": "link", "customer_code": other},
    )
    r2.refresh_from_db()
    assert r2.resolution == "confirmed" and r2.customer.code == other and r2.contact.customer.code == other
    # create a prospect
    staff_client.post(reverse("admin:crm_reviewleadrow_resolve", args=[r3.pk]), {"action": "prospect"})
    r3.refresh_from_db()
    assert (
        r3.resolution == "prospect"
        and r3.customer.trading_status == "prospect"
        and r3.contact.name == "伊藤 三郎"
    )
    # decided rows leave the queue; deciding twice is refused
    queue = staff_client.get(reverse("admin:crm_reviewleadrow_changelist")).content.decode()
    assert "鈴木" not in queue
    staff_client.post(
        reverse("admin:crm_reviewleadrow_resolve", args=[r3.pk]), {"action": "dismiss"}, follow=True
    )
    r3.refresh_from_db()
    assert r3.resolution == "prospect"


def test_contact_merge_action_and_consent_form(staff_client, master):
    a = make_contact(customer=master[0], name="佐藤 健", email="sato@yamada-shoji.co.jp")
    b = make_contact(customer=master[0], name="佐藤健")
    staff_client.post(
        reverse("admin:crm_contact_changelist"),
        {"action": "merge_selected", "_selected_action": [a.pk, b.pk]},
    )
    assert list(Contact.objects.values_list("pk", flat=True)) == [a.pk]
    url = reverse("admin:crm_contact_change", args=[a.pk])
    form = {
        "customer": master[0].pk,
        "name": "佐藤 健",
        "email": a.email,
        "role": "decision_maker",
        "marketing_consent": "on",
        "purpose": "business",
        "sources-TOTAL_FORMS": 0,
        "sources-INITIAL_FORMS": 0,
        "history-TOTAL_FORMS": 0,
        "history-INITIAL_FORMS": 0,
    }
    response = staff_client.post(url, form)
    assert response.status_code == 200  # consent without date and way is refused
    a.refresh_from_db()
    assert not a.marketing_consent
    response = staff_client.post(
        url, {**form, "marketing_consent_date": "2026-11-01", "marketing_consent_method": "event"}
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.marketing_consent and a.history.filter(kind="consent").exists()


def test_coverage_page(staff_client, master):
    master[2].is_key_account = True
    master[2].save()
    make_contact(customer=master[2], name="営業 担当", role="operational")
    page = staff_client.get(reverse("admin:crm_coverage"), {"months": 3})
    html = page.content.decode()
    assert page.status_code == 200 and "東京鋼材" in html and 'id="missing-decision-maker"' in html
    assert Customer.objects.filter(is_key_account=True).count() == 1
