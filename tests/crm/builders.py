"""Builders for lead-import tests."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from crm import services
from crm.lead_file import LEAD_COLUMNS
from crm.models import Contact
from customers.models import Customer

SAMPLE_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "names-sample"
HEADER = list(LEAD_COLUMNS)


def lead_csv(
    rows: list[dict[str, str]], *, encoding: str = "utf-8", header: list[str] | None = None
) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header or HEADER, lineterminator="\r\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def make_master_customer(
    *,
    code: str,
    name: str,
    domain: str = "",
    phone: str = "",
    postal_code: str = "",
    address: str = "",
    prefecture: str = "",
    name_kana: str = "",
) -> Customer:
    return Customer.objects.create(
        code=code,
        name=name,
        domain=domain,
        phone=phone,
        postal_code=postal_code,
        address=address,
        prefecture=prefecture,
        name_kana=name_kana,
    )


def make_contact(
    *, customer: Customer, name: str = "山田 太郎", email: str = "", role: str = "unknown", **extra
) -> Contact:
    from django.utils import timezone

    return services.save_contact(
        contact=Contact(customer=customer, name=name, email=email, role=role, **extra),
        actor=None,
        now=timezone.now(),
    )


def load_sample_customers() -> int:
    for record in json.loads((SAMPLE_DIR / "customers.json").read_text(encoding="utf-8")):
        Customer.objects.create(**record)
    return Customer.objects.count()


def read_report(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f))
