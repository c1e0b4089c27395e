"""Lead import benchmark through the real import path (database): `make bench-leads`.

Creates (or reuses) its own database b2bshop_bench_leads, loads N generated customers, writes
generated labelled lead files (10k, 100k) as CSV and imports each with the same service the
`import_leads` command calls. Prints rows/s, peak RSS (resource.getrusage) and precision/recall of
`matched` against the generator's truth and against ../shared/data/names-sample. Between runs
the contacts, lead rows and prospects of the previous run are removed, so each run starts from
the same customer master.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DB = "b2bshop_bench_leads"


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _setup_django() -> None:
    base = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
    os.environ["DATABASE_URL"] = f"{base}/{DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "b2bshop.settings")
    os.environ.setdefault("REDIS_URL", "")
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB], capture_output=True, check=False)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _reset(prefix_keep: str) -> None:
    from crm.models import CodeSequence, Contact, Department, LeadImport
    from customers.models import Customer

    LeadImport.objects.all().delete()
    Contact.objects.all().delete()
    Department.objects.all().delete()
    Customer.objects.filter(trading_status="prospect").delete()
    Customer.objects.exclude(code__startswith=prefix_keep).delete()
    CodeSequence.objects.all().delete()


def _load_customers(records) -> None:
    from crm.names import normalize_company
    from customers.models import Customer

    objs = [
        Customer(
            code=r.code,
            name=r.name,
            name_kana=r.name_kana,
            prefecture=r.prefecture,
            postal_code=r.postal_code,
            address=r.address,
            phone=r.phone,
            domain=r.domain,
            name_key=normalize_company(r.name).key[:200],
        )
        for r in records
    ]
    Customer.objects.bulk_create(objs, batch_size=5000)


def _write_csv(path: Path, leads) -> None:
    cols = ["company_name", "person_name", "email", "phone", "postal_code", "address", "event"]
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for lead in leads:
            w.writerow([getattr(lead, c) for c in cols])


def _import(path: Path, source: str):
    from django.utils import timezone

    from crm.services.leads import import_leads

    with path.open("rb") as stream:
        start = time.perf_counter()
        lead_import = import_leads(stream=stream, file_name=path.name, source=source, now=timezone.now())
        return lead_import, time.perf_counter() - start


def _score(lead_import, truth: list[str]) -> tuple[float, float, int]:
    from crm.models import LeadRow

    matched = correct = 0
    for row, status, code in LeadRow.objects.filter(lead_import=lead_import).values_list(
        "row", "status", "customer_code"
    ):
        if status == "matched":
            matched += 1
            correct += bool(truth[row - 1]) and code == truth[row - 1]
    positives = sum(1 for t in truth if t)
    return (correct / matched if matched else 1.0), (correct / positives if positives else 1.0), matched


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--leads", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    _setup_django()
    from bench.leadgen import generate_customers, generate_leads
    from customers.models import Customer

    prefix = f"G{args.seed % 100:02d}"
    _reset(prefix)
    if Customer.objects.filter(code__startswith=prefix).count() != args.customers:
        Customer.objects.all().delete()
        t = time.perf_counter()
        customers = generate_customers(args.customers, seed=args.seed)
        _load_customers(customers)
        print(f"loaded {args.customers:,} customers in {time.perf_counter() - t:.1f}s")
    else:
        customers = generate_customers(args.customers, seed=args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.leads:
            _reset(prefix)
            labelled = generate_leads(customers, n, seed=args.seed + n)
            path = Path(tmp) / f"leads-{n}.csv"
            _write_csv(path, (item.lead for item in labelled))
            lead_import, elapsed = _import(path, f"bench-{n}")
            precision, recall, matched = _score(lead_import, [item.truth for item in labelled])
            print(
                f"import {n:,} leads x {args.customers:,} customers: {elapsed:.1f}s = {n / elapsed:,.0f} rows/s; "
                f"matched {matched:,} review {lead_import.review_count:,} new {lead_import.new_count:,} "
                f"invalid {lead_import.invalid_count:,}; precision {precision:.4f} recall {recall:.4f}; "
                f"peak RSS so far {_peak_rss_mb():.0f} MiB"
            )
        _reset(prefix)
    sample = ROOT.parent / "shared" / "data" / "names-sample"
    if sample.is_dir():
        from crm.matching import CustomerRecord

        Customer.objects.all().delete()
        for record in json.loads((sample / "customers.json").read_text(encoding="utf-8")):
            Customer.objects.create(**{k: v for k, v in record.items() if k in CustomerRecord.__slots__})
        lead_import, elapsed = _import(sample / "leads.csv", "sample")
        with (sample / "truth.csv").open(encoding="utf-8") as f:
            truth = [r["customer_code"] for r in csv.DictReader(f)]
        precision, recall, matched = _score(lead_import, truth)
        print(
            f"names-sample ({len(truth)} leads, 150 customers): precision {precision:.4f} recall {recall:.4f} "
            f"(matched {matched}, new {lead_import.new_count}, review {lead_import.review_count})"
        )
        _reset("none")
        Customer.objects.all().delete()
    print(f"peak RSS: {_peak_rss_mb():.0f} MiB")


if __name__ == "__main__":
    main()
