"""Sentence boundaries on letter-shaped text, and context marking of reason words."""

from __future__ import annotations

import pytest

from denialparse.context import mark_context
from denialparse.nlp import parse, sentences_of, split_many

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
        doc = parse(normalise_text(letter.text))
        expected = []
        for span in doc.sents:
            stripped = span.text.strip()
            if stripped and any(ch.isalnum() for ch in stripped):
                start = span.start_char + len(span.text) - len(span.text.lstrip())
                expected.append((" ".join(stripped.split()), start, start + len(stripped)))
        assert [(s.text, s.start, s.end) for s in sentences_of(doc)] == expected
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
