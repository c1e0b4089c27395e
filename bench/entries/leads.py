"""Lead matching (crm.matching.MatchIndex) rows/s for 10k and 100k leads, and peak memory.

Each size runs in its own subprocess so its peak RSS is its own.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

from bench import config
from bench.report import Row, paired_row

NAME = "leads"
SIZES = (10_000, 100_000)


def measure(leads: int, customers: int = config.CUSTOMERS, seed: int = 7) -> dict:
    from bench.leadgen import generate_customers, generate_leads
    from crm.matching import MatchIndex

    people = generate_customers(customers, seed=seed)
    t0 = time.perf_counter()
    index = MatchIndex.build(people)
    build = time.perf_counter() - t0
    labelled = generate_leads(people, leads, seed=seed + leads)
    t1 = time.perf_counter()
    for item in labelled:
        index.match(item.lead)
    elapsed = time.perf_counter() - t1
    return {
        "leads": leads,
        "customers": customers,
        "build_s": build,
        "match_s": elapsed,
        "rows_per_s": leads / elapsed,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _one(n: int) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.entries.leads", str(n)],
        cwd=config.ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run(ctx) -> list[Row]:
    # 10k, 100k, 10k: the 100k rate is compared with the 10k runs on either side of it (noise cancels).
    before, large, after = _one(SIZES[0]), _one(SIZES[1]), _one(SIZES[0])
    pairs = [(before["rows_per_s"], large["rows_per_s"]), (after["rows_per_s"], large["rows_per_s"])]
    rows = [
        Row(
            NAME,
            f"matching {r['leads']:,} leads vs {r['customers']:,} customers",
            figure=r["rows_per_s"],
            unit="rows/s",
            note=f"peak RSS {r['peak_rss_mb']:.0f} MB, index built in {r['build_s']:.1f} s",
        )
        for r in (before, large)
    ]
    rows.append(
        paired_row(
            NAME,
            "100k vs 10k rows/s (roughly linear)",
            pairs,
            unit="rows/s",
            baseline_name="10k",
            target=("ratio", ">=", 0.8),
        )
    )
    rows.append(Row(NAME, "peak RSS at 100k leads", figure=large["peak_rss_mb"], unit="MB"))
    return rows


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]))))
