"""The appeal deadline: the window the letter states (with its anchor), else a labelled default by plan type.

Always shown with "The deadline in your own notice controls." A window counted from the day the letter was
received cannot be dated exactly (the receipt date is unknown), so the earliest possible date is shown, counted
from the letter date, and said to be so.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from itertools import islice
from typing import Any

from denialparse.datatypes import Deadline, Document, ExtractedField, Span
from denialparse.fields import parse_date
from denialparse.resources import DATA_DIR, read_yaml

_NUMBER_WORDS = {
    "ten": 10, "fourteen": 14, "fifteen": 15, "twenty": 20, "thirty": 30, "forty-five": 45, "forty five": 45,
    "sixty": 60, "sixty-five": 65, "ninety": 90, "one hundred twenty": 120, "one hundred eighty": 180,
    "one": 1, "two": 2, "three": 3, "four": 4, "six": 6, "twelve": 12,
}  # fmt: skip
_AMOUNT = r"(\d{1,3}|" + "|".join(sorted(map(re.escape, _NUMBER_WORDS), key=len, reverse=True)) + r")"
# "within 60 days", and as notes and remittances write it: "W/IN 180 DAYS", "appeal in 180 days", "Appeal rights: 180
# days", "redetermination rights (65 days)", "You can still appeal - 180 days".
_WINDOW = re.compile(
    rf"(?:\b(?:within|w/in|in|no[ \t]+later[ \t]+than|up[ \t]+to|have|has"
    rf"|must[ \t]+be[ \t]+(?:filed|received|made)[ \t]+within)[ \t\n]+|(?:[:(]|[ \t][-–])[ \t]*)"
    rf"{_AMOUNT}[ \t\n]*(?:\(\d{{1,3}}\)[ \t\n]*)?(calendar[ \t\n]+|business[ \t\n]+|working[ \t\n]+)?"
    r"(days?|months?)\b",
    re.IGNORECASE,
)
# A letter states a handful of time windows (and offers of a faster review); a text with thousands is an archive or
# an attack.
_MAX_WINDOWS = 200
_SENTENCE_END = re.compile(r"(?<=[.!?])\s|\n\s*\n")
# A provider's payment dispute, a claim review or an audit rebuttal is the first step against a claim denial.
_FIRST_LEVEL = re.compile(
    r"appeal|reconsider|redetermin|grievance|review of (?:this|our) decision|\bdisputes?\b|review (?:your|the) claim"
    r"|bill review|rebuttal",
    re.I,
)
_LATER_LEVEL = re.compile(
    r"external|independent review|fair hearing|\bIRO\b|\bIRE\b|state hearing|administrative law|second[- ]level"
    r"|Department of|Commissioner|\bOPM\b|Office of Personnel",
    re.IGNORECASE,
)
# Windows that are never the appeal deadline: a peer-to-peer call, keeping services during the appeal.
# Nor the limit for filing the first claim.
_NOT_A_WINDOW = re.compile(
    r"peer[- ]to[- ]peer|keep (?:getting|receiving)|continu(?:e|ation) (?:of )?(?:your )?(?:benefits|services|coverage)"
    r"|while (?:your|the) appeal|aid (?:paid )?pending|refill|supply|initial claims?|timely filing limit",
    re.IGNORECASE,
)
# The time the plan takes to decide ("Standard appeal: decision within 30 days", "Urgent appeals are decided within 72
# hours, standard appeals within 30 days"), in a sentence that tells the reader nothing to do ("You have 180 days to
# appeal, and an urgent appeal can be decided within 72 hours" does).
_PLAN_TIME = re.compile(
    r"(?<!this )(?<!our )(?<!that )(?<!the )decision (?:within|in)|(?:decide|decided|make a decision) (?:within|in)"
    r"|(?:respond|answer|reply) (?:within|in)|will (?:decide|respond|notify|tell)",
    re.IGNORECASE,
)
_YOU = re.compile(r"\byou\b", re.IGNORECASE)
_RECEIPT = re.compile(r"receiv|receipt|get (?:this|the) (?:letter|notice)", re.IGNORECASE)
_NOTICE = re.compile(
    r"date (?:of|on) (?:this|the|our) (?:notice|letter|decision|determination)|(?:notice|letter) date"
    r"|date (?:this|the) (?:notice|letter) was (?:sent|mailed|issued)|from the date above|date shown above",
    re.IGNORECASE,
)
# A faster review the reader can ask for: "ask for an expedited appeal", "a fast decision", "urgent appeals are decided
# within 72 hours". Not urgent care, a clinical "72 hours" or "we would expedite a new request", nor "You cannot ask
# for a fast appeal about payment".
_REVIEW_KIND = r"(?:appeals?|reviews?|reconsiderations?|redeterminations?|decisions?|grievances?|hearings?|IRO|IMR)"
_EXPEDITED = re.compile(
    # "an urgent (expedited) appeal", "a standard or expedited (fast) redetermination".
    r"\b(?:expedited|urgent|fast|faster|quick|accelerated|72[- ]hour)(?:[ \t\n]*\([A-Za-z]+\))?[ \t\n]+"
    rf"(?:(?:external|independent|internal|pre-service|medical|coverage|state[ \t\n]+fair)[ \t\n]+)?{_REVIEW_KIND}\b"
    # "For urgent situations, your prescriber can call ...", "right away if your situation is urgent".
    r"|\burgent[ \t\n]+(?:situations?|cases?|requests?)\b|\b(?:is|are)[ \t\n]+urgent\b"
    # "We will decide within 30 days, or 72 hours if urgent."
    r"|\b72[ \t\n]+hours[ \t\n]+(?:if|when|for)[ \t\n]+(?:it[ \t\n]+is[ \t\n]+)?(?:urgent|expedited)"
    rf"|\b{_REVIEW_KIND}\b[^.\n]{{0,60}}?\b(?:within|in)[ \t\n]+72[ \t\n]+hours"
    r"|\bexpedite[ \t\n]+(?:the|your|an?)[ \t\n]+(?:appeal|review|reconsideration|redetermination)",
    re.IGNORECASE,
)
_CANNOT = re.compile(r"\b(?:cannot|can't|can[ \t]+not|not[ \t]+able[ \t]+to|unable[ \t]+to)\b[^.\n]{0,30}$", re.I)


def _expedited_available(text: str) -> bool:
    """Whether the letter offers a faster review, not only names one it refuses."""
    return any(
        not _CANNOT.search(text, max(0, match.start() - 40), match.start())
        for match in islice(_EXPEDITED.finditer(text), _MAX_WINDOWS)
    )


@lru_cache(maxsize=1)
def _defaults() -> dict[str, dict[str, Any]]:
    raw = read_yaml(DATA_DIR / "deadlines.yaml")
    return dict(raw["defaults"])


def _sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence holding ``text[start:end]``, between the sentence ends at most 300 characters either side.

    Both searches are bounded: a text of windows without a full stop (an attack) would otherwise be searched to
    its end from every window.
    """
    before = [m.end() for m in _SENTENCE_END.finditer(text, max(0, start - 300), start)]
    after = _SENTENCE_END.search(text, end, end + 300)
    return (before[-1] if before else max(0, start - 300)), (after.start() if after else min(len(text), end + 300))


def _days(amount: str, unit: str) -> int:
    number = int(amount) if amount.isdigit() else _NUMBER_WORDS[" ".join(amount.lower().split())]
    return number * 30 if unit.lower().startswith("month") else number


def stated_window(document: Document) -> tuple[int, str, str, Span] | None:
    """(days, anchor, sentence, span) of the first-level appeal window the letter states, if any.

    The window must sit in a sentence about an appeal (or follow one), and not in a sentence about a
    peer-to-peer call, keeping services during the appeal, or a later level (external review, fair hearing).
    """
    text = document.text
    next_level: tuple[int, str, str, Span] | None = None
    for match in islice(_WINDOW.finditer(text), _MAX_WINDOWS):
        start, end = _sentence_bounds(text, match.start(), match.end())
        sentence = " ".join(text[start:end].split())
        # The two sentences before: a heading or an instruction ("To ask for an appeal, ... You must ask within 60
        # days of the date of this notice").
        previous_start, _ = _sentence_bounds(text, max(0, start - 2), max(0, start - 1))
        previous_start, _ = _sentence_bounds(text, max(0, previous_start - 2), max(0, previous_start - 1))
        previous = " ".join(text[previous_start:start].split())
        if _NOT_A_WINDOW.search(sentence) or (_PLAN_TIME.search(sentence) and not _YOU.search(sentence)):
            continue
        anchor = "receipt" if _RECEIPT.search(sentence) else "notice"
        found = (
            _days(match.group(1), match.group(3)),
            anchor,
            sentence,
            Span(match.start(), match.end(), document.page_at(match.start())),
        )
        if _LATER_LEVEL.search(sentence):
            # An appeal decision's only window may be the next level (external review, fair hearing).
            next_level = next_level or found
            continue
        if _FIRST_LEVEL.search(sentence) or _FIRST_LEVEL.search(previous):
            return found
    return next_level


def compute_deadline(
    document: Document,
    fields: dict[str, ExtractedField],
    *,
    plan_type: str | None = None,
    today: dt.date | None = None,
) -> Deadline | None:
    """The deadline from the letter's window, else the plan type's verified default, else None."""
    today = today or dt.date.today()
    letter_date_field = fields.get("letter_date")
    letter_date = parse_date(letter_date_field.value) if letter_date_field and letter_date_field.value else None
    expedited = _expedited_available(document.text)
    stated = stated_window(document)
    if stated is not None:
        days, anchor, sentence, span = stated
        source = "letter"
        basis = f'the letter says: "{sentence[:240]}"'
    else:
        kind = plan_type or (fields["plan_type"].value if fields.get("plan_type") else None) or "unknown"
        default = _defaults().get(kind)
        if default is None:
            return Deadline(
                window_days=None,
                anchor="unknown",
                anchor_date=None,
                due=None,
                days_remaining=None,
                source="none",
                basis=f"the letter states no appeal window and no verified default exists for plan type {kind}",
                expedited_available=expedited,
            )
        days, anchor, span = int(default["days"]), str(default["anchor"]), None
        source = "default"
        basis = f"default, not from your letter: {default['basis']} (source: {default['source']})"
    due = letter_date + dt.timedelta(days=days) if letter_date else None
    if due is not None and anchor == "receipt":
        basis += (
            "; counted from the letter date because the day you received it is not known, so this is the earliest it"
            " can be"
        )
    return Deadline(
        window_days=days,
        anchor=anchor,
        anchor_date=letter_date.isoformat() if letter_date else None,
        due=due.isoformat() if due else None,
        days_remaining=(due - today).days if due else None,
        source=source,
        basis=basis,
        expedited_available=expedited,
        span=span,
    )
