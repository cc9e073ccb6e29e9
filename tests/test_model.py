"""The shipped model and the training workflow: reproducible, verified on load, honest on held-out data."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import CORPUS, EXAMPLES, SHARED_DATA
from denialparse.analysis import get_model
from denialparse.classifier import TrainingConfig, train_classifier
from denialparse.corpus import grouped_split, load_corpus
from denialparse.errors import ModelError
from denialparse.evaluation import evaluate_model_on
from denialparse.modelstore import load_estimators, load_model, read_meta, save_model, verify_model
from denialparse.nlp import split_many
from denialparse.resources import default_model_dir
from denialparse.taxonomy import load_taxonomy


@pytest.fixture(scope="module")
def small_training() -> tuple[list, list]:
    """A grouped split of a quarter of the corpus (keeps the test fast)."""
    letters = load_corpus(CORPUS)
    train, test = grouped_split(letters, 0.25, seed=3)
    return train[::3], test


def test_shipped_model_card_and_metrics() -> None:
    directory = default_model_dir()
    meta = read_meta(directory)
    assert meta["labels"] == list(load_taxonomy().ids)
    assert (directory / "MODEL_CARD.md").read_text().startswith("# Model card")
    assert meta["metrics"]["macro_f1"] >= 0.9
    assert meta["metrics"]["macro_f1"] > meta["metrics"]["baseline"]["macro_f1"]


def test_training_is_reproducible_and_round_trips(small_training: tuple[list, list], tmp_path: Path) -> None:
    train, test = small_training
    labels = load_taxonomy().ids
    config = TrainingConfig(seed=5, folds=3)
    first, oof_a = train_classifier(train, labels, config)
    _, oof_b = train_classifier(train, labels, config)
    assert np.allclose(oof_a, oof_b)
    save_model(first, tmp_path / "m", name="m", config=config, data_summary={}, metrics={})
    verify_model(tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    texts = [letter.text for letter in test[:20]]
    before = [p.probabilities for p in first.predict_texts(texts)]
    after = [p.probabilities for p in loaded.predict_texts(texts)]
    assert before == after


def test_exported_weights_predict_exactly_like_scikit_learn(small_training: tuple[list, list]) -> None:
    train, test = small_training
    model, _ = train_classifier(train, load_taxonomy().ids, TrainingConfig(seed=5, folds=3))
    assert model.estimators is not None
    sentences = [s.text for letter in test[:40] for s in next(split_many([letter.text]))]
    sentences += ["", "!!!", "experimental experimental experimental", "x" * 5000]
    for scorer, prefix in ((model.sentence_scorer, "sentence"), (model.letter_scorer, "letter")):
        vectorizer = model.estimators[f"{prefix}_vectorizer"]
        matrix = vectorizer.transform(sentences)
        for j, estimator in enumerate(model.estimators[f"{prefix}_models"]):
            expected = (
                np.full(len(sentences), estimator)
                if isinstance(estimator, float)
                else (estimator.predict_proba(matrix)[:, 1])
            )
            assert np.allclose(scorer.probabilities(sentences)[:, j], expected, rtol=0, atol=1e-12)
    features = np.random.default_rng(0).normal(0, 3, size=(50, len(model.labels), 3))
    for j, stacker in enumerate(model.estimators["stackers"]):
        expected = np.full(50, stacker) if isinstance(stacker, float) else stacker.predict_proba(features[:, j])[:, 1]
        assert np.allclose(model.stacker.probabilities(features)[:, j], expected, rtol=0, atol=1e-12)


def test_prediction_does_not_import_scikit_learn() -> None:
    code = (
        "import sys; from denialparse.api import analyze_text; "
        "analyze_text('Ketamine infusion is denied as experimental.'); "
        "print(sorted(m for m in ('sklearn', 'scipy', 'skops') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_spacy_is_loaded_without_its_command_line_which_still_works_when_asked_for() -> None:
    """spaCy's ``__init__`` imports its CLI (weasel, requests, httpx) for ``spacy.info``; the pipeline skips it,
    and a later ``spacy.info()`` or ``import spacy.cli`` in the same process still gets spaCy's own code."""
    code = (
        "import sys; from denialparse.api import analyze_text; "
        "analyze_text('Ketamine infusion is denied as experimental.'); "
        "skipped = sorted(m for m in ('spacy.cli', 'weasel', 'requests', 'httpx') if m not in sys.modules); "
        "import spacy, spacy.cli; "
        "print(skipped, spacy.info()['spacy_version'] == spacy.__version__, spacy.cli.info.__module__)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["['httpx',", "'requests',", "'spacy.cli',", "'weasel']", "True", "spacy.cli.info"]


def test_the_first_letter_in_a_process_gets_the_same_analysis_from_its_reader() -> None:
    """A fresh process leaves the first letter's fields to the reader process (while it loads the model); the
    analysis must equal the one of a later letter, whose fields this process extracts itself."""
    code = (
        "import json, sys; from denialparse import api; from denialparse.facts import facts_ready; "
        "from denialparse.report import report_json; "
        "runs = [report_json(api.analyze(sys.argv[1], readers=r), None) for r in (2, 1, 1)]; "
        "[run.pop('timings', None) for run in runs]; "
        "same = runs[0] == runs[1] == runs[2]; "
        "print(json.dumps({'same': same, 'ready': facts_ready(), 'fields': runs[0]['fields']}))"
    )
    for letter in sorted(EXAMPLES.glob("*.pdf")):
        result = subprocess.run([sys.executable, "-c", code, str(letter)], capture_output=True, text=True, check=True)
        outcome = json.loads(result.stdout)
        assert outcome["same"] and outcome["ready"], letter.name
        assert sum(found["value"] is not None for found in outcome["fields"].values()) >= 6, letter.name


def test_tampered_models_are_refused(tmp_path: Path) -> None:
    target = tmp_path / "model"
    shutil.copytree(default_model_dir(), target)
    verify_model(target)
    for name in ("weights.npz", "model.skops"):
        with (target / name).open("ab") as handle:
            handle.write(b"tampered")
        with pytest.raises(ModelError, match="checksum"):
            verify_model(target)
        shutil.copy(default_model_dir() / name, target / name)
    with pytest.raises(ModelError, match="checksum"):
        (target / "weights.npz").write_bytes(b"")
        load_model(target)
    shutil.copy(default_model_dir() / "weights.npz", target / "weights.npz")
    vocabulary = json.loads((target / "vocabulary.json").read_text())
    vocabulary["letter_vectorizer"]["experimental"] = 0  # one remapped term changes what the model reads
    (target / "vocabulary.json").write_text(json.dumps(vocabulary))
    with pytest.raises(ModelError, match=r"vocabulary\.json"):
        load_model(target)
    shutil.copy(default_model_dir() / "vocabulary.json", target / "vocabulary.json")
    meta = json.loads((target / "model.json").read_text())
    meta["libraries"]["scikit-learn"] = "0.24.2"
    (target / "model.json").write_text(json.dumps(meta))
    load_model(target)  # the exported weights need numpy only
    with pytest.raises(ModelError, match=r"scikit-learn 0\.24\.2"):
        load_estimators(target)
    meta["format_version"] = 1
    (target / "model.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match="format 1"):
        load_model(target)
    (target / "model.json").unlink()
    with pytest.raises(ModelError, match="not a model directory"):
        load_model(target)


def test_held_out_families_score_well(small_training: tuple[list, list]) -> None:
    _, test = small_training
    result = evaluate_model_on(test, get_model())
    # The shipped model saw these letters; this guards the pipeline, the honest figure is the card's.
    assert result["macro_f1"] >= 0.9


@pytest.mark.skipif(not SHARED_DATA.is_file(), reason="outside evaluation data (../shared/data) not present")
def test_outside_letters() -> None:
    """Letters written outside the project (evaluation only): the model must beat the keyword baseline."""
    rows = load_corpus(SHARED_DATA)
    result = evaluate_model_on(rows, get_model())
    experimental = result["per_label"]["experimental_investigational"]
    assert experimental["f1"] > result["baseline"]["per_label"]["experimental_investigational"]["f1"]
    assert result["per_label"]["not_medically_necessary"]["recall"] >= 0.9


def test_a_model_file_with_an_unexpected_type_is_refused(tmp_path: Path) -> None:
    import hashlib

    import skops.io as sio
    from sklearn.pipeline import Pipeline

    target = tmp_path / "model"
    shutil.copytree(default_model_dir(), target)
    payload = load_estimators(target)
    payload["stackers"] = [Pipeline([("model", payload["stackers"][0])]), *payload["stackers"][1:]]
    sio.dump(payload, target / "model.skops")
    meta = json.loads((target / "model.json").read_text())
    meta["sha256"] = hashlib.sha256((target / "model.skops").read_bytes()).hexdigest()  # a consistent forgery
    (target / "model.json").write_text(json.dumps(meta))
    with pytest.raises(ModelError, match=r"unexpected types: sklearn\.pipeline\.Pipeline"):
        load_estimators(target)


@pytest.mark.parametrize("ngram_range", [(1, 1), (1, 2), (2, 2), (1, 3), (2, 3)])
def test_batched_tfidf_weights_equal_scikit_learn(ngram_range: tuple[int, int]) -> None:
    """The numpy TF-IDF finds n-grams by integer keys over a whole batch; rows must not leak into each other."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    from denialparse.linear import compile_text_scorer

    letters = load_corpus(CORPUS)[::25]
    train = [letter.text.lower() for letter in letters[:30]]
    texts = [letter.text.lower() for letter in letters[30:]] + ["", "the the the", "denied denied", "zzzz qqqq"]
    vectorizer = TfidfVectorizer(
        lowercase=False, sublinear_tf=True, ngram_range=ngram_range, token_pattern=r"(?u)[a-z0-9_][a-z0-9_'-]*"
    )
    matrix = vectorizer.fit_transform(train)
    model = LogisticRegression().fit(matrix, [i % 2 for i in range(len(train))])
    scorer = compile_text_scorer(vectorizer, [model])
    rows, indices, weights = scorer.weights([scorer.tokens(text) for text in texts])
    ours = np.zeros((len(texts), len(scorer.idf)))
    ours[rows, indices] = weights
    assert np.allclose(ours, vectorizer.transform(texts).toarray(), rtol=0, atol=1e-12)
    assert np.allclose(scorer.probabilities(texts)[:, 0], model.predict_proba(vectorizer.transform(texts))[:, 1])


def test_letter_tokens_are_the_sentence_tokens_joined() -> None:
    """The letter model's tokens are taken as the marked sentences' tokens one after another; that must equal
    tokenising the joined letter text, as in training."""
    from denialparse.context import mark_context
    from denialparse.extract import normalise_text

    model = get_model()
    scorer = model.letter_scorer
    assert scorer.token_pattern == model.sentence_scorer.token_pattern
    for letter in load_corpus(CORPUS)[::50]:
        marked = [mark_context(s.text) for s in next(split_many([normalise_text(letter.text)]))]
        joined = [token for sentence in marked for token in scorer.tokens(sentence)]
        assert joined == scorer.tokens(" ".join(marked))


def test_context_tokens_are_what_the_token_pattern_finds_in_the_marked_sentence() -> None:
    """Prediction takes the tokens straight from the context marking; training read the marked strings."""
    from denialparse.context import context_tokens, mark_context
    from denialparse.extract import normalise_text

    scorer = get_model().sentence_scorer
    sentences = [
        "This is not experimental; however, it is not medically necessary.",
        "Experimental/investigational services: see definitions.",
        "The member's request (ref_no 12-AB) isn't covered: off-label use.",
        "No evidence supports it. It's unproven - sorry.",
        "",
        "...;;::",
    ]
    for letter in load_corpus(CORPUS)[::5]:
        sentences.extend(s.text for s in next(split_many([normalise_text(letter.text)])))
    for sentence in sentences:
        assert context_tokens(sentence) == scorer.tokens(mark_context(sentence)), sentence


def test_a_model_read_with_another_token_pattern_is_refused(tmp_path: Path) -> None:
    directory = tmp_path / "model"
    shutil.copytree(default_model_dir(), directory)
    meta = json.loads((directory / "model.json").read_text(encoding="utf-8"))
    meta["features"]["token_pattern"] = r"(?u)\b\w\w+\b"
    (directory / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="pattern"):
        load_model(directory)
