"""Versioned model directories: skops file with a trusted-type list, checksum, metadata and model card.

A model directory holds ``model.skops`` (the fitted estimators, no pickle), ``model.json`` (labels,
threshold, versions, checksum, training data counts, metrics) and ``MODEL_CARD.md``. Loading refuses a
directory whose checksum, library version or object types are not what this code expects.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from denialparse.classifier import ReasonClassifier, TrainingConfig
from denialparse.errors import ModelError

MODEL_FILE = "model.skops"
META_FILE = "model.json"
# The vectorizers' vocabularies (tens of thousands of n-grams) load about ten times faster as plain JSON than as
# skops objects; they are kept beside the model and covered by their own checksum.
VOCABULARY_FILE = "vocabulary.json"
_VECTORIZERS = ("sentence_vectorizer", "letter_vectorizer")
CARD_FILE = "MODEL_CARD.md"
FORMAT_VERSION = 1

# Every type the shipped model may contain; anything else in a model file is refused.
TRUSTED_TYPES: tuple[str, ...] = (
    "builtins.dict",
    "builtins.float",
    "builtins.int",
    "builtins.list",
    "builtins.str",
    "builtins.tuple",
    "numpy.dtype",
    "numpy.float64",
    "numpy.int32",
    "numpy.int64",
    "numpy.ndarray",
    "scipy.sparse._csr.csr_matrix",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.linear_model._logistic.LogisticRegression",
)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    import numpy
    import scipy
    import sklearn
    import skops

    return {
        "scikit-learn": sklearn.__version__,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "skops": skops.__version__,
    }


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def save_model(
    model: ReasonClassifier,
    directory: Path,
    *,
    name: str,
    config: TrainingConfig,
    data_summary: dict[str, Any],
    metrics: dict[str, Any],
) -> Path:
    """Write a model directory; returns the directory."""
    from zipfile import ZIP_DEFLATED

    import skops.io as sio

    directory.mkdir(parents=True, exist_ok=True)
    vocabularies: dict[str, dict[str, int]] = {}
    payload: dict[str, Any] = {
        "labels": list(model.labels),
        "sentence_models": model.sentence_models,
        "letter_models": model.letter_models,
        "stackers": model.stackers,
    }
    for attribute in _VECTORIZERS:
        vectorizer = copy.copy(getattr(model, attribute))
        vocabularies[attribute] = {str(term): int(index) for term, index in vectorizer.vocabulary_.items()}
        vectorizer.vocabulary_ = {}
        payload[attribute] = vectorizer
    model_path = directory / MODEL_FILE
    sio.dump(payload, model_path, compression=ZIP_DEFLATED)
    vocabulary_path = directory / VOCABULARY_FILE
    vocabulary_path.write_text(json.dumps(vocabularies, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    meta = {
        "format_version": FORMAT_VERSION,
        "name": name,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "labels": list(model.labels),
        "threshold": model.threshold,
        "sha256": _sha256(model_path),
        "sha256_vocabulary": _sha256(vocabulary_path),
        "libraries": library_versions(),
        "training": asdict(config),
        "data": data_summary,
        "metrics": metrics,
    }
    (directory / META_FILE).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    (directory / CARD_FILE).write_text(render_card(meta), encoding="utf-8")
    return directory


def read_meta(directory: Path) -> dict[str, Any]:
    meta_path = directory / META_FILE
    if not meta_path.is_file():
        raise ModelError(f"{directory}: not a model directory (no {META_FILE}); train one with `denialparse train`")
    try:
        meta: dict[str, Any] = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        raise ModelError(f"{directory}: {META_FILE} is unreadable") from None
    return meta


def load_model(directory: Path) -> ReasonClassifier:
    """Load and verify a model directory, refusing anything unexpected with a one-line reason."""
    import skops.io as sio

    meta = read_meta(directory)
    model_path = directory / MODEL_FILE
    if not model_path.is_file():
        raise ModelError(f"{directory}: {MODEL_FILE} is missing")
    if meta.get("format_version") != FORMAT_VERSION:
        raise ModelError(f"{directory}: model format {meta.get('format_version')} is not {FORMAT_VERSION}")
    if _sha256(model_path) != meta.get("sha256"):
        raise ModelError(f"{directory}: checksum mismatch: the model file was changed after training")
    vocabulary_path = directory / VOCABULARY_FILE
    if not vocabulary_path.is_file() or _sha256(vocabulary_path) != meta.get("sha256_vocabulary"):
        raise ModelError(f"{directory}: checksum mismatch: {VOCABULARY_FILE} is missing or was changed after training")
    trained_with = str(meta.get("libraries", {}).get("scikit-learn", "?"))
    installed = library_versions()["scikit-learn"]
    if _minor(trained_with) != _minor(installed):
        raise ModelError(
            f"{directory}: trained with scikit-learn {trained_with}, installed {installed}; retrain the model"
        )
    try:
        untrusted = set(sio.get_untrusted_types(file=model_path))
        unexpected = sorted(untrusted - set(TRUSTED_TYPES))
        if unexpected:
            raise ModelError(f"{directory}: refusing to load unexpected types: {', '.join(unexpected)}")
        payload = sio.load(model_path, trusted=sorted(untrusted))
    except ModelError:
        raise
    except Exception as exc:  # a damaged zip or skops schema error
        raise ModelError(f"{directory}: cannot load {MODEL_FILE} ({type(exc).__name__})") from None
    if list(payload.get("labels", [])) != list(meta["labels"]):
        raise ModelError(f"{directory}: labels in {MODEL_FILE} and {META_FILE} differ")
    try:
        vocabularies = json.loads(vocabulary_path.read_text(encoding="utf-8"))
        for attribute in _VECTORIZERS:
            payload[attribute].vocabulary_ = {str(k): int(v) for k, v in vocabularies[attribute].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise ModelError(f"{directory}: {VOCABULARY_FILE} is unreadable") from None
    return ReasonClassifier(
        labels=tuple(payload["labels"]),
        threshold=float(meta["threshold"]),
        sentence_vectorizer=payload["sentence_vectorizer"],
        sentence_models=list(payload["sentence_models"]),
        letter_vectorizer=payload["letter_vectorizer"],
        letter_models=list(payload["letter_models"]),
        stackers=list(payload["stackers"]),
        info={"name": meta.get("name", directory.name), "created": meta.get("created", "")},
    )


def _table(rows: list[list[str]]) -> str:
    header, *body = rows
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return "\n".join(lines)


def _writer_section(by_writer: dict[str, Any], labels: list[str]) -> str:
    if not by_writer:
        return ""
    per_label = by_writer.get("per_label", {})
    rows = [["label", "F1 (writer held out)"]]
    rows += [[label, f"{per_label.get(label, {}).get('f1', float('nan')):.3f}"] for label in labels]
    return f"""
## Metrics with each writer held out (stricter: a whole writing style unseen in training)
Macro-F1 {by_writer.get("macro_f1", float("nan")):.3f} over {by_writer.get("writers", "?")} writers; micro-F1
{by_writer.get("micro_f1", float("nan")):.3f}; expected calibration error {by_writer.get("ece", float("nan")):.3f}.

{_table(rows)}
"""


def render_card(meta: dict[str, Any]) -> str:
    """The model card: what the model was trained on, how well it did, and how to use it."""
    data = meta.get("data", {})
    metrics = meta.get("metrics", {})
    per_label = metrics.get("per_label", {})
    label_rows = [["label", "training letters", "precision", "recall", "F1"]]
    for label in meta["labels"]:
        scores = per_label.get(label, {})
        label_rows.append(
            [
                label,
                str(data.get("label_counts", {}).get(label, "")),
                f"{scores.get('precision', float('nan')):.3f}",
                f"{scores.get('recall', float('nan')):.3f}",
                f"{scores.get('f1', float('nan')):.3f}",
            ]
        )
    versions = ", ".join(f"{k} {v}" for k, v in meta.get("libraries", {}).items())
    return f"""# Model card: {meta["name"]}

- Created: {meta["created"]} (format {meta["format_version"]})
- Task: multi-label classification of the reasons an insurer gives for denying a claim or request.
- Labels: {", ".join(meta["labels"])}; decision threshold {meta["threshold"]} on calibrated probabilities.
- Architecture: TF-IDF word n-grams over context-marked sentences (negated and boilerplate reason words are
  separate features) -> per-label logistic regression on sentences and on whole letters -> per-label
  logistic stacker fitted on grouped out-of-fold scores (calibration).
- Libraries: {versions}. Loading requires the same scikit-learn minor version.
- Training: seed {meta["training"].get("seed")}, {meta["training"].get("folds")} grouped folds; config
  `{json.dumps(meta["training"])}`.

## Data
- {data.get("letters", "?")} letters from {data.get("groups", "?")} families by {data.get("writers", "?")} writers
  (source: {data.get("source", "?")}).
- Multi-reason letters: {data.get("multi_label", "?")}; letters with no denial reason: {data.get("no_reason", "?")}.

## Metrics (grouped out-of-fold: no family in both train and test)
Macro-F1 {metrics.get("macro_f1", float("nan")):.3f}; micro-F1 {metrics.get("micro_f1", float("nan")):.3f};
expected calibration error {metrics.get("ece", float("nan")):.3f}.

{_table(label_rows)}
{_writer_section(metrics.get("by_writer") or {}, meta["labels"])}
## Limits
- Trained on letters written for this project (see `corpus/README.md`), not on real insurer mail; the
  held-out figure above is measured on unseen families of those letters, and outside letters may score lower.
- English only. Letters whose reason appears only in an attachment that was not included cannot be classified.
- The probabilities are calibrated on the training distribution; treat values near the threshold as uncertain.
"""
