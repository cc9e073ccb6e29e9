"""The spaCy pipeline: a blank English tokenizer, sentence boundaries suited to letters, nothing downloaded.

Letters come out of PDFs as lines: headings, table rows and address blocks have no final full stop, and
sentences are wrapped mid-way. The ``letter_lines`` component adds a sentence start after a blank line, after a
line that ends a sentence or a heading, and before a bulleted or numbered line, on top of spaCy's
punctuation-based ``sentencizer``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

_LIST_START = re.compile(r"^(?:[-*\u2022\u25aa\u25cf>]|\(?\d{1,2}[.)]|\(?[a-hA-H][.)])\s")
_LINE_END = (".", ":", ";", "!", "?")


@dataclass(frozen=True)
class Sentence:
    """A sentence of a letter with its character offsets into the letter text."""

    text: str
    start: int
    end: int


def _line_breaks(doc: Doc) -> Doc:
    """Mark sentence starts at line structure that punctuation alone does not reveal."""
    text = doc.text
    lengths = sorted(len(line.strip()) for line in text.split("\n") if line.strip())
    short = 0.6 * lengths[int(len(lengths) * 0.9)] if lengths else 0
    previous = None
    for token in doc:
        if token.is_space:
            continue
        if previous is not None:
            gap = text[previous.idx + len(previous.text) : token.idx]
            if "\n" in gap and _breaks_line(text, previous.idx + len(previous.text), token.idx, gap, short):
                token.is_sent_start = True
        previous = token
    return doc


def _breaks_line(text: str, prev_end: int, next_start: int, gap: str, short: float) -> bool:
    line_start = text.rfind("\n", 0, prev_end) + 1
    prev_line = text[line_start:prev_end].strip()
    next_line_end = text.find("\n", next_start)
    next_line = text[next_start : next_line_end if next_line_end >= 0 else len(text)]
    if gap.count("\n") >= 2 or _LIST_START.match(next_line) is not None:
        return True
    if next_line[:1].islower():
        return False  # a wrapped sentence goes on
    return prev_line.endswith(_LINE_END) or len(prev_line) <= short or (prev_line.isupper() and len(prev_line) > 3)


@lru_cache(maxsize=1)
def build_pipeline() -> Language:
    """The shared pipeline, built once per process (about 0.2 s)."""
    import spacy
    from spacy.language import Language

    if "letter_lines" not in Language.factories:
        Language.component("letter_lines")(_line_breaks)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("letter_lines", after="sentencizer")
    nlp.max_length = 5_000_000
    return nlp


def sentences_of(doc: Doc) -> list[Sentence]:
    """The non-empty sentences of a parsed letter, whitespace-trimmed, with their offsets."""
    result: list[Sentence] = []
    for span in doc.sents:
        raw = span.text
        stripped = raw.strip()
        if not stripped or not any(ch.isalnum() for ch in stripped):
            continue
        start = span.start_char + (len(raw) - len(raw.lstrip()))
        result.append(Sentence(text=" ".join(stripped.split()), start=start, end=start + len(stripped)))
    return result


def parse(text: str) -> Doc:
    """One spaCy Doc for one letter."""
    return build_pipeline()(text)


def split_many(texts: Iterable[str], batch_size: int = 64) -> Iterator[list[Sentence]]:
    """Sentences of many texts, streamed through ``nlp.pipe`` for speed."""
    nlp = build_pipeline()
    for doc in nlp.pipe(texts, batch_size=batch_size):
        yield sentences_of(doc)
