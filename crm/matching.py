"""Pure lead → customer matching (名寄せ): candidate index, scoring and decision.

No Django: the import command feeds `CustomerRecord`s built from the database and `Lead`s read
from the CSV, and writes the `MatchResult`s into the report. Keeping the core pure lets the
tests and the benchmark run it on 100,000 × 100,000 records without a database.

Scoring rule (documented in `_score`): an exact normalised-name match starts high and
is confirmed by contact evidence; a kana-only match starts lower (readings are ambiguous,
日本工業/日本鋼業 are both ニホンコウギョウ); a fuzzy name can only reach `matched` with
corroborating evidence (e-mail domain, phone, postal code, address). A different business type
(山田商事/山田商店) or a substituted character in the core name (大同/大道) caps the name
similarity so low that such a look-alike is never matched.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from rapidfuzz.distance import Indel, Levenshtein

from crm.names import (
    NormalizedName,
    fold_kana,
    is_mobile_phone,
    normalize_address,
    normalize_company,
    normalize_domain,
    normalize_phone,
    normalize_postal,
    prefecture_of,
    split_business_type,
)

__all__ = [
    "AMBIGUITY_MARGIN",
    "MATCHED_THRESHOLD",
    "REVIEW_THRESHOLD",
    "CustomerRecord",
    "Lead",
    "MatchIndex",
    "MatchResult",
    "evaluate",
]

MATCHED_THRESHOLD = 0.85
"""Score from which a lead is linked to the customer without a person looking at it."""
REVIEW_THRESHOLD = 0.50
"""Score from which a lead waits in the review queue; below it the lead becomes a prospect."""
AMBIGUITY_MARGIN = 0.05
"""Two candidates closer than this cannot be told apart automatically: review, not matched."""

# Name part of the score (see score_candidate).
_EXACT_BASE = 0.90
_KANA_BASE = 0.80
# A kana-only name equal to exactly one customer's reading, with no conflicting field, is linked:
# business-card and exhibition lists often carry only the reading, and one reading is no doubt.
_KANA_UNIQUE = 0.86
_TYPE_DIFFERS_CAP = 0.50  # 山田商事 vs 山田商店
_CORE_DIFFERS_CAP = 0.60  # 大同商事 vs 大道商事
# Evidence weights (summed, capped at 1.0) and conflict penalties.
_W_DOMAIN = 0.50
_W_PHONE = 0.40
_W_POSTAL = 0.25
_W_ADDRESS = 0.35
_W_PREFECTURE = 0.05
_P_DOMAIN = 0.15
_P_PREFECTURE = 0.10
_P_PHONE = 0.03
_P_POSTAL = 0.03
_P_LEGAL_FORM = 0.02
# Candidate generation limits: evidence keys shared by many customers are not selective.
_MAX_EVIDENCE_BUCKET = 50
_MAX_GRAM_POSTINGS = 1000
_MAX_GRAM_CANDIDATES = 12
_MAX_REPORTED_CANDIDATES = 5


@dataclass(frozen=True, slots=True)
class CustomerRecord:
    """A customer-master row as the matcher needs it (ERP fields, strings as sent)."""

    code: str
    name: str
    name_kana: str = ""
    prefecture: str = ""
    postal_code: str = ""
    address: str = ""
    phone: str = ""
    domain: str = ""


@dataclass(frozen=True, slots=True)
class Lead:
    """One row of a lead list, in the contract's import columns."""

    company_name: str
    department: str = ""
    person_name: str = ""
    person_kana: str = ""
    title: str = ""
    email: str = ""
    phone: str = ""
    postal_code: str = ""
    address: str = ""
    event: str = ""
    captured_on: str = ""


@dataclass(frozen=True, slots=True)
class MatchResult:
    """Decision for one lead; `customer_code` is the match or the best candidate."""

    status: str  # 'matched' | 'review' | 'new' | 'invalid'
    customer_code: str | None
    score: float
    reason: str
    candidates: list[tuple[str, float]] = field(default_factory=list)
    branch: str = ""


@dataclass(slots=True)
class _Prepared:
    """Normalised comparison fields of one customer or lead, computed once."""

    code: str
    norm: NormalizedName
    key: str
    stem: str
    btype: str
    kana: str  # folded kana reading without legal form ("" if unknown)
    kana_stem: str
    kana_btype: str
    phone: str
    domain: str
    postal: str
    address: str
    prefecture: str


def _prepare_customer(c: CustomerRecord) -> _Prepared:
    norm = normalize_company(c.name)
    kana = fold_kana(normalize_company(c.name_kana).key) if c.name_kana else ""
    if not kana and norm.is_kana:
        kana = fold_kana(norm.key)
    stem, btype = split_business_type(norm.key)
    kstem, ktype = split_business_type(kana) if kana else ("", "")
    address = normalize_address(c.address)
    return _Prepared(
        code=c.code,
        norm=norm,
        key=norm.key,
        stem=stem,
        btype=btype,
        kana=kana,
        kana_stem=kstem,
        kana_btype=ktype,
        phone=normalize_phone(c.phone),
        domain=normalize_domain(c.domain if "@" in c.domain else "x@" + c.domain) if c.domain else "",
        postal=normalize_postal(c.postal_code),
        address=address,
        prefecture=c.prefecture or prefecture_of(address),
    )


def _prepare_lead(lead: Lead) -> _Prepared:
    norm = normalize_company(lead.company_name)
    kana = fold_kana(norm.key) if norm.is_kana else ""
    stem, btype = split_business_type(norm.key)
    kstem, ktype = split_business_type(kana) if kana else ("", "")
    address = normalize_address(lead.address)
    return _Prepared(
        code="",
        norm=norm,
        key=norm.key,
        stem=stem,
        btype=btype,
        kana=kana,
        kana_stem=kstem,
        kana_btype=ktype,
        phone=normalize_phone(lead.phone),
        domain=normalize_domain(lead.email),
        postal=normalize_postal(lead.postal_code),
        address=address,
        prefecture=prefecture_of(address),
    )


def _grams(text: str) -> set[str]:
    """Character bigrams (a 1-character name is its own gram)."""
    if len(text) < 2:
        return {text} if text else set()
    return {text[i : i + 2] for i in range(len(text) - 1)}


def _name_similarity(lead: _Prepared, cust: _Prepared) -> tuple[float, str]:
    """Similarity of the names in [0, 1] and its kind: name, kana, fuzzy, type≠ or core≠."""
    if lead.key == cust.key:
        return 1.0, "name"
    if lead.norm.is_kana and cust.kana:
        if lead.kana == cust.kana:
            return 1.0, "kana"
        a, b = lead.kana, cust.kana
        a_stem, a_type, b_stem, b_type = lead.kana_stem, lead.kana_btype, cust.kana_stem, cust.kana_btype
    else:
        if (
            len(lead.key) > len(cust.key) >= 2
            and lead.key.startswith(cust.key)
            and normalize_company(cust.key + " " + lead.key[len(cust.key) :]).key == cust.key
        ):
            return 1.0, "name"  # an office suffix the normaliser could not split off on its own
        a, b = lead.key, cust.key
        a_stem, a_type, b_stem, b_type = lead.stem, lead.btype, cust.stem, cust.btype
    sim = Indel.normalized_similarity(a, b)
    if a_type and b_type and a_type != b_type:
        return min(sim, _TYPE_DIFFERS_CAP), "type≠"
    if a_stem != b_stem and any(op.tag == "replace" for op in Levenshtein.editops(a_stem, b_stem)):
        return min(sim, _CORE_DIFFERS_CAP), "core≠"
    return sim, "fuzzy"


def score_candidate(lead: _Prepared, cust: _Prepared) -> tuple[float, str]:
    """Score one lead/customer pair in [0, 1] with a short reason (see `_score`)."""
    score, reason, _conflict = _score(lead, cust)
    return score, reason


def _score(lead: _Prepared, cust: _Prepared) -> tuple[float, str, float]:
    """Score one lead/customer pair in [0, 1] with a short reason and the summed conflicts.

    score = base(name) + weight × evidence − conflicts, where
      exact key:  0.90 + 0.10·E      (no evidence needed; conflicts can demote it to review)
      exact kana: 0.80 + 0.20·E      (a reading alone is not enough to link)
      fuzzy r:    0.85·r − 0.15 + 0.40·E  (matched only with strong evidence, r capped for
                                            look-alikes so they never reach matched)
    E sums domain 0.50, phone 0.40, address 0.35, postal 0.25, prefecture 0.05 (max 1.0);
    conflicts: other company domain 0.15, other prefecture 0.10 (not when the lead names a
    branch), other landline 0.03, other postal code 0.03, other Japanese legal form 0.02.
    """
    sim, kind = _name_similarity(lead, cust)
    evidence = 0.0
    conflict = 0.0
    parts = [kind]
    branch = bool(lead.norm.branch)
    if lead.domain and cust.domain:
        if lead.domain == cust.domain:
            evidence += _W_DOMAIN
            parts.append("domain")
        else:
            conflict += _P_DOMAIN
            parts.append("-domain")
    if len(lead.phone) >= 10 and cust.phone:
        if lead.phone == cust.phone:
            evidence += _W_PHONE
            parts.append("phone")
        elif not is_mobile_phone(lead.phone) and not branch:
            conflict += _P_PHONE
    if lead.postal and cust.postal:
        if lead.postal == cust.postal:
            evidence += _W_POSTAL
            parts.append("postal")
        elif not branch:
            conflict += _P_POSTAL
    if (
        lead.address
        and cust.address
        and (
            lead.address == cust.address
            or (
                min(len(lead.address), len(cust.address)) >= 8
                and (lead.address.startswith(cust.address) or cust.address.startswith(lead.address))
            )
        )
    ):
        evidence += _W_ADDRESS
        parts.append("address")
    elif lead.prefecture and cust.prefecture:
        if lead.prefecture == cust.prefecture:
            evidence += _W_PREFECTURE
        elif not branch:
            conflict += _P_PREFECTURE
            parts.append("-prefecture")
    lf_lead, lf_cust = lead.norm.legal_form_ja, cust.norm.legal_form_ja
    if lf_lead and lf_cust and lf_lead != lf_cust:
        conflict += _P_LEGAL_FORM
    evidence = min(evidence, 1.0)
    if kind == "name":
        score = _EXACT_BASE + 0.10 * evidence
    elif kind == "kana":
        score = _KANA_BASE + 0.20 * evidence
    else:
        score = 0.85 * sim - 0.15 + 0.40 * evidence
        parts[0] = f"{kind}({sim:.2f})"
    score = round(max(0.0, min(1.0, score - conflict)), 3)
    return score, "+".join(parts).replace("+-", " -"), conflict


class MatchIndex:
    """Customer index for candidate generation without comparing every pair.

    Exact maps on normalised key, kana reading, phone, e-mail domain and postal code, plus an
    inverted index of character bigrams (key and kana) for fuzzy candidates; the bigram lists
    are read rarest first with a posting budget so common grams (工業, 株式) cost little.
    """

    def __init__(self) -> None:
        self._entries: list[_Prepared] = []
        self._by_key: dict[str, list[int]] = {}
        self._by_kana: dict[str, list[int]] = {}
        self._by_phone: dict[str, list[int]] = {}
        self._by_domain: dict[str, list[int]] = {}
        self._by_postal: dict[str, list[int]] = {}
        self._grams: dict[str, list[int]] = {}
        self._kana_grams: dict[str, list[int]] = {}

    @classmethod
    def build(cls, customers: Iterable[CustomerRecord]) -> MatchIndex:
        """Normalise every customer once and fill the maps."""
        index = cls()
        for customer in customers:
            index.add(customer)
        return index

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, customer: CustomerRecord) -> None:
        """Add (or shadow, for a repeated code) one customer."""
        entry = _prepare_customer(customer)
        i = len(self._entries)
        self._entries.append(entry)
        if entry.key:
            self._by_key.setdefault(entry.key, []).append(i)
            for g in _grams(entry.key):
                self._grams.setdefault(g, []).append(i)
        if entry.kana:
            self._by_kana.setdefault(entry.kana, []).append(i)
            for g in _grams(entry.kana):
                self._kana_grams.setdefault(g, []).append(i)
        for value, table in (
            (entry.phone, self._by_phone),
            (entry.domain, self._by_domain),
            (entry.postal, self._by_postal),
        ):
            if value:
                table.setdefault(value, []).append(i)

    def _candidates(self, lead: _Prepared) -> set[int]:
        found: set[int] = set(self._by_key.get(lead.key, ()))
        if lead.norm.is_kana:
            found.update(self._by_kana.get(lead.kana, ()))
        for value, table in (
            (lead.domain, self._by_domain),
            (lead.phone, self._by_phone),
            (lead.postal, self._by_postal),
        ):
            bucket = table.get(value) if value else None
            if bucket and len(bucket) <= _MAX_EVIDENCE_BUCKET:
                found.update(bucket)
        if not any(self._entries[i].key == lead.key for i in found) and not (
            lead.norm.is_kana and any(self._entries[i].kana == lead.kana for i in found)
        ):
            found.update(self._gram_candidates(lead))
        return found

    def _gram_candidates(self, lead: _Prepared) -> list[int]:
        text, grams_index = (lead.kana, self._kana_grams) if lead.norm.is_kana else (lead.key, self._grams)
        postings = sorted((grams_index[g] for g in _grams(text) if g in grams_index), key=len)
        counts: Counter[int] = Counter()
        budget = _MAX_GRAM_POSTINGS
        for plist in postings:
            if budget <= 0:
                break
            counts.update(plist if len(plist) <= budget else plist[:budget])
            budget -= len(plist)
        return [i for i, _ in counts.most_common(_MAX_GRAM_CANDIDATES)]

    def _unique_reading(self, lead: _Prepared) -> str | None:
        """The one customer code whose reading equals a kana-only lead's, else None."""
        if not lead.norm.is_kana:
            return None
        codes = {self._entries[i].code for i in self._by_kana.get(lead.kana, ())}
        return codes.pop() if len(codes) == 1 else None

    def match(self, lead: Lead) -> MatchResult:
        """Decide matched / review / new / invalid for one lead."""
        prepared = _prepare_lead(lead)
        if not prepared.key:
            return MatchResult("invalid", None, 0.0, "empty company name")
        scored: dict[str, tuple[float, str]] = {}
        unique_reading = self._unique_reading(prepared)
        for i in self._candidates(prepared):
            entry = self._entries[i]
            score, reason, conflict = _score(prepared, entry)
            if entry.code == unique_reading and reason.startswith("kana") and conflict == 0:
                score, reason = max(score, _KANA_UNIQUE), reason.replace("kana", "kana(unique)", 1)
            if entry.code not in scored or scored[entry.code][0] < score:
                scored[entry.code] = (score, reason)
        ranked = sorted(scored.items(), key=lambda kv: (-kv[1][0], kv[0]))
        candidates = [(code, s) for code, (s, _) in ranked[:_MAX_REPORTED_CANDIDATES]]
        branch = prepared.norm.branch
        if not ranked:
            return MatchResult("new", None, 0.0, "no candidate", [], branch)
        code, (score, reason) = ranked[0]
        if score >= REVIEW_THRESHOLD and len(ranked) > 1 and ranked[1][1][0] >= score - AMBIGUITY_MARGIN:
            reason = f"{reason} ambiguous with {ranked[1][0]}"
            score = min(score, round(MATCHED_THRESHOLD - 0.001, 3))
        if score >= MATCHED_THRESHOLD:
            status = "matched"
        elif score >= REVIEW_THRESHOLD:
            status = "review"
        else:
            status = "new"
        return MatchResult(status, code, score, reason, candidates, branch)

    def match_many(self, leads: Iterable[Lead]) -> Iterator[MatchResult]:
        """Match leads one by one (streaming, so a 100 MB file is never held twice)."""
        for lead in leads:
            yield self.match(lead)


def evaluate(pairs: Iterable[tuple[MatchResult, str | None]]) -> dict[str, float]:
    """Precision/recall of `matched` (and of matched+review) against truth codes.

    precision = correct matched / all matched; recall = correct matched / leads whose truth is
    a customer. The "_with_review" figures count a review row as a hit when its best candidate
    is the right customer, i.e. what a person in the review queue would confirm.
    """
    matched = correct = positives = review_hits = flagged = flagged_correct = 0
    for result, truth in pairs:
        truth = truth or None
        positives += truth is not None
        if result.status == "matched":
            matched += 1
            correct += result.customer_code == truth and truth is not None
        if result.status in ("matched", "review"):
            flagged += 1
            ok = truth is not None and result.customer_code == truth
            flagged_correct += ok
            review_hits += ok and result.status == "review"
    return {
        "precision": correct / matched if matched else 1.0,
        "recall": correct / positives if positives else 1.0,
        "matched": float(matched),
        "positives": float(positives),
        "precision_with_review": flagged_correct / flagged if flagged else 1.0,
        "recall_with_review": flagged_correct / positives if positives else 1.0,
        "review_hits": float(review_hits),
    }
