"""Lead import (contract section 7): stream a CSV, match every row, write contacts and prospects.

Flow: `start_lead_import` validates the file as a whole (size, encoding, header) and creates the
batch; nothing is written when it raises. `run_lead_import` builds one `MatchIndex` from the
customer master (prospects included), then processes the rows in chunks of CHUNK_ROWS: each
chunk is matched in memory and written in ONE transaction (prospects, departments, contacts,
sources, history, the per-row results and the batch counters), so no row is ever half-written
and a worker that dies resumes after the last committed chunk. New prospects go into the index
as soon as their row is seen, so several rows of one new company make one prospect.

Decisions, relative to the master before this import:
  matched  -> a contact on that customer (created, or merged by e-mail / person name)
  review   -> waits in the review queue (`resolve_lead_row`); a row already waiting is not queued twice
  new      -> a prospect (未取引先, code P + sequence) with the contact; a later row of the same
              new company in the same file is also `new` and joins that prospect
  invalid  -> nothing written but the report row
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO, TextIO, cast

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from b2bshop.csv_safe import safe_writer
from b2bshop.errors import NotFound, ValidationFailed
from crm import selectors, services
from crm.lead_file import (
    LeadFileError,
    ParsedRow,
    open_lead_file,
    parse_captured_on,
    person_key,
    role_from_title,
)
from crm.matching import CustomerRecord, Lead, MatchIndex, MatchResult
from crm.models import Contact, ContactEvent, ContactSource, Department, LeadImport, LeadRow
from crm.names import normalize_company, normalize_domain, normalize_postal, prefecture_of
from crm.reasons import describe_reason
from customers.models import Customer, User

CHUNK_ROWS = 1000
REPORT_HEADER = ("row", "company_name", "status", "customer_code", "score", "reason")
_TEMP_PREFIX = "~new:"


# ---------------------------------------------------------------------------------- entry points


def start_lead_import(
    *,
    stream: BinaryIO,
    file_name: str,
    source: str,
    now: datetime,
    created_by: User | None = None,
    keep_file: bool = False,
) -> LeadImport:
    """Check the file as a whole and create the batch. Raises LeadFileError; then nothing is written.

    `keep_file=True` stores the upload in the batch (for the Celery task); the command and the
    synchronous admin path read the stream directly.
    """
    source = source.strip()
    if not source:
        raise ValidationFailed(_("--source must not be empty."))
    if len(source) > 64:
        raise ValidationFailed(_("--source is longer than 64 characters."))
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    limit = settings.LEAD_IMPORT_MAX_BYTES
    if size > limit:
        raise LeadFileError(
            _("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files.")
            % {"size": f"{size / 1048576:.1f}", "limit": f"{limit / 1048576:.0f}"}
        )
    encoding, _header, _rows = open_lead_file(stream, source=source)  # raises on a bad header
    digest = hashlib.sha256()
    lines = 0
    stream.seek(0)
    while chunk := stream.read(1024 * 1024):
        digest.update(chunk)
        lines += chunk.count(b"\n")
    stream.seek(0)
    lead_import = LeadImport(
        source=source,
        file_name=Path(file_name).name[:255],
        size_bytes=size,
        encoding=encoding,
        file_sha256=digest.hexdigest(),
        total_rows=max(lines - 1, 0) or 1,
        created_by=created_by,
        created_at=now,
    )
    if keep_file:
        from django.core.files import File

        lead_import.file.save(f"{now:%Y%m%d%H%M%S}-{lead_import.file_name}", File(stream), save=False)
    lead_import.save()
    return lead_import


def import_leads(
    *, stream: BinaryIO, file_name: str, source: str, now: datetime, created_by: User | None = None
) -> LeadImport:
    """Import a lead CSV synchronously (command, small admin uploads). Raises LeadFileError."""
    lead_import = start_lead_import(
        stream=stream, file_name=file_name, source=source, now=now, created_by=created_by
    )
    return run_lead_import(lead_import_id=lead_import.pk, stream=stream, now=now)


def run_lead_import(*, lead_import_id: int, now: datetime, stream: BinaryIO | None = None) -> LeadImport:
    """Process (or resume) a batch: rows after `processed_rows` are matched and written chunk by chunk."""
    lead_import = LeadImport.objects.get(pk=lead_import_id)
    if lead_import.status == LeadImport.Status.DONE:
        return lead_import
    LeadImport.objects.filter(pk=lead_import.pk).update(status=LeadImport.Status.RUNNING)
    own_stream = stream is None
    if stream is None:
        if not lead_import.file:
            raise NotFound("the batch has no stored file")
        stream = cast(BinaryIO, lead_import.file.open("rb"))
    try:
        stream.seek(0)
        _encoding, _header, rows = open_lead_file(stream, source=lead_import.source)
        importer = _Importer(lead_import=lead_import, now=now)
        for chunk in _chunks(rows, CHUNK_ROWS):
            if chunk[-1].row <= lead_import.processed_rows:
                continue  # committed before a restart
            importer.process(chunk)
    except Exception as exc:
        LeadImport.objects.filter(pk=lead_import.pk).update(
            status=LeadImport.Status.FAILED, error=str(exc)[:500], finished_at=now
        )
        raise
    finally:
        if own_stream:
            stream.close()
    LeadImport.objects.filter(pk=lead_import.pk).update(
        status=LeadImport.Status.DONE, finished_at=now, processed_rows=F("processed_rows")
    )
    lead_import.refresh_from_db()
    return lead_import


def write_report(*, lead_import: LeadImport, out: TextIO) -> int:
    """Write the contract report CSV (formula-safe) for a batch; returns the number of rows."""
    writer = safe_writer(out)
    writer.writerow(REPORT_HEADER)
    n = 0
    for row, company, status, code, score, reason in selectors.lead_report_rows(
        lead_import_id=lead_import.pk
    ):
        writer.writerow([row, company, status, code, format_score(score), describe_reason(reason)])
        n += 1
    return n


def format_score(score: Decimal) -> str:
    """0–1 with at most three decimals and no trailing zeros (0.95, 1, 0)."""
    text = f"{score:.3f}".rstrip("0").rstrip(".")
    return text or "0"


def _chunks(rows: Iterable[ParsedRow], size: int) -> Iterator[list[ParsedRow]]:
    chunk: list[ParsedRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# ---------------------------------------------------------------------------------- the importer


@dataclass
class _Decision:
    parsed: ParsedRow
    status: str
    code: str  # customer code (or a temporary code of a prospect created in this chunk)
    score: float
    reason: str
    candidates: list[tuple[str, float]] = field(default_factory=list)
    branch: str = ""
    resolution: str = LeadRow.Resolution.AUTO
    link_code: str = ""  # the customer the contact goes to ("" = none)


@dataclass
class _PendingProspect:
    temp_code: str
    lead: Lead
    first_row: int


class _Importer:
    """Holds the match index and the codes created by this import while the chunks go by."""

    def __init__(self, *, lead_import: LeadImport, now: datetime) -> None:
        self.lead_import = lead_import
        self.now = now
        self.index = MatchIndex()
        self.ids: dict[str, int] = {}
        for pk, record in selectors.iter_customer_records():
            self.index.add(record)
            self.ids[record.code] = pk
        # Prospects created by this batch (code -> first row), so later rows say "same as row N".
        self.created_here: dict[str, int] = dict(
            LeadRow.objects.filter(
                lead_import=lead_import, status=LeadRow.Status.NEW, resolution=LeadRow.Resolution.PROSPECT
            ).values_list("customer_code", "row")
        )
        self.alias: dict[str, str] = {}

    # -- matching (no database) --

    def _decide(self, parsed: ParsedRow, pending: dict[str, _PendingProspect]) -> _Decision:
        if parsed.lead is None:
            return _Decision(parsed, LeadRow.Status.INVALID, "", 0.0, parsed.error)
        result: MatchResult = self.index.match(parsed.lead)
        code = self.alias.get(result.customer_code or "", result.customer_code or "")
        candidates = [(self.alias.get(c, c), s) for c, s in result.candidates]
        if result.status == "invalid":
            return _Decision(parsed, LeadRow.Status.INVALID, "", 0.0, result.reason)
        first_row = self.created_here.get(code) or (pending[code].first_row if code in pending else None)
        if result.status == "matched" and first_row is not None:
            # Another row of a company that is new in this very file: same prospect, still "new".
            return _Decision(
                parsed,
                LeadRow.Status.NEW,
                code,
                result.score,
                f"same company as row {first_row}",
                candidates,
                result.branch,
                LeadRow.Resolution.PROSPECT,
                link_code=code,
            )
        if result.status == "matched":
            return _Decision(
                parsed,
                LeadRow.Status.MATCHED,
                code,
                result.score,
                result.reason,
                candidates,
                result.branch,
                link_code=code,
            )
        if result.status == "review":
            return _Decision(
                parsed,
                LeadRow.Status.REVIEW,
                code,
                result.score,
                result.reason,
                candidates,
                result.branch,
                LeadRow.Resolution.PENDING,
            )
        temp = f"{_TEMP_PREFIX}{parsed.row}"
        pending[temp] = _PendingProspect(temp, parsed.lead, parsed.row)
        self.index.add(_record_for(temp, parsed.lead))
        reason = result.reason if code else "no candidate"
        return _Decision(
            parsed,
            LeadRow.Status.NEW,
            code,
            result.score,
            f"{reason}; new prospect",
            candidates,
            result.branch,
            LeadRow.Resolution.PROSPECT,
            link_code=temp,
        )

    def process(self, chunk: list[ParsedRow]) -> None:
        pending: dict[str, _PendingProspect] = {}
        decisions = [self._decide(parsed, pending) for parsed in chunk]
        with transaction.atomic():
            codes = services.reserve_prospect_codes(count=len(pending))
            for temp, code in zip(pending, codes, strict=True):
                self.alias[temp] = code
                self.created_here[code] = pending[temp].first_row
            prospects = [_prospect_from_lead(self.alias[p.temp_code], p.lead) for p in pending.values()]
            for customer in Customer.objects.bulk_create(prospects):
                self.ids[customer.code] = customer.pk
            for d in decisions:
                d.code = self.alias.get(d.code, d.code)
                d.link_code = self.alias.get(d.link_code, d.link_code)
                d.candidates = [(self.alias.get(c, c), s) for c, s in d.candidates]
                if d.status == LeadRow.Status.NEW and d.reason.endswith("new prospect"):
                    d.reason = f"{d.reason} {d.link_code}"
                if d.status == LeadRow.Status.NEW:
                    # The report's customer_code is "matched or best candidate, else empty" (contract
                    # section 7): a new row matched no one, so it is empty rather than the candidate it
                    # rejected; the prospect it created is named in the reason and linked on the row.
                    d.code = ""
            contacts = apply_leads_to_contacts(
                items=[(d.parsed, self.ids[d.link_code], d.branch) for d in decisions if d.link_code],
                source=self.lead_import.source,
                lead_import=self.lead_import,
                now=self.now,
            )
            self._write_rows(decisions, contacts)

    def _write_rows(self, decisions: list[_Decision], contacts: dict[int, Contact]) -> None:
        fingerprints = [d.parsed.fingerprint for d in decisions if d.status == LeadRow.Status.REVIEW]
        waiting = (
            set(
                LeadRow.objects.filter(
                    fingerprint__in=fingerprints,
                    status=LeadRow.Status.REVIEW,
                    resolution=LeadRow.Resolution.PENDING,
                ).values_list("fingerprint", flat=True)
            )
            if fingerprints
            else set()
        )
        rows = []
        counts = dict.fromkeys(LeadRow.Status.values, 0)
        for d in decisions:
            resolution = d.resolution
            if d.status == LeadRow.Status.REVIEW:
                if d.parsed.fingerprint in waiting:
                    resolution = LeadRow.Resolution.DUPLICATE
                waiting.add(d.parsed.fingerprint)
            counts[d.status] += 1
            contact = contacts.get(d.parsed.row)
            rows.append(
                LeadRow(
                    lead_import=self.lead_import,
                    row=d.parsed.row,
                    company_name=d.parsed.company_name[:200],
                    status=d.status,
                    customer_id=self.ids.get(d.link_code if d.status == LeadRow.Status.NEW else d.code),
                    customer_code=d.code,
                    score=Decimal(str(round(d.score, 3))),
                    reason=d.reason[:300],
                    candidates=[[c, s] for c, s in d.candidates],
                    data=_lead_data(d.parsed),
                    fingerprint=d.parsed.fingerprint,
                    resolution=resolution,
                    contact=contact,
                )
            )
        LeadRow.objects.bulk_create(rows)
        LeadImport.objects.filter(pk=self.lead_import.pk).update(
            processed_rows=decisions[-1].parsed.row,
            matched_count=F("matched_count") + counts[LeadRow.Status.MATCHED],
            review_count=F("review_count") + counts[LeadRow.Status.REVIEW],
            new_count=F("new_count") + counts[LeadRow.Status.NEW],
            invalid_count=F("invalid_count") + counts[LeadRow.Status.INVALID],
        )
        self.lead_import.processed_rows = decisions[-1].parsed.row


def _lead_data(parsed: ParsedRow) -> dict[str, str]:
    if parsed.lead is None:
        return {}
    return {k: getattr(parsed.lead, k) for k in Lead.__slots__ if getattr(parsed.lead, k)}


def _record_for(code: str, lead: Lead) -> CustomerRecord:
    return CustomerRecord(
        code=code,
        name=lead.company_name,
        prefecture=prefecture_of(lead.address),
        postal_code=lead.postal_code,
        address=lead.address,
        phone=lead.phone,
        domain=normalize_domain(lead.email),
    )


def _prospect_from_lead(code: str, lead: Lead) -> Customer:
    norm = normalize_company(lead.company_name)
    # The branch part (名古屋営業所) belongs to the department, not to the company name.
    name = lead.company_name
    if norm.branch and name.endswith(norm.branch):
        name = name[: -len(norm.branch)].rstrip(" 　")
    postal = normalize_postal(lead.postal_code)
    return Customer(
        code=code,
        name=name[:200],
        legal_form=norm.legal_form_ja or norm.legal_form,
        trading_status=Customer.TradingStatus.PROSPECT,
        prefecture=prefecture_of(lead.address),
        postal_code=f"{postal[:3]}-{postal[3:]}" if postal else "",
        address=lead.address[:300],
        phone=lead.phone[:32],
        domain=normalize_domain(lead.email),
        ec_enabled=False,
        name_key=normalize_company(name).key[:200],
    )


# ---------------------------------------------------------------------------------- contacts


def apply_leads_to_contacts(
    *,
    items: list[tuple[ParsedRow, int, str]],
    source: str,
    lead_import: LeadImport | None,
    now: datetime,
    actor: User | None = None,
) -> dict[int, Contact]:
    """Create or merge the contacts of lead rows (row, customer id, branch); returns row -> contact.

    Must run inside the caller's transaction. A person is the same contact when the e-mail is the
    same, or the name is the same and one of the two has no e-mail. Blank fields are filled, never
    overwritten; every (source, event, date) is kept once; history records creation and new sources.
    Queries per call are constant (not per row).
    """
    items = [(p, cid, br) for p, cid, br in items if p.lead and (p.lead.person_name or p.lead.email)]
    if not items:
        return {}
    customer_ids = {cid for _p, cid, _b in items}
    emails = {p.lead.email.lower() for p, _c, _b in items if p.lead and p.lead.email}
    names = {person_key(p.lead.person_name) for p, _c, _b in items if p.lead and p.lead.person_name}
    existing = list(
        Contact.objects.filter(customer_id__in=customer_ids)
        .filter(Q(email_key__in=emails) | Q(name_key__in=names - {""}))
        .order_by("pk")
    )
    by_email: dict[tuple[int, str], Contact] = {}
    by_name: dict[tuple[int, str], Contact] = {}

    def _remember(c: Contact) -> None:
        if c.email_key:
            by_email.setdefault((c.customer_id, c.email_key), c)
        if c.name_key:
            by_name.setdefault((c.customer_id, c.name_key), c)

    for c in existing:
        _remember(c)

    departments = _departments_for(items)
    buyers = {
        (u.customer_id, u.email): u
        for u in User.objects.filter(customer_id__in=customer_ids, email__in=emails, contact__isnull=True)
    }
    result: dict[int, Contact] = {}
    new_contacts: list[Contact] = []
    changed: dict[int, Contact] = {}
    for parsed, cid, branch in items:
        lead = parsed.lead
        assert lead is not None
        email_key = lead.email.lower()
        name_key = person_key(lead.person_name)
        contact = by_email.get((cid, email_key)) if email_key else None
        if contact is None and name_key:
            candidate = by_name.get((cid, name_key))
            if candidate is not None and (not candidate.email_key or not email_key):
                contact = candidate
        dept = departments.get((cid, _department_name(lead, branch)))
        if contact is None:
            contact = Contact(
                customer_id=cid,
                name=lead.person_name[:100],
                name_kana=lead.person_kana[:100],
                title=lead.title[:100],
                email=lead.email,
                phone=lead.phone[:32],
                role=role_from_title(lead.title),
                purpose=Contact.Purpose.SALES,  # a lead's data is for the sales approach, not yet business
                department=dept,
                email_key=email_key,
                name_key=name_key,
            )
            new_contacts.append(contact)
        else:
            for attr, value in (
                ("name", lead.person_name),
                ("name_kana", lead.person_kana),
                ("title", lead.title),
                ("email", lead.email),
                ("phone", lead.phone),
            ):
                if value and not getattr(contact, attr):
                    setattr(contact, attr, value)
                    if contact.pk:
                        changed[contact.pk] = contact
            if dept is not None and contact.department_id is None:
                contact.department = dept
                if contact.pk:
                    changed[contact.pk] = contact
            if contact.role == Contact.Role.UNKNOWN and lead.title:
                contact.role = role_from_title(lead.title)
            contact.email_key = contact.email.lower()
            contact.name_key = person_key(contact.name)
        if contact.user_id is None and (user := buyers.pop((cid, email_key), None)) is not None:
            contact.user = user
            if contact.pk:
                changed[contact.pk] = contact
        _remember(contact)
        result[parsed.row] = contact
    Contact.objects.bulk_create(new_contacts)
    if changed:
        Contact.objects.bulk_update(
            list(changed.values()),
            [
                "name",
                "name_kana",
                "title",
                "email",
                "phone",
                "department",
                "role",
                "email_key",
                "name_key",
                "user",
            ],
        )
    new_ids = {c.pk for c in new_contacts}
    # Sources: one per (contact, source, event, date); history only for what is really new.
    contact_ids = {c.pk for c in result.values()}
    known = set(
        ContactSource.objects.filter(contact_id__in=contact_ids).values_list(
            "contact_id", "source", "event", "captured_on"
        )
    )
    sources: list[ContactSource] = []
    events: list[ContactEvent] = []
    for parsed, _cid, _branch in items:
        contact = result[parsed.row]
        lead = parsed.lead
        assert lead is not None
        key = (contact.pk, source, lead.event[:200], parsed.captured_on)
        if key in known:
            continue
        known.add(key)
        sources.append(
            ContactSource(
                contact=contact,
                source=source,
                event=lead.event[:200],
                captured_on=parsed.captured_on,
                lead_import=lead_import,
            )
        )
        kind = ContactEvent.Kind.CREATED if contact.pk in new_ids else ContactEvent.Kind.SOURCE_ADDED
        new_ids.discard(contact.pk)
        events.append(
            ContactEvent(
                contact=contact,
                kind=kind,
                at=now,
                actor=actor,
                note=f"{source} {lead.event}".strip()[:300],
                data={"lead_import": lead_import.pk if lead_import else None, "row": parsed.row},
            )
        )
    ContactSource.objects.bulk_create(sources, ignore_conflicts=True)
    ContactEvent.objects.bulk_create(events)
    return result


def _department_name(lead: Lead, branch: str) -> str:
    return " ".join(p for p in (branch, lead.department) if p)[:200]


def _departments_for(items: list[tuple[ParsedRow, int, str]]) -> dict[tuple[int, str], Department]:
    wanted = {(cid, _department_name(p.lead, br)) for p, cid, br in items if p.lead}
    wanted = {w for w in wanted if w[1]}
    if not wanted:
        return {}
    Department.objects.bulk_create(
        [Department(customer_id=cid, name=name) for cid, name in wanted], ignore_conflicts=True
    )
    names = {name for _c, name in wanted}
    return {
        (d.customer_id, d.name): d
        for d in Department.objects.filter(customer_id__in={c for c, _n in wanted}, name__in=names)
    }


# ---------------------------------------------------------------------------------- review queue


def resolve_lead_row(
    *, lead_row: LeadRow, action: str, actor: User | None, now: datetime, customer: Customer | None = None
) -> LeadRow:
    """Decide a waiting review row: `confirm` (the suggested customer), `link` (another customer),
    `prospect` (a new prospect) or `dismiss`. Raises ValidationFailed if the row is not waiting.
    """
    with transaction.atomic():
        row = LeadRow.objects.select_for_update().select_related("lead_import").get(pk=lead_row.pk)
        if row.resolution not in (LeadRow.Resolution.PENDING, LeadRow.Resolution.DUPLICATE):
            raise ValidationFailed(_("This lead was already decided."))
        parsed = _parsed_from_row(row)
        if action == "confirm":
            customer = row.customer
            if customer is None:
                raise ValidationFailed(_("This lead has no suggested customer."))
        elif action == "link":
            if customer is None:
                raise ValidationFailed(_("Choose a customer."))
        elif action == "prospect":
            code = services.reserve_prospect_codes(count=1)[0]
            customer = _prospect_from_lead(code, parsed.lead)  # type: ignore[arg-type]  # a prospect action is only offered for a parsed lead
            customer.save()
        elif action == "dismiss":
            customer = None
        else:
            raise ValidationFailed(f"unknown action {action!r}")
        contact = None
        if customer is not None:
            branch = normalize_company(row.company_name).branch
            contact = apply_leads_to_contacts(
                items=[(parsed, customer.pk, branch)],
                source=row.lead_import.source,
                lead_import=row.lead_import,
                now=now,
                actor=actor,
            ).get(parsed.row)
        row.resolution = {
            "confirm": LeadRow.Resolution.CONFIRMED,
            "link": LeadRow.Resolution.CONFIRMED,
            "prospect": LeadRow.Resolution.PROSPECT,
            "dismiss": LeadRow.Resolution.DISMISSED,
        }[action]
        row.contact = contact
        row.resolved_by = actor
        row.resolved_at = now
        if customer is not None and action != "confirm":
            row.customer = customer
        row.save(update_fields=["resolution", "contact", "resolved_by", "resolved_at", "customer"])
        # Identical rows waiting from other imports are settled the same way.
        LeadRow.objects.filter(
            fingerprint=row.fingerprint,
            status=LeadRow.Status.REVIEW,
            resolution__in=[LeadRow.Resolution.PENDING, LeadRow.Resolution.DUPLICATE],
        ).exclude(pk=row.pk).update(
            resolution=row.resolution,
            customer=row.customer,
            contact=contact,
            resolved_by=actor,
            resolved_at=now,
        )
    return row


def _parsed_from_row(row: LeadRow) -> ParsedRow:
    data = {k: v for k, v in (row.data or {}).items() if k in Lead.__slots__}
    data.setdefault("company_name", row.company_name)
    captured = None
    if data.get("captured_on"):
        try:
            captured = parse_captured_on(data["captured_on"])
        except ValueError:
            captured = None
    return ParsedRow(row.row, row.company_name, Lead(**data), "", captured, row.fingerprint)


def candidate_customers(*, lead_row: LeadRow) -> list[tuple[Customer, float]]:
    """The customers the matcher proposed for a row, best first (one query)."""
    scores = dict(lead_row.candidates or [])
    found = {c.code: c for c in Customer.objects.filter(code__in=scores)}
    return [(found[code], score) for code, score in scores.items() if code in found]


__all__ = [
    "REPORT_HEADER",
    "LeadFileError",
    "apply_leads_to_contacts",
    "candidate_customers",
    "format_score",
    "import_leads",
    "resolve_lead_row",
    "run_lead_import",
    "start_lead_import",
    "write_report",
]
