"""The spaCy pipeline: a blank English tokenizer, sentence boundaries suited to letters, nothing downloaded.

Letters come out of PDFs as lines: headings, table rows and address blocks have no final full stop, and
sentences are wrapped mid-way. The ``letter_sentences`` component applies spaCy's ``sentencizer`` rule (a
sentence starts after sentence-final punctuation) and adds a sentence start after a blank line, after a line
that ends a sentence or a heading, and before a bulleted or numbered line.
"""

from __future__ import annotations

import importlib
import re
import sys
import threading
import types
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

_LIST_START = re.compile(r"^(?:[-*\u2022\u25aa\u25cf>]|\(?\d{1,2}[.)]|\(?[a-hA-H][.)])\s")
_LINE_END = (".", ":", ";", "!", "?")
_NEWLINE = re.compile("\n")
_ALPHANUMERIC = re.compile(r"[^\W_]")  # the characters str.isalnum() accepts
# Lexemes kept for good (about 40 MB) before parsing moves into memory zones; the corpus's first 1,120 letters made
# about 21,000. The tokenizer cache only grows outside zones, so it needs no more room than this.
_VOCABULARY_LIMIT = 100_000
_TOKENIZER_CACHE_SIZE = _VOCABULARY_LIMIT
_AFFIX_CACHE_SIZE = 50_000  # strings whose affix searches are remembered (a few MB)
_PARSE_LOCK = threading.Lock()


@dataclass(frozen=True)
class Sentence:
    """A sentence of a letter with its character offsets into the letter text."""

    text: str
    start: int
    end: int


class _TextKeepingTokenizer:
    """spaCy's tokenizer, also keeping the input string on the Doc, and reading every digit as "0".

    ``Doc.text`` rebuilds the string from a Token object per token, which costs more than tokenising; the
    components below read the kept string instead.

    Only sentence boundaries and offsets are read from the tokens, and no English tokenizer rule depends on which
    digit it sees (its rules use the class [0-9]) apart from the clock-time exceptions ("10p.m."), so a letter
    that holds "a.m." or "p.m." is tokenised as written. Every other letter's numbers (member IDs, claim numbers,
    dates, amounts: a dozen new ones a letter) then share their cached chunks and lexemes by shape instead of each
    adding a vocabulary entry and an affix search: about a quarter of the tokenizer's time on new letters. The tokens'
    strings show the zeros; ``doc_text`` and the sentences keep the letter as written.
    """

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        shaped = text if any(time in text for time in _CLOCK_TIMES) else text.translate(_ANY_DIGIT_AS_ZERO)
        doc: Doc = self.tokenizer(shaped) if _LONG_CHUNK.search(shaped) is None else self._cut_long_chunks(shaped)
        doc.user_data[_TEXT_KEY] = text
        return doc

    def _cut_long_chunks(self, text: str) -> Doc:
        """The text's tokens, with every run of more than ``_MAX_CHUNK`` non-space characters cut into opaque
        pieces of that length.

        spaCy strips a chunk's affixes one character at a time, copying and hashing the rest of the chunk each
        time: a line of 50,000 colons took five minutes. No word is that long; such a run is a drawn line or an
        attack, and it holds no sentence boundary worth finding.
        """
        from spacy.tokens import Doc

        words: list[str] = []
        spaces: list[bool] = []
        position = 0
        for run in (*_LONG_CHUNK.finditer(text), None):
            end = len(text) if run is None else run.start()
            for token in self.tokenizer(text[position:end]):
                words.append(token.text)
                spaces.append(bool(token.whitespace_))
            if run is not None:
                pieces = range(run.start(), run.end(), _MAX_CHUNK)
                words += [text[start : min(start + _MAX_CHUNK, run.end())] for start in pieces]
                spaces += [False] * len(pieces)
                position = run.end()
        return Doc(self.tokenizer.vocab, words=words, spaces=spaces)


_TEXT_KEY = "denialparse.text"
_ANY_DIGIT_AS_ZERO = str.maketrans("123456789", "000000000")
# spaCy's English exceptions with a digit in them: the clock times ("1a.m." to "12p.m.") and the emoticons "0.0",
# "0.o" and "o.0" (which split like any other number with a dot in it).
_CLOCK_TIMES = ("a.m.", "p.m.")
_MAX_CHUNK = 1000
# Anchored at a chunk's start: tried at every position, a bare \S{1001,} would rescan each long chunk (2.4 s for
# a megabyte of 999-character chunks, against 0.03 s).
_LONG_CHUNK = re.compile(rf"(?<!\S)\S{{{_MAX_CHUNK + 1},}}")
_SPANS_KEY = "denialparse.sentence_spans"


def doc_text(doc: Doc) -> str:
    """The letter text a Doc was made from (cheap when it came from :func:`build_pipeline`)."""
    kept = doc.user_data.get(_TEXT_KEY)
    return kept if isinstance(kept, str) else doc.text


def _letter_sentences(doc: Doc) -> Doc:
    """Sentence starts: spaCy's sentencizer rule (after sentence-final punctuation), plus line structure.

    Both run on the token arrays (offsets, lengths, flags) instead of Token objects, which would be created for
    every token of every letter and cost more than tokenising; the result is written back in one call.
    """
    from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH, SENT_START

    if len(doc) == 0:
        return doc
    text = doc_text(doc)
    columns = np.asarray(doc.to_array([IDX, LENGTH, IS_SPACE, IS_PUNCT]), dtype=np.int64)
    starts = _punctuation_starts(columns[:, 3].astype(bool), _final_punctuation(text, columns))
    starts[_line_starts(text, columns)] = True
    sent_starts: Any = np.where(starts, 1, -1).astype(np.int64).view(np.uint64).reshape(-1, 1)  # -1: not a start
    doc.from_array([SENT_START], sent_starts)
    # Each sentence's character span, kept for :func:`sentences_of`, which would otherwise read the arrays again.
    first_tokens = np.flatnonzero(starts)
    last_tokens = np.append(first_tokens[1:], len(doc)) - 1
    doc.user_data[_SPANS_KEY] = (
        columns[first_tokens, 0].tolist(),
        (columns[last_tokens, 0] + columns[last_tokens, 1]).tolist(),
    )
    return doc


@lru_cache(maxsize=1)
def _final_punctuation_chars() -> frozenset[str]:
    from spacy.pipeline import Sentencizer

    return frozenset(Sentencizer.default_punct_chars)


def _final_punctuation(text: str, columns: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Which tokens are one of the sentencizer's sentence-final characters (all of them are single characters)."""
    finals = _final_punctuation_chars()
    single = np.flatnonzero(columns[:, 1] == 1)
    is_final = np.zeros(len(columns), dtype=bool)
    is_final[single] = [text[offset] in finals for offset in columns[single, 0].tolist()]
    return is_final


def _punctuation_starts(is_punct: NDArray[np.bool_], is_final: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """spaCy's ``Sentencizer.predict`` for one doc: a sentence starts at the first non-punctuation token after a
    sentence-final character.

    Vectorised: a token that is neither punctuation nor final starts a sentence when a final token lies between
    it and the previous such token (or, for the first one, anywhere before it).
    """
    starts = np.zeros(len(is_punct), dtype=bool)
    starts[0] = True
    candidates = np.flatnonzero(~is_punct & ~is_final)
    finals_before = np.cumsum(is_final)[candidates]  # a candidate is never final itself
    starts[candidates[np.diff(finals_before, prepend=0) > 0]] = True
    return starts


def _line_starts(text: str, columns: NDArray[np.int64]) -> list[int]:
    """Tokens that start a sentence because of line structure punctuation alone does not reveal.

    ``columns`` holds each token's offset, length and is-space flag; only the first word after a newline is
    examined, against its line and the previous word's line (which ends with that word: only whitespace tokens
    lie between them).
    """
    if "\n" not in text:
        return []
    lines = text.split("\n")
    stripped = [line.strip() for line in lines]
    lengths = sorted(len(line) for line in stripped if line)
    short = 0.6 * lengths[int(len(lengths) * 0.9)] if lengths else 0
    words = np.flatnonzero(columns[:, 2] == 0)
    if len(words) < 2:
        return []
    starts = columns[words, 0]
    ends = starts + columns[words, 1]
    newlines = np.asarray([match.start() for match in _NEWLINE.finditer(text)], dtype=np.int64)
    line_begins = np.concatenate(([0], newlines + 1))
    prev_lines = np.searchsorted(newlines, ends[:-1])  # the line each word ends on
    next_lines = np.searchsorted(newlines, starts[1:])  # the line the following word starts on
    # A newline between a word and the next one: the only places a line-structure break can go.
    crossing = np.flatnonzero(next_lines > prev_lines)
    return [
        int(words[k + 1])
        for k, prev, following, start in zip(
            crossing.tolist(),
            prev_lines[crossing].tolist(),
            next_lines[crossing].tolist(),
            (starts[crossing + 1] - line_begins[next_lines[crossing]]).tolist(),
            strict=True,
        )
        if _breaks_line(stripped[prev], lines[following][start:], following - prev, short)
    ]


def _breaks_line(prev_line: str, next_line: str, newlines_between: int, short: float) -> bool:
    """``prev_line``: the stripped line a word ends; ``next_line``: the next line from its first word on."""
    if newlines_between >= 2 or _LIST_START.match(next_line) is not None:
        return True
    if next_line[:1].islower():
        return False  # a wrapped sentence goes on
    return prev_line.endswith(_LINE_END) or len(prev_line) <= short or (prev_line.isupper() and len(prev_line) > 3)


_SENTENCE_FINAL = (".", "!", "?")


def sentence_relevant_special_cases(rules: dict[str, Any]) -> dict[str, Any]:
    """The tokenizer exceptions that can move a sentence boundary: those holding "." "!" or "?" ("Dr.", "e.g.").

    Only sentence boundaries are taken from spaCy's tokens (the classifier reads the sentence strings), and the
    other exceptions (contractions such as "don't", emoticons), about 1,200 of English's 1,350, cost half of the
    tokenising time. A test checks the sentences equal those of the full rule set on corpus letters.
    """
    return {text: tokens for text, tokens in rules.items() if any(mark in text for mark in _SENTENCE_FINAL)}


def _memoised_finditer(finditer: Callable[[str], Iterator[re.Match[str]]]) -> Callable[[str], tuple[Any, ...]]:
    """``finditer`` with its matches kept per string (spaCy reads them with ``list()``, so a tuple serves)."""

    @lru_cache(maxsize=_AFFIX_CACHE_SIZE)
    def matches(string: str) -> tuple[re.Match[str], ...]:
        return tuple(finditer(string))

    return matches


# ASCII letters only, or digits only: no rule of English's prefixes, suffixes or infixes matches inside such a
# string (each needs a mark, a quote, a symbol or a digit next to a letter), so spaCy would keep it whole anyway.
_PLAIN_WORD = re.compile(r"(?:[A-Za-z]+|[0-9]+)\Z")


# Suffix rules of unbounded length that also match every shorter tail of their match (a run of dots).
_TAIL_CLOSED_SUFFIXES = frozenset({r"\.\.+"})


def tail_suffix_search(
    search: Callable[[str], re.Match[str] | None], entries: Iterable[str | re.Pattern[str]] | None
) -> Callable[[str], re.Match[str] | None]:
    """``search`` (spaCy's suffix regex, ``entries`` joined as ``e1$|e2$|...``) started near the string's end.

    The regex is tried at every position of the chunk, and spaCy calls it once per suffix it strips: quadratic
    in the chunk (a line of underscores), and a tenth of tokenising a letter. Every English suffix rule but the
    run of dots matches at most ``width`` characters, so a match starts in the last ``width``; searching from
    there (lookbehinds still see the characters before) gives the same match, by construction. A match at the
    starting point itself may extend further left (the dots), so that case is searched in full. When the
    pattern is not built from ``entries`` as expected, or a rule's width cannot be bounded, ``search`` is
    returned unchanged.
    """
    pattern = getattr(search, "__self__", None)
    sources = [entry for entry in entries or () if isinstance(entry, str) and entry.strip()]
    if not isinstance(pattern, re.Pattern) or pattern.pattern != "|".join(f"{entry}$" for entry in sources):
        return search
    try:
        parser: Any = importlib.import_module("re._parser")
        widths = [parser.parse(f"{entry}$", pattern.flags).getwidth()[1] for entry in sources]
    except (ImportError, AttributeError, re.error):
        return search
    bounded = [w for entry, w in zip(sources, widths, strict=True) if entry not in _TAIL_CLOSED_SUFFIXES]
    if not bounded or max(bounded) > _MAX_CHUNK:
        return search
    width = max(*bounded, 2)  # the run of dots matches at the starting point too only with two characters there

    def search_tail(string: str) -> re.Match[str] | None:
        start = len(string) - width
        if start <= 0:
            return pattern.search(string)
        match = pattern.search(string, start)
        return pattern.search(string) if match is not None and match.start() == start else match

    return search_tail


def _import_spacy() -> Any:
    """``import spacy``, without the command-line modules spaCy's ``__init__`` loads only for ``spacy.info``.

    spaCy 3.8 imports ``spacy.cli.info`` with the package, and with it its CLI's dependencies (typer, weasel,
    requests, httpx): 0.25-0.35 s of the 0.7-1.0 s that importing spaCy takes here, on every cold start, for a
    function this library never calls. A placeholder stands in for that one module while spaCy is imported and is
    removed afterwards; ``spacy.info`` then imports the real module when called, and a later ``import spacy.cli``
    in the same process gets spaCy's own modules.
    """
    if "spacy" in sys.modules:
        return sys.modules["spacy"]
    placeholder: Any = types.ModuleType("spacy.cli.info")
    placeholder.info = None
    sys.modules["spacy.cli.info"] = placeholder
    try:
        import spacy
    finally:
        if sys.modules.get("spacy.cli.info") is placeholder:
            del sys.modules["spacy.cli.info"]
    module: Any = spacy
    if module.info is None:
        module.info = _spacy_info
    return module


def _spacy_info(*args: Any, **kwargs: Any) -> Any:
    """``spacy.info``, imported when first called (see :func:`_import_spacy`)."""
    from spacy.cli.info import info

    return info(*args, **kwargs)


def _letter_english() -> type[Language]:
    """The class of ``spacy.blank("en")`` with only the sentence-relevant tokenizer exceptions (spaCy imported).

    Built directly, the tokenizer loads those 160 exceptions once, where ``spacy.blank("en")`` resolves its
    config, loads all 1,350 and then the trimmed set again: 0.09 s against 0.22 s of every cold start.
    """
    from spacy.lang.en import English, EnglishDefaults

    class LetterEnglishDefaults(EnglishDefaults):  # type: ignore[misc]
        tokenizer_exceptions = sentence_relevant_special_cases(EnglishDefaults.tokenizer_exceptions)

    class LetterEnglish(English):  # type: ignore[misc,no-untyped-call]
        Defaults = LetterEnglishDefaults

    return LetterEnglish


@lru_cache(maxsize=1)
def build_pipeline() -> Language:
    """The shared pipeline, built once per process (about 0.2 s)."""
    _import_spacy()
    from spacy.attrs import IS_PUNCT, IS_SPACE
    from spacy.language import Language

    if "letter_sentences" not in Language.factories:
        Language.component("letter_sentences")(_letter_sentences)
    nlp: Language = _letter_english()()
    tokenizer: Any = nlp.tokenizer
    # Tokenising a letter spends most of its time on chunks it has not seen: a chunk first seen after spaCy's
    # default 10,000 are cached is split by the affix rules every time, and each new word gets about twenty
    # lexical attributes computed. Letters repeat their boilerplate, so a larger cache pays (about 220 bytes a
    # chunk, 22 MB when full); and only the two attributes the sentence rules read are computed.
    tokenizer.max_cache_size = _TOKENIZER_CACHE_SIZE
    # A new chunk still has its affixes searched with English's rule alternations (large character classes tried
    # at every position: a fifth of the classifier's work). About half of those searches repeat one made for
    # another chunk ("ketamine," then "ketamine."), so they are memoised: the same answers, by construction.
    tokenizer.suffix_search = lru_cache(maxsize=_AFFIX_CACHE_SIZE)(
        tail_suffix_search(tokenizer.suffix_search, nlp.Defaults.suffixes)
    )
    tokenizer.infix_finditer = _memoised_finditer(tokenizer.infix_finditer)
    # Most new chunks are, or end up after stripping punctuation as, a plain word or number ("Johnson,"), which no
    # English prefix, suffix or infix rule splits; spaCy takes a ``token_match`` string whole without searching.
    tokenizer.token_match = _PLAIN_WORD.match
    vocab: Any = nlp.vocab
    vocab.lex_attr_getters = {
        attr: getter for attr, getter in vocab.lex_attr_getters.items() if attr in (IS_PUNCT, IS_SPACE)
    }
    nlp.tokenizer = _TextKeepingTokenizer(tokenizer)
    nlp.add_pipe("letter_sentences")
    nlp.max_length = 5_000_000
    return nlp


def sentences_of(doc: Doc) -> list[Sentence]:
    """The non-empty sentences of a parsed letter, whitespace-trimmed, with their offsets.

    Read from the sentence-start and offset arrays (the same spans as ``doc.sents``, without a Span object each).
    """
    from spacy.attrs import IDX, LENGTH, SENT_START

    if len(doc) == 0:
        return []
    kept = doc.user_data.get(_SPANS_KEY)
    if kept is not None:
        span_starts, span_ends = kept
    else:
        columns = doc.to_array([IDX, LENGTH, SENT_START])
        first_tokens = np.flatnonzero(columns[:, 2] == 1)
        if len(first_tokens) == 0 or first_tokens[0] != 0:
            first_tokens = np.concatenate(([0], first_tokens))
        last_tokens = np.concatenate((first_tokens[1:], [len(doc)])) - 1
        span_starts = columns[first_tokens, 0].tolist()
        span_ends = (columns[last_tokens, 0] + columns[last_tokens, 1]).tolist()
    text = doc_text(doc)
    result: list[Sentence] = []
    for span_start, span_end in zip(span_starts, span_ends, strict=True):
        raw = text[span_start:span_end]
        stripped = raw.strip()
        if _ALPHANUMERIC.search(stripped) is None:  # empty, or punctuation and symbols only
            continue
        start = span_start + (len(raw) - len(raw.lstrip()))
        result.append(Sentence(text=" ".join(stripped.split()), start=start, end=start + len(stripped)))
    return result


def parse(text: str) -> Doc:
    """One spaCy Doc for one letter, for inspection (the Doc outlives the call, so no memory zone is used)."""
    return build_pipeline()(text)


@contextmanager
def _bounded_vocabulary(nlp: Language) -> Iterator[None]:
    """Parse so that a long run (a server, a batch over an archive) does not grow without bound.

    spaCy keeps every new word in the vocabulary for good (a few hundred bytes each; a letter brings dozens of
    new IDs, names and dates). Words seen before the vocabulary holds ``_VOCABULARY_LIMIT`` entries stay, and
    the tokenizer caches their chunks, which makes the boilerplate letters share fast; after that each batch
    is parsed in a spaCy memory zone, which frees what it added. Zones must not overlap, so parsing is
    serialised (it holds the GIL anyway).
    """
    with _PARSE_LOCK:
        if len(nlp.vocab) < _VOCABULARY_LIMIT:
            yield
        else:
            with nlp.memory_zone():
                yield


def split_letter(text: str) -> list[Sentence]:
    """The sentences of one letter."""
    nlp = build_pipeline()
    with _bounded_vocabulary(nlp):
        return sentences_of(nlp(text))


def split_many(texts: Iterable[str], batch_size: int = 64) -> Iterator[list[Sentence]]:
    """Sentences of many texts, a batch at a time through ``nlp.pipe`` for speed."""
    nlp = build_pipeline()
    iterator = iter(texts)
    while batch := list(islice(iterator, batch_size)):
        with _bounded_vocabulary(nlp):
            sentence_lists = [sentences_of(doc) for doc in nlp.pipe(batch, batch_size=batch_size)]
        yield from sentence_lists
