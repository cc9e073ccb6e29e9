"""Train and measure the field rankers (:mod:`denialparse.field_ranker`) on the gold field annotations.

Candidates are labelled with the evaluator's own comparison (``scalar_correct``), so the model learns what the
metric counts. Every figure is leave-one-writer-out: the rankers are trained on ten writers and scored on the
eleventh, with the abstain threshold chosen by an inner leave-one-writer-out over the ten, and compared on the
same letters against the rules alone. scikit-learn is imported here only, never at inference.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from denialparse.corpus import load_corpus
from denialparse.extract import document_from_text
from denialparse.field_evaluation import GoldFields, load_gold, load_gold_sets, scalar_correct
from denialparse.field_ranker import (
    CARD_FILE,
    FEATURE_VERSION,
    FORMAT_VERSION,
    META_FILE,
    MODEL_FILE,
    N_FEATURES,
    RANKED_FIELDS,
    WEIGHTS_FILE,
    KnownNames,
    LetterView,
    candidates,
    decision_values,
    feature_indices,
    features,
    load_ranker,
)
from denialparse.fields import extract_fields
from denialparse.resources import file_sha256

_GOLD_KEY = {"service": "service", "service_date": "service_dates"}
THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.0, 0.95, 0.05))


@dataclass(frozen=True)
class RankerConfig:
    seed: int = 13
    c: float = 0.05
    max_iter: int = 3000
    # The ranking's pairs: each letter's first right candidates against wrong ones sampled with the seed (a letter
    # may have hundreds of candidates; 3 x 30 pairs per letter kept the leave-one-writer-out figure and the time).
    pair_positives: int = 3
    pair_negatives: int = 30


@dataclass(frozen=True)
class LetterRows:
    """One letter's candidates for one field: feature names, whether each matches the gold, and the rules' answer."""

    id: str
    writer: str
    values: list[str]
    rows: list[list[str]]
    positive: list[bool]
    gold_present: bool
    rules_value: str | None
    rules_correct: bool


def _present(gold: Any) -> bool:
    return gold not in (None, [], False)


def build_rows(letters: dict[str, str], gold: Sequence[GoldFields]) -> dict[str, list[LetterRows]]:
    """Per field, every gold letter's candidates with features and labels."""
    result: dict[str, list[LetterRows]] = {name: [] for name in RANKED_FIELDS}
    for row in gold:
        document = document_from_text(letters[row.id], row.id)
        rules = extract_fields(document, learned=False)
        view = LetterView.of(document, rules["letter_date"].value, KnownNames.of(rules))
        for name in RANKED_FIELDS:
            target = row.fields.get(_GOLD_KEY[name])
            target = (target or []) if name == "service_date" else target
            present = _present(target)
            found = candidates(document, name)
            value = rules[name].value
            result[name].append(
                LetterRows(
                    id=row.id,
                    writer=row.id.split("-")[0],
                    values=[c.value for c in found],
                    rows=[features(view, c) for c in found],
                    positive=[present and scalar_correct(name, c.value, target) for c in found],
                    gold_present=present,
                    rules_value=value,
                    rules_correct=(value is not None and present and scalar_correct(name, value, target))
                    or (value is None and not present),
                )
            )
    return result


def _matrix(letters: Sequence[LetterRows]) -> tuple[Any, Any]:
    from scipy.sparse import csr_matrix

    indptr, indices = [0], []
    labels: list[bool] = []
    for letter in letters:
        for row, positive in zip(letter.rows, letter.positive, strict=True):
            indices.extend(np.unique(feature_indices(row)).tolist())
            indptr.append(len(indices))
            labels.append(positive)
    data = np.ones(len(indices))
    return csr_matrix((data, indices, indptr), shape=(len(indptr) - 1, N_FEATURES)), np.array(labels, dtype=int)


def fit(letters: Sequence[LetterRows], config: RankerConfig) -> Any:
    """A logistic regression over every candidate of ``letters`` (positives: candidates the metric accepts)."""
    from sklearn.linear_model import LogisticRegression

    x, y = _matrix(letters)
    model = LogisticRegression(C=config.c, max_iter=config.max_iter, random_state=config.seed, solver="liblinear")
    model.fit(x, y)
    return model


def fit_order(letters: Sequence[LetterRows], config: RankerConfig) -> Any:
    """A ranking: logistic regression without intercept on feature differences of a right and a wrong candidate of
    the same letter (each pair both ways round), so that only what tells candidates apart is learned."""
    from scipy.sparse import vstack
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(config.seed)
    differences = []
    for letter in letters:
        right = [i for i, positive in enumerate(letter.positive) if positive][: config.pair_positives]
        wrong = [i for i, positive in enumerate(letter.positive) if not positive]
        if not right or not wrong:
            continue
        if len(wrong) > config.pair_negatives:
            wrong = sorted(rng.choice(wrong, config.pair_negatives, replace=False).tolist())
        x, _ = _matrix([letter])
        differences += [x[i] - x[j] for i in right for j in wrong]
    pairs = vstack(differences).tocsr()
    x = vstack([pairs, -pairs]).tocsr()
    y = np.r_[np.ones(pairs.shape[0], dtype=int), np.zeros(pairs.shape[0], dtype=int)]
    model = LogisticRegression(
        C=config.c, max_iter=config.max_iter, random_state=config.seed, solver="liblinear", fit_intercept=False
    )
    model.fit(x, y)
    return model


def _weights(model: Any) -> tuple[np.ndarray[Any, Any], float]:
    return np.asarray(model.coef_, dtype=np.float64).ravel(), float(np.ravel(model.intercept_)[0])


def _letter_scores(model: Any, letters: Sequence[LetterRows]) -> list[np.ndarray[Any, Any]]:
    coef, intercept = _weights(model)
    return [1.0 / (1.0 + np.exp(-(decision_values(coef, letter.rows) + intercept))) for letter in letters]


def _letter_orders(model: Any, letters: Sequence[LetterRows]) -> list[np.ndarray[Any, Any]]:
    coef, _ = _weights(model)
    return [decision_values(coef, letter.rows) for letter in letters]


def _outcome(
    letter: LetterRows, scores: np.ndarray[Any, Any], threshold: float, order: np.ndarray[Any, Any] | None = None
) -> tuple[bool, bool, bool]:
    """(predicted, correct, exact) on one letter: "not found" when no candidate's probability reaches
    ``threshold``, else the candidate ranked first by ``order`` (by the probability without one)."""
    if not len(scores) or float(scores.max()) < threshold:
        return False, False, not letter.gold_present
    correct = letter.positive[int(np.argmax(scores if order is None else order))]
    return True, correct, correct


def _best_threshold(letters: Sequence[LetterRows], scores: Sequence[np.ndarray[Any, Any]]) -> float:
    exact = {t: sum(_outcome(lt, s, t)[2] for lt, s in zip(letters, scores, strict=True)) for t in THRESHOLDS}
    return max(THRESHOLDS, key=lambda t: (exact[t], -abs(t - 0.5)))


def _by_writer(letters: Sequence[LetterRows]) -> dict[str, list[LetterRows]]:
    groups: dict[str, list[LetterRows]] = defaultdict(list)
    for letter in letters:
        groups[letter.writer].append(letter)
    return dict(sorted(groups.items()))


def out_of_writer_scores(letters: Sequence[LetterRows], config: RankerConfig) -> dict[str, list[np.ndarray[Any, Any]]]:
    """Each writer's letters scored by a model trained on the other writers."""
    groups = _by_writer(letters)
    return {
        writer: _letter_scores(fit([x for w, rest in groups.items() if w != writer for x in rest], config), held)
        for writer, held in groups.items()
    }


def _summary(outcomes: Sequence[tuple[bool, bool, bool]], gold: int) -> dict[str, Any]:
    predicted = sum(o[0] for o in outcomes)
    correct = sum(o[1] for o in outcomes)
    return {
        "letters": len(outcomes),
        "exact_match": round(sum(o[2] for o in outcomes) / len(outcomes), 4) if outcomes else None,
        "precision": round(correct / predicted, 4) if predicted else None,
        "recall": round(correct / gold, 4) if gold else None,
    }


def _rules_outcome(letter: LetterRows) -> tuple[bool, bool, bool]:
    predicted = letter.rules_value is not None
    return predicted, predicted and letter.rules_correct, letter.rules_correct


def cross_validate(
    letters: Sequence[LetterRows],
    config: RankerConfig,
    *,
    nested: bool = True,
    subsets: dict[str, set[str]] | None = None,
) -> dict[str, Any]:
    """Leave-one-writer-out: the ranker (threshold from an inner leave-one-writer-out) against the rules.

    ``subsets`` (name -> letter ids) get their own figures, e.g. the gold file never used to develop the rules.
    """
    groups = _by_writer(letters)
    per_writer: dict[str, Any] = {}
    ranker_all: list[tuple[bool, bool, bool]] = []
    rules_all: list[tuple[bool, bool, bool]] = []
    thresholds = {}
    for writer, held in groups.items():
        train = [x for w, rest in groups.items() if w != writer for x in rest]
        if nested:
            inner = out_of_writer_scores(train, config)
            inner_groups = _by_writer(train)
            threshold = _best_threshold(
                [x for w in inner for x in inner_groups[w]], [s for w in inner for s in inner[w]]
            )
        else:
            threshold = 0.5
        thresholds[writer] = threshold
        scores = _letter_scores(fit(train, config), held)
        orders = _letter_orders(fit_order(train, config), held)
        ranker = [
            _outcome(letter, score, threshold, order) for letter, score, order in zip(held, scores, orders, strict=True)
        ]
        rules = [_rules_outcome(letter) for letter in held]
        ranker_all += ranker
        rules_all += rules
        gold = sum(letter.gold_present for letter in held)
        per_writer[writer] = {"ranker": _summary(ranker, gold), "rules": _summary(rules, gold), "threshold": threshold}
    gold = sum(letter.gold_present for letter in letters)
    order = [letter for held in groups.values() for letter in held]
    by_subset = {}
    for subset, ids in (subsets or {}).items():
        chosen = [i for i, letter in enumerate(order) if letter.id in ids]
        present = sum(order[i].gold_present for i in chosen)
        by_subset[subset] = {
            "ranker": _summary([ranker_all[i] for i in chosen], present),
            "rules": _summary([rules_all[i] for i in chosen], present),
        }
    return {
        "method": "leave-one-writer-out; abstain threshold by inner leave-one-writer-out",
        "ranker": _summary(ranker_all, gold),
        "rules": _summary(rules_all, gold),
        "per_writer": per_writer,
        "subsets": by_subset,
    }


def load_training_letters(corpus: Path, gold_dir: Path) -> tuple[dict[str, str], list[GoldFields]]:
    """The corpus letters and the development gold of ``gold_dir/sets.yaml``: held-out gold is never trained on."""
    letters = {letter.id: letter.text for letter in load_corpus(corpus)}
    return letters, load_gold(*load_gold_sets(gold_dir)["development"])


def train_rankers(
    corpus: Path, gold_dir: Path, out: Path, *, seed: int = 13, cross_validation: bool = True
) -> dict[str, Any]:
    """Train one ranker per field on every gold letter and write a model directory; returns its metrics."""
    from zipfile import ZIP_DEFLATED

    import skops.io as sio

    from denialparse.modelstore import library_versions

    config = RankerConfig(seed=seed)
    letters, gold = load_training_letters(corpus, gold_dir)
    rows = build_rows(letters, gold)
    metrics: dict[str, Any] = {}
    arrays: dict[str, Any] = {}
    estimators: dict[str, Any] = {}
    thresholds: dict[str, float] = {}
    for name in RANKED_FIELDS:
        oof = out_of_writer_scores(rows[name], config)
        groups = _by_writer(rows[name])
        thresholds[name] = _best_threshold([x for w in oof for x in groups[w]], [s for w in oof for s in oof[w]])
        if cross_validation:
            metrics[name] = cross_validate(rows[name], config)
        model, order = fit(rows[name], config), fit_order(rows[name], config)
        coef, intercept = _weights(model)
        arrays[f"{name}_coef"], arrays[f"{name}_intercept"] = coef, np.array([intercept])
        arrays[f"{name}_order_coef"] = _weights(order)[0]
        estimators[name], estimators[f"{name}_order"] = model, order
    out.mkdir(parents=True, exist_ok=True)
    with (out / WEIGHTS_FILE).open("wb") as handle:
        np.savez_compressed(handle, **arrays)
    sio.dump(estimators, out / MODEL_FILE, compression=ZIP_DEFLATED)
    meta = {
        "format_version": FORMAT_VERSION,
        "feature_version": FEATURE_VERSION,
        "name": out.name,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "fields": list(RANKED_FIELDS),
        "n_features": N_FEATURES,
        "thresholds": thresholds,
        "sha256_weights": file_sha256(out / WEIGHTS_FILE),
        "sha256": file_sha256(out / MODEL_FILE),
        "libraries": library_versions(),
        "training": {
            "seed": seed,
            "c": config.c,
            "solver": "liblinear",
            "pairs_per_letter": [config.pair_positives, config.pair_negatives],
            "gold": str(gold_dir),
            "gold_set": "development",
        },
        "data": {
            name: {
                "letters": len(rows[name]),
                "writers": len({r.writer for r in rows[name]}),
                "letters_with_gold": sum(r.gold_present for r in rows[name]),
                "candidates": sum(len(r.rows) for r in rows[name]),
                "positive_candidates": sum(sum(r.positive) for r in rows[name]),
            }
            for name in RANKED_FIELDS
        },
        "metrics": metrics,
    }
    (out / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    (out / CARD_FILE).write_text(render_card(meta), encoding="utf-8")
    load_ranker(out)  # the directory just written loads and verifies
    return meta


def _figure(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, float | int) else "-"


def render_card(meta: dict[str, Any]) -> str:
    """The model card: data, leave-one-writer-out figures against the rules, and limits."""
    sections = []
    for name in meta["fields"]:
        data, cv = meta["data"][name], meta["metrics"].get(name)
        lines = [
            f"### {name}",
            f"- {data['letters']} letters by {data['writers']} writers ({data['letters_with_gold']} state it); "
            f"{data['candidates']} candidates, {data['positive_candidates']} accepted by the evaluator; "
            f"abstain below {meta['thresholds'][name]}.",
        ]
        if cv:
            lines += [
                "",
                "| writer held out | rules exact | ranker exact | rules P / R | ranker P / R |",
                "|---|---|---|---|---|",
            ]
            for writer, scores in [("all", cv), *cv["per_writer"].items()]:
                r, k = scores["rules"], scores["ranker"]
                lines.append(
                    f"| {writer} | {_figure(r['exact_match'])} | {_figure(k['exact_match'])} | "
                    f"{_figure(r['precision'])} / {_figure(r['recall'])} | "
                    f"{_figure(k['precision'])} / {_figure(k['recall'])} |"
                )
            for subset, scores in cv.get("subsets", {}).items():
                r, k = scores["rules"], scores["ranker"]
                lines.append(
                    f"| {subset} letters only | {_figure(r['exact_match'])} | {_figure(k['exact_match'])} | "
                    f"{_figure(r['precision'])} / {_figure(r['recall'])} | "
                    f"{_figure(k['precision'])} / {_figure(k['recall'])} |"
                )
        sections.append("\n".join(lines))
    versions = ", ".join(f"{k} {v}" for k, v in meta.get("libraries", {}).items())
    body = "\n\n".join(sections)
    writers = max((data["writers"] for data in meta["data"].values()), default=0)
    pairs = meta["training"]["pairs_per_letter"]
    return f"""# Model card: {meta["name"]}

- Created: {meta["created"]} (format {meta["format_version"]}, features {meta["feature_version"]}).
- Task: choose the denied service and the service date among candidate spans of a denial letter, or abstain.
- Candidates: every span the service / service-date rules produce (all matches, with shorter readings of long
  values), noun phrases after "request for", "coverage of", "for", "about" ..., any "Label: value" line, a drug
  named with its brand or generic, the name beside a billing code, what a policy "considers" unproven, the parts
  of a letterhead title, a kind of care in a practice's name, every date.
- Features: the rule(s) that proposed it, label words on its line, words before and after, line position and
  shape, nearness to denial words, the verdict on its line (denied / approved), length and digits (service), days
  before the letter date (dates); hashed
  into {meta["n_features"]} columns.
- Model: two L2 logistic regressions per field (scikit-learn liblinear, C {meta["training"]["c"]}, seed
  {meta["training"]["seed"]}). One scores each candidate alone: when none reaches the threshold (chosen by
  leave-one-writer-out, with the choice of that model) the field is not found. The other ranks: it is fitted on
  feature differences of a right and a wrong candidate of one letter ({pairs[0]} right x {pairs[1]} wrong at most,
  sampled with the seed) and its first candidate wins.
  Inference reads `weights.npz` with numpy alone; `model.skops` keeps the fitted estimators. Libraries: {versions}.
  One rule's answer is taken over the learned choice: the days a split decision marks denied, for the service date.
- Training data: the gold field annotations `{meta["training"]["gold"]}` with their corpus letters only; a
  candidate is positive when `field_evaluation.scalar_correct` accepts it.

## Leave-one-writer-out (trained on all writers but one, scored on that one; same letters for the rules)
The rules were developed while looking at these letters' mismatches (every development file of `sets.yaml`), so
their figure here is optimistic; the held-out files are never trained on.
The ranker's threshold is chosen inside each fold; its regularisation C was picked from 0.02-2 by these same
figures, a small optimism of its own (when C was chosen, with the candidates of that time, C 0.1 gave service
0.852 and service date 0.920).

{body}

## Limits
- Synthetic letters by {writers} writers; letters by other writers and real insurer mail may score lower.
- The ranker can only pick a span some candidate generator proposes; a service named only across lines is missed.
- Retrain with `denialparse train-fields` after changing the rules' candidates or the features.
"""
