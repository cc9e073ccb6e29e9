"""A learned ranker for the denied service and the service date: choose among candidate spans, or abstain.

The rules in :mod:`denialparse.fields` stop at the first label or phrase they recognise, which misses services and
dates in prose, emails and odd layouts. Here every span the rules would produce (all matches, not only the first)
and some generic spans (noun phrases after "request for", every date in the letter) become candidates; a logistic
model scores each from a few hundred readable features (which rule found it, the words around it, where it stands,
the shape of its line) and the best one wins, unless no candidate scores above a threshold tuned by
cross-validation. Inference is numpy alone: the weights are a hashed vector read from ``weights.npz``.
"""

from __future__ import annotations

import bisect
import json
import re
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from itertools import chain, islice
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from denialparse.codes import BILLING_CODE, REMARK_CODE_LINE
from denialparse.datatypes import Document, ExtractedField, Span
from denialparse.errors import ModelError
from denialparse.fields import (
    DATE_PATTERN,
    MAX_CANDIDATES,
    MONTH_DAY,
    MONTHS,
    RuleCandidate,
    generic_service_words,
    is_date,
    parse_date,
    provider_words,
    rule_candidates,
    specialty_in_a_name,
    specialty_service_words,
)
from denialparse.resources import file_sha256, models_dir

RANKED_FIELDS = ("service", "service_date")
FORMAT_VERSION = 2  # 2: a pairwise ranking vector per field beside the probability
# Raised when the candidates or features change, so that rankers trained on the old ones are refused at load.
# 2 (session 9): code-named, considered, title-part and specialty-name candidates, "about" in the prose trigger,
# line verdicts.
# 3 (session 14): word endings and the names the rules found (patient, payer, provider) for the service.
FEATURE_VERSION = 3
N_FEATURES = 1 << 14  # hashed feature space; collisions are rare at a few thousand distinct features
META_FILE = "model.json"
WEIGHTS_FILE = "weights.npz"
MODEL_FILE = "model.skops"
CARD_FILE = "MODEL_CARD.md"
DEFAULT_RANKER_NAME = "field-rankers"

FloatArray = NDArray[np.float64]


@dataclass
class Candidate:
    """One span proposed for a field, with every rule that proposed it (merged by position and value)."""

    name: str
    value: str
    start: int
    rules: set[str] = field(default_factory=set)
    ranks: set[int] = field(default_factory=set)
    first_of: set[int] = field(default_factory=set)
    rules_answer: bool = False
    generic: set[str] = field(default_factory=set)
    elsewhere: set[str] = field(default_factory=set)  # rules that propose the same value at another place
    letter_rules: int = 0  # how many candidates the rules found in the whole letter

    @property
    def end(self) -> int:
        return self.start + len(self.value)


# ---------------------------------------------------------------------------------------------------- candidates

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_DATE = re.compile(
    rf"(?<![\w/])(?:{DATE_PATTERN}|{MONTH_DAY}|(?:{MONTHS})\.?[ \t]+\d{{1,2}}\b(?!,?[ \t]+\d))", re.IGNORECASE
)
# Generic service spans: what follows "request for", "coverage of", "approve", "for" ... up to a clause word. The
# trigger words are found first and the span read after each, so "for prior approval of a wheelchair" gives both
# "prior approval of a wheelchair" and "a wheelchair".
_AFTER_FOR = re.compile(r"\b(?:for|of|about|approve|cover|covering|deny|denied|denying)[ \t]+", re.IGNORECASE)
_NOUN_PHRASE = re.compile(
    r"(?:(?:an?|the|your|this|these)[ \t]+)?"
    r"([A-Za-z0-9][^.\n;:!?]{2,80}?)(?=[ \t]+(?:for|from|at|on|because|submitted|received|which|that|dated|under|by"
    r"|to|is|was|as|after|has|have|will|until|were|are|with|in|she|he|they|we)\b|[.,;:!?\n]|$)",
    re.IGNORECASE,
)
# "Item under review: X": any short label that ends in a colon, with its value on the same line.
_ANY_LABEL = re.compile(r"^[ \t]*([A-Za-z][A-Za-z /()#'-]{1,40}?)[ \t]*:[ \t]*([^\n]{3,160})$", re.MULTILINE)
# A drug as letters name it, brand with generic or generic with brand: "Spravato (esketamine)", "Ferric
# carboxymaltose (Injectafer)", "Zepbound (tirzepatide) 7.5 mg" (remittance notes often name it nowhere else).
_DRUG_NAME = re.compile(
    r"\b[A-Z][a-z]{2,30}(?:[- ][A-Z0-9][A-Za-z0-9]{0,30})?[ \t]+\((?!(?:dependent|minor|spouse|child|self|subscriber"
    r"|patient|member|insured|retired|deceased|maintenance)\))[a-z][a-z0-9-]{3,40}(?:[ \t][a-z0-9-]{2,20}){0,2}\)"
    r"|\b[A-Za-z][a-z0-9-]{4,40}(?:[ \t][a-z][a-z0-9-]{2,40}){0,2}[ \t]+\([A-Z][a-z][A-Za-z0-9-]{1,30}®?\)"
)
# A billing code with the service's name beside it, as claim notes and remittance lines write it: "colonoscopy with
# biopsy (CPT 45380)", "J1569 (Gammagard Liquid) x 400", "J9271 is defined as pembrolizumab, 1 mg per unit".
_CODE_IN_BRACKETS = re.compile(rf"\((?:(?:CPT|HCPCS|code)[ \t]*:?[ \t]*)?{BILLING_CODE}\b[^()\n]{{0,30}}\)")
_NAME_AFTER_CODE = re.compile(
    rf"\b{BILLING_CODE}\b(?:-[A-Z0-9]{{2}})?(?:[ \t]*\(([A-Za-z][^()\n]{{2,60}})\)"
    r"|[ \t]+(?:is[ \t]+defined[ \t]+as|is|means|describes)[ \t]+(?:an?[ \t]+|the[ \t]+)?([A-Za-z][^\n.;,()]{2,60}))"
)
# Where the words naming a bracketed code start: after a clause's punctuation or a preposition before it.
_NAME_START = re.compile(r"(?:^|[.:;,][ \t]+|[ \t](?:for|of|on|and|the|your|a|an|to)[ \t]+)(?=[A-Za-z])", re.I)
_CODE_NAME_REACH = 80
_NOTES_REACH = 12_000  # claim notes come after the remittance table, so further down than the prose rules read


def _code_named(text: str) -> Iterator[tuple[str, int]]:
    """The service named beside a billing code, with where it starts: the words before a bracketed code (from each
    clause or preposition boundary of its line, longest first), and a bracketed or defined name after a code."""
    for bracket in _CODE_IN_BRACKETS.finditer(text):
        line_start = text.rfind("\n", 0, bracket.start()) + 1
        window_start = max(line_start, bracket.start() - _CODE_NAME_REACH)
        before = text[window_start : bracket.start()].rstrip()
        cut_mid_word = window_start > line_start and not text[window_start - 1].isspace()
        for boundary in _NAME_START.finditer(before):
            if boundary.end() == 0 and cut_mid_word:
                continue  # the reach ended inside a word ("tory tests (85025)"): no name starts there
            if boundary.end() < len(before):
                yield before[boundary.end() :], window_start + boundary.end()
    for match in _NAME_AFTER_CODE.finditer(text):
        group = 1 if match.group(1) is not None else 2
        yield match.group(group).strip(), match.start(group)


# A policy's verdict on a service: "TRICARE considers intravenous ketamine infusion for PTSD to be unproven".
_CONSIDERED = re.compile(
    r"\bconsiders?[ \t]+([A-Za-z][^.;:\n]{2,80}?)[ \t]+(?:to[ \t]+be[ \t]+|as[ \t]+)?(?:unproven|experimental"
    r"|investigational|not[ \t]+medically[ \t]+necessary|medically[ \t]+necessary|cosmetic|not[ \t]+covered)\b",
    re.IGNORECASE,
)
# A title in the letterhead, parts set apart by dashes: "Coverage decision - Knee MRI location", "Concurrent Review -
# Residential Treatment (Eating Disorder)", "RE: Claim from Sojourn Psychiatry - ketamine-assisted psychotherapy".
_TITLE_LINE = re.compile(
    r"^[ \t]*(?:[A-Za-z][A-Za-z ]{0,20}:[ \t]*)?([^\n:;]{2,100}?[ \t][-–][ \t][^\n:;]{2,100}?)[ \t]*$", re.M
)
_TITLE_DASH = re.compile(r"[ \t]+[-–][ \t]+")
_TITLE_REACH = 1500  # the letterhead, subject and reference lines
_SALUTATION = re.compile(r"^[ \t]*(?:Dear|Hello|Hi)\b", re.M)
_SENTENCE_BREAK = re.compile(r"[a-z]{3}[.!?][ \t]+[A-Z][a-z]")  # "... facility. No prior", not "MTM, Inc. - Non"


def _title_parts(text: str) -> Iterator[tuple[str, int]]:
    """Each dash-separated part of a short letterhead line, before the salutation, with where it starts.

    A line with a second label ("Beneficiary: J. Oglesby - Parent: K. Oglesby") or a sentence in it is no title.
    """
    head = text[:_TITLE_REACH]
    salutation = _SALUTATION.search(head)
    for line in _TITLE_LINE.finditer(head, 0, salutation.start() if salutation else len(head)):
        if _SENTENCE_BREAK.search(line.group(1)):
            continue
        position = line.start(1)
        for part in _TITLE_DASH.split(line.group(1)):
            start = text.index(part, position)
            position = start + len(part)
            yield part, start


_RANGE_AFTER = re.compile(r"^[ \t]*(?:-|–|to|through|thru)[ \t]*", re.IGNORECASE)
_NEXT_GAP = re.compile(r"[ \t]{2,}|\t")


def _is_date(value: str) -> bool:
    """What the rules count as a date, or a month name and day ("June 3")."""
    if is_date(value):
        return True
    return bool(re.fullmatch(r"[A-Za-z]+\.?\s+\d{1,2}", value)) and 1 <= int(value.split()[-1]) <= 31


# A service is named in words: not a date or a date range ("06/05/2024 - 06/14/2024"), a bare number or code
# ("00029"), a member line ("Reginald Thorpe, Member ID NCS0072281430"), a pronoun ("them"), a reference back ("the
# requested service"), a policy's citation ("CPB 0137 under ... Clinical Policy Bulletin"), the start of a clause
# ("as not medically necessary") or a length of time ("14 days starting August 5"). No gold service reads so.
_NOT_A_SERVICE = re.compile(
    rf"^(?:{DATE_PATTERN}|{MONTH_DAY}|(?:{MONTHS})\.?[ \t]+\d{{1,2}}\b)|\bMember[ \t]+(?:ID|#|number)"
    r"|^(?:them|it|this|that|these|those|you|him|her|us|one|ones)$"
    r"|^(?:(?:the|this|that|your|these|those|such)[ \t]+)?(?:(?:requested|proposed|above|denied|same)[ \t]+)?"
    r"(?:services?|items?|drugs?|medications?|procedures?|requests?|treatments?|care|benefits?)$"
    r"|^(?:(?:Clinical|Medical|Coverage|Pharmacy|Drug|Reimbursement|Payment)[ \t]+)*"
    r"(?:Polic(?:y|ies)|Bulletins?|Guidelines?)\b|^(?:CPB|CDG|MCG|InterQual)\b"
    r"|^(?:as|is|are|was|were|not|because|if|when|since|under)\b"
    r"|^(?:\d+|more|additional|further|extra)[ \t]+(?:days?|weeks?|months?|hours?|nights?)\b|^dates?\b"
    # Only a billing code ("CPT 81490") or a reference ("2416508FEP771"): the code and ID fields hold them.
    rf"|^(?:(?:CPT|HCPCS)[ \t]*:?[ \t]*)?{BILLING_CODE}$|^(?=[A-Z0-9-]*\d)[A-Z0-9-]{{6,}}$"
    # A member's details ("Member Yesenia Carranza, Medicaid # 529900184, DOB ..."), a date label ("DOS 01/06/2025"),
    # a table's line label ("Line 04: Palonosetron") or a plan's product ("Humana Gold Plus HMO"), in capitals as
    # letters write them (not epoetin's "EPO").
    r"|(?-i:\b(?:DOB|DOS|HMO|PPO)\b)|\b(?:Medicaid|Medicare|Subscriber)[ \t]+(?:ID|#|number)|^Line[ \t]+\d",
    re.IGNORECASE,
)
_THREE_LETTERS = re.compile(r"[A-Za-z]{3}")


def _plausible_service(value: str) -> bool:
    stripped = value.strip()
    return (
        _THREE_LETTERS.search(value) is not None
        and _NOT_A_SERVICE.search(stripped) is None
        and REMARK_CODE_LINE.match(stripped) is None
    )


def _add(found: dict[tuple[int, str], Candidate], name: str, value: str, start: int) -> Candidate | None:
    value = value.strip().rstrip(".,;:")
    if len(value) < 2:
        return None
    # No service runs across a sentence ("Elective contact lens allowance has not been applied. The routine exam").
    if name == "service" and (
        not (_plausible_service(value) and _balanced(value)) or _SENTENCE_END_PATTERN.search(value) is not None
    ):
        return None
    key = (start, value.casefold())
    if key not in found:
        found[key] = Candidate(name, value, start)
    return found[key]


def _propose(
    found: dict[tuple[int, str], Candidate], name: str, values: Iterable[str], start: int, source: str
) -> None:
    """Add each value found at ``start`` as a candidate from the generic ``source``."""
    for value in values:
        candidate = _add(found, name, value, start)
        if candidate is not None:
            candidate.generic.add(source)


def _propose_readings(found: dict[tuple[int, str], Candidate], name: str, value: str, start: int, source: str) -> None:
    """Add ``value`` and each of its readings at their own place."""
    for reading, offset in _service_readings(value):
        _propose(found, name, [reading], start + offset, source)


# "ECT on 09/12/2024", "MRI left knee dated 3/4": the service ahead of its date.
_SERVICE_DATE_TAIL = rf"[ \t]+(?:on|dated|from)[ \t]+(?=\d{{1,2}}/|(?:{MONTHS})\.?[ \t]+\d)"


# A form's expiry stamp ("Form CMS-10146 (Exp. 01/31/2027)") dates no care.
_FORM_EXPIRY = re.compile(r"\bExp(?:\.|ires)[ \t]*$", re.IGNORECASE)


# A sentence's end ("Elective contact lens allowance has not been applied. The routine exam ...", "Let me pull those
# up. One moment"): a cut for a shorter reading, and no candidate runs across one.
_SENTENCE_END = r"(?<=[a-z]{2})[.!?][ \t]+(?=[A-Z][a-z])"
_SENTENCE_END_PATTERN = re.compile(_SENTENCE_END)
# A place after the service ("MRI Right Knee at St. Luke's Medical Center"): a cut like the others.
_AT_A_PLACE = r"[ \t]+at[ \t]+(?=[A-Z])"


def _service_variants(value: str) -> list[str]:
    """Shorter readings of a long value: up to its first bracket, comma, dash, column gap, place or sentence end."""
    variants = []
    for cut in (r"[ \t]*\(", r",", r"[ \t]+[-–][ \t]+", r"[ \t]{2,}", _SERVICE_DATE_TAIL, _AT_A_PLACE, _SENTENCE_END):
        head = re.split(cut, value, maxsplit=1)[0].strip()
        if 3 <= len(head) < len(value) and head not in variants:
            variants.append(head)
    return variants


# Where a value names the service after other words: what a request or claim is "for" ("Retro authorization
# request and claims for TMS, 05/06/2024 - 06/14/2024"), the part after a dash ("Request of Off-Island Referral -
# MRI Right Knee") and a bracket's content ("Your claim from Pinnacle Heart Imaging (CT scan on 07/21/2025)").
_ASKED_FOR = re.compile(
    r"\b(?:requests?|claims?|authori[sz]ations?|referrals?|approval|coverage|appeal)[ \t]+(?:for|of)[ \t]+",
    re.IGNORECASE,
)
_DASH = re.compile(r"(?<!\d)[ \t]+[-–][ \t]+(?!\d)")


def _service_readings(value: str) -> list[tuple[str, int]]:
    """The value, its shorter readings and the service named inside it, each with its offset in ``value``."""
    readings = [(value, 0)] + [(variant, 0) for variant in _service_variants(value)]
    inner: list[tuple[int, int]] = []
    if asked := _ASKED_FOR.search(value):
        inner.append((asked.end(), len(value)))
    if dash := _DASH.search(value):
        inner.append((dash.end(), len(value)))
    if (opening := value.find("(")) > 0:
        closing = value.find(")", opening)
        inner.append((opening + 1, closing if closing != -1 else len(value)))
    for start, end in inner:
        part = value[start:end].strip()
        offset = start + value[start:end].find(part)
        readings += [(reading, offset) for reading in (part, *_service_variants(part))]
    return readings


def _balanced(value: str) -> bool:
    """No bracket left open: a cut inside one ("Your claim from Pinnacle Heart Imaging (CT scan") names nothing."""
    return value.count("(") <= value.count(")")


def candidates(document: Document, name: str, rules: Sequence[RuleCandidate] | None = None) -> list[Candidate]:
    """Every candidate for ``name``: the rules' own (with their rule) and the generic ones, merged by span."""
    text = document.text
    rules = rule_candidates(document, name) if rules is None else rules
    found: dict[tuple[int, str], Candidate] = {}
    answer = min((c for c in rules if c.first), key=lambda c: c.rank, default=None)
    for rule in rules:
        value, start = rule.found.value or "", rule.found.span.start if rule.found.span else 0
        spans = [(value, start)]
        if name == "service" and _plausible_service(value):  # a member line or a date is not a service, nor its parts
            spans = [(reading, start + offset) for reading, offset in _service_readings(value)]
        for index, (span_value, span_start) in enumerate(spans):
            candidate = _add(found, name, span_value, span_start)
            if candidate is None:
                continue
            tag = rule.found.rule if index == 0 else f"{rule.found.rule}~short"
            candidate.rules.add(tag)
            candidate.ranks.add(rule.rank)
            if rule.first and index == 0:
                candidate.first_of.add(rule.rank)
            if rule is answer and index == 0:
                candidate.rules_answer = True
    if name == "service":
        head = text[:4000]
        for trigger in _AFTER_FOR.finditer(head):
            match = _NOUN_PHRASE.match(head, trigger.end())
            if match is None:
                continue
            if not _plausible_service(match.group(1)):
                continue
            _propose_readings(found, name, match.group(1), match.start(1), "after-for")
        for match in _ANY_LABEL.finditer(head):
            value = _NEXT_GAP.split(match.group(2).strip())[0]
            if re.search(r"[A-Za-z]{3}", value):
                _propose(found, name, [value], match.start(2), "any-label")
        for match in _DRUG_NAME.finditer(head):
            _propose(found, name, [match.group(0)], match.start(), "drug-name")
        for value, start in _code_named(text[:_NOTES_REACH]):
            _propose(found, name, [value], start, "code-named")
        for match in _CONSIDERED.finditer(text[:_NOTES_REACH]):
            _propose_readings(found, name, match.group(1), match.start(1), "considered")
        for value, start in _title_parts(text):
            _propose_readings(found, name, value, start, "title-part")
        for match in specialty_in_a_name().finditer(head):
            _propose(found, name, [match.group(0)], match.start(), "specialty-name")
    else:
        for match in islice(_DATE.finditer(text), MAX_CANDIDATES):
            value = match.group(0)
            if _is_date(value.strip()) and not _FORM_EXPIRY.search(text, max(0, match.start() - 8), match.start()):
                _propose(found, name, [value], match.start(), "any-date")
    kept = _bounded(found.values())
    by_value: dict[object, list[Candidate]] = {}
    for candidate in kept:
        by_value.setdefault(_same_value_key(candidate), []).append(candidate)
    proposed = sum(1 for candidate in kept if candidate.rules)
    for group in by_value.values():
        # The rules behind each value in the group, counted: a candidate's "elsewhere" is every rule that also
        # proposed its value at another place (linear in the group, which can be large in a hostile text).
        counts = Counter(chain.from_iterable(other.rules for other in group))
        for candidate in group:
            candidate.letter_rules = proposed
            candidate.elsewhere = {r for r, n in counts.items() if n > (r in candidate.rules)}
    return sorted(kept, key=lambda c: (c.start, c.value))


def _bounded(found: Iterable[Candidate]) -> list[Candidate]:
    """At most MAX_CANDIDATES to score: the rules' answer, then the rules' other candidates, then by position."""
    every = list(found)
    if len(every) <= MAX_CANDIDATES:
        return every
    return sorted(every, key=lambda c: (not c.rules_answer, not c.rules, c.start))[:MAX_CANDIDATES]


def _same_value_key(candidate: Candidate) -> object:
    """Dates by calendar day, services by their words: "the same thing" written twice."""
    if candidate.name == "service_date":
        return parse_date(candidate.value) or candidate.value.casefold()
    return " ".join(_WORD.findall(candidate.value.casefold()))


# ------------------------------------------------------------------------------------------------------ features


_NAME_WORD = re.compile(r"[a-z][a-z'-]{2,}")


@lru_cache(maxsize=1)
def _common_name_words() -> frozenset[str]:
    """Words of a practice's or a payer's name that services share ("Kinetic Edge Physical Therapy")."""
    return provider_words() | generic_service_words() | specialty_service_words() | {"plan", "care", "insurance"}


@dataclass(frozen=True)
class KnownNames:
    """The people and organisations the rules found in the letter, as lower-case words: a service candidate that
    names the patient ("Brianna"), the payer ("Ohio Medicaid") or the practice ("Sun Coast Open MRI LLC") is
    seldom the service, whatever the writer's layout."""

    patient: frozenset[str] = frozenset()
    payer: frozenset[str] = frozenset()
    provider: frozenset[str] = frozenset()

    @classmethod
    def of(cls, fields: Mapping[str, ExtractedField]) -> KnownNames:
        def words(*names: str) -> frozenset[str]:
            values = (fields[name].value for name in names if name in fields)
            found = {w for value in values if isinstance(value, str) for w in _NAME_WORD.findall(value.casefold())}
            return frozenset(found - _common_name_words())

        return cls(words("patient_name"), words("payer", "plan_name"), words("provider", "reviewer"))


@dataclass(frozen=True)
class LetterView:
    """What every candidate's features read from its letter, computed once per letter."""

    text: str
    line_starts: list[int]
    header_end: int
    letter_date: date | None
    deny_spans: list[int]
    lowered: str
    known: KnownNames = field(default_factory=KnownNames)
    counted: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, document: Document, letter_date: str | None, known: KnownNames | None = None) -> LetterView:
        text = document.text
        starts = [0, *(m.end() for m in re.finditer(r"\n", text))]
        dear = re.search(r"^(?:Dear|Hello|Hi)\b", text, re.MULTILINE)
        header_end = dear.start() if dear else min(len(text), 900)
        deny = [m.start() for m in _DENY.finditer(text)]
        parsed = parse_date(letter_date) if letter_date else None
        return cls(text, starts, header_end, parsed, deny, text.casefold(), known or KnownNames())

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.line_starts, offset) - 1

    def mentions(self, lowered_value: str) -> int:
        """How often the letter holds ``lowered_value`` (counted once per distinct value: a scan of the text)."""
        count = self.counted.get(lowered_value)
        if count is None:
            count = self.counted[lowered_value] = self.lowered.count(lowered_value)
        return count


_DENY = re.compile(
    r"\b(?:den(?:y|ied|ial)|not[ \t]+(?:covered|approved|medically|payable|certified|authori[sz]ed)|unable[ \t]+to"
    r"[ \t]+approve|cannot[ \t]+(?:approve|cover)|non-?covered|rejected)\b",
    re.IGNORECASE,
)
_APPROVED = re.compile(r"\b(?:approved|certified|supported|paid|authori[sz]ed)\b", re.IGNORECASE)
_DATE_CONTEXT = re.compile(
    r"\b(?:service|serv|svc|dos|received|rendered|admit\w*|request\w*|fill\w*|dispens\w*|birth|dob|born|effective"
    r"|deadline|within|by|before|appeal|letter|notice|dated|date|visit|procedure|surgery|stay|discharg\w*|start\w*)\b",
    re.IGNORECASE,
)


def _bucket(value: float, edges: Sequence[float]) -> int:
    return bisect.bisect_right(list(edges), value)


_REACH = 400


def features(view: LetterView, candidate: Candidate) -> list[str]:
    """Readable feature names of one candidate (hashed into the weight vector at scoring time)."""
    text, start, end = view.text, candidate.start, candidate.end
    out = ["bias"]
    out += [f"rule:{r}" for r in candidate.rules] + [f"rank:{r}" for r in candidate.ranks]
    out += [f"first:{r}" for r in candidate.first_of] + [f"generic:{g}" for g in candidate.generic]
    if candidate.rules_answer:
        out.append("rules-answer")
        out += [f"answer-rank:{r}" for r in candidate.first_of]
    out += [f"elsewhere:{r}" for r in candidate.elsewhere]
    if candidate.rules and candidate.elsewhere:
        out.append("agreed")
    if not candidate.rules:
        out.append("no-rule")
    letter = f"letter-rules:{_bucket(candidate.letter_rules, (1, 2, 4))}"
    out += [letter, f"{letter}&{'rule' if candidate.rules else 'generic'}"]
    line = view.line_of(start)
    line_start = view.line_starts[line]
    line_end = view.line_starts[line + 1] - 1 if line + 1 < len(view.line_starts) else len(text)
    # Each feature reads at most _REACH characters of the candidate's line on either side, so that the work per
    # candidate is bounded on a text with no line breaks.
    before_on_line = text[max(line_start, start - _REACH) : start]
    after_on_line = text[end : min(line_end, end + _REACH)]
    n_lines = len(view.line_starts)
    out.append(f"line-frac:{_bucket(line / max(n_lines, 1), (0.1, 0.2, 0.35, 0.5, 0.75))}")
    out.append(f"line-no:{_bucket(line, (3, 8, 15, 25, 40))}")
    out.append("in-header" if start < view.header_end else "in-body")
    label_words = _WORD.findall(before_on_line.casefold())[-5:]
    if not before_on_line.strip():
        out.append("starts-line")
        previous = text[max(view.line_starts[line - 1], line_start - _REACH) : line_start] if line else ""
        out += [f"prev-line:{w}" for w in _WORD.findall(previous.casefold())[-4:]]
        if previous.rstrip().endswith(":"):
            out.append("prev-line-colon")
    if re.search(r":[ \t]*$", before_on_line):
        out.append("after-colon")
    out += [f"label:{w}" for w in label_words]
    if label_words:
        out.append(f"label-last:{label_words[-1]}")
    if len(label_words) >= 2:
        out.append(f"label-2:{label_words[-2]}_{label_words[-1]}")
    before = _WORD.findall(text[max(0, start - 80) : start].casefold())[-4:]
    out += [f"before:{w}" for w in before]
    if before:
        out.append(f"before-1:{before[-1]}")
    after = _WORD.findall(text[end : end + 60].casefold())[:3]
    out += [f"after:{w}" for w in after]
    if after:
        out.append(f"after-1:{after[0]}")
    whole_line = text[max(line_start, start - _REACH) : min(line_end, end + _REACH)]
    if len(_NEXT_GAP.findall(whole_line.strip())) >= 2:
        out.append("table-line")
        out.append("table-line-digits" if re.search(r"\d", whole_line) else "table-line-no-digits")
    if not after_on_line.strip():
        out.append("ends-line")
    # A line that gives its own verdict: concurrent reviews list the days approved and the days denied, each range
    # on its line ("Days approved: 07/08 - 07/14", "Days denied: 07/15 - 07/20"), and so do claim lines.
    line_text = before_on_line + candidate.value + after_on_line
    if _DENY.search(line_text):
        out.append("line-denied")
    elif _APPROVED.search(line_text):
        out.append("line-approved")
    near = bisect.bisect_left(view.deny_spans, start - 200)
    if near < len(view.deny_spans) and view.deny_spans[near] <= end + 200:
        out.append("deny-near")
    if near < len(view.deny_spans) and view.deny_spans[near] <= end + 60 and view.deny_spans[near] >= start - 60:
        out.append("deny-close")
    if candidate.name == "service":
        out += _service_features(view, candidate)
    else:
        out += _date_features(view, candidate, before_on_line)
    return out


def _service_features(view: LetterView, candidate: Candidate) -> list[str]:
    value = candidate.value
    words = _WORD.findall(value.casefold())
    out = [f"n-words:{_bucket(len(words), (1, 2, 3, 5, 8, 12, 20))}"]
    generic = sum(1 for w in words if w in generic_service_words())
    out.append(f"generic-share:{_bucket(generic / max(len(words), 1), (0.01, 0.34, 0.67, 0.99))}")
    if words:
        out += [f"first-word:{words[0]}", f"last-word:{words[-1]}"]
    if re.search(r"\d", value):
        out.append("has-digit")
    if re.search(r"\$|\b\d+\.\d\d\b", value):
        out.append("has-money")
    if re.search(r"\b[A-Z]?\d{4}[0-9A-Z]?\b", value):
        out.append("has-code")
    if "(" in value:
        out.append("has-bracket")
    if value[:1].isupper():
        out.append("capitalised")
    if value.isupper():
        out.append("all-caps")
    if re.search(r"\b(?:I|we|you|your|our|us|he|she|they)\b", value):
        out.append("has-pronoun")
    if re.search(r"\b(?:is|are|was|were|has|have|will|be)\b", value):
        out.append("has-verb")
    mentions = view.mentions(words[0]) if words and len(words[0]) > 3 else 0
    out.append(f"first-word-mentions:{_bucket(mentions, (1, 2, 4, 8))}")
    # Word endings carry over to drugs and procedures no training letter named (-mab, -ectomy, -scopy, -therapy),
    # and to names that are not services (-son, -ers).
    out += [f"ending:{w[-3:]}" for w in words[:8] if len(w) >= 5 and w.isalpha()]
    if words and len(words[-1]) >= 6 and words[-1].isalpha():
        out.append(f"last-ending:{words[-1][-4:]}")
    distinctive = set(words) - _common_name_words()
    known = view.known
    if distinctive & known.patient:
        out.append("names-patient")
    if distinctive & known.payer:
        out.append("names-payer" if distinctive - known.payer else "is-payer")
    if distinctive & known.provider:
        out.append("names-provider")
    out += [f"organisation-word:{w}" for w in set(words) & provider_words()]
    return out


def _date_features(view: LetterView, candidate: Candidate, before_on_line: str) -> list[str]:
    value, text = candidate.value, view.text
    out = []
    parsed = parse_date(re.sub(r"^[A-Za-z]+,?\s+(?=[A-Za-z]+\.?\s+\d)", "", value))
    if parsed is None:
        out.append("no-year")
    elif view.letter_date is not None:
        days = (view.letter_date - parsed).days
        out.append(f"days-before-letter:{_bucket(days, (-1, 0, 1, 8, 31, 91, 366, 3650))}")
        if days == 0:
            out.append("is-letter-date")
    else:
        out.append("no-letter-date")
    if parsed is not None and parsed.year < 1990:
        out.append("old-date")
    if _RANGE_AFTER.match(text[candidate.end : candidate.end + 12]) and _DATE.match(
        _RANGE_AFTER.sub("", text[candidate.end : candidate.end + 40])
    ):
        out.append("range-start")
    if re.search(r"(?:-|–|to|through|thru)[ \t]*$", text[max(0, candidate.start - 12) : candidate.start]):
        out.append("range-end")
    window = text[max(0, candidate.start - 60) : candidate.start]
    out += [f"context:{m.group(0).casefold()[:8]}" for m in _DATE_CONTEXT.finditer(window)][-3:]
    if re.search(r"\bdate", before_on_line, re.IGNORECASE):
        out.append("date-label")
    same = view.mentions(value.casefold())
    out.append(f"mentions:{_bucket(same, (1, 2, 3))}")
    return out


def feature_indices(names: Sequence[str]) -> NDArray[np.int64]:
    """The hashed column of each feature name (crc32, stable across processes and platforms)."""
    return np.fromiter(
        (zlib.crc32(name.encode("utf-8")) % N_FEATURES for name in names), dtype=np.int64, count=len(names)
    )


# ------------------------------------------------------------------------------------------------------- scoring


@dataclass(frozen=True)
class FieldScorer:
    """One field's two linear models over the hashed features.

    ``coef``/``intercept``: the probability that a candidate is the field's value, below ``threshold`` for every
    candidate the field is "not found". ``order_coef``: a ranking learned from pairs of candidates of one letter
    (the right one against a wrong one), which picks among the candidates: comparing candidates within a letter
    carries over to writers never seen better than scoring each one alone.
    """

    coef: FloatArray
    intercept: float
    threshold: float
    order_coef: FloatArray

    def scores(self, rows: Sequence[Sequence[str]]) -> FloatArray:
        """Probability that each candidate (by its feature names) is the field's value."""
        probabilities: FloatArray = 1.0 / (1.0 + np.exp(-(decision_values(self.coef, rows) + self.intercept)))
        return probabilities

    def order(self, rows: Sequence[Sequence[str]]) -> FloatArray:
        """Each candidate's ranking score: the highest is chosen."""
        return decision_values(self.order_coef, rows)


def decision_values(coef: FloatArray, rows: Sequence[Sequence[str]]) -> FloatArray:
    """The sum of ``coef`` over each candidate's features, each feature once (binary): training and inference both
    score with this."""
    if not rows:
        return np.zeros(0)
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    columns = feature_indices([name for row in rows for name in row])
    keys = np.unique(np.repeat(np.arange(len(rows), dtype=np.int64), lengths) * N_FEATURES + columns)
    row_of, column = np.divmod(keys, N_FEATURES)
    decisions: FloatArray = np.asarray(np.bincount(row_of, weights=coef[column], minlength=len(rows)), np.float64)
    return decisions


@dataclass(frozen=True)
class FieldRanker:
    """The per-field scorers of a model directory."""

    scorers: dict[str, FieldScorer]
    info: dict[str, Any]

    def choose(
        self, document: Document, name: str, letter_date: str | None, known: KnownNames | None = None
    ) -> ExtractedField:
        """The best-scoring candidate for ``name``, or "not found" when none scores above the threshold.

        ``known``: the names the rules found in the letter (patient, payer, provider), which a service is not.
        """
        scorer = self.scorers[name]
        found = candidates(document, name)
        decisive = next((c for c in found if DECISIVE_RULES.get(name, "") in c.rules), None)
        if decisive is not None:
            span = Span(decisive.start, decisive.end, document.page_at(decisive.start))
            return ExtractedField(name, decisive.value, span, 0.85, DECISIVE_RULES[name])
        view = LetterView.of(document, letter_date, known)
        rows = [features(view, c) for c in found]
        scores = scorer.scores(rows)
        if not len(scores) or float(scores.max()) < scorer.threshold:
            return ExtractedField(name=name, value=None, rule="not-found")
        chosen = int(np.argmax(scorer.order(rows)))
        best = found[chosen]
        rule = sorted(best.rules)[0] if best.rules else sorted(best.generic)[0]
        span = Span(best.start, best.end, document.page_at(best.start))
        return ExtractedField(name, best.value, span, round(float(scores[chosen]), 4), f"ranker:{rule}")


# A rule whose answer is taken over the learned choice: days a split decision marks denied are the days at issue
# (the letter also names the admission and the approved days). Too rare in the gold for the ranker to learn.
DECISIVE_RULES = {"service_date": "label:denied-days"}


def default_ranker_dir() -> Path:
    return models_dir() / DEFAULT_RANKER_NAME


def load_ranker(directory: Path | None = None) -> FieldRanker:
    """Load and verify a ranker directory with numpy alone (no pickle), refusing a changed or foreign one."""
    directory = directory or default_ranker_dir()
    try:
        meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        raise ModelError(f"{directory}: not a field-ranker directory (no readable {META_FILE})") from None
    if meta.get("format_version") != FORMAT_VERSION or meta.get("feature_version") != FEATURE_VERSION:
        raise ModelError(f"{directory}: ranker format or features differ from this code's; retrain the rankers")
    weights = directory / WEIGHTS_FILE
    if not weights.is_file() or file_sha256(weights) != meta.get("sha256_weights"):
        raise ModelError(f"{directory}: checksum mismatch: {WEIGHTS_FILE} is missing or was changed after training")
    try:
        with np.load(weights, allow_pickle=False) as stored:
            arrays = {key: np.asarray(stored[key], dtype=np.float64) for key in stored.files}
        scorers = {
            name: FieldScorer(
                coef=arrays[f"{name}_coef"],
                intercept=float(arrays[f"{name}_intercept"][0]),
                threshold=float(meta["thresholds"][name]),
                order_coef=arrays[f"{name}_order_coef"],
            )
            for name in RANKED_FIELDS
        }
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        raise ModelError(f"{directory}: {WEIGHTS_FILE} is unreadable") from None
    if any(s.coef.shape != (N_FEATURES,) or s.order_coef.shape != (N_FEATURES,) for s in scorers.values()):
        raise ModelError(f"{directory}: {WEIGHTS_FILE} does not match the feature space")
    return FieldRanker(scorers, {"name": meta.get("name", directory.name), "created": meta.get("created", "")})


@lru_cache(maxsize=1)
def shipped_ranker() -> FieldRanker | None:
    """The shipped rankers, loaded once per process; None when the directory is absent (rules alone then)."""
    directory = default_ranker_dir()
    if not (directory / META_FILE).is_file():
        return None
    return load_ranker(directory)
