"""The corpus format and its validator: the shipped corpus is valid; broken rows are caught with lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import CORPUS
from denialparse.corpus import corpus_stats, grouped_split, load_corpus, stats_markdown, validate_corpus
from denialparse.errors import DataFileError
from denialparse.extract import extract
from denialparse.pdfrender import options_for, render_pdf
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
    # The corpus the classifier issue asks for: size, breadth, multi-reason share, every label well represented.
    assert stats["letters"] >= 800
    assert stats["payers"] >= 25 and stats["treatments"] >= 40
    assert stats["multi_label_share"] >= 0.25
    assert min(stats["labels"].values()) >= 60
    assert len(stats["writers"]) >= 5 and stats["with_decoys"] >= 100


def test_datasheet_counts_match_the_corpus() -> None:
    datasheet = (CORPUS / "README.md").read_text()
    expected = stats_markdown(corpus_stats(load_corpus(CORPUS)))
    assert expected in datasheet, "run: denialparse corpus stats --markdown, and paste it into corpus/README.md"


def test_corpus_pdfs_are_real_and_reproducible() -> None:
    index = [json.loads(line) for line in (CORPUS / "pdf" / "labels.jsonl").read_text().splitlines()]
    assert len(index) >= 100
    assert len({row["layout"] for row in index}) >= 4 and len({row["font"] for row in index}) >= 3
    letters = {letter.id: letter for letter in load_corpus(CORPUS)}
    for number in (0, len(index) // 2, len(index) - 1):
        row = index[number]
        pdf = (CORPUS / "pdf" / row["file"]).read_bytes()
        assert pdf == render_pdf(letters[row["id"]].text, options_for(number, title=row["id"]))
        text = extract(CORPUS / "pdf" / row["file"]).text
        first_words = " ".join(letters[row["id"]].text.split()[:3])
        assert first_words.split()[0] in text, row["file"]


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
