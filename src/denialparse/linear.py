"""Inference for the fitted linear models with numpy alone.

The classifier is linear all the way: TF-IDF n-grams -> logistic regression -> a logistic stacker. scikit-learn
fits it, but importing scikit-learn (and the scipy modules it pulls in) costs over a second per process, which
is most of a cold ``denialparse report``. So training exports the fitted numbers into these small classes
(:func:`compile_text_scorer`, :func:`compile_stacker`) and every prediction runs here. The export is checked
against scikit-learn's own predictions in the test suite to within 1e-9.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import chain, repeat
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

    def tokens(self, text: str) -> list[str]:
        """The words the vectorizer's token pattern finds in ``text``."""
        return self._find_tokens(text)

    @cached_property
    def gram_index(self) -> _GramIndex:
        """Built on first use, or at load time by :func:`~denialparse.modelstore.load_model`."""
        return _GramIndex.build(self.vocabulary, self.ngram_range)

    def weights(self, token_lists: Sequence[Sequence[str]]) -> tuple[IntArray, IntArray, FloatArray]:
        """Row, feature index and l2-normalised TF-IDF weight of every feature present, for a batch of texts, in row
        order.

        scikit-learn's analyzer and ``TfidfTransformer`` (sublinear tf), re-stated over a whole batch at once: the
        per-text Python work is one dictionary lookup per token; n-grams are found, counted and weighted in numpy.
        """
        rows, indices = self.gram_index.find(token_lists)
        n_features = len(self.idf)
        keys, counts = np.unique(rows * n_features + indices, return_counts=True)
        rows, indices = np.divmod(keys, n_features)
        weights = (1.0 + np.log(counts)) * self.idf[indices]
        norms = np.sqrt(np.bincount(rows, weights=weights * weights, minlength=len(token_lists)))
        return rows, indices, weights / norms[rows]

    def features(self, text: str) -> tuple[IntArray, FloatArray]:
        """Feature indices and l2-normalised TF-IDF weights of one text."""
        _, indices, weights = self.weights([self.tokens(text)])
        return indices, weights

    def decision_tokens(self, token_lists: Sequence[Sequence[str]]) -> FloatArray:
        """Raw logistic-regression scores of already tokenised texts, shape (n_texts, n_labels)."""
        result = np.tile(self.intercept, (len(token_lists), 1))
        rows, indices, weights = self.weights(token_lists)
        if len(rows):
            # ``weights`` returns the rows in order, so each text's features are one run: summed in one call.
            firsts = np.flatnonzero(np.diff(rows, prepend=-1))
            result[rows[firsts]] += np.add.reduceat(self.coef[indices] * weights[:, None], firsts, axis=0)
        return result

    def probabilities_tokens(self, token_lists: Sequence[Sequence[str]]) -> FloatArray:
        """P(label | text) per label for already tokenised texts, shape (n_texts, n_labels)."""
        if not token_lists:
            return np.zeros((0, len(self.intercept)))
        probabilities = _expit(self.decision_tokens(token_lists))
        fixed = ~np.isnan(self.constants)
        probabilities[:, fixed] = self.constants[fixed]
        return probabilities

    def probabilities(self, texts: Sequence[str]) -> FloatArray:
        """P(label | text) per label, shape (n_texts, n_labels)."""
        return self.probabilities_tokens([self.tokens(text) for text in texts])

    def contributions(self, text: str, label_index: int) -> list[tuple[str, float]]:
        """Each feature of ``text`` with what it adds to the label's score (for error analysis)."""
        names = {index: term for term, index in self.vocabulary.items()}
        indices, weights = self.features(text)
        values = weights * self.coef[indices, label_index]
        return [(names[int(i)], float(v)) for i, v in zip(indices, values, strict=True)]


@dataclass(frozen=True)
class _GramIndex:
    """The vocabulary's n-grams as integer keys, so that a batch's n-grams are found without building strings.

    Every word of the vocabulary gets a number; an n-gram ``w1 .. wn`` is the number ``id(w1) * W^(n-1) + ... +
    id(wn)`` (``W`` words), looked up in a sorted array per n. A token outside the vocabulary's words cannot be
    part of any feature.
    """

    word_ids: dict[str, int]
    ngram_range: tuple[int, int]
    keys: dict[int, IntArray]  # n -> sorted n-gram keys
    features: dict[int, IntArray]  # n -> feature index of each key

    @classmethod
    def build(cls, vocabulary: dict[str, int], ngram_range: tuple[int, int]) -> _GramIndex:
        words = " ".join(vocabulary).split(" ")  # every term's words, one term after another
        word_ids = {word: number for number, word in enumerate(dict.fromkeys(words))}
        n_words = len(word_ids)
        if n_words ** ngram_range[1] >= 2**62:
            raise ValueError(f"{n_words} words and {ngram_range[1]}-grams do not fit integer keys")
        lengths = np.fromiter((term.count(" ") + 1 for term in vocabulary), dtype=np.int64, count=len(vocabulary))
        indices = np.fromiter(vocabulary.values(), dtype=np.int64, count=len(vocabulary))
        ids = np.fromiter(map(word_ids.__getitem__, words), dtype=np.int64, count=len(words))
        ends = np.cumsum(lengths)
        keys: dict[int, IntArray] = {}
        features: dict[int, IntArray] = {}
        for n in np.unique(lengths).tolist():
            chosen = np.flatnonzero(lengths == n)
            first = ends[chosen] - n
            key = ids[first]
            for offset in range(1, n):
                key = key * n_words + ids[first + offset]
            order = np.argsort(key, kind="stable")
            keys[n], features[n] = key[order], indices[chosen][order]
        return cls(word_ids, ngram_range, keys, features)

    def find(self, token_lists: Sequence[Sequence[str]]) -> tuple[IntArray, IntArray]:
        """Text number and feature index of every n-gram occurrence that is a feature (repeats included)."""
        lengths = np.fromiter(map(len, token_lists), dtype=np.int64, count=len(token_lists))
        total = int(lengths.sum())
        ids = np.fromiter(map(self.word_ids.get, chain.from_iterable(token_lists), repeat(-1)), np.int64, total)
        text_of = np.repeat(np.arange(len(token_lists), dtype=np.int64), lengths)
        n_words = len(self.word_ids)
        rows: list[IntArray] = []
        found: list[IntArray] = []
        for n in range(self.ngram_range[0], self.ngram_range[1] + 1):
            if n not in self.keys or total < n:
                continue
            count = total - n + 1
            key = ids[:count].copy()
            known = (key >= 0) & (text_of[:count] == text_of[n - 1 :])  # all n words known and in one text
            for offset in range(1, n):
                key = key * n_words + ids[offset : offset + count]
                known &= ids[offset : offset + count] >= 0
            keys = self.keys[n]
            position = np.minimum(np.searchsorted(keys, key), len(keys) - 1)
            hit = known & (keys[position] == key)
            rows.append(text_of[:count][hit])
            found.append(self.features[n][position[hit]])
        if not rows:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(rows), np.concatenate(found)


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
