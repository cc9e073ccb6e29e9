"""The corpus format and its validator: the shipped corpus is valid; broken rows are caught with lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import CORPUS
from denialparse.corpus import corpus_stats, grouped_split, load_corpus, validate_corpus
from denialparse.errors import DataFileError
from denialparse.taxonomy import load_taxonomy

GOOD = {
    "id": "t-1",
    "writer": "t",
    "family": "t-a",
    "labels": ["not_medically_necessary"],
    "evidence": {"not_medically_necessary": ["The criteria were not met."]},
    "text": "Dear member. The criteria were not met. Sincerely.",
}


def write_rows(path: Path, rows: list[object]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


def test_shipped_corpus_is_valid_and_covers_the_taxonomy() -> None:
    report = validate_corpus(CORPUS)
    assert report.ok, report.problems[:5]
    stats = corpus_stats(load_corpus(CORPUS))
    assert set(load_taxonomy().ids) <= set(stats["labels"])


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({**GOOD, "labels": ["experimental"]}, "unknown label"),
        ({**GOOD, "text": "  "}, "empty 'text'"),
        ({**GOOD, "evidence": {"not_medically_necessary": ["Not in the text."]}}, "not a substring"),
        ({**GOOD, "evidence": {}}, "no evidence sentence"),
        ({**GOOD, "labels": "not_medically_necessary"}, "must be a list"),
        ("{not json", "invalid JSON"),
        ("[1, 2]", "not a JSON object"),
    ],
)
def test_validator_reports_line_numbers(tmp_path: Path, row: object, message: str) -> None:
    path = write_rows(tmp_path / "c.jsonl", [GOOD | {"id": "ok", "text": GOOD["text"] + " A"}, row])
    report = validate_corpus(path)
    assert not report.ok
    assert report.problems[0].startswith("c.jsonl:2: ")
    assert message in report.problems[0]


def test_duplicates_are_rejected(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "c.jsonl", [GOOD, {**GOOD, "id": "t-2"}, {**GOOD, "text": GOOD["text"] + " B"}])
    problems = validate_corpus(path).problems
    assert any("c.jsonl:2:" in p and "duplicate text" in p for p in problems)
    assert any("c.jsonl:3:" in p and "duplicate id" in p for p in problems)


def test_loader_raises_on_first_problem(tmp_path: Path) -> None:
    path = write_rows(tmp_path / "c.jsonl", [GOOD, {**GOOD, "id": "t-9", "labels": ["nope"]}])
    with pytest.raises(DataFileError, match=r"c.jsonl:2: unknown label"):
        load_corpus(path)


def test_grouped_split_keeps_families_apart() -> None:
    letters = load_corpus(CORPUS)
    train, test = grouped_split(letters, 0.2, seed=1)
    assert len(train) + len(test) == len(letters)
    assert not {x.group for x in train} & {x.group for x in test}
    assert 0.05 < len(test) / len(letters) < 0.5
