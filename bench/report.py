"""Rows of the result table, target checks, interleaved ratios, and the JSON / Markdown / text output.

Pure (no Django, no I/O except `write`), so it is unit-tested in tests/bench/.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

PASS, FAIL, NA, INFO = "pass", "FAIL", "n/a", "info"


@dataclass
class Row:
    """One line of the table. `target` is ("ratio" | "figure", ">=" | "<=" | "==", value) or None."""

    entry: str
    metric: str
    figure: float | None = None
    unit: str = ""
    baseline: float | None = None
    baseline_unit: str = ""
    baseline_name: str = ""
    ratio: float | None = None
    target: tuple[str, str, float] | None = None
    status: str = INFO
    note: str = ""
    samples: list = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.ratio is None and self.figure is not None and self.baseline:
            self.ratio = self.figure / self.baseline
        if self.status == INFO and self.target is not None:
            self.status = judge(self)

    @property
    def target_text(self) -> str:
        if self.target is None:
            return ""
        on, op, value = self.target
        op_text = {">=": "≥", "<=": "≤", "==": "="}[op]
        if on == "ratio":
            return f"ratio {op_text} {value:g}×"
        return f"{op_text} {value:,g} {self.unit}".rstrip()


def not_available(entry: str, metric: str, why: str = "not available", target=None) -> Row:
    return Row(entry=entry, metric=metric, target=target, status=NA, note=why)


def judge(row: Row) -> str:
    on, op, value = row.target  # type: ignore[misc]  # target is a 3-tuple when present
    actual = row.ratio if on == "ratio" else row.figure
    if actual is None:
        return NA
    ok = {">=": actual >= value - 1e-9, "<=": actual <= value + 1e-9, "==": abs(actual - value) < 1e-9}[op]
    return PASS if ok else FAIL


def median_ratio(pairs: Sequence[tuple[float, float]]) -> float | None:
    """Median of target/baseline over interleaved pairs (pairs with a zero baseline are skipped)."""
    ratios = [t / b for b, t in pairs if b]
    return statistics.median(ratios) if ratios else None


def median(values: Sequence[float]) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def interleave(
    baseline: Callable[[], float], target: Callable[[], float], *, pairs: int
) -> list[tuple[float, float]]:
    """Run baseline, target, baseline, target … and return the (baseline, target) pairs."""
    out = []
    for _ in range(pairs):
        b = baseline()
        t = target()
        out.append((b, t))
    return out


def paired_row(
    entry: str,
    metric: str,
    pairs: Sequence[tuple[float, float]],
    *,
    unit: str,
    baseline_name: str,
    target: tuple[str, str, float] | None,
    note: str = "",
) -> Row:
    """A row whose figure/baseline are the medians and whose ratio is the median of the per-pair ratios."""
    return Row(
        entry=entry,
        metric=metric,
        figure=median([t for _, t in pairs]),
        unit=unit,
        baseline=median([b for b, _ in pairs]),
        baseline_unit=unit,
        baseline_name=baseline_name,
        ratio=median_ratio(pairs),
        target=target,
        note=note,
        samples=[list(p) for p in pairs],
    )


def fmt(value: float | None, unit: str = "") -> str:
    if value is None:
        return ""
    if abs(value) >= 100:
        text = f"{value:,.0f}"
    elif abs(value) >= 10:
        text = f"{value:.1f}"
    else:
        text = f"{value:.3g}"
    return f"{text} {unit}".strip()


def table_rows(rows: Sequence[Row]) -> list[list[str]]:
    out = [["entry", "metric", "figure", "baseline", "ratio", "target", "result"]]
    for r in rows:
        base = fmt(r.baseline, r.baseline_unit)
        if base and r.baseline_name:
            base = f"{base} ({r.baseline_name})"
        result = r.status + (f" — {r.note}" if r.note else "")
        out.append(
            [
                r.entry,
                r.metric,
                fmt(r.figure, r.unit),
                base,
                f"{r.ratio:.2f}×" if r.ratio is not None else "",
                r.target_text,
                result,
            ]
        )
    return out


def text_table(rows: Sequence[Row]) -> str:
    cells = table_rows(rows)
    widths = [max(len(c[i]) for c in cells) for i in range(len(cells[0]) - 1)]
    lines = []
    for k, c in enumerate(cells):
        lines.append("  ".join(c[i].ljust(widths[i]) for i in range(len(widths))) + "  " + c[-1])
        if k == 0:
            lines.append("-" * (sum(widths) + 2 * len(widths) + 6))
    return "\n".join(lines)


def markdown_table(rows: Sequence[Row]) -> str:
    cells = table_rows(rows)

    def esc(s: str) -> str:
        return s.replace("|", "\\|")

    lines = ["| " + " | ".join(cells[0]) + " |", "|" + "---|" * len(cells[0])]
    lines += ["| " + " | ".join(esc(x) for x in c) + " |" for c in cells[1:]]
    return "\n".join(lines)


def summary(rows: Sequence[Row]) -> dict[str, int]:
    out = {PASS: 0, FAIL: 0, NA: 0, INFO: 0}
    for r in rows:
        out[r.status] = out.get(r.status, 0) + 1
    return out


def write(rows: Sequence[Row], *, directory: Path, meta: dict) -> tuple[Path, Path]:
    """bench/results/<stamp>.json and .md, plus latest.json / latest.md."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = meta["started_at"].replace(":", "").replace("-", "")[:15]
    payload = {
        "meta": meta,
        "summary": summary(rows),
        "rows": [asdict(r) | {"target_text": r.target_text} for r in rows],
    }
    md = (
        f"# b2bshop bench {meta['started_at']}\n\n{meta.get('machine', '')}\n\n"
        + markdown_table(rows)
        + f"\n\n{meta.get('footer', '')}\n"
    )
    json_path, md_path = directory / f"bench-{stamp}.json", directory / f"bench-{stamp}.md"
    for path in (json_path, directory / "latest.json"):
        path.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    for path in (md_path, directory / "latest.md"):
        path.write_text(md)
    return json_path, md_path
