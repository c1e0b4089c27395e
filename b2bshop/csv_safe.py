"""CSV export that cannot smuggle formulas into a spreadsheet (CSV / formula injection).

Every CSV the shop hands to staff goes through `safe_writer` (or `neutralize` per cell): a cell
starting with = + - @, TAB or CR is prefixed with an apostrophe, so Excel and LibreOffice show it
as text instead of evaluating `=cmd|' /C calc'!A0` or `=HYPERLINK(...)`. Numbers the shop writes
itself (scores, amounts) are passed as numbers and never start with these characters.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

from django.http import StreamingHttpResponse

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


class _Writable(Protocol):
    def write(self, s: str, /) -> Any: ...


def neutralize(value: object) -> object:
    """The cell as a spreadsheet must see it: text starting like a formula gets a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer whose rows are neutralised cell by cell."""

    def __init__(self, f: _Writable, **kwargs: Any) -> None:
        kwargs.setdefault("lineterminator", "\r\n")
        self._writer = csv.writer(f, **kwargs)

    def writerow(self, row: Iterable[object]) -> Any:
        return self._writer.writerow([neutralize(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


def safe_writer(f: _Writable, **kwargs: Any) -> SafeWriter:
    return SafeWriter(f, **kwargs)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_response(
    *, filename: str, header: list[str], rows: Iterable[Iterable[object]]
) -> StreamingHttpResponse:
    """A streamed, formula-safe CSV download (UTF-8 with BOM so Excel reads the Japanese)."""
    writer = SafeWriter(_Echo())

    def _lines() -> Iterable[str]:
        yield "\ufeff" + writer.writerow(header)
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(_lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
