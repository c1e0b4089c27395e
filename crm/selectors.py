"""Reads for CRM: the customer master as the matcher sees it, key accounts, key-person coverage."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, Max, OuterRef, QuerySet, Sum

from crm.matching import CustomerRecord
from crm.models import SALES_SOURCE, Contact, ContactSource, LeadRow
from customers.models import Customer
from orders.models import Order

KEY_ROLES = (Contact.Role.OPERATIONAL, Contact.Role.DECISION_MAKER, Contact.Role.APPROVER)


def iter_customer_records() -> Iterator[tuple[int, CustomerRecord]]:
    """Every customer and prospect as the matcher needs it, streamed from the database."""
    rows = Customer.objects.order_by("pk").values_list(
        "pk", "code", "name", "name_kana", "prefecture", "postal_code", "address", "phone", "domain"
    )
    for pk, code, name, kana, pref, postal, address, phone, domain in rows.iterator(chunk_size=5000):
        yield (
            pk,
            CustomerRecord(
                code=code,
                name=name,
                name_kana=kana,
                prefecture=pref,
                postal_code=postal,
                address=address,
                phone=phone,
                domain=domain,
            ),
        )


def key_account_ids(*, now: datetime, top_n: int | None = None) -> list[int]:
    """Key accounts: customers flagged by staff, plus the top N by revenue over the last 12 months.

    Revenue is the sum of order totals (cancelled orders excluded). N is LEAD_KEY_ACCOUNT_TOP_N.
    """
    top_n = settings.KEY_ACCOUNT_TOP_N if top_n is None else top_n
    flagged = set(Customer.objects.filter(is_key_account=True).values_list("pk", flat=True))
    top = (
        Order.objects.filter(placed_at__gte=now - timedelta(days=365))
        .exclude(status=Order.Status.CANCELLED)
        .values("customer_id")
        .annotate(revenue=Sum("total"))
        .order_by("-revenue", "customer_id")[:top_n]
    )
    ordered = [row["customer_id"] for row in top]
    return ordered + sorted(flagged - set(ordered))


@dataclass
class Coverage:
    """Which key-person roles a customer has, and whether each was contacted recently."""

    customer: Customer
    known: dict[str, int] = field(default_factory=dict)  # role -> number of contacts
    recent: dict[str, bool] = field(default_factory=dict)  # role -> contacted in the last N months
    last_contacted_at: datetime | None = None

    @property
    def missing(self) -> list[str]:
        return [r for r in KEY_ROLES if not self.known.get(r)]

    @property
    def has_decision_maker(self) -> bool:
        return bool(self.known.get(Contact.Role.DECISION_MAKER))


def key_person_coverage(
    *, customers: QuerySet[Customer] | list[Customer], now: datetime, months: int | None = None
) -> list[Coverage]:
    """Per customer: which of the three roles are known and contacted in the last `months` months.

    Two queries whatever the number of customers (the customers, one aggregate over contacts).
    """
    months = settings.KEY_PERSON_RECENT_MONTHS if months is None else months
    since = now - timedelta(days=round(months * 30.44))
    customers = list(customers)
    result = {
        c.pk: Coverage(customer=c, known=dict.fromkeys(KEY_ROLES, 0), recent=dict.fromkeys(KEY_ROLES, False))
        for c in customers
    }
    rows = (
        Contact.objects.filter(customer_id__in=result.keys(), role__in=KEY_ROLES)
        .values("customer_id", "role")
        .annotate(n=Count("pk"), last=Max("last_contacted_at"))
    )
    for row in rows:
        cov = result[row["customer_id"]]
        cov.known[row["role"]] = row["n"]
        cov.recent[row["role"]] = bool(row["last"] and row["last"] >= since)
        if row["last"] and (cov.last_contacted_at is None or row["last"] > cov.last_contacted_at):
            cov.last_contacted_at = row["last"]
    return [result[c.pk] for c in customers]


def list_key_accounts_missing_decision_maker(*, now: datetime) -> list[Customer]:
    """Key accounts where nobody with the decision-maker role (意思決定者) is known."""
    ids = key_account_ids(now=now)
    has_dm = Contact.objects.filter(customer_id=OuterRef("pk"), role=Contact.Role.DECISION_MAKER)
    missing = Customer.objects.filter(pk__in=ids).annotate(has_dm=Exists(has_dm)).filter(has_dm=False)
    order = {pk: i for i, pk in enumerate(ids)}
    return sorted(missing.select_related("owner"), key=lambda c: order[c.pk])


def unowned_marketing_contacts() -> QuerySet[Contact]:
    """Contacts found by marketing (a source other than `sales`) that no sales rep owns."""
    marketing = ContactSource.objects.filter(contact_id=OuterRef("pk")).exclude(source=SALES_SOURCE)
    return (
        Contact.objects.filter(owner__isnull=True)
        .filter(Exists(marketing))
        .select_related("customer", "department")
        .order_by("customer__code", "name", "pk")
    )


def lead_report_rows(*, lead_import_id: int) -> Iterator[tuple[int, str, str, str, Decimal, str]]:
    """The contract report rows of one import, in input order (row, company_name, status, code, score, reason)."""
    rows = (
        LeadRow.objects.filter(lead_import_id=lead_import_id)
        .order_by("row")
        .values_list("row", "company_name", "status", "customer_code", "score", "reason")
    )
    yield from rows.iterator(chunk_size=2000)


def lead_rows_for_page(*, lead_import_id: int, limit: int) -> list[LeadRow]:
    """The first rows of an import with the customer each matched or created (one query)."""
    return list(
        LeadRow.objects.filter(lead_import_id=lead_import_id)
        .select_related("customer")
        .order_by("row")[:limit]
    )


def review_queue() -> QuerySet:
    """Lead rows waiting for a person, oldest first."""
    return LeadRow.objects.filter(status=LeadRow.Status.REVIEW, resolution=LeadRow.Resolution.PENDING)


@dataclass(frozen=True)
class DepartmentCoverage:
    """One department of a customer: which key-person roles are known there (部署別キーパーソン)."""

    department: str
    known: dict[str, int]  # role -> contacts with that role
    key_persons: int
    contacts: int
    last_contacted_at: datetime | None

    @property
    def missing(self) -> list[str]:
        return [r for r in KEY_ROLES if not self.known.get(r)]


def department_coverage(*, customer: Customer) -> list[DepartmentCoverage]:
    """Per department of ``customer`` (contacts without one under ""): roles known, key persons. One query."""
    from django.db.models import Q

    rows = (
        Contact.objects.filter(customer=customer)
        .values("department__name", "role")
        .annotate(n=Count("pk"), key=Count("pk", filter=Q(is_key_person=True)), last=Max("last_contacted_at"))
        .order_by("department__name", "role")
    )
    acc: dict[str, dict] = {}
    for row in rows:
        name = row["department__name"] or ""
        dept = acc.setdefault(name, {"known": dict.fromkeys(KEY_ROLES, 0), "key": 0, "n": 0, "last": None})
        if row["role"] in dept["known"]:
            dept["known"][row["role"]] = row["n"]
        dept["key"] += row["key"]
        dept["n"] += row["n"]
        if row["last"] and (dept["last"] is None or row["last"] > dept["last"]):
            dept["last"] = row["last"]
    return [
        DepartmentCoverage(
            department=name,
            known=d["known"],
            key_persons=d["key"],
            contacts=d["n"],
            last_contacted_at=d["last"],
        )
        for name, d in sorted(acc.items(), key=lambda item: (item[0] == "", item[0]))
    ]


def key_persons_to_call(*, customer_ids: list[int]) -> dict[int, Contact]:
    """customer id -> the person to phone: a key person with a phone number first, then anyone with one.

    Among equals, the one contacted most recently. One query.
    """
    contacts = (
        Contact.objects.filter(customer_id__in=customer_ids)
        .exclude(phone="")
        .order_by("customer_id", "-is_key_person", models.F("last_contacted_at").desc(nulls_last=True), "pk")
        .distinct("customer_id")
    )
    return {contact.customer_id: contact for contact in contacts}
