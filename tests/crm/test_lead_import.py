"""import_leads end to end: report format, encodings, bad input, prospects, idempotency, sample accuracy."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from crm.models import Contact, ContactSource, LeadImport, LeadRow
from customers.models import Customer
from tests.crm.builders import (
    SAMPLE_DIR,
    lead_csv,
    load_sample_customers,
    make_master_customer,
    read_report,
)

pytestmark = pytest.mark.django_db

REPORT_HEADER = ["row", "company_name", "status", "customer_code", "score", "reason"]


@pytest.fixture
def master():
    return [
        make_master_customer(
            code="C001",
            name="株式会社山田商事",
            domain="yamada-shoji.co.jp",
            phone="03-1111-2222",
            postal_code="100-0001",
            address="東京都千代田区1-1-1",
            prefecture="東京都",
        ),
        make_master_customer(
            code="C002",
            name="東京鋼材株式会社",
            domain="tokyo-kouzai.co.jp",
            phone="03-3333-4444",
            postal_code="135-0001",
            address="東京都江東区2-2-2",
            prefecture="東京都",
        ),
    ]


def _run(
    tmp_path: Path, data: bytes, *, source: str = "expo-2026", name: str = "leads.csv"
) -> list[list[str]]:
    src = tmp_path / name
    src.write_bytes(data)
    out = tmp_path / f"{name}.report.csv"
    call_command("import_leads", str(src), "--source", source, "--report", str(out))
    return read_report(out)


ROWS = [
    {
        "company_name": "(株)山田商事",
        "person_name": "佐藤 健",
        "email": "sato@yamada-shoji.co.jp",
        "title": "営業部長",
        "event": "展示会",
    },
    {"company_name": "山田商店", "person_name": "鈴木 一郎", "email": "suzuki@yamada-shoten.jp"},
    {"company_name": "東京鋼業株式会社", "person_name": "田中 花子", "phone": "06-9999-0000"},
    {"company_name": "", "person_name": "名無し"},
]


def test_report_format_field_by_field(tmp_path, master):
    report = _run(tmp_path, lead_csv(ROWS))
    assert report[0] == REPORT_HEADER
    assert [r[0] for r in report[1:]] == ["1", "2", "3", "4"]
    row1 = report[1]
    assert row1[1] == "(株)山田商事" and row1[2] == "matched" and row1[3] == "C001"
    assert 0.85 <= float(row1[4]) <= 1 and row1[5]
    assert report[2][2] == "new" and report[3][2] == "new"  # look-alikes are not merged
    # A new row names no customer (not the candidate it rejected); its reason names the prospect it made.
    assert report[2][3] == "" and report[3][3] == ""
    assert report[4][2:4] == ["invalid", ""] and report[4][4] == "0" and "company_name" in report[4][5]
    for r in report[1:]:
        assert r[2] in {"matched", "review", "new", "invalid"}
        assert 0 <= float(r[4]) <= 1
    contact = Contact.objects.get(email="sato@yamada-shoji.co.jp")
    assert contact.customer.code == "C001" and contact.role == "decision_maker"
    assert list(contact.sources.values_list("source", "event")) == [("expo-2026", "展示会")]
    prospects = Customer.objects.filter(trading_status="prospect").order_by("code")
    assert [p.name for p in prospects] == ["山田商店", "東京鋼業株式会社"]
    assert all(p.code.startswith("P") and p.name_key for p in prospects)
    assert [p.code in r[5] for p, r in zip(prospects, report[2:4], strict=True)] == [True, True]
    rows = LeadRow.objects.filter(status="new").order_by("row")
    assert [r.customer.code for r in rows] == [p.code for p in prospects]  # the admin page links them


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_encodings(tmp_path, master, encoding):
    report = _run(tmp_path, lead_csv(ROWS[:1], encoding=encoding))
    assert report[1][1:4] == ["(株)山田商事", "matched", "C001"]
    assert LeadImport.objects.get().encoding == encoding


def test_shift_jis_with_one_bad_row_keeps_the_others(tmp_path, master, english):
    good = lead_csv(ROWS[:1], encoding="cp932")
    data = (
        good
        + "山田商店,,,,,,,,,,\r\n".encode()[:4]
        + b"\xff\xfe,\r\n"
        + "(株)山田商事,,高橋\r\n".encode("cp932")
    )
    report = _run(tmp_path, data)
    assert [r[2] for r in report[1:]] == ["matched", "invalid", "matched"]
    assert "encoding" in report[2][5]


def test_missing_company_name_column_writes_nothing(tmp_path, master):
    src = tmp_path / "bad.csv"
    src.write_bytes("name,email\n山田商事,a@b.jp\n".encode())
    with pytest.raises(CommandError, match="company_name"):
        call_command("import_leads", str(src), "--source", "x", "--report", str(tmp_path / "r.csv"))
    assert not LeadImport.objects.exists() and not Contact.objects.exists()
    assert not (tmp_path / "r.csv").exists()


def test_file_above_the_limit_is_refused(tmp_path, master, settings):
    settings.LEAD_IMPORT_MAX_BYTES = 100
    src = tmp_path / "big.csv"
    src.write_bytes(lead_csv(ROWS * 5))
    with pytest.raises(CommandError, match="MB"):
        call_command("import_leads", str(src), "--source", "x")
    assert not LeadImport.objects.exists()


def test_empty_rows_broken_quotes_and_long_cells_are_invalid_rows(tmp_path, master, english):
    text = (
        "company_name,person_name,email,address\r\n"
        "(株)山田商事,佐藤 健,sato@yamada-shoji.co.jp,\r\n"
        ",,,\r\n"
        "\r\n"
        '"山田商事,壊れた引用,x@y.jp,\r\n'
        "山田商店,鈴木,,\r\n"
        f"長すぎ商事,{'あ' * 500},,\r\n"
        "東京鋼材,田中,not-an-email,\r\n"
        '"東京鋼材 株式会社","多行\r\nの名前",,\r\n'
    )
    report = _run(tmp_path, text.encode())
    statuses = [r[2] for r in report[1:]]
    assert statuses == ["matched", "invalid", "invalid", "invalid", "new", "invalid", "invalid", "matched"]
    reasons = [r[5] for r in report[1:]]
    assert "empty" in reasons[1] and "empty" in reasons[2]
    assert "quote" in reasons[3]
    assert "person_name" in reasons[5] and "e-mail" in reasons[6]
    assert LeadRow.objects.filter(status="invalid", contact__isnull=False).count() == 0


def test_formula_injection_is_neutralised_in_the_report(tmp_path, master):
    rows = [
        {"company_name": "=cmd|' /C calc'!A0"},
        {"company_name": "+山田商事"},
        {"company_name": "@SUM(1)"},
        {"company_name": "-1+2"},
    ]
    report = _run(tmp_path, lead_csv(rows))
    assert [r[1] for r in report[1:]] == ["'=cmd|' /C calc'!A0", "'+山田商事", "'@SUM(1)", "'-1+2"]


def test_new_rows_of_one_company_make_one_prospect(tmp_path, master):
    rows = [
        {"company_name": "株式会社 青空物産", "person_name": "A", "email": "a@aozora.jp"},
        {"company_name": "青空物産(株)", "person_name": "B", "email": "b@aozora.jp"},
        {"company_name": "青空物産", "person_name": "A", "email": "a@aozora.jp"},
    ]
    report = _run(tmp_path, lead_csv(rows))
    assert [r[2] for r in report[1:3]] == ["new", "new"]
    assert "1行目と同じ会社" in report[2][5]  # reasons in words (issue 17)
    assert Customer.objects.filter(trading_status="prospect").count() == 1
    prospect = Customer.objects.get(trading_status="prospect")
    assert set(prospect.contacts.values_list("email", flat=True)) >= {"a@aozora.jp", "b@aozora.jp"}


def test_reimporting_the_same_file_duplicates_nothing(tmp_path, master):
    data = lead_csv(ROWS + [{"company_name": "ヤマダショウジ", "person_name": "X"}])
    first = _run(tmp_path, data, name="a.csv")
    counts = (Contact.objects.count(), Customer.objects.count(), ContactSource.objects.count())
    pending = LeadRow.objects.filter(resolution="pending").count()
    second = _run(tmp_path, data, name="b.csv")
    assert (Contact.objects.count(), Customer.objects.count(), ContactSource.objects.count()) == counts
    assert LeadRow.objects.filter(resolution="pending").count() == pending
    assert len(second) == len(first)
    # What was new the first time is now a known prospect.
    assert [r[2] for r in second[1:4]] == ["matched", "matched", "matched"]


def test_sample_precision_and_recall_through_the_import(tmp_path):
    if not SAMPLE_DIR.is_dir():
        pytest.skip(f"shared sample data not found at {SAMPLE_DIR}")
    load_sample_customers()
    out = tmp_path / "report.csv"
    call_command("import_leads", str(SAMPLE_DIR / "leads.csv"), "--source", "sample", "--report", str(out))
    report = read_report(out)[1:]
    with (SAMPLE_DIR / "truth.csv").open(encoding="utf-8") as f:
        truth = {r["row"]: r["customer_code"] for r in csv.DictReader(f)}
    assert len(report) == len(truth)
    matched = [r for r in report if r[2] == "matched"]
    correct = [r for r in matched if truth[r[0]] == r[3]]
    positives = [k for k, v in truth.items() if v]
    assert len(correct) / len(matched) >= 0.99
    assert len(correct) / len(positives) >= 0.95
