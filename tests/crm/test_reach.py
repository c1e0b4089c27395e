"""Know whom to reach: key persons by department (where to expand) and the marketing list's consent gate."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from b2bshop.errors import ValidationFailed
from crm import selectors, services
from crm.models import Contact, ContactEvent, Department
from mail.services import record_bounce
from tests import factories
from tests.crm.builders import make_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def account():
    customer = factories.make_customer(name="株式会社山田商事")
    customer.is_key_account = True
    customer.save()
    sales = Department.objects.create(customer=customer, name="営業部")
    purchasing = Department.objects.create(customer=customer, name="購買部")
    Department.objects.create(customer=customer, name="経理部")  # known, nobody there yet
    make_contact(
        customer=customer, name="購買 担当", department=purchasing, role="operational", is_key_person=True
    )
    make_contact(
        customer=customer, name="営業 部長", department=sales, role="decision_maker", is_key_person=True
    )
    return customer


def test_departments_show_where_to_expand_other_departments_and_superiors(account, django_assert_num_queries):
    with django_assert_num_queries(2):
        by_customer = selectors.departments_by_customer(customer_ids=[account.pk])
    rows = {d.department: d for d in by_customer[account.pk]}
    assert list(rows) == ["営業部", "経理部", "購買部"]
    assert rows["経理部"].expand_to_other_department and not rows["経理部"].expand_to_superior
    assert rows["購買部"].expand_to_superior and not rows["購買部"].expand_to_other_department
    assert not rows["営業部"].expand_to_superior and not rows["営業部"].expand_to_other_department
    assert rows["購買部"].missing == ["decision_maker", "approver"]


def test_the_coverage_page_lists_departments_with_expansion_hints(account, staff_client):
    html = staff_client.get(reverse("admin:crm_coverage")).content.decode()
    assert 'data-department="経理部"' in html and 'data-department="購買部"' in html
    assert "他部署" in html and "上長" in html


@pytest.fixture
def people():
    customer = factories.make_customer()
    buyer = factories.make_buyer(customer=customer)
    gone = factories.make_buyer(customer=customer)
    gone.is_active = False
    gone.save()
    now = timezone.now()
    found = {
        "buyer": make_contact(customer=customer, name="発注 担当", email=buyer.email, user=buyer),
        "gone": make_contact(customer=customer, name="退職 者", email=gone.email, user=gone),
        "no-consent": make_contact(customer=customer, name="名刺 交換", email="card@example.jp"),
        "consent": make_contact(customer=customer, name="展示会 来場", email="expo@example.jp"),
        "owned": make_contact(
            customer=customer, name="営業 担当先", email="owned@example.jp", owner=factories.make_staff()
        ),
        "bounced": make_contact(customer=customer, name="不達 宛先", email="Bounce@example.jp"),
    }
    for key in ("consent", "owned", "bounced"):
        services.set_marketing_consent(
            contact=found[key], consent=True, given_on=date(2026, 10, 1), method="event", actor=None, now=now
        )
    record_bounce(email="bounce@example.jp", now=now)
    return found


def test_marketing_list_needs_consent_for_non_buyers_and_leaves_out_owned_and_bounced(people):
    assert set(selectors.marketing_list()) == {people["buyer"], people["consent"]}


def test_withdrawn_consent_takes_a_contact_off_the_marketing_list(people):
    services.set_marketing_consent(
        contact=people["consent"], consent=False, given_on=None, method="", actor=None, now=timezone.now()
    )
    assert set(selectors.marketing_list()) == {people["buyer"]}
    people["consent"].refresh_from_db()
    assert (people["consent"].marketing_consent_date, people["consent"].marketing_consent_method) == (
        None,
        "",
    )
    history = people["consent"].history.filter(kind=ContactEvent.Kind.CONSENT).order_by("at", "pk")
    assert [(e.data["marketing_consent"], e.data["date"], e.data["method"]) for e in history] == [
        (True, "2026-10-01", "event"),
        (False, None, ""),
    ]


def test_consent_is_recorded_with_its_date_and_way_or_refused(people):
    contact = people["no-consent"]
    with pytest.raises(ValidationFailed):
        services.set_marketing_consent(
            contact=contact,
            consent=True,
            given_on=date(2026, 10, 1),
            method="guess",
            actor=None,
            now=timezone.now(),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Contact.objects.filter(pk=contact.pk).update(marketing_consent=True)  # no date, no way: refused
    contact.refresh_from_db()
    assert contact.marketing_consent is False
    assert contact not in selectors.marketing_list()


def test_marketing_list_downloads_as_csv_from_the_coverage_page(people, staff_client):
    response = staff_client.get(reverse("admin:crm_coverage"), {"export": "marketing"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "expo@example.jp" in body and people["buyer"].email in body
    assert (
        "card@example.jp" not in body and "owned@example.jp" not in body and "Bounce@example.jp" not in body
    )
