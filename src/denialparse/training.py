"""Train a model directory from the labeled corpus, with grouped out-of-fold metrics in its card."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from denialparse.classifier import TrainingConfig, train_classifier
from denialparse.corpus import LabeledText, load_corpus
from denialparse.evaluation import baseline_probabilities, evaluate_predictions
from denialparse.modelstore import save_model, verify_model
from denialparse.taxonomy import load_taxonomy


def summarise(letters: list[LabeledText], source: str) -> dict[str, Any]:
    """Counts for the model card: letters, groups, writers, labels, payer types."""
    label_counts = Counter(label for letter in letters for label in letter.labels)
    return {
        "source": source,
        "letters": len(letters),
        "groups": len({letter.group for letter in letters}),
        "writers": len({letter.meta.get("writer", letter.group) for letter in letters}),
        "multi_label": sum(1 for letter in letters if len(letter.labels) > 1),
        "no_reason": sum(1 for letter in letters if not letter.labels),
        "label_counts": dict(sorted(label_counts.items())),
        "payer_types": dict(sorted(Counter(letter.meta.get("payer_type", "?") for letter in letters).items())),
    }


def held_out_by_writer(letters: list[LabeledText], labels: tuple[str, ...], config: TrainingConfig) -> dict[str, Any]:
    """Leave one writer out at a time: the closest the corpus gets to "letters nobody here wrote".

    Families keep one letter template out of training; a writer's whole style (vocabulary, layouts, boilerplate)
    is held out here, so this figure is the stricter and more honest estimate for outside text.
    """
    import numpy as np

    writers = sorted({letter.meta.get("writer", letter.group) for letter in letters})
    if len(writers) < 3:
        return {}
    probabilities = np.zeros((len(letters), len(labels)))
    for writer in writers:
        held = [i for i, letter in enumerate(letters) if letter.meta.get("writer", letter.group) == writer]
        rest = [letter for letter in letters if letter.meta.get("writer", letter.group) != writer]
        model, _ = train_classifier(rest, labels, config)
        for index, prediction in zip(held, model.predict_texts([letters[i].text for i in held]), strict=True):
            probabilities[index] = [prediction.probabilities[label] for label in labels]
    metrics = evaluate_predictions(letters, probabilities, labels, config.threshold)
    return {key: metrics[key] for key in ("macro_f1", "micro_f1", "ece", "per_label")} | {"writers": len(writers)}


def train_model_dir(
    corpus: Path, out: Path, *, seed: int = 13, name: str | None = None, by_writer: bool = True
) -> dict[str, Any]:
    """Train on every letter of ``corpus`` and write ``out``; returns the metrics (grouped out-of-fold)."""
    letters = load_corpus(corpus)
    labels = load_taxonomy().ids
    config = TrainingConfig(seed=seed)
    model, oof = train_classifier(letters, labels, config)
    metrics = evaluate_predictions(letters, oof, labels, config.threshold)
    baseline = evaluate_predictions(
        letters, baseline_probabilities([letter.text for letter in letters], labels), labels, 0.5
    )
    metrics["baseline"] = {k: baseline[k] for k in ("macro_f1", "micro_f1", "per_label")}
    metrics["method"] = f"grouped {config.folds}-fold out-of-fold over families"
    if by_writer:
        metrics["by_writer"] = held_out_by_writer(letters, labels, config)
    save_model(
        model,
        out,
        name=name or out.name,
        config=config,
        data_summary=summarise(letters, str(corpus)),
        metrics=metrics,
    )
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    verify_model(out)  # the weights used for prediction are exactly the fitted estimators'
    return metrics
