"""Reading lead CSV files (contract section 7): encoding detection, streaming, per-row validation.

No database here. `open_lead_file` checks the header and returns an iterator of `ParsedRow`s, one
per input row in file order; a row that cannot be used (empty, broken quotes, over-long cell,
bytes not in the file's encoding, bad date or e-mail) comes back with an `error` instead of a
`Lead`, so the import reports it as `invalid` and carries on with the next row.

The file is read line by line (a line is capped at MAX_LINE_BYTES), so a 100 MB file never sits
in memory. A quoted field may span lines; an opening quote that is not closed within
MAX_RECORD_LINES lines makes that one line invalid and parsing resumes on the next line, so one
stray quote cannot swallow the rest of the file.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
import unicodedata
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from b2bshop.errors import ValidationFailed
from crm.matching import Lead

REQUIRED_COLUMN = "company_name"
OPTIONAL_COLUMNS = (
    "department",
    "person_name",
    "person_kana",
    "title",
    "email",
    "phone",
    "postal_code",
    "address",
    "event",
    "captured_on",
)
LEAD_COLUMNS = (REQUIRED_COLUMN, *OPTIONAL_COLUMNS)
# Header names as Japanese offices write them (名刺管理・展示会の出力), after NFKC and lower-casing.
HEADER_SYNONYMS = {
    "会社名": "company_name", "企業名": "company_name", "社名": "company_name", "会社": "company_name",
    "部署": "department", "部署名": "department", "所属": "department",
    "氏名": "person_name", "名前": "person_name", "担当者": "person_name", "担当者名": "person_name",
    "氏名カナ": "person_kana", "氏名(カナ)": "person_kana", "フリガナ": "person_kana", "ふりがな": "person_kana",
    "カナ": "person_kana",
    "役職": "title", "役職名": "title",
    "メール": "email", "メールアドレス": "email", "e-mail": "email", "eメール": "email",
    "電話": "phone", "電話番号": "phone", "tel": "phone",
    "郵便番号": "postal_code", "〒": "postal_code",
    "住所": "address", "所在地": "address",
    "イベント": "event", "展示会": "event", "イベント名": "event",
    "取得日": "captured_on", "名刺交換日": "captured_on", "日付": "captured_on",
}  # fmt: skip
# Longest value a cell may hold (the model field it ends up in); longer is an invalid row.
MAX_LENGTHS = {
    "company_name": 200,
    "department": 200,
    "person_name": 100,
    "person_kana": 100,
    "title": 100,
    "email": 254,
    "phone": 32,
    "postal_code": 16,
    "address": 300,
    "event": 200,
    "captured_on": 32,
}
MAX_LINE_BYTES = 64 * 1024
MAX_RECORD_LINES = 20
SAMPLE_BYTES = 256 * 1024


class LeadFileError(ValidationFailed):
    """The file as a whole cannot be imported (nothing is written)."""

    code = "lead_file_invalid"


@dataclass(frozen=True, slots=True)
class ParsedRow:
    """One input row: a `Lead` to match, or an `error` explaining why the row is invalid."""

    row: int
    company_name: str
    lead: Lead | None
    error: str = ""
    captured_on: date | None = None
    fingerprint: str = ""


# ---------------------------------------------------------------------------------- encoding


def detect_encoding(sample: bytes) -> str:
    """Encoding of a lead file from its first bytes: utf-8-sig, utf-8, cp932 or a detected one.

    Strict UTF-8 first (Excel's "CSV UTF-8" has a BOM, other tools do not), then CP932
    (Excel's default "CSV" on Japanese Windows, a superset of Shift_JIS), judged line by line so
    one bad row does not flip the whole file; charset-normalizer only when both fail.
    Raises LeadFileError when nothing fits.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    lines = sample.split(b"\n")
    if len(lines) > 1 and len(sample) >= SAMPLE_BYTES:
        lines = lines[:-1]  # the last line may be cut in the middle of a character
    non_ascii = [line for line in lines if not line.isascii()]
    if not non_ascii:
        return "utf-8"
    scores = {}
    for encoding in ("utf-8", "cp932"):
        ok = 0
        for line in non_ascii:
            try:
                line.decode(encoding)
            except UnicodeDecodeError:
                continue
            ok += 1
        scores[encoding] = ok
    if scores["utf-8"] and scores["utf-8"] * 2 >= len(non_ascii):
        return "utf-8"
    if scores["cp932"] and scores["cp932"] * 2 >= len(non_ascii):
        return "cp932"
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None:
        raise LeadFileError(
            _("The file's character encoding could not be detected; save it as UTF-8 or Shift_JIS.")
        )
    return best.encoding


# ---------------------------------------------------------------------------------- lines


@dataclass(slots=True)
class _Line:
    number: int  # physical line number, 1-based
    text: str
    error: str = ""


def _physical_lines(stream: BinaryIO, encoding: str) -> Iterator[_Line]:
    """Decode line by line so a line in another encoding is one invalid row, not a dead file."""
    number = 0
    codec = "utf-8" if encoding == "utf-8-sig" else encoding
    while True:
        raw = stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        number += 1
        error = ""
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            # Skip the rest of an absurdly long line without holding it.
            while raw and not raw.endswith(b"\n"):
                raw = stream.readline(MAX_LINE_BYTES + 1)
            yield _Line(number, "", _("the line is longer than %(n)d bytes") % {"n": MAX_LINE_BYTES})
            continue
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            text = raw.decode(codec, errors="replace")
            error = _("the row is not valid %(encoding)s (wrong character encoding)") % {"encoding": encoding}
        yield _Line(number, text.rstrip("\r\n"), error)


def _open_quote(text: str, inside: bool = False) -> bool:
    """True when `text` ends inside a quoted CSV field (RFC 4180: quotes only open a field)."""
    if '"' not in text:
        return inside
    field_start = True
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if inside:
            if ch == '"':
                if i + 1 < n and text[i + 1] == '"':
                    i += 2
                    continue
                inside = False
        elif ch == '"' and field_start:
            inside = True
            field_start = False
            i += 1
            continue
        field_start = ch in ",\n"
        i += 1
    return inside


@dataclass(slots=True)
class _Record:
    first_line: int
    cells: list[str] | None
    error: str = ""


def _records(lines: Iterator[_Line]) -> Iterator[_Record]:
    """Group physical lines into CSV records; a broken quote costs one line, not the file."""
    pending: deque[_Line] = deque()

    def _next() -> _Line | None:
        if pending:
            return pending.popleft()
        return next(lines, None)

    while (first := _next()) is not None:
        group = [first]
        inside = _open_quote(first.text)
        while inside and len(group) < MAX_RECORD_LINES:
            nxt = _next()
            if nxt is None:
                break
            group.append(nxt)
            inside = _open_quote(nxt.text, inside=True)
        if inside:
            pending.extendleft(reversed(group[1:]))
            yield _Record(first.number, None, _("broken quotes: a quoted field is never closed"))
            continue
        errors = [line.error for line in group if line.error]
        if errors:
            yield _Record(first.number, None, errors[0])
            continue
        text = "\n".join(line.text for line in group)
        try:
            parsed = list(
                csv.reader([text] if len(group) == 1 else text.splitlines(keepends=True), strict=True)
            )
        except csv.Error as exc:
            pending.extendleft(reversed(group[1:]))
            yield _Record(first.number, None, _("broken quotes: %(error)s") % {"error": exc})
            continue
        if len(parsed) != 1:
            pending.extendleft(reversed(group[1:]))
            yield _Record(first.number, None, _("broken quotes"))
            continue
        yield _Record(first.number, parsed[0])


# ---------------------------------------------------------------------------------- rows

_DATE_RE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def parse_captured_on(text: str) -> date | None:
    """2026-11-26, 2026/11/26, 2026.11.26 or 2026年11月26日; raises ValueError otherwise."""
    m = _DATE_RE.match(unicodedata.normalize("NFKC", text).strip())
    if not m:
        raise ValueError(text)
    return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def _fingerprint(values: dict[str, str], source: str) -> str:
    """Identity of a row's content: the same row imported again finds its earlier review row."""
    raw = "\x1f".join(
        [source, *(unicodedata.normalize("NFKC", values.get(c, "")).strip() for c in LEAD_COLUMNS)]
    )
    return hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()


def _row_from_cells(number: int, cells: list[str], header: list[str], source: str) -> ParsedRow:
    if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
        name = cells[header.index(REQUIRED_COLUMN)].strip() if REQUIRED_COLUMN in header else ""
        return ParsedRow(
            number,
            name[:200],
            None,
            _("%(n)d cells, but the header has %(m)d columns") % {"n": len(cells), "m": len(header)},
        )
    values: dict[str, str] = {}
    for column, cell in zip(header, cells, strict=False):
        if column in MAX_LENGTHS and column not in values:
            values[column] = cell.strip()
    company = values.get(REQUIRED_COLUMN, "")
    if not any(values.values()) and not any(c.strip() for c in cells):
        return ParsedRow(number, "", None, _("empty row"))
    for column, value in values.items():
        if len(value) > MAX_LENGTHS[column]:
            return ParsedRow(
                number,
                company[:200],
                None,
                _("%(column)s is longer than %(n)d characters")
                % {"column": column, "n": MAX_LENGTHS[column]},
            )
    if not company:
        return ParsedRow(number, "", None, _("company_name is empty"))
    captured_on = None
    if values.get("captured_on"):
        try:
            captured_on = parse_captured_on(values["captured_on"])
        except ValueError:
            return ParsedRow(number, company, None, _("captured_on is not a date (use YYYY-MM-DD)"))
    email = values.get("email", "")
    if email:
        email = unicodedata.normalize("NFKC", email).strip()
        try:
            validate_email(email)
        except ValidationError:
            return ParsedRow(number, company, None, _("email is not an e-mail address"))
        values["email"] = email
    lead = Lead(**values)
    return ParsedRow(number, company, lead, "", captured_on, _fingerprint(values, source))


def read_header(lines: Iterator[_Line]) -> list[str]:
    """Column names of the header row (lower case, trimmed, Japanese names mapped). Raises LeadFileError."""
    first = next(lines, None)
    while first is not None and not first.text.strip() and not first.error:
        first = next(lines, None)  # blank lines before the header carry nothing
    if first is None:
        raise LeadFileError(_("The file is empty; it needs a header row with company_name."))
    if first.error:
        raise LeadFileError(_("The header row cannot be read: %(error)s") % {"error": first.error})
    try:
        header = next(csv.reader([first.text], strict=True))
    except (csv.Error, StopIteration) as exc:
        raise LeadFileError(_("The header row cannot be read: %(error)s") % {"error": exc}) from exc
    header = [unicodedata.normalize("NFKC", h).strip().lower() for h in header]
    header = [HEADER_SYNONYMS.get(h.replace(" ", ""), h) for h in header]
    if REQUIRED_COLUMN not in header:
        raise LeadFileError(
            _("The header has no company_name column (found: %(columns)s).")
            % {"columns": ", ".join(h for h in header if h) or "-"}
        )
    return header


def open_lead_file(stream: BinaryIO, *, source: str) -> tuple[str, list[str], Iterator[ParsedRow]]:
    """Detect the encoding, read the header, and return (encoding, header, rows).

    `stream` is a binary file positioned at the start; it is read lazily by the row iterator.
    Raises LeadFileError (missing company_name, unreadable header, unknown encoding).
    """
    sample = stream.read(SAMPLE_BYTES)
    stream.seek(0)
    encoding = detect_encoding(sample)
    lines = _physical_lines(stream, encoding)
    header = read_header(lines)

    def _rows() -> Iterator[ParsedRow]:
        for number, record in enumerate(_records(lines), start=1):
            if record.cells is None:
                yield ParsedRow(number, "", None, record.error)
            else:
                yield _row_from_cells(number, record.cells, header, source)

    return encoding, header, _rows()


# ---------------------------------------------------------------------------------- people

_DECISION_TITLES = re.compile(
    r"代表|社長|会長|取締役|役員|執行役|専務|常務|本部長|事業部長|部長|ceo|cfo|coo|cto|president|director"
)
_APPROVER_TITLES = re.compile(r"次長|課長|室長|所長|支店長|店長|係長|マネージャ|manager")


def role_from_title(title: str) -> str:
    """A first guess of the contact role from the job title; staff correct it in admin.

    部長 and above decide (意思決定者), 課長-level managers approve the daily business (業務決裁者),
    anyone else with a title is operational (業務担当者); no title: unknown.
    """
    text = unicodedata.normalize("NFKC", title).lower()
    if not text.strip():
        return "unknown"
    if _DECISION_TITLES.search(text) and not re.search(r"部長代理|部長補佐", text):
        return "decision_maker"
    if _APPROVER_TITLES.search(text) or re.search(r"部長代理|部長補佐", text):
        return "approver"
    return "operational"


def person_key(name: str) -> str:
    """Comparable person name: NFKC, lower case, no spaces or middle dots, hiragana → katakana."""
    text = unicodedata.normalize("NFKC", name).lower()
    text = "".join(ch for ch in text if not ch.isspace() and ch not in "・･.")
    return "".join(chr(ord(ch) + 0x60) if "\u3041" <= ch <= "\u3096" else ch for ch in text)[:100]
