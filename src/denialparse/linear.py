"""Inference for the fitted linear models with numpy alone.

The classifier is linear all the way: TF-IDF n-grams -> logistic regression -> a logistic stacker. scikit-learn
fits it, but importing scikit-learn (and the scipy modules it pulls in) costs over a second per process, which
is most of a cold ``denialparse report``. So training exports the fitted numbers into these small classes
(:func:`compile_text_scorer`, :func:`compile_stacker`) and every prediction runs here. The export is checked
against scikit-learn's own predictions in the test suite to within 1e-9.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def _expit(z: FloatArray) -> FloatArray:
    """The logistic function as scikit-learn computes it (scipy's expit), stable for large |z|."""
    out = np.empty_like(z)
    positive = z >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-z[positive]))
    exp_z = np.exp(z[~positive])
    out[~positive] = exp_z / (1.0 + exp_z)
    return out


@dataclass(frozen=True)
class TextScorer:
    """TF-IDF (word n-grams, sublinear tf, l2 norm) followed by one binary logistic regression per label.

    ``constants[j]`` is not NaN for a label whose training data had one class only: its probability is fixed.
    """

    vocabulary: dict[str, int]
    idf: FloatArray  # (n_features,)
    coef: FloatArray  # (n_features, n_labels)
    intercept: FloatArray  # (n_labels,)
    constants: FloatArray  # (n_labels,), NaN where a model was fitted
    token_pattern: str
    ngram_range: tuple[int, int]

    @cached_property
    def _find_tokens(self) -> Callable[[str], list[str]]:
        return re.compile(self.token_pattern).findall

    def features(self, text: str) -> tuple[IntArray, FloatArray]:
        """Feature indices and l2-normalised TF-IDF weights of one text (scikit-learn's analyzer, re-stated)."""
        tokens = self._find_tokens(text)
        low, high = self.ngram_range
        grams: list[str] = list(tokens) if low == 1 else []
        for n in range(max(low, 2), min(high, len(tokens)) + 1):
            grams.extend(map(" ".join, zip(*(tokens[i:] for i in range(n)), strict=False)))
        counts = Counter(map(self.vocabulary.get, grams))
        counts.pop(None, None)
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        indices = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
        tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
        weights = tf * self.idf[indices]
        return indices, weights / np.sqrt(np.dot(weights, weights))

    def decision(self, texts: Sequence[str]) -> FloatArray:
        """Raw logistic-regression scores, shape (n_texts, n_labels)."""
        result = np.tile(self.intercept, (len(texts), 1))
        rows = [self.features(text) for text in texts]
        lengths = np.fromiter((len(indices) for indices, _ in rows), dtype=np.int64, count=len(rows))
        if lengths.sum():
            indices = np.concatenate([i for i, _ in rows])
            weights = np.concatenate([w for _, w in rows])
            contributions = self.coef[indices] * weights[:, None]
            row_of = np.repeat(np.arange(len(rows)), lengths)
            for j in range(result.shape[1]):
                result[:, j] += np.bincount(row_of, weights=contributions[:, j], minlength=len(rows))
        return result

    def probabilities(self, texts: Sequence[str]) -> FloatArray:
        """P(label | text) per label, shape (n_texts, n_labels)."""
        if not texts:
            return np.zeros((0, len(self.intercept)))
        probabilities = _expit(self.decision(texts))
        fixed = ~np.isnan(self.constants)
        probabilities[:, fixed] = self.constants[fixed]
        return probabilities

    def contributions(self, text: str, label_index: int) -> list[tuple[str, float]]:
        """Each feature of ``text`` with what it adds to the label's score (for error analysis)."""
        names = {index: term for term, index in self.vocabulary.items()}
        indices, weights = self.features(text)
        values = weights * self.coef[indices, label_index]
        return [(names[int(i)], float(v)) for i, v in zip(indices, values, strict=True)]


@dataclass(frozen=True)
class Stacker:
    """One logistic regression per label over that label's stacking features; constants as in TextScorer."""

    coef: FloatArray  # (n_labels, n_features)
    intercept: FloatArray  # (n_labels,)
    constants: FloatArray  # (n_labels,)

    def probabilities(self, features: FloatArray) -> FloatArray:
        """``features`` (n_letters, n_labels, n_features) -> calibrated probabilities (n_letters, n_labels)."""
        decision = np.einsum("rjf,jf->rj", features, self.coef) + self.intercept
        probabilities = _expit(decision)
        fixed = ~np.isnan(self.constants)
        probabilities[:, fixed] = self.constants[fixed]
        return probabilities


def _binary_parts(models: Sequence[Any], n_features: int) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Coefficients (n_features, n_labels), intercepts and constants from fitted binary models or floats."""
    coef = np.zeros((n_features, len(models)))
    intercept = np.zeros(len(models))
    constants = np.full(len(models), np.nan)
    for j, model in enumerate(models):
        if isinstance(model, float):
            constants[j] = model
            continue
        coef[:, j] = np.asarray(model.coef_, dtype=np.float64).ravel()
        intercept[j] = float(np.ravel(model.intercept_)[0])
    return coef, intercept, constants


def compile_text_scorer(vectorizer: Any, models: Sequence[Any]) -> TextScorer:
    """Export a fitted ``TfidfVectorizer`` and its per-label ``LogisticRegression`` models."""
    params = vectorizer.get_params()
    expected = {"lowercase": False, "sublinear_tf": True, "norm": "l2", "use_idf": True, "analyzer": "word"}
    if any(params.get(key) != value for key, value in expected.items()) or params.get("stop_words"):
        raise ValueError(f"cannot export a vectorizer with settings {params}")
    vocabulary = {str(term): int(index) for term, index in vectorizer.vocabulary_.items()}
    coef, intercept, constants = _binary_parts(models, len(vocabulary))
    return TextScorer(
        vocabulary=vocabulary,
        idf=np.asarray(vectorizer.idf_, dtype=np.float64),
        coef=coef,
        intercept=intercept,
        constants=constants,
        token_pattern=str(params["token_pattern"]),
        ngram_range=(int(params["ngram_range"][0]), int(params["ngram_range"][1])),
    )


def compile_stacker(models: Sequence[Any], n_features: int) -> Stacker:
    """Export the per-label stacking logistic regressions."""
    coef, intercept, constants = _binary_parts(models, n_features)
    return Stacker(coef=coef.T.copy(), intercept=intercept, constants=constants)


__all__ = ["Stacker", "TextScorer", "compile_stacker", "compile_text_scorer"]
