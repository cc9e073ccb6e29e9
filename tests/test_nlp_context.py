"""Sentence boundaries on letter-shaped text, and context marking of reason words."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pytest

from denialparse.context import mark_context
from denialparse.nlp import Sentence, parse, sentences_of, split_many

LETTER = """ACME HEALTH PLAN
Member ID: W123456789
RE: Request for Spravato

Dear Member,
We reviewed your request. The service is not medically
necessary because two adequate trials were not documented.
- Criteria 1: two failed antidepressants
- Criteria 2: a trial of augmentation
Sincerely,
Review Team"""


def test_sentences_follow_lines_and_punctuation() -> None:
    texts = [s.text for s in sentences_of(parse(LETTER))]
    assert "ACME HEALTH PLAN" in texts
    assert "Member ID: W123456789" in texts
    assert "The service is not medically necessary because two adequate trials were not documented." in texts, (
        "a sentence wrapped over two lines must stay whole"
    )
    assert "- Criteria 1: two failed antidepressants" in texts


def test_sentence_offsets_point_into_the_text() -> None:
    for sentence in sentences_of(parse(LETTER)):
        assert " ".join(LETTER[sentence.start : sentence.end].split()) == sentence.text


def test_split_many_matches_parse() -> None:
    texts = [LETTER, "One. Two.", ""]
    batched = list(split_many(texts))
    assert [s.text for s in batched[0]] == [s.text for s in sentences_of(parse(LETTER))]
    assert [s.text for s in batched[1]] == ["One.", "Two."]
    assert batched[2] == []


@pytest.mark.parametrize(
    ("sentence", "expected", "absent"),
    [
        (
            "This decision is not based on a determination that the service is experimental.",
            "neg_experimental",
            None,
        ),
        (
            "This is not considered experimental; however, the records are incomplete.",
            "neg_experimental",
            None,
        ),
        ("The requested service is considered experimental and investigational.", "experimental", "neg_"),
        ("The service is not medically necessary.", "medically necessary", "neg_"),
        ("Ketamine is not FDA approved for depression.", "not fda approved", "neg_"),
        ("Experimental or investigational means a drug under study.", "gen_experimental", None),
        (
            "If your denial was based on medical necessity, you may request external review.",
            "gen_necessity",
            None,
        ),
        ("We did not deny this because it is out of network.", "neg_network", None),
        (
            "It is not experimental, but it is excluded from your plan.",
            "neg_experimental but it is excluded",
            None,
        ),
        ("Criteria 1: member tried CO-197 codes 96365", "co-197", None),
    ],
)
def test_context_marking(sentence: str, expected: str, absent: str | None) -> None:
    marked = mark_context(sentence)
    assert expected in marked
    if absent:
        assert absent not in marked


def test_sentences_from_arrays_equal_spacy_spans() -> None:
    """sentences_of reads token arrays for speed; it must give exactly the spans spaCy's doc.sents gives."""
    from conftest import CORPUS
    from denialparse.corpus import load_corpus
    from denialparse.extract import normalise_text

    letters = load_corpus(CORPUS)[::40]
    for letter in letters:
        text = normalise_text(letter.text)
        doc = parse(text)
        expected = []
        for span in doc.sents:
            raw = text[span.start_char : span.end_char]  # the letter as written (the tokens read digits as 0)
            stripped = raw.strip()
            if stripped and any(ch.isalnum() for ch in stripped):
                start = span.start_char + len(raw) - len(raw.lstrip())
                expected.append((" ".join(stripped.split()), start, start + len(stripped)))
        assert [(s.text, s.start, s.end) for s in sentences_of(doc)] == expected
        # The spans kept by the sentence component and those read back from the arrays are the same.
        kept = sentences_of(doc)
        doc.user_data.clear()
        assert [(s.start, s.end) for s in sentences_of(doc)] == [(s.start, s.end) for s in kept]
    assert sentences_of(parse("")) == []


def test_trimmed_tokenizer_exceptions_keep_every_sentence() -> None:
    """The pipeline keeps only the tokenizer exceptions holding sentence-final punctuation; the sentences must be
    exactly those of spaCy's full English exceptions."""
    import spacy

    from conftest import CORPUS
    from denialparse.corpus import load_corpus
    from denialparse.extract import normalise_text
    from denialparse.nlp import build_pipeline

    trimmed = build_pipeline()
    full = spacy.blank("en")
    assert len(trimmed.tokenizer.tokenizer.rules) < len(full.tokenizer.rules) / 4
    texts = [normalise_text(letter.text) for letter in load_corpus(CORPUS)[::5]]
    texts.append("We don't cover it. Dr. Smith's request (e.g. 3.5 mg) wasn't approved! Why? See U.S. law.")
    for text in texts:
        reference = trimmed.get_pipe("letter_sentences")(full.make_doc(text))
        assert sentences_of(trimmed(text)) == sentences_of(reference)


def test_memoised_affix_searches_give_spacys_tokens() -> None:
    """The pipeline remembers suffix and infix searches; its tokens must be those of an unmodified tokenizer with
    the same exceptions, on letters and on strings built to reuse a search in another chunk."""
    import spacy

    from conftest import CORPUS
    from denialparse.corpus import load_corpus
    from denialparse.extract import normalise_text
    from denialparse.nlp import build_pipeline, sentence_relevant_special_cases

    ours = build_pipeline().tokenizer
    reference = spacy.blank("en")
    reference.tokenizer.rules = sentence_relevant_special_cases(reference.tokenizer.rules)
    texts = [normalise_text(letter.text) for letter in load_corpus(CORPUS)[::7]]
    texts += [
        "ketamine, ketamine. (ketamine) ketamine... 10km 10km. U.S.A. e.g. well-known;well-known 3.5mg 3.5mg)",
        "x-ray/x-ray:x-ray 'quoted' \"quoted.\" ......... 12+3 12+3. a/b a/b. Dr. Dr.) Ph.D.",
        # Suffix searches that start near a chunk's end: runs of one mark, units after digits, dots before marks.
        f"{'_' * 80} {':' * 300}! 10km² 3°F. {'.' * 40}) ({'.' * 40} x{')' * 30}. 5$$ a{'-' * 50}.. Ph.D.'s",
        # Plain words and numbers next to what splits off them or inside them.
        "Smith, (Smith) Smith's SMITH. 12345678, (12345678) 12345678. 10mg 10 mg A12345 12345A 3T 5km 1st x2.",
    ]
    for text in texts:
        # Token boundaries are what the pipeline reads (its tokens show every digit as 0; see the next test).
        assert [(t.idx, len(t)) for t in ours(text)] == [(t.idx, len(t)) for t in reference.make_doc(text)]


def test_digits_read_as_zero_keep_every_token_boundary() -> None:
    """The tokenizer reads every digit as 0 (new numbers then share cached chunks): the token boundaries must be
    those of the digits as written, on letters, on the outside letters when present, and on 20,000 strings built
    from digits and the marks, units and letters next to which English's rules split (seeded). A letter with a
    clock time ("10p.m.", a tokenizer exception) is read as written; the Doc keeps the text and the sentences."""
    import json
    import random

    import spacy

    from conftest import CORPUS, SHARED_DATA
    from denialparse.corpus import load_corpus
    from denialparse.extract import normalise_text
    from denialparse.nlp import build_pipeline, doc_text, sentence_relevant_special_cases

    nlp = build_pipeline()
    reference = spacy.blank("en")
    reference.tokenizer.rules = sentence_relevant_special_cases(reference.tokenizer.rules)
    texts = [normalise_text(letter.text) for letter in load_corpus(CORPUS)]
    if SHARED_DATA.exists():  # evaluation text: read, never stored
        rows = SHARED_DATA.read_text(encoding="utf-8").splitlines()
        texts += [normalise_text(json.loads(row)["text"]) for row in rows]
    generator = random.Random(3)
    alphabet = "0123456789......,;:!?)(]-/%$amp. xX\nkmgsthndrwo@:/°F²'\"+*^=<>#&_wwwcomhttp"
    texts += ["".join(generator.choices(alphabet, k=generator.randint(1, 25))) for _ in range(20_000)]
    texts += ["Seen at 10p.m. on 3/4. Call 555-0199.", "Denied 1.5. See 8.8.8.8. Ref 0.0 and o.5 and 1a.m. 13p.m."]
    for text in texts:
        doc = nlp.tokenizer(text)
        assert [(t.idx, len(t)) for t in doc] == [(t.idx, len(t)) for t in reference.make_doc(text)], text
        assert doc_text(doc) == text
    doc = nlp("Member ID 83920174. Call 1-800-555-0199 by 6/30/2026.")
    assert "0" * 8 in doc.text  # the tokens' strings show the shape,
    assert [s.text for s in sentences_of(doc)] == ["Member ID 83920174.", "Call 1-800-555-0199 by 6/30/2026."]


def test_no_english_affix_rule_splits_a_plain_word_or_number() -> None:
    """The pipeline takes a chunk of ASCII letters only, or of digits only, whole (``token_match``) without
    searching its affixes. That is right only if no English prefix, suffix or infix rule matches inside such a
    string: checked on every string of one or two such characters and on 20,000 longer ones (seeded)."""
    import random
    import string

    import spacy

    from denialparse.nlp import _PLAIN_WORD

    tokenizer = spacy.blank("en").tokenizer
    generator = random.Random(11)
    strings = [*string.ascii_letters, *string.digits]
    strings += [a + b for a in string.ascii_letters for b in string.ascii_letters]
    strings += [a + b for a in string.digits for b in string.digits]
    alphabets = [string.ascii_letters, string.ascii_lowercase, string.ascii_uppercase, string.digits]
    for _ in range(20_000):
        strings.append("".join(generator.choices(generator.choice(alphabets), k=generator.randint(3, 16))))
    for text in strings:
        assert _PLAIN_WORD.match(text)
        assert tokenizer.prefix_search(text) is None, text
        assert tokenizer.suffix_search(text) is None, text
        assert not list(tokenizer.infix_finditer(text)), text
    for mixed in ("a1", "10mg", "x-ray", "Smith,", "é", "\u0661\u0662", "Smith\n"):
        assert _PLAIN_WORD.match(mixed) is None, mixed


def test_suffix_search_from_the_tail_finds_spacys_match() -> None:
    """The suffix regex started near the chunk's end finds the same match as spaCy's full search, on strings
    built from the characters its rules are about (20,000 of them, seeded)."""
    import random

    import spacy

    from denialparse.nlp import tail_suffix_search

    nlp = spacy.blank("en")
    search = nlp.tokenizer.suffix_search
    tail = tail_suffix_search(search, nlp.Defaults.suffixes)
    assert tail is not search  # English's rules are bounded apart from the run of dots
    alphabet = "..........,;:!?)]}\"'’”%$€°²³kmgKFCsS'aA1234567890-_*/+#…–—"
    generator = random.Random(7)
    for _ in range(20_000):
        string = "".join(generator.choices(alphabet, k=generator.randint(1, 20)))
        string += generator.choice(alphabet) * generator.randint(0, 12)  # runs: a line of dots or dashes
        string += "".join(generator.choices(alphabet, k=generator.randint(0, 3)))
        expected, found = search(string), tail(string)
        assert (found and found.span()) == (expected and expected.span()), string
    # A pattern not built from the entries it is given is left alone.
    assert tail_suffix_search(search, ["x"]) is search


def test_runs_longer_than_any_word_become_opaque_pieces() -> None:
    """A run of 50,000 colons once took spaCy five minutes (quadratic affix stripping); it is cut into pieces of
    1,000 characters, the text and the offsets are kept, and the sentences around it are still found."""
    from denialparse.nlp import build_pipeline

    text = "Coverage is denied. " + ":" * 50_000 + "  The service is experimental.\n" + "_" * 2_500 + "\nEnd."
    doc = build_pipeline()(text)
    assert doc.text == text
    assert max(len(token) for token in doc) == 1_000
    assert [t.idx for t in doc if t.text == "Coverage" or t.text == "service"] == [0, text.index("service")]
    sentences = [s.text for s in sentences_of(doc)]
    assert sentences[0].startswith("Coverage is denied. ::::")  # punctuation after a full stop stays with it
    assert "The service is experimental." in sentences
    assert sentences[-1] == "End."


def _reference_line_starts(text: str, words: list[tuple[int, int]], short: float) -> list[int]:
    """The line rule written directly, one pair of neighbouring words at a time (the pipeline's is vectorised)."""
    from denialparse.nlp import _LINE_END, _LIST_START

    found = []
    for k in range(len(words) - 1):
        (start, length), (next_start, _) = words[k], words[k + 1]
        end = start + length
        gap = text[end:next_start]
        if "\n" not in gap:
            continue
        prev_line = text[text.rfind("\n", 0, end) + 1 : end].strip()
        next_line = text[next_start:].split("\n", 1)[0]
        paragraph_or_list = gap.count("\n") >= 2 or _LIST_START.match(next_line) is not None
        line_ends_sentence = not next_line[:1].islower() and (
            prev_line.endswith(_LINE_END) or len(prev_line) <= short or (prev_line.isupper() and len(prev_line) > 3)
        )
        if paragraph_or_list or line_ends_sentence:
            found.append(k + 1)
    return found


def test_line_rule_equals_its_direct_statement() -> None:
    import numpy as np
    from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH

    from conftest import CORPUS
    from denialparse.corpus import load_corpus
    from denialparse.nlp import _line_starts, build_pipeline

    tokenizer = build_pipeline().tokenizer
    texts = [letter.text for letter in load_corpus(CORPUS)[::9]]
    texts += ["a\n\n\nB", "x\r\ny\n  - item\n1) two\nlower\nUPPER HEAD\nEnd.\nNext", "one\n", "  \n word \n\t\nWord"]
    for text in texts:
        columns = np.asarray(tokenizer(text).to_array([IDX, LENGTH, IS_SPACE, IS_PUNCT]), dtype=np.int64)
        word_rows = [row for row in range(len(columns)) if columns[row, 2] == 0]
        lengths = sorted(len(line.strip()) for line in text.split("\n") if line.strip())
        short = 0.6 * lengths[int(len(lengths) * 0.9)] if lengths else 0
        expected = _reference_line_starts(text, [(int(columns[r, 0]), int(columns[r, 1])) for r in word_rows], short)
        assert _line_starts(text, columns) == [word_rows[k] for k in expected]


def test_vectorised_sentencizer_rule_equals_spacy_sentencizer() -> None:
    """The punctuation rule runs on token arrays; it must mark exactly the starts spaCy's Sentencizer marks."""
    import spacy
    from spacy.attrs import IDX, IS_PUNCT, IS_SPACE, LENGTH
    from spacy.pipeline import Sentencizer

    from conftest import CORPUS
    from denialparse.corpus import load_corpus
    from denialparse.extract import normalise_text
    from denialparse.nlp import _final_punctuation, _punctuation_starts

    tokenizer = spacy.blank("en").tokenizer
    sentencizer = Sentencizer()
    texts = [normalise_text(letter.text) for letter in load_corpus(CORPUS)[::10]]
    texts += [
        "...",
        "?!",
        "Denied . . . see below!! (Why?) \u3002Next\u0964 end.",
        ". a",
        "a",
        '"Hi." \u2019Yes.\u2019 No',
    ]
    for text in texts:
        doc = tokenizer(text)
        columns = doc.to_array([IDX, LENGTH, IS_SPACE, IS_PUNCT]).astype("int64")
        ours = _punctuation_starts(columns[:, 3].astype(bool), _final_punctuation(text, columns))
        assert ours.tolist() == sentencizer.predict([doc])[0], text[:60]


@lru_cache(maxsize=1)
def _reference_tokenizer() -> Any:
    """A separate full spaCy English tokenizer, never used inside a memory zone (built once: 0.2 s each)."""
    import spacy

    return spacy.blank("en").tokenizer


def _reference_sentences(text: str) -> list[Sentence]:
    """Sentences from the separate full spaCy tokenizer, outside any memory zone."""
    from denialparse.nlp import build_pipeline

    return sentences_of(build_pipeline().get_pipe("letter_sentences")(_reference_tokenizer()(text)))


def test_vocabulary_stops_growing_once_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the vocabulary limit, letters are parsed in memory zones: new IDs and names are not kept, and the
    sentences are the same."""
    import denialparse.nlp as nlp_module

    pipeline = nlp_module.build_pipeline()
    monkeypatch.setattr(nlp_module, "_VOCABULARY_LIMIT", len(pipeline.vocab))
    before = len(pipeline.vocab.strings)  # (Vocab's own length counts lexemes a zone has freed)
    texts = [
        f"Member ID QX{n}7731. Claim {n}-CLM-{n * 7} was denied by Dr. Zyx{n}abc.\nReason: not covered. See p. {n}."
        for n in range(300)
    ]
    assert [nlp_module.split_letter(text) for text in texts[:100]] == [_reference_sentences(t) for t in texts[:100]]
    assert list(nlp_module.split_many(texts[100:])) == [_reference_sentences(t) for t in texts[100:]]
    assert len(pipeline.vocab.strings) == before


def test_parsing_in_memory_zones_from_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """The web app parses from a thread pool; zones must never overlap, and every thread gets its own sentences."""
    from concurrent.futures import ThreadPoolExecutor

    import denialparse.nlp as nlp_module

    monkeypatch.setattr(nlp_module, "_VOCABULARY_LIMIT", 0)
    texts = [
        f"Request {n} for patient Q{n}x was denied. It is not medically necessary.\nAppeal by {n}/12."
        for n in range(200)
    ]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(nlp_module.split_letter, texts))
    assert results == [_reference_sentences(text) for text in texts]
