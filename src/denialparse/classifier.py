"""The denial-reason classifier: sentence evidence and whole-letter wording, stacked and calibrated.

Why this shape: real letters bury the reason in one sentence among pages of boilerplate that mentions every
reason word ("if your denial was based on medical necessity or experimental treatment ..."). So a
sentence-level model, trained on the corpus's evidence sentences against every other sentence (boilerplate
and negations included), finds the sentence that gives the reason; a letter-level model adds the wording
spread over the letter; and a small per-label logistic stacker, fitted on grouped out-of-fold scores, turns
both into calibrated probabilities. Reason words that are negated or only defined are marked by
:mod:`denialparse.context` before either model sees them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

import numpy as np
from numpy.typing import NDArray

from denialparse.context import MARKED_TOKEN_PATTERN, context_tokens, mark_context
from denialparse.corpus import LabeledText
from denialparse.extract import normalise_text
from denialparse.linear import Stacker, TextScorer, compile_stacker, compile_text_scorer
from denialparse.nlp import Sentence, split_many

FloatArray = NDArray[np.float64]
_EPS = 1e-4
_SCORING_BATCH = 512


def _logit(p: FloatArray) -> FloatArray:
    clipped = np.clip(p, _EPS, 1 - _EPS)
    return np.asarray(np.log(clipped / (1 - clipped)), dtype=np.float64)


@dataclass
class LetterPrediction:
    """Calibrated probability per label and the sentence scores behind them."""

    probabilities: dict[str, float]
    sentences: list[Sentence]
    sentence_scores: FloatArray  # (n_sentences, n_labels)

    def top_sentences(self, label_index: int, k: int = 3, minimum: float = 0.5) -> list[tuple[int, float]]:
        """Indices and scores of the sentences that most support a label, best first."""
        if not self.sentences:
            return []
        column = self.sentence_scores[:, label_index]
        order = np.argsort(-column, kind="stable")[:k]
        chosen = [(int(i), float(column[i])) for i in order if column[i] >= minimum]
        return chosen or [(int(order[0]), float(column[order[0]]))]


@dataclass
class ReasonClassifier:
    """The models for every label of the taxonomy, in exported (numpy-only) form, plus the decision threshold.

    ``estimators`` holds the fitted scikit-learn objects after training (saved as the reference artifact); a
    loaded model does not need them.
    """

    labels: tuple[str, ...]
    threshold: float
    sentence_scorer: TextScorer
    letter_scorer: TextScorer
    stacker: Stacker
    info: dict[str, Any] = field(default_factory=dict)
    estimators: dict[str, Any] | None = None

    # --- inference -------------------------------------------------------------------------------------
    def predict_sentences(self, sentence_lists: Sequence[Sequence[Sentence]]) -> list[LetterPrediction]:
        """Score letters already split into sentences (the analyse stage passes its spaCy sentences)."""
        features, blocks = _stack_inputs(self.sentence_scorer, self.letter_scorer, sentence_lists)
        stacked = self.stacker.probabilities(features) if sentence_lists else np.zeros((0, len(self.labels)))
        return [
            LetterPrediction(
                {label: float(stacked[row, j]) for j, label in enumerate(self.labels)}, list(sentences), blocks[row]
            )
            for row, sentences in enumerate(sentence_lists)
        ]

    def predict_texts(self, texts: Sequence[str], batch_size: int = 64) -> list[LetterPrediction]:
        """Normalise, split and score raw texts."""
        predictions: list[LetterPrediction] = []
        for start in range(0, len(texts), _SCORING_BATCH):  # bounds the memory a large input takes at once
            normalised = [normalise_text(t) for t in texts[start : start + _SCORING_BATCH]]
            predictions.extend(self.predict_sentences(list(split_many(normalised, batch_size=batch_size))))
        return predictions

    def explain_text(self, text: str, label: str, k: int = 8) -> list[tuple[str, float]]:
        """The letter-model features that pushed ``label`` up or down most for this text (for error analysis)."""
        sentences = next(split_many([normalise_text(text)]))
        index = self.labels.index(label)
        if not np.isnan(self.letter_scorer.constants[index]):
            return []
        pairs = self.letter_scorer.contributions(" ".join(mark_context(s.text) for s in sentences), index)
        return sorted(pairs, key=lambda pair: -abs(pair[1]))[:k]


def _stack_inputs(
    sentence_scorer: TextScorer, letter_scorer: TextScorer, sentence_lists: Sequence[Sequence[Sentence]]
) -> tuple[FloatArray, list[FloatArray]]:
    """Stacking features (n_letters, n_labels, 3) and each letter's sentence scores, for a batch of letters."""
    # The models were trained on marked sentences read with MARKED_TOKEN_PATTERN (checked at load), so the tokens
    # come straight from the context marking.
    tokens = [[context_tokens(s.text) for s in sentences] for sentences in sentence_lists]
    sentence_scores = sentence_scorer.probabilities_tokens([words for letter in tokens for words in letter])
    # The letter model reads the marked sentences joined by spaces. Both models share one token pattern (the model
    # card stores one), which matches no space, so that text's tokens are the sentences' tokens one after another
    # (checked in the tests).
    letter_scores = letter_scorer.probabilities_tokens([list(chain.from_iterable(letter)) for letter in tokens])
    n_labels = len(letter_scorer.intercept)
    features = np.zeros((len(sentence_lists), n_labels, 3))
    blocks: list[FloatArray] = []
    start = 0
    for row, sentences in enumerate(sentence_lists):
        block = sentence_scores[start : start + len(sentences)]
        start += len(sentences)
        blocks.append(block)
        features[row] = _stack_features(block, letter_scores[row])
    return features, blocks


def _stack_features(block: FloatArray, letter_row: FloatArray) -> FloatArray:
    """Per label: logit of the best sentence, of the mean of the best two, and of the letter model."""
    n_labels = letter_row.shape[0]
    if block.shape[0] == 0:
        best = second = np.zeros(n_labels)
    else:
        ordered = -np.sort(-block, axis=0)
        best = ordered[0]
        second = ordered[:2].mean(axis=0)
    return np.column_stack([_logit(best), _logit(second), _logit(letter_row)])


# --- training ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrainingConfig:
    """Everything that decides a trained model; stored in the model card."""

    seed: int = 13
    folds: int = 5
    # Decision threshold on the calibrated probabilities. In grouped out-of-fold evaluation every threshold from
    # 0.40 to 0.50 is within 0.001 macro-F1 of the best; letters written outside the corpus score lower than
    # corpus letters (their boilerplate is unfamiliar), so the lower end of that flat range is used.
    threshold: float = 0.4
    sentence_c: float = 4.0
    letter_c: float = 8.0
    stacker_c: float = 1.0
    min_df: int = 2
    max_ngram: int = 2


def _sentence_targets(
    letters: Sequence[LabeledText], sentence_lists: Sequence[Sequence[Sentence]], labels: Sequence[str]
) -> tuple[list[str], NDArray[np.int_], list[int], int]:
    """Sentence texts and 0/1 targets: a sentence is positive for a label when it overlaps its evidence."""
    texts: list[str] = []
    rows: list[list[int]] = []
    owners: list[int] = []
    unmatched = 0
    for index, (letter, sentences) in enumerate(zip(letters, sentence_lists, strict=True)):
        normal = normalise_text(letter.text)
        spans: dict[str, list[tuple[int, int]]] = {}
        for label, quotes in letter.evidence.items():
            for quote in quotes:
                needle = normalise_text(quote)
                at = normal.find(needle) if needle else -1
                if at < 0:
                    unmatched += 1
                    continue
                spans.setdefault(label, []).append((at, at + len(needle)))
        for sentence in sentences:
            texts.append(mark_context(sentence.text))
            owners.append(index)
            rows.append(
                [int(any(a < sentence.end and sentence.start < b for a, b in spans.get(label, []))) for label in labels]
            )
    return texts, np.asarray(rows, dtype=np.int_).reshape(-1, len(labels)), owners, unmatched


def _fit_binary(matrix: Any, target: NDArray[np.int_], c: float, seed: int) -> Any:
    from sklearn.linear_model import LogisticRegression

    if target.min() == target.max():
        return float(target[0])
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000, solver="liblinear", random_state=seed)
    model.fit(matrix, target)
    return model


def _vectorizer(config: TrainingConfig) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        ngram_range=(1, config.max_ngram),
        min_df=config.min_df,
        sublinear_tf=True,
        token_pattern=MARKED_TOKEN_PATTERN,
        lowercase=False,
        dtype=np.float64,
    )


@dataclass
class _BaseModels:
    """Fitted scikit-learn base models and their numpy exports (used for every prediction)."""

    sentence_vectorizer: Any
    sentence_models: list[Any]
    letter_vectorizer: Any
    letter_models: list[Any]

    def export(self) -> tuple[TextScorer, TextScorer]:
        """The sentence and letter scorers as numpy arrays (copies the vocabularies: call once per fit)."""
        return (
            compile_text_scorer(self.sentence_vectorizer, self.sentence_models),
            compile_text_scorer(self.letter_vectorizer, self.letter_models),
        )


def _fit_base(
    letters: Sequence[LabeledText],
    sentence_lists: Sequence[Sequence[Sentence]],
    labels: Sequence[str],
    config: TrainingConfig,
) -> _BaseModels:
    texts, targets, _, _ = _sentence_targets(letters, sentence_lists, labels)
    sentence_vectorizer = _vectorizer(config)
    sentence_matrix = sentence_vectorizer.fit_transform(texts)
    sentence_models = [
        _fit_binary(sentence_matrix, targets[:, j], config.sentence_c, config.seed) for j in range(len(labels))
    ]
    letter_texts = [" ".join(mark_context(s.text) for s in sentences) for sentences in sentence_lists]
    letter_vectorizer = _vectorizer(config)
    letter_matrix = letter_vectorizer.fit_transform(letter_texts)
    letter_targets = _letter_targets(letters, labels)
    letter_models = [
        _fit_binary(letter_matrix, letter_targets[:, j], config.letter_c, config.seed) for j in range(len(labels))
    ]
    return _BaseModels(sentence_vectorizer, sentence_models, letter_vectorizer, letter_models)


def _letter_targets(letters: Sequence[LabeledText], labels: Sequence[str]) -> NDArray[np.int_]:
    return np.asarray([[int(label in letter.labels) for label in labels] for letter in letters], dtype=np.int_)


def out_of_fold_features(
    letters: Sequence[LabeledText],
    sentence_lists: Sequence[Sequence[Sentence]],
    labels: Sequence[str],
    config: TrainingConfig,
) -> FloatArray:
    """Stacking features for every letter from base models that never saw its group."""
    from sklearn.model_selection import GroupKFold

    groups = [letter.group for letter in letters]
    folds = min(config.folds, len(set(groups)))
    features = np.zeros((len(letters), len(labels), 3))
    splitter = GroupKFold(n_splits=folds, shuffle=True, random_state=config.seed)
    for train_index, test_index in splitter.split(np.zeros(len(letters)), groups=groups):
        base = _fit_base([letters[i] for i in train_index], [sentence_lists[i] for i in train_index], labels, config)
        test_lists = [sentence_lists[i] for i in test_index]
        features[test_index] = _stack_inputs(*base.export(), test_lists)[0]
    return features


def train_classifier(
    letters: Sequence[LabeledText], labels: Sequence[str], config: TrainingConfig = TrainingConfig()
) -> tuple[ReasonClassifier, FloatArray]:
    """Fit the classifier; also return its out-of-fold calibrated probabilities (n_letters, n_labels)."""
    from sklearn.linear_model import LogisticRegression

    if len({letter.group for letter in letters}) < 2:
        raise ValueError("training needs letters from at least two groups (families)")
    sentence_lists = list(split_many([normalise_text(letter.text) for letter in letters]))
    oof = out_of_fold_features(letters, sentence_lists, labels, config)
    targets = _letter_targets(letters, labels)
    stackers: list[Any] = []
    oof_probabilities = np.zeros((len(letters), len(labels)))
    for j in range(len(labels)):
        if targets[:, j].min() == targets[:, j].max():
            stackers.append(float(targets[0, j]))
            oof_probabilities[:, j] = float(targets[0, j])
            continue
        stacker = LogisticRegression(C=config.stacker_c, max_iter=1000, random_state=config.seed)
        stacker.fit(oof[:, j, :], targets[:, j])
        stackers.append(stacker)
        oof_probabilities[:, j] = _cross_val_stacker(oof[:, j, :], targets[:, j], letters, config)
    base = _fit_base(letters, sentence_lists, labels, config)
    sentence_scorer, letter_scorer = base.export()
    model = ReasonClassifier(
        labels=tuple(labels),
        threshold=config.threshold,
        sentence_scorer=sentence_scorer,
        letter_scorer=letter_scorer,
        stacker=compile_stacker(stackers, n_features=3),
        estimators={
            "sentence_vectorizer": base.sentence_vectorizer,
            "sentence_models": base.sentence_models,
            "letter_vectorizer": base.letter_vectorizer,
            "letter_models": base.letter_models,
            "stackers": stackers,
        },
    )
    return model, oof_probabilities


def _cross_val_stacker(
    features: FloatArray, target: NDArray[np.int_], letters: Sequence[LabeledText], config: TrainingConfig
) -> FloatArray:
    """Honest held-out probabilities for the stacker itself (grouped, so the reported metrics are fair)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    groups = [letter.group for letter in letters]
    result = np.zeros(len(letters))
    splitter = GroupKFold(n_splits=min(config.folds, len(set(groups))), shuffle=True, random_state=config.seed)
    for train_index, test_index in splitter.split(features, groups=groups):
        if target[train_index].min() == target[train_index].max():
            result[test_index] = float(target[train_index][0])
            continue
        stacker = LogisticRegression(C=config.stacker_c, max_iter=1000, random_state=config.seed)
        stacker.fit(features[train_index], target[train_index])
        result[test_index] = stacker.predict_proba(features[test_index])[:, 1]
    return result
