"""Versioned model directories: exported weights for inference, the fitted estimators, metadata and model card.

A model directory holds
- ``weights.npz`` + ``vocabulary.json``: the linear models as plain arrays and term indices (read with
  ``allow_pickle=False``, so nothing in them can run code); this is what :func:`load_model` reads, with numpy
  alone, in a few tens of milliseconds;
- ``model.skops``: the fitted scikit-learn estimators (no pickle; loaded with a trusted-type list and the same
  scikit-learn minor version by :func:`load_estimators`), the reference the weights were exported from;
  :func:`verify_model` checks that both agree;
- ``model.json`` (labels, threshold, versions, checksums of every file, training data counts, metrics) and
  ``MODEL_CARD.md``.
Loading refuses a directory whose checksums, format or object types are not what this code expects.
"""

from __future__ import annotations

import copy
import json
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from denialparse.classifier import ReasonClassifier, TrainingConfig
from denialparse.context import MARKED_TOKEN_PATTERN
from denialparse.errors import ModelError
from denialparse.linear import Stacker, TextScorer, compile_stacker, compile_text_scorer
from denialparse.resources import file_sha256

MODEL_FILE = "model.skops"
META_FILE = "model.json"
WEIGHTS_FILE = "weights.npz"
# The vectorizers' vocabularies (tens of thousands of n-grams) load about ten times faster as plain JSON than as
# skops objects; they are kept beside the model and covered by their own checksum.
VOCABULARY_FILE = "vocabulary.json"
_VECTORIZERS = ("sentence_vectorizer", "letter_vectorizer")
_SCORERS = {"sentence_vectorizer": "sentence", "letter_vectorizer": "letter"}
CARD_FILE = "MODEL_CARD.md"
FORMAT_VERSION = 2

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

    if model.estimators is None:
        raise ValueError("only a freshly trained model (with its estimators) can be saved")
    directory.mkdir(parents=True, exist_ok=True)
    payload: dict[str, Any] = {"labels": list(model.labels)}
    for key, value in model.estimators.items():
        if key in _VECTORIZERS:
            value = copy.copy(value)
            value.vocabulary_ = {}  # stored as JSON below
        payload[key] = value
    model_path = directory / MODEL_FILE
    sio.dump(payload, model_path, compression=ZIP_DEFLATED)
    vocabularies = {attribute: getattr(model, f"{_SCORERS[attribute]}_scorer").vocabulary for attribute in _VECTORIZERS}
    vocabulary_path = directory / VOCABULARY_FILE
    vocabulary_path.write_text(json.dumps(vocabularies, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    weights_path = directory / WEIGHTS_FILE
    with weights_path.open("wb") as handle:
        np.savez_compressed(handle, **_weight_arrays(model))
    meta = {
        "format_version": FORMAT_VERSION,
        "name": name,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "labels": list(model.labels),
        "threshold": model.threshold,
        "sha256": file_sha256(model_path),
        "sha256_vocabulary": file_sha256(vocabulary_path),
        "sha256_weights": file_sha256(weights_path),
        "features": {
            "token_pattern": model.sentence_scorer.token_pattern,
            "ngram_range": list(model.sentence_scorer.ngram_range),
        },
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


def _weight_arrays(model: ReasonClassifier) -> dict[str, Any]:
    arrays: dict[str, Any] = {}
    for prefix, scorer in (("sentence", model.sentence_scorer), ("letter", model.letter_scorer)):
        for part in ("idf", "coef", "intercept", "constants"):
            arrays[f"{prefix}_{part}"] = getattr(scorer, part)
    for part in ("coef", "intercept", "constants"):
        arrays[f"stacker_{part}"] = getattr(model.stacker, part)
    return arrays


def _checked_meta(directory: Path) -> dict[str, Any]:
    meta = read_meta(directory)
    if meta.get("format_version") != FORMAT_VERSION:
        raise ModelError(
            f"{directory}: model format {meta.get('format_version')} is not {FORMAT_VERSION}; retrain the model"
        )
    for file_name, key in ((WEIGHTS_FILE, "sha256_weights"), (VOCABULARY_FILE, "sha256_vocabulary")):
        path = directory / file_name
        if not path.is_file() or file_sha256(path) != meta.get(key):
            raise ModelError(f"{directory}: checksum mismatch: {file_name} is missing or was changed after training")
    return meta


def load_model(directory: Path) -> ReasonClassifier:
    """Load and verify a model directory for prediction (numpy only), refusing anything unexpected."""
    meta = _checked_meta(directory)
    try:
        vocabularies = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
        with np.load(directory / WEIGHTS_FILE, allow_pickle=False) as stored:
            arrays = {name: np.asarray(stored[name], dtype=np.float64) for name in stored.files}
        features = meta["features"]
        if features["token_pattern"] != MARKED_TOKEN_PATTERN:
            raise ModelError(f"{directory}: the model reads tokens with a pattern this version does not produce")
        scorers = {
            prefix: TextScorer(
                vocabulary=vocabularies[attribute],
                idf=arrays[f"{prefix}_idf"],
                coef=arrays[f"{prefix}_coef"],
                intercept=arrays[f"{prefix}_intercept"],
                constants=arrays[f"{prefix}_constants"],
                token_pattern=str(features["token_pattern"]),
                ngram_range=(int(features["ngram_range"][0]), int(features["ngram_range"][1])),
            )
            for attribute, prefix in _SCORERS.items()
        }
        stacker = Stacker(arrays["stacker_coef"], arrays["stacker_intercept"], arrays["stacker_constants"])
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        raise ModelError(f"{directory}: {WEIGHTS_FILE} or {VOCABULARY_FILE} is unreadable") from None
    n_labels = len(meta["labels"])
    for scorer in scorers.values():
        if scorer.coef.shape != (len(scorer.vocabulary), n_labels) or scorer.idf.shape != (len(scorer.vocabulary),):
            raise ModelError(f"{directory}: {WEIGHTS_FILE} does not match {VOCABULARY_FILE} and the labels")
        _ = scorer.gram_index  # built now (while `analyze` reads the PDF) rather than on the first letter
    return ReasonClassifier(
        labels=tuple(meta["labels"]),
        threshold=float(meta["threshold"]),
        sentence_scorer=scorers["sentence"],
        letter_scorer=scorers["letter"],
        stacker=stacker,
        info={"name": meta.get("name", directory.name), "created": meta.get("created", "")},
    )


def _types_in_skops_file(path: Path) -> set[str]:
    """Every type named anywhere in a skops file's schema.

    skops itself trusts all scikit-learn estimators by default; the project's list is narrower, so the schema
    is read and checked here before skops sees the file.
    """
    import zipfile

    with zipfile.ZipFile(path) as archive:
        schema = json.loads(archive.read("schema.json"))
    found: set[str] = set()
    stack: list[Any] = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("__module__"), str) and isinstance(node.get("__class__"), str):
                found.add(f"{node['__module__']}.{node['__class__']}")
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found


def load_estimators(directory: Path) -> dict[str, Any]:
    """The fitted scikit-learn estimators of a model directory (skops, trusted types, same scikit-learn minor)."""
    import skops.io as sio

    meta = _checked_meta(directory)
    model_path = directory / MODEL_FILE
    if not model_path.is_file():
        raise ModelError(f"{directory}: {MODEL_FILE} is missing")
    if file_sha256(model_path) != meta.get("sha256"):
        raise ModelError(f"{directory}: checksum mismatch: the model file was changed after training")
    trained_with = str(meta.get("libraries", {}).get("scikit-learn", "?"))
    installed = library_versions()["scikit-learn"]
    if _minor(trained_with) != _minor(installed):
        raise ModelError(
            f"{directory}: trained with scikit-learn {trained_with}, installed {installed}; retrain the model"
        )
    try:
        present = _types_in_skops_file(model_path)
        unexpected = sorted(present - set(TRUSTED_TYPES))
        if unexpected:
            raise ModelError(f"{directory}: refusing to load unexpected types: {', '.join(unexpected)}")
        payload: dict[str, Any] = sio.load(model_path, trusted=sorted(present))
    except ModelError:
        raise
    except Exception as exc:  # a damaged zip or skops schema error
        raise ModelError(f"{directory}: cannot load {MODEL_FILE} ({type(exc).__name__})") from None
    if list(payload.get("labels", [])) != list(meta["labels"]):
        raise ModelError(f"{directory}: labels in {MODEL_FILE} and {META_FILE} differ")
    vocabularies = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
    for attribute in _VECTORIZERS:
        payload[attribute].vocabulary_ = vocabularies[attribute]
    return payload


def verify_model(directory: Path) -> None:
    """Check that the exported weights are exactly those of the fitted estimators (raises ModelError)."""
    estimators = load_estimators(directory)
    loaded = load_model(directory)
    exported = ReasonClassifier(
        labels=loaded.labels,
        threshold=loaded.threshold,
        sentence_scorer=compile_text_scorer(estimators["sentence_vectorizer"], estimators["sentence_models"]),
        letter_scorer=compile_text_scorer(estimators["letter_vectorizer"], estimators["letter_models"]),
        stacker=compile_stacker(estimators["stackers"], n_features=3),
    )
    expected, found = _weight_arrays(exported), _weight_arrays(loaded)
    differing = sorted(name for name in expected if not np.array_equal(expected[name], found[name], equal_nan=True))
    if differing:
        raise ModelError(f"{directory}: {WEIGHTS_FILE} differs from {MODEL_FILE} in {', '.join(differing)}")


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
- Libraries: {versions}. Prediction needs numpy only (`weights.npz`, exported from the fitted estimators and
  checked against them); loading the estimators themselves (`model.skops`) needs the same scikit-learn minor version.
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
