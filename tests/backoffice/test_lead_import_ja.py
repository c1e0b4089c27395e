"""Lead files with Japanese headers; new rows name the prospect they created; reasons in words."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from crm.lead_file import HEADER_SYNONYMS, LEAD_COLUMNS
from crm.models import Contact, LeadImport, LeadRow
from crm.reasons import describe_reason
from customers.models import Customer
from tests.crm.builders import make_master_customer

pytestmark = pytest.mark.django_db

JA_HEADER = ["会社名", "部署", "氏名", "役職", "メール", "電話", "郵便番号", "住所"]


def ja_csv(rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(JA_HEADER)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


@pytest.fixture
def master():
    return make_master_customer(
        code="C001", name="株式会社山田商事", domain="yamada-shoji.co.jp", phone="03-1111-2222",
        address="東京都千代田区1-1-1", prefecture="東京都",
    )  # fmt: skip


def test_every_japanese_header_maps_to_a_contract_column():
    assert set(HEADER_SYNONYMS.values()) <= set(LEAD_COLUMNS)
    for header in JA_HEADER:
        assert header in HEADER_SYNONYMS


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp932"])
def test_a_file_with_japanese_headers_imports_and_shows_what_each_row_became(admin_client, master, encoding):
    data = ja_csv(
        [
            ["(株)山田商事", "購買部", "佐藤 健", "部長", "sato@yamada-shoji.co.jp", "03-1111-2222", "", ""],
            [
                "株式会社まるまる工業",
                "総務部",
                "鈴木 一郎",
                "",
                "suzuki@marumaru.jp",
                "06-5555-0000",
                "530-0001",
                "大阪府大阪市北区1-1",
            ],
        ],  # fmt: skip
        encoding,
    )
    response = admin_client.post(
        reverse("admin:crm_leadimport_upload"),
        {"source": "展示会2026", "file": SimpleUploadedFile("名刺.csv", data, content_type="text/csv")},
    )
    assert response.status_code == 302
    batch = LeadImport.objects.get()
    matched, new = LeadRow.objects.filter(lead_import=batch).order_by("row")
    assert matched.status == "matched" and matched.customer.code == "C001"
    prospect = Customer.objects.get(trading_status="prospect")
    assert new.status == "new" and new.customer == prospect and new.customer_code == ""
    contact = Contact.objects.get(email="suzuki@marumaru.jp")
    assert (contact.customer, contact.name, contact.department.name) == (prospect, "鈴木 一郎", "総務部")

    page = admin_client.get(reverse("admin:crm_leadimport_change", args=[batch.pk])).content.decode()
    assert f"{prospect.code} 株式会社まるまる工業</a> (見込み客を作成)" in page
    assert "会社名が一致、メールのドメインも一致、電話番号も一致" in page
    assert f"新しい見込み客 {prospect.code} を作成" in page
    report = admin_client.get(reverse("admin:crm_leadimport_report", args=[batch.pk]))
    text = b"".join(report.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[2][2:4] == ["new", ""]  # contract: matched or best candidate, else empty


@pytest.mark.parametrize(
    ("reason", "ja"),
    [
        ("name+phone", "会社名が一致、電話番号も一致"),
        ("name+domain+address", "会社名が一致、メールのドメインも一致、住所も一致"),
        ("fuzzy(0.82) -domain", "会社名が82%似ている、ただしメールのドメインが異なる"),
        ("core≠(0.31) -domain", "会社名の中心部分が異なる (類似度31%)、ただしメールのドメインが異なる"),
        ("kana ambiguous with C002", "会社名の読み (カナ) が一致、C002 とも似ている"),
        ("no candidate; new prospect P000007", "似た得意先なし、新しい見込み客 P000007 を作成"),
        ("same company as row 3", "3行目と同じ会社"),
        ("company_name is empty", "company_name is empty"),
        ("name+honorific", "会社名が一致、honorific"),  # a token the matcher adds later shows as it is
    ],
)
def test_reasons_read_as_words(reason, ja):
    with translation.override("ja"):
        assert describe_reason(reason) == ja
