"""The bench table: ratios, medians of interleaved pairs, target judgement, output formats."""

import json

import pytest

from bench.report import (
    FAIL,
    NA,
    PASS,
    Row,
    interleave,
    markdown_table,
    median_ratio,
    paired_row,
    text_table,
    write,
)


def test_median_ratio_is_the_median_of_per_pair_ratios_not_the_ratio_of_medians():
    pairs = [(100, 50), (200, 60), (50, 40)]  # ratios 0.5, 0.3, 0.8
    assert median_ratio(pairs) == pytest.approx(0.5)


def test_pairs_with_a_zero_baseline_are_skipped():
    assert median_ratio([(0, 10), (10, 5)]) == pytest.approx(0.5)
    assert median_ratio([(0, 10)]) is None


def test_interleave_alternates_baseline_and_target():
    calls = []
    pairs = interleave(lambda: calls.append("b") or 1.0, lambda: calls.append("t") or 2.0, pairs=3)
    assert calls == ["b", "t", "b", "t", "b", "t"]
    assert pairs == [(1.0, 2.0)] * 3


@pytest.mark.parametrize(
    ("target", "ratio", "figure", "expected"),
    [
        (("ratio", ">=", 0.5), 0.5, 10, PASS),
        (("ratio", ">=", 0.5), 0.49, 10, FAIL),
        (("ratio", "<=", 2.0), 2.1, 10, FAIL),
        (("figure", "<=", 10), None, 10, PASS),
        (("figure", "<=", 10), None, 11, FAIL),
        (("figure", "==", 0), None, 0, PASS),
        (("figure", "==", 0), None, 1, FAIL),
    ],
)
def test_rows_are_judged_against_their_target(target, ratio, figure, expected):
    assert Row("e", "m", figure=figure, ratio=ratio, target=target).status == expected


def test_ratio_defaults_to_figure_over_baseline():
    row = Row("catalog", "list", figure=30, baseline=60, target=("ratio", ">=", 0.5))
    assert row.ratio == pytest.approx(0.5)
    assert row.status == PASS


def test_paired_row_reports_medians_and_the_median_ratio():
    row = paired_row(
        "checkout",
        "vs pgbench",
        [(1000, 70), (900, 50), (1100, 66)],
        unit="orders/s",
        baseline_name="pgbench",
        target=("ratio", ">=", 0.06),
    )
    assert row.figure == 66
    assert row.baseline == 1000
    assert row.ratio == pytest.approx(0.06)
    assert row.status == PASS


def test_tables_show_every_row_with_its_result(tmp_path):
    rows = [
        Row(
            "catalog",
            "list p95",
            figure=12.5,
            unit="ms",
            baseline=10,
            baseline_unit="ms",
            baseline_name="50 rows",
            target=("ratio", "<=", 2.0),
        ),
        Row("checkout", "hot vs uniform", target=("ratio", ">=", 0.4), status=NA, note="not available"),
    ]
    text = text_table(rows)
    assert "1.25×" in text and "ratio ≤ 2×" in text and "pass" in text
    assert "n/a — not available" in text
    md = markdown_table(rows)
    assert md.count("\n") == 3 and md.startswith("| entry |")
    json_path, md_path = write(rows, directory=tmp_path, meta={"started_at": "2026-11-26T22:00:00+09:00"})
    data = json.loads(json_path.read_text())
    assert data["summary"] == {"pass": 1, "FAIL": 0, "n/a": 1, "info": 0}
    assert (tmp_path / "latest.md").read_text() == md_path.read_text()
