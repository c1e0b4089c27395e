"""Contacts: merge keeps sources and history, consent, buyer link, CSV safety, coverage report."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.utils import timezone

from b2bshop.csv_safe import neutralize, safe_writer
from b2bshop.errors import ValidationFailed
from crm import selectors, services
from crm.lead_file import detect_encoding, open_lead_file, person_key, role_from_title
from crm.models import Contact, ContactEvent, ContactSource
from tests import factories
from tests.crm.builders import make_contact, make_master_customer


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+81 3", "'+81 3"),
        ("-5", "'-5"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("山田", "山田"),
        ("", ""),
        (0.95, 0.95),
        ("a=b", "a=b"),
    ],
)
def test_neutralize(value, expected):
    assert neutralize(value) == expected


def test_safe_writer_neutralises_every_cell():
    out = io.StringIO()
    safe_writer(out).writerow(['=HYPERLINK("http://x")', "ok", 1, "-2"])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ['\'=HYPERLINK("http://x")', "ok", "1", "'-2"]


@pytest.mark.parametrize(
    ("title", "role"),
    [
        ("代表取締役社長", "decision_maker"),
        ("営業部長", "decision_maker"),
        ("購買課長", "approver"),
        ("部長代理", "approver"),
        ("主任", "operational"),
        ("", "unknown"),
        ("Sales Manager", "approver"),
    ],
)
def test_role_from_title(title, role):
    assert role_from_title(title) == role


def test_person_key_folds_width_spaces_and_kana():
    assert person_key("山田　太郎") == person_key("山田 太郎") == "山田太郎"
    assert person_key("やまだ たろう") == person_key("ヤマダ・タロウ")


def test_detect_encoding():
    assert detect_encoding("会社\n".encode()) == "utf-8"
    assert detect_encoding(b"\xef\xbb\xbfcompany_name\n") == "utf-8-sig"
    assert detect_encoding("株式会社山田商事\n".encode("cp932")) == "cp932"
    assert detect_encoding(b"company_name\nabc\n") == "utf-8"


def test_a_never_closed_quote_costs_one_line_only(english):
    data = ('company_name\n"壊れた商事\n' + "".join(f"会社{i}\n" for i in range(30))).encode()
    _enc, _hdr, rows = open_lead_file(io.BytesIO(data), source="x")
    rows = list(rows)
    assert rows[0].error and "quote" in rows[0].error
    assert [r.company_name for r in rows[1:]] == [f"会社{i}" for i in range(30)]


@pytest.mark.django_db
def test_merge_keeps_every_source_and_history():
    customer = make_master_customer(code="C1", name="山田商事")
    staff = factories.make_staff()
    now = timezone.now()
    a = make_contact(customer=customer, name="佐藤 健", email="sato@yamada.jp")
    b = make_contact(customer=customer, name="佐藤健", title="部長", role="decision_maker")
    ContactSource.objects.create(contact=b, source="expo-2026", event="展示会")
    services.record_contacted(contact=b, at=now - timedelta(days=3), actor=staff)
    services.set_marketing_consent(
        contact=b, consent=True, given_on=date(2026, 10, 1), method="event", actor=staff, now=now
    )
    merged = services.merge_contacts(survivor=a, duplicates=[b], actor=staff, now=now)
    assert not Contact.objects.filter(pk=b.pk).exists()
    assert set(merged.sources.values_list("source", flat=True)) == {"sales", "expo-2026"}
    kinds = list(merged.history.values_list("kind", flat=True))
    assert kinds.count("created") == 2 and "contacted" in kinds and "consent" in kinds and "merged" in kinds
    snapshot = merged.history.get(kind="merged").data
    assert snapshot["title"] == "部長" and snapshot["id"] == b.pk
    assert merged.title == "部長" and merged.role == "decision_maker" and merged.email == "sato@yamada.jp"
    assert merged.marketing_consent and merged.marketing_consent_date == date(2026, 10, 1)
    assert merged.marketing_consent_method == "event" and merged.last_contacted_at is not None


@pytest.mark.django_db
def test_merge_across_customers_is_refused():
    a = make_contact(customer=make_master_customer(code="C1", name="山田商事"))
    b = make_contact(customer=make_master_customer(code="C2", name="田中商店"))
    with pytest.raises(ValidationFailed):
        services.merge_contacts(survivor=a, duplicates=[b], actor=None, now=timezone.now())


@pytest.mark.django_db
def test_consent_needs_date_and_way_and_is_recorded():
    contact = make_contact(customer=make_master_customer(code="C1", name="山田商事"))
    contact.marketing_consent = True
    with pytest.raises(ValidationFailed):
        services.save_contact(contact=contact, actor=None, now=timezone.now(), changed=["marketing_consent"])
    services.set_marketing_consent(
        contact=contact,
        consent=True,
        given_on=date(2026, 11, 1),
        method="web_form",
        actor=None,
        now=timezone.now(),
    )
    contact.refresh_from_db()
    assert (contact.marketing_consent, contact.marketing_consent_date, contact.marketing_consent_method) == (
        True,
        date(2026, 11, 1),
        "web_form",
    )
    services.set_marketing_consent(
        contact=contact, consent=False, given_on=None, method="", actor=None, now=timezone.now()
    )
    contact.refresh_from_db()
    assert not contact.marketing_consent and contact.marketing_consent_date is None
    events = ContactEvent.objects.filter(contact=contact, kind="consent").order_by("pk")
    assert [e.data["marketing_consent"] for e in events] == [True, False]


@pytest.mark.django_db
def test_buyer_login_links_to_its_contact_only_within_the_company():
    customer = make_master_customer(code="C1", name="山田商事")
    buyer = factories.make_buyer(customer=customer, email="buyer@yamada.jp")
    contact = make_contact(customer=customer)
    services.link_buyer_contact(user=buyer, contact=contact)
    assert buyer.contact == contact and contact.email == "buyer@yamada.jp"
    other = make_contact(customer=make_master_customer(code="C2", name="田中商店"))
    with pytest.raises(ValidationFailed):
        services.link_buyer_contact(user=buyer, contact=other)


@pytest.mark.django_db
def test_customer_name_key_is_kept_in_step():
    customer = make_master_customer(code="C1", name="㈱ 山田商事 名古屋営業所")
    assert customer.name_key == "山田商事"
    customer.name = "有限会社田中商店"
    customer.save(update_fields=["name"])
    customer.refresh_from_db()
    assert customer.name_key == "田中商店"


@pytest.mark.django_db
def test_key_person_coverage(django_assert_max_num_queries):
    from decimal import Decimal

    from orders.models import Order

    now = timezone.now()
    big = make_master_customer(code="C1", name="山田商事")
    flagged = make_master_customer(code="C2", name="田中商店")
    flagged.is_key_account = True
    flagged.save()
    small = make_master_customer(code="C3", name="鈴木物産")
    Order.objects.create(
        number="O-1",
        customer=big,
        subtotal=Decimal(900000),
        total=Decimal(990000),
        tax_10=Decimal(90000),
        placed_at=now - timedelta(days=30),
        **_order_extra(),
    )
    make_contact(customer=big, name="A", role="decision_maker", last_contacted_at=now - timedelta(days=400))
    make_contact(customer=big, name="B", role="operational", last_contacted_at=now - timedelta(days=10))
    make_contact(customer=flagged, name="C", role="approver")
    marketing = make_contact(customer=small, name="D")
    ContactSource.objects.filter(contact=marketing).delete()
    ContactSource.objects.create(contact=marketing, source="expo-2026")
    owned = make_contact(customer=small, name="E", owner=factories.make_staff())
    ContactSource.objects.create(contact=owned, source="web-form")

    assert selectors.key_account_ids(now=now, top_n=1) == [big.pk, flagged.pk]
    with django_assert_max_num_queries(2):
        cov = {
            c.customer.code: c
            for c in selectors.key_person_coverage(
                customers=Customer_objects().filter(pk__in=[big.pk, flagged.pk]), now=now, months=6
            )
        }
    assert cov["C1"].known == {"operational": 1, "decision_maker": 1, "approver": 0}
    assert cov["C1"].recent == {"operational": True, "decision_maker": False, "approver": False}
    assert cov["C1"].missing == ["approver"]
    assert cov["C2"].has_decision_maker is False
    assert [c.code for c in selectors.list_key_accounts_missing_decision_maker(now=now)] == ["C2"]
    assert list(selectors.unowned_marketing_contacts()) == [marketing]


def Customer_objects():  # noqa: N802
    from customers.models import Customer

    return Customer.objects


def _order_extra() -> dict:
    from orders.models import Order

    fields = {f.name for f in Order._meta.get_fields()}
    extra: dict = {}
    if "idempotency_key" in fields:
        extra["idempotency_key"] = "k1"
    return extra
