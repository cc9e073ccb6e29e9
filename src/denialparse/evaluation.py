"""Evaluation: per-label precision/recall/F1, macro-F1, a label confusion matrix, calibration, baseline.

Works on any labeled JSONL in the ``classify-text`` input format plus ``labels`` (and optionally
``scored``: the labels whose gold the row speaks for; other labels are not scored on that row).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.typing import NDArray

from denialparse.corpus import LabeledText
from denialparse.resources import DATA_DIR, read_yaml

FloatArray = NDArray[np.float64]
NONE_COLUMN = "(none)"


@lru_cache(maxsize=1)
def keyword_rules() -> dict[str, re.Pattern[str]]:
    raw = read_yaml(DATA_DIR / "keywords.yaml")
    return {label: re.compile(pattern, re.IGNORECASE) for label, pattern in raw["keywords"].items()}


def baseline_probabilities(texts: Sequence[str], labels: Sequence[str]) -> FloatArray:
    """1.0 where the label's keyword regex matches anywhere in the text, else 0.0."""
    rules = keyword_rules()
    return np.asarray(
        [[1.0 if label in rules and rules[label].search(text) else 0.0 for label in labels] for text in texts]
    )


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def expected_calibration_error(probabilities: FloatArray, truth: FloatArray, bins: int = 10) -> float:
    """Weighted mean |accuracy - confidence| over equal-width probability bins (all label decisions)."""
    if probabilities.size == 0:
        return 0.0
    edges = np.linspace(0.0, 1.0, bins + 1)
    index = np.clip(np.digitize(probabilities, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = index == b
        if mask.any():
            total += mask.sum() * abs(truth[mask].mean() - probabilities[mask].mean())
    return float(total / probabilities.size)


def evaluate_predictions(
    rows: Sequence[LabeledText], probabilities: FloatArray, labels: Sequence[str], threshold: float
) -> dict[str, Any]:
    """All metrics for one system's probabilities (n_rows, n_labels)."""
    gold = np.asarray([[float(label in row.labels) for label in labels] for row in rows])
    mask = np.asarray([[row.is_scored(label) for label in labels] for row in rows], dtype=bool)
    predicted = probabilities >= threshold
    per_label: dict[str, dict[str, float | int]] = {}
    f1s: list[float] = []
    totals = [0, 0, 0]
    for j, label in enumerate(labels):
        m = mask[:, j]
        if not m.any():
            continue
        g, p = gold[m, j] > 0.5, predicted[m, j]
        tp, fp, fn = int((g & p).sum()), int((~g & p).sum()), int((g & ~p).sum())
        totals = [totals[0] + tp, totals[1] + fp, totals[2] + fn]
        precision, recall, f1 = _prf(tp, fp, fn)
        per_label[label] = {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "support": int(g.sum()),
            "scored": int(m.sum()),
            "tp": tp,
            "fp": fp,
            "fn": fn,
        }
        if g.any():
            f1s.append(f1)
    micro = _prf(*totals)
    return {
        "rows": len(rows),
        "threshold": threshold,
        "per_label": per_label,
        "macro_f1": round(float(np.mean(f1s)) if f1s else 0.0, 4),
        "micro_f1": round(micro[2], 4),
        "ece": round(expected_calibration_error(probabilities[mask], gold[mask]), 4),
        "exact_match": round(
            float(np.mean([(predicted[i][mask[i]] == (gold[i][mask[i]] > 0.5)).all() for i in range(len(rows))]))
            if rows
            else 0.0,
            4,
        ),
        "confusion": confusion_matrix(gold, predicted, mask, labels),
    }


def confusion_matrix(
    gold: FloatArray, predicted: NDArray[np.bool_], mask: NDArray[np.bool_], labels: Sequence[str]
) -> dict[str, Any]:
    """Rows: gold label; columns: predicted label (plus "(none)"); each cell counts letters.

    A multi-label letter counts once in each of its gold rows; only scored labels take part.
    """
    columns = [*labels, NONE_COLUMN]
    matrix = np.zeros((len(labels), len(columns)), dtype=int)
    for i in range(gold.shape[0]):
        predicted_here = [j for j in range(len(labels)) if predicted[i, j] and mask[i, j]]
        for g in range(len(labels)):
            if gold[i, g] > 0.5 and mask[i, g]:
                for j in predicted_here:
                    matrix[g, j] += 1
                if not predicted_here:
                    matrix[g, -1] += 1
    return {"rows": list(labels), "columns": columns, "matrix": matrix.tolist()}


def save_confusion_png(confusion: dict[str, Any], path: Any, title: str) -> None:
    """Draw the confusion matrix as a PNG (matplotlib, headless)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matrix = np.asarray(confusion["matrix"])
    fig, ax = plt.subplots(figsize=(1.0 + 0.9 * matrix.shape[1], 1.0 + 0.7 * matrix.shape[0]))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(matrix.shape[1]), confusion["columns"], rotation=45, ha="right")
    ax.set_yticks(range(matrix.shape[0]), confusion["rows"])
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(title)
    top = matrix.max() if matrix.size else 0
    for (r, c), value in np.ndenumerate(matrix):
        ax.text(c, r, str(value), ha="center", va="center", color="white" if value > top / 2 else "black")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def evaluate_model_on(rows: Sequence[LabeledText], model: Any) -> dict[str, Any]:
    """Model and keyword baseline on the same rows, in one result."""
    labels = list(model.labels)
    texts = [row.text for row in rows]
    predictions = model.predict_texts(texts)
    probabilities = np.asarray([[p.probabilities[label] for label in labels] for p in predictions])
    result = evaluate_predictions(rows, probabilities, labels, model.threshold)
    baseline = evaluate_predictions(rows, baseline_probabilities(texts, labels), labels, 0.5)
    result["baseline"] = {k: baseline[k] for k in ("macro_f1", "micro_f1", "per_label", "confusion")}
    result["model"] = str(model.info.get("name", "model"))
    return result


def compare_results(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """Per-label F1 deltas (second - first) and which model is better by macro-F1, then micro-F1."""
    deltas = {}
    for label, scores in second["per_label"].items():
        before = first["per_label"].get(label, {}).get("f1")
        deltas[label] = None if before is None else round(float(scores["f1"]) - float(before), 4)
    macro = round(second["macro_f1"] - first["macro_f1"], 4)
    micro = round(second["micro_f1"] - first["micro_f1"], 4)
    if macro > 0 or (macro == 0 and micro > 0):
        better = "second"
    elif macro < 0 or (macro == 0 and micro < 0):
        better = "first"
    else:
        better = "tie"
    return {"per_label_f1_delta": deltas, "macro_f1_delta": macro, "micro_f1_delta": micro, "better": better}
