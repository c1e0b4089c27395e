"""Throughput of the pure matching core: 10k and 100k generated leads against 100k customers.

Run: python bench/leads_core.py [--customers N] [--leads N ...]. Prints build time, rows/s per
lead count, precision/recall on the generated truth and peak RSS (resource.getrusage).
No database: this measures names.py + matching.py alone; `make bench-leads` measures the import.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.leadgen import generate_customers, generate_leads  # noqa: E402
from crm.matching import MatchIndex, evaluate  # noqa: E402


def _peak_rss_mb() -> float:
    # ru_maxrss is KiB on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--leads", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    customers = generate_customers(args.customers, seed=args.seed)
    t1 = time.perf_counter()
    index = MatchIndex.build(customers)
    t2 = time.perf_counter()
    print(f"customers: {len(customers):,} generated in {t1 - t0:.2f}s, index built in {t2 - t1:.2f}s")
    for n in args.leads:
        labelled = generate_leads(customers, n, seed=args.seed + n)
        start = time.perf_counter()
        results = [index.match(item.lead) for item in labelled]
        elapsed = time.perf_counter() - start
        stats = evaluate(zip(results, (item.truth for item in labelled), strict=True))
        print(
            f"leads: {n:,} matched in {elapsed:.2f}s = {n / elapsed:,.0f} rows/s; "
            f"precision {stats['precision']:.4f} recall {stats['recall']:.4f} "
            f"(with review: {stats['precision_with_review']:.4f}/{stats['recall_with_review']:.4f})"
        )
    print(f"peak RSS: {_peak_rss_mb():.0f} MiB")


if __name__ == "__main__":
    main()
