"""Typed records passed between the pipeline stages.

extract -> Document; analyse -> Analysis; recommend -> Plan; draft -> Letter.
Each stage takes and returns only these records, so a stage can change inside without the others noticing.
All records are immutable and JSON-serialisable through :func:`to_jsonable`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Page:
    """One page of extracted text; ``offset`` is where the page starts in ``Document.text``."""

    number: int
    text: str
    offset: int
    ocr: bool = False


@dataclass(frozen=True)
class Document:
    """The normalised text of a letter, page by page (pages joined by a form feed in ``text``)."""

    source: str
    pages: tuple[Page, ...]
    text: str
    warnings: tuple[str, ...] = ()

    def page_at(self, offset: int) -> int:
        """The 1-based page number holding character ``offset`` of ``text``."""
        number = 1
        for page in self.pages:
            if page.offset <= offset:
                number = page.number
            else:
                break
        return number


@dataclass(frozen=True)
class Span:
    """Where a value came from: character offsets into ``Document.text`` and the page."""

    start: int
    end: int
    page: int


@dataclass(frozen=True)
class ExtractedField:
    """One fact found in the letter, or an explicit not-found (``value is None``)."""

    name: str
    value: str | None
    span: Span | None = None
    confidence: float = 0.0
    rule: str = ""

    @property
    def found(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class CodeMention:
    """A billing or remittance code found in the letter; ``meaning`` only when verified in ``codes.yaml``."""

    system: str
    code: str
    meaning: str | None
    mark: str | None
    span: Span
    rule: str


@dataclass(frozen=True)
class Deadline:
    """The appeal deadline: from the letter's own window when it states one, else a labelled default.

    ``due`` is None when the anchor date is unknown (for example a window counted from receipt).
    """

    window_days: int | None
    anchor: str
    anchor_date: str | None
    due: str | None
    days_remaining: int | None
    source: str
    basis: str
    expedited_available: bool
    note: str = "The deadline in your own notice controls."
    span: Span | None = None


@dataclass(frozen=True)
class SupportingSentence:
    """A sentence of the letter that supports a reason, with the model's score for it."""

    text: str
    span: Span
    score: float


@dataclass(frozen=True)
class ReasonScore:
    """The classifier's verdict on one label of the taxonomy."""

    label: str
    name: str
    probability: float
    predicted: bool
    sentences: tuple[SupportingSentence, ...] = ()


@dataclass(frozen=True)
class LetterFacts:
    """The rule-based half of the analysis: the fields, codes and appeal deadline the letter states."""

    fields: dict[str, ExtractedField]
    codes: tuple[CodeMention, ...]
    deadline: Deadline | None
    seconds: float = 0.0


@dataclass(frozen=True)
class Analysis:
    """Everything the letter itself tells: reasons (all labels, most likely first) and fields."""

    document: Document
    reasons: tuple[ReasonScore, ...]
    fields: dict[str, ExtractedField]
    model_version: str
    threshold: float
    timings: dict[str, float] = field(default_factory=dict)
    codes: tuple[CodeMention, ...] = ()
    deadline: Deadline | None = None
    warnings: tuple[str, ...] = ()

    @property
    def predicted(self) -> tuple[ReasonScore, ...]:
        """The reasons at or above the decision threshold."""
        return tuple(r for r in self.reasons if r.predicted)

    @property
    def uncertain(self) -> bool:
        """True when no label reached the threshold: the report shows the two most likely instead."""
        return not self.predicted

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(r.label for r in self.predicted)

    def field_value(self, name: str) -> str | None:
        found = self.fields.get(name)
        return found.value if found else None


@dataclass(frozen=True)
class Citation:
    """A verified source a letter may cite; ``mark`` is V (verified) or P (partly verified, hedged)."""

    id: str
    citation: str
    supports: str
    source_url: str
    mark: str


@dataclass(frozen=True)
class SelectedArgument:
    """One argument chosen for this denial, rendered with the case facts (gaps shown as markers)."""

    id: str
    title: str
    answers: tuple[str, ...]
    paragraphs: tuple[str, ...]
    citations: tuple[Citation, ...]
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    """The recommended appeal: arguments in letter order and the case facts still needed."""

    arguments: tuple[SelectedArgument, ...]
    gaps: tuple[str, ...]
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Letter:
    """A drafted letter, ready to write to a file or send as a download."""

    kind: str
    format: str
    content: bytes
    filename: str
    missing: tuple[str, ...] = ()


def to_jsonable(value: Any) -> Any:
    """Turn records (and containers of them) into plain JSON types."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value
