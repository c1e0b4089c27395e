"""Bench entries: each `run(ctx) -> list[Row]`; ENTRIES maps the `--only` / `make bench-<name>` names."""

from __future__ import annotations

from bench.entries import (
    baselines,
    catalog,
    checkout,
    connections,
    cpu,
    erp,
    insights,
    leads,
    push,
    queries,
    reorder,
)

ENTRIES = {
    "baselines": baselines.run,
    "queries": queries.run,
    "catalog": catalog.run,
    "checkout": checkout.run,
    "erp": erp.run,
    "push": push.run,
    "reorder": reorder.run,
    "leads": leads.run,
    "connections": connections.run,
    "cpu": cpu.run,
    "insights": insights.run,
}
NEEDS_SERVER = {"baselines", "catalog", "checkout", "erp", "push", "connections", "cpu"}
