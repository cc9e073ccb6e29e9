"""Field extraction: the facts a person needs first (who denied what, which IDs, which date), with spans.

Rules run over the raw letter text with linear-time regular expressions (no nested quantifiers), because
spaCy's blank tokenizer splits IDs such as ``UM-2024-0912-77731``. Each result records the rule that fired
and where, so the report can show its source.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import yaml

from denialparse.datatypes import Document, ExtractedField, Span
from denialparse.resources import DATA_DIR

_SEP = r"[ \t]*(?:[:#.\-]|No\.?|Number|ID)?[ \t]*[:#]?[ \t]*"
_ID_VALUE = r"([A-Z0-9][A-Z0-9\-/.]{2,29}[A-Z0-9])"
_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
DATE_PATTERN = (
    rf"(?:(?:{_MONTHS})\.?[ \t]+\d{{1,2}},?[ \t]+\d{{4}}"
    r"|\d{1,2}/\d{1,2}/\d{2,4}"
    r"|\d{4}-\d{2}-\d{2}"
    rf"|\d{{1,2}}[ \t]+(?:{_MONTHS})[ \t]+\d{{4}})"
)
_DATE = re.compile(DATE_PATTERN, re.IGNORECASE)
_MONTH_NUMBER = {
    name: index
    for index, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}


def parse_date(text: str) -> date | None:
    """Parse one of the date shapes letters use; None when it is not a real calendar date."""
    text = text.strip().rstrip(".")
    try:
        if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{2,4})", text):
            year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
            return date(year, int(m[1]), int(m[2]))
        if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text):
            return date(int(m[1]), int(m[2]), int(m[3]))
        if m := re.fullmatch(r"([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})", text):
            month = _MONTH_NUMBER.get(m[1].lower())
            return date(int(m[3]), month, int(m[2])) if month else None
        if m := re.fullmatch(r"(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})", text):
            month = _MONTH_NUMBER.get(m[2].lower())
            return date(int(m[3]), month, int(m[1])) if month else None
    except ValueError:
        return None
    return None


@dataclass(frozen=True)
class _LabelledRule:
    """A value that follows one of several labels on the same line ("Member ID: W123")."""

    field: str
    labels: str
    value: str
    confidence: float

    def compile(self) -> re.Pattern[str]:
        return re.compile(rf"(?:{self.labels}){_SEP}{self.value}", re.IGNORECASE)


_LABELLED_RULES = (
    _LabelledRule(
        "member_id",
        r"\bMember[ \t]+ID|\bMember[ \t]+(?:Number|No\.?|#)|\bSubscriber[ \t]+ID|\bMember[ \t]+Identification"
        r"(?:[ \t]+Number)?|\bID[ \t]+(?:Number|No\.?|#)|\bMedicaid[ \t]+ID|\bMedicare[ \t]+(?:ID|Number)"
        r"|\bEnrollee[ \t]+ID|\bPatient[ \t]+ID|\bIdentification[ \t]+Number|\bMbr[ \t]+ID|\bMember[ \t]+ID[ \t]+#",
        _ID_VALUE,
        0.95,
    ),
    _LabelledRule("group_number", r"\bGroup(?:[ \t]+(?:Number|No\.?|#|ID))?", _ID_VALUE, 0.9),
    _LabelledRule(
        "claim_number",
        r"\bClaim[ \t]+(?:Number|No\.?|#|ID|Reference)|\bClaim(?=[ \t]*:)|\bReference[ \t]+(?:Number|No\.?|#)"
        r"|\bRef(?:erence)?[ \t]*#|\bAuthorization[ \t]+(?:Number|No\.?|#|Request[ \t]+#)|\bAuth[ \t]*#"
        r"|\bCase[ \t]+(?:Number|No\.?|#|ID)|\bRequest[ \t]+(?:Number|No\.?|#|ID)|\bTracking[ \t]+(?:Number|#)"
        r"|\bDetermination[ \t]+(?:Number|#)|\bDocument[ \t]+Control[ \t]+Number|\bDCN",
        _ID_VALUE,
        0.9,
    ),
    _LabelledRule(
        "letter_date",
        r"\b(?:Date[ \t]+of[ \t]+(?:Notice|Letter|this[ \t]+(?:Notice|Letter)|Determination|Decision)"
        r"|Notice[ \t]+Date|Letter[ \t]+Date|Determination[ \t]+Date|Decision[ \t]+Date|Date[ \t]+Mailed"
        r"|Mail(?:ing)?[ \t]+Date|Date(?=[ \t]*:))",
        rf"({DATE_PATTERN})",
        0.95,
    ),
    _LabelledRule(
        "service",
        # Free text follows, so the label must end in a colon: "medication trials you documented" is prose.
        r"\b(?:Service(?:s)?[ \t]+(?:Requested|Denied|Description)|Requested[ \t]+(?:Service|Item|Drug|Medication)"
        r"|Drug[ \t]+(?:Requested|Name)|Medication(?:[ \t]+Requested)?|Procedure(?:[ \t]+Requested)?"
        r"|Item[ \t]+Requested|Treatment[ \t]+Requested|Description[ \t]+of[ \t]+Service|Service|Request"
        r"|Item|Drug|Treatment)(?=[ \t]*:)",
        # The value may start on the next line when the label ends its line ("Service Requested:\n...").
        r"(?:[ \t]*\n[ \t]*)?([^\n]{3,160})",
        0.85,
    ),
)


@dataclass(frozen=True)
class _Payer:
    name: str
    pattern: re.Pattern[str]


@lru_cache(maxsize=1)
def _payers() -> tuple[_Payer, ...]:
    raw = yaml.safe_load((DATA_DIR / "payers.yaml").read_text(encoding="utf-8"))
    payers = []
    for entry in raw["payers"]:
        aliases = sorted(entry["aliases"], key=len, reverse=True)
        alternation = "|".join(re.escape(a) for a in aliases)
        payers.append(_Payer(entry["name"], re.compile(rf"(?<![A-Za-z])(?:{alternation})(?![A-Za-z])")))
    return tuple(payers)


def _span(document: Document, start: int, end: int) -> Span:
    return Span(start=start, end=end, page=document.page_at(start))


# Another "Label:" on the same line ends a free-text value ("Drug: X   Quantity: 3").
_NEXT_LABEL = re.compile(r"[ \t]{3,}|\t|[ \t](?=[A-Z][A-Za-z/#]{1,20}(?:[ \t][A-Za-z/#]{1,20}){0,2}[ \t]?[:#])")


def _clean_value(name: str, value: str) -> str:
    value = value.strip().rstrip(".,;")
    if name == "service":
        # A table row or a second label on the same line ends the value.
        value = _NEXT_LABEL.split(value)[0]
        value = value.strip(" :-").rstrip(".,;")
    return value


def _labelled(document: Document, *, rule: _LabelledRule) -> ExtractedField | None:
    for match in rule.compile().finditer(document.text):
        value = _clean_value(rule.field, match.group(1))
        if rule.field != "service" and not any(ch.isdigit() for ch in value):
            continue
        if rule.field == "letter_date" and parse_date(value) is None:
            continue
        if len(value) < 2:
            continue
        start = match.start(1)
        return ExtractedField(
            name=rule.field,
            value=value,
            span=_span(document, start, start + len(value)),
            confidence=rule.confidence,
            rule=f"label:{rule.field}",
        )
    return None


def _first_date(document: Document) -> ExtractedField | None:
    """A letter's date is usually the first date in its opening lines."""
    head = document.text[:1500]
    for match in _DATE.finditer(head):
        if parse_date(match.group(0)):
            return ExtractedField(
                name="letter_date",
                value=match.group(0),
                span=_span(document, match.start(), match.end()),
                confidence=0.6,
                rule="first-date-in-header",
            )
    return None


def _payer(document: Document) -> ExtractedField | None:
    """The payer named earliest in the letter (letterheads come first)."""
    best: tuple[int, int, str] | None = None
    for payer in _payers():
        match = payer.pattern.search(document.text)
        if match and (best is None or match.start() < best[0]):
            best = (match.start(), match.end(), payer.name)
    if best is None:
        return None
    start, end, name = best
    return ExtractedField(
        name="payer",
        value=name,
        span=_span(document, start, end),
        confidence=0.9 if start < 600 else 0.7,
        rule="payer-list",
    )


# A letterhead line naming an insurer not in the payer list ("Northwind Health Plan").
_LETTERHEAD = re.compile(
    r"^[ \t]*([A-Z][A-Za-z&'.-]*(?:[ \t]+[A-Z][A-Za-z&'.-]*){0,5}[ \t]+"
    r"(?:Health[ \t]+Plans?|Health(?:care)?|Insurance(?:[ \t]+Company)?|Assurance|Benefits?[ \t]+Plan"
    r"|Medical[ \t]+Plan|Health[ \t]+Partners|HealthCare|Care[ \t]+Plan))[ \t]*(?:,?[ \t]+Inc\.?)?[ \t]*$",
    re.MULTILINE,
)


def _letterhead_payer(document: Document) -> ExtractedField | None:
    """An insurer-like name on one of the first lines, when no listed payer is named."""
    head = document.text[:400]
    match = _LETTERHEAD.search(head)
    if match is None:
        return None
    return ExtractedField(
        name="payer",
        value=match.group(1).strip(),
        span=_span(document, match.start(1), match.end(1)),
        confidence=0.6,
        rule="letterhead",
    )


Extractor = Callable[[Document], ExtractedField | None]


def _extractors() -> dict[str, list[Extractor]]:
    by_field: dict[str, list[Extractor]] = {"payer": [_payer, _letterhead_payer]}
    for rule in _LABELLED_RULES:
        by_field.setdefault(rule.field, []).append(functools.partial(_labelled, rule=rule))
    by_field["letter_date"].append(_first_date)
    return by_field


FIELD_NAMES: tuple[str, ...] = (
    "payer",
    "member_id",
    "group_number",
    "claim_number",
    "letter_date",
    "service",
)


def extract_fields(document: Document) -> dict[str, ExtractedField]:
    """Every known field, found or explicitly not found."""
    result: dict[str, ExtractedField] = {}
    extractors = _extractors()
    for name in FIELD_NAMES:
        found = None
        for extractor in extractors.get(name, []):
            found = extractor(document)
            if found:
                break
        result[name] = found or ExtractedField(name=name, value=None, rule="not-found")
    return result
