"""Analyse stage: Document -> Analysis (reasons with supporting sentences, and fields).

One spaCy Doc per letter gives the sentences; the classifier scores them; the field rules
(:mod:`denialparse.facts`) run on the text.
"""

from __future__ import annotations

import re
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from denialparse.classifier import ReasonClassifier
from denialparse.datatypes import Analysis, Document, LetterFacts, ReasonScore, Span, SupportingSentence
from denialparse.facts import extract_facts
from denialparse.modelstore import load_model
from denialparse.nlp import split_letter
from denialparse.resources import DATA_DIR, default_model_dir, read_yaml
from denialparse.taxonomy import load_taxonomy


@lru_cache(maxsize=4)
def _cached_model(directory: str) -> ReasonClassifier:
    return load_model(Path(directory))


def get_model(directory: Path | str | None = None) -> ReasonClassifier:
    """Load (once per process) the model in ``directory``, or the shipped default model."""
    return _cached_model(str(Path(directory or default_model_dir()).resolve()))


@lru_cache(maxsize=1)
def _checks() -> dict[str, Any]:
    raw = read_yaml(DATA_DIR / "checks.yaml")
    raw["denial_pattern"] = re.compile("|".join(raw["denial_words"]), re.IGNORECASE)
    raw["function_words"] = frozenset(raw["english_function_words"])
    return dict(raw)


def letter_warnings(document: Document, reasons: list[ReasonScore]) -> tuple[str, ...]:
    """Say so when the text is not English, or does not look like a denial at all."""
    checks = _checks()
    warnings: list[str] = []
    words = re.findall(r"[^\W\d_]+", document.text.lower())
    if len(words) >= checks["english_min_words"]:
        share = sum(1 for word in words if word in checks["function_words"]) / len(words)
        if share < checks["english_min_share"]:
            warnings.append(
                "The letter does not look like English; denialparse reads English letters, so the results may be wrong."
            )
    top = max((reason.probability for reason in reasons), default=0.0)
    if top < checks["not_a_denial_max_probability"] and not checks["denial_pattern"].search(document.text):
        warnings.append("This does not look like a denial: no denial reason and no denial wording were found.")
    return tuple(warnings)


def analyse_document(document: Document, model: ReasonClassifier, facts: LetterFacts | None = None) -> Analysis:
    """Classify the reasons of one extracted letter, and extract its fields unless ``facts`` brings them."""
    started = time.perf_counter()
    sentences = split_letter(document.text)
    parsed = time.perf_counter()
    prediction = model.predict_sentences([sentences])[0]
    classified = time.perf_counter()
    taxonomy = load_taxonomy()
    reasons: list[ReasonScore] = []
    for index, label in enumerate(model.labels):
        probability = prediction.probabilities[label]
        support = tuple(
            SupportingSentence(
                text=sentences[i].text,
                span=Span(sentences[i].start, sentences[i].end, document.page_at(sentences[i].start)),
                score=round(score, 4),
            )
            for i, score in prediction.top_sentences(index)
        )
        reasons.append(
            ReasonScore(
                label=label,
                name=taxonomy.name_of(label),
                probability=round(probability, 4),
                predicted=probability >= model.threshold,
                sentences=support,
            )
        )
    reasons.sort(key=lambda r: -r.probability)
    if facts is None:
        facts = extract_facts(document)
    return Analysis(
        document=document,
        reasons=tuple(reasons),
        fields=facts.fields,
        model_version=str(model.info.get("name", "unknown")),
        threshold=model.threshold,
        codes=facts.codes,
        deadline=facts.deadline,
        warnings=letter_warnings(document, reasons),
        timings={
            "sentences_s": round(parsed - started, 4),
            "classify_s": round(classified - parsed, 4),
            "fields_s": facts.seconds,
        },
    )
