"""Reads for CRM: the customer master as the matcher sees it, key accounts, key-person coverage."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Lower

from crm.matching import CustomerRecord
from crm.models import SALES_SOURCE, Contact, ContactSource, Department, LeadRow
from customers.models import Customer
from mail.models import Suppression
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
    departments: list[DepartmentCoverage] = field(default_factory=list)  # filled by the coverage page

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

    @property
    def expand_to_other_department(self) -> bool:
        """横展開 (他部署): a department we know of but where we know no key person yet."""
        return self.key_persons == 0

    @property
    def expand_to_superior(self) -> bool:
        """縦展開 (上長): people known there, but nobody who decides or approves."""
        return self.contacts > 0 and not (
            self.known.get(Contact.Role.DECISION_MAKER) or self.known.get(Contact.Role.APPROVER)
        )


def department_coverage(*, customer: Customer) -> list[DepartmentCoverage]:
    """Per department of ``customer`` (contacts without one under ""): roles known, key persons."""
    return departments_by_customer(customer_ids=[customer.pk]).get(customer.pk, [])


def departments_by_customer(*, customer_ids: list[int]) -> dict[int, list[DepartmentCoverage]]:
    """customer id -> its departments' coverage, including departments with nobody known. Two queries.

    Named departments first (alphabetically), contacts without a department last.
    """
    rows = (
        Contact.objects.filter(customer_id__in=customer_ids)
        .values("customer_id", "department__name", "role")
        .annotate(n=Count("pk"), key=Count("pk", filter=Q(is_key_person=True)), last=Max("last_contacted_at"))
        .order_by("customer_id", "department__name", "role")
    )
    acc: dict[int, dict[str, dict]] = {}

    def slot(customer_id: int, name: str) -> dict:
        return acc.setdefault(customer_id, {}).setdefault(
            name, {"known": dict.fromkeys(KEY_ROLES, 0), "key": 0, "n": 0, "last": None}
        )

    for customer_id, name in Department.objects.filter(customer_id__in=customer_ids).values_list(
        "customer_id", "name"
    ):
        slot(customer_id, name)
    for row in rows:
        dept = slot(row["customer_id"], row["department__name"] or "")
        if row["role"] in dept["known"]:
            dept["known"][row["role"]] = row["n"]
        dept["key"] += row["key"]
        dept["n"] += row["n"]
        if row["last"] and (dept["last"] is None or row["last"] > dept["last"]):
            dept["last"] = row["last"]
    return {
        customer_id: [
            DepartmentCoverage(
                department=name,
                known=d["known"],
                key_persons=d["key"],
                contacts=d["n"],
                last_contacted_at=d["last"],
            )
            for name, d in sorted(depts.items(), key=lambda item: (item[0] == "", item[0]))
        ]
        for customer_id, depts in acc.items()
    }


def marketing_list() -> QuerySet[Contact]:
    """Contacts marketing may e-mail (contract section 9): the one gate for every marketing send.

    - a contact a sales rep owns is left out: sales already covers that person;
    - a buyer of the customer (an active login linked to the contact) may get it within the trading
      relationship; anyone else only with recorded consent (date and way, see `set_marketing_consent`);
    - addresses that bounced (mail suppression) are left out.
    """
    buyer = Q(user__isnull=False, user__is_active=True, user__customer_id=F("customer_id"))
    suppressed = Suppression.objects.filter(email=Lower(OuterRef("email")))
    return (
        Contact.objects.exclude(email="")
        .filter(owner__isnull=True)
        .filter(buyer | Q(marketing_consent=True))
        .exclude(Exists(suppressed))
        .select_related("customer", "department")
        .order_by("customer__code", "name", "pk")
    )


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
