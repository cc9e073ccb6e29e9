"""The labeled corpus: its JSONL format, a validator with line numbers, and the loader used for training.

One JSON object per line (see ``corpus/README.md``). The same reader accepts any labeled JSONL in the
``classify-text`` input format (``id``, ``text``, ``labels``), which is what ``evaluate`` needs.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from denialparse.errors import DataFileError
from denialparse.taxonomy import load_taxonomy


@dataclass(frozen=True)
class LabeledText:
    """One labeled letter; ``group`` keeps a writer's family together in grouped splits."""

    id: str
    text: str
    labels: tuple[str, ...]
    group: str
    evidence: dict[str, tuple[str, ...]] = field(default_factory=dict)
    decoys: dict[str, tuple[str, ...]] = field(default_factory=dict)
    meta: dict[str, str] = field(default_factory=dict)
    scored: tuple[str, ...] | None = None

    def is_scored(self, label: str) -> bool:
        """Whether this row's gold speaks for ``label`` (all labels unless the row says otherwise)."""
        return self.scored is None or label in self.scored


@dataclass
class ValidationReport:
    """Problems found in corpus files, each as ``file:line: message``."""

    problems: list[str] = field(default_factory=list)
    letters: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


_META_KEYS = ("writer", "family", "payer", "payer_type", "treatment", "shape")


def corpus_files(path: Path) -> list[Path]:
    """The JSONL files of a corpus directory (or the one file given)."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise DataFileError(f"{path}: no such corpus file or directory")
    # A corpus directory keeps its letters in letters/; other JSONL (e.g. pdf/labels.jsonl) is derived data.
    letters_dir = path / "letters"
    files = sorted(letters_dir.rglob("*.jsonl")) if letters_dir.is_dir() else sorted(path.rglob("*.jsonl"))
    if not files:
        raise DataFileError(f"{path}: no .jsonl files found")
    return files


def _fingerprint(text: str) -> str:
    return hashlib.sha1(" ".join(text.lower().split()).encode("utf-8")).hexdigest()


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ValueError("must be a string or a list of strings")


def _parse_row(row: Any, known: set[str], require_evidence: bool) -> tuple[LabeledText, list[str]]:
    """Check one decoded row; return the record and the problems found (empty when valid)."""
    problems: list[str] = []
    if not isinstance(row, dict):
        raise ValueError("line is not a JSON object")
    ident = row.get("id")
    text = row.get("text")
    if not isinstance(ident, str | int) or str(ident).strip() == "":
        problems.append("missing or empty 'id'")
    if not isinstance(text, str) or not text.strip():
        problems.append("missing or empty 'text'")
        text = ""
    labels = row.get("labels")
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        problems.append("'labels' must be a list of label ids")
        labels = []
    unknown = sorted(set(labels) - known)
    if unknown:
        problems.append(f"unknown label(s): {', '.join(unknown)}")
    if len(set(labels)) != len(labels):
        problems.append("a label is listed twice")
    evidence: dict[str, tuple[str, ...]] = {}
    decoys: dict[str, tuple[str, ...]] = {}
    for key, target in (("evidence", evidence), ("decoys", decoys)):
        raw = row.get(key) or {}
        if not isinstance(raw, dict):
            problems.append(f"'{key}' must be an object of label -> sentences")
            continue
        for label, sentences in raw.items():
            try:
                target[label] = _strings(sentences)
            except ValueError as exc:
                problems.append(f"{key}[{label}] {exc}")
                continue
            for sentence in target[label]:
                if sentence not in text:
                    problems.append(f"{key}[{label}] is not a substring of text: {sentence[:50]!r}")
    if require_evidence:
        missing = [label for label in labels if not evidence.get(label)]
        if missing:
            problems.append(f"no evidence sentence for: {', '.join(missing)}")
        extra = sorted(set(evidence) - set(labels))
        if extra:
            problems.append(f"evidence for labels not in 'labels': {', '.join(extra)}")
    scored = row.get("scored")
    meta = {k: str(row[k]) for k in _META_KEYS if k in row}
    group = str(row.get("family") or row.get("writer") or row.get("group") or ident)
    record = LabeledText(
        id=str(ident),
        text=text,
        labels=tuple(labels),
        group=group,
        evidence=evidence,
        decoys=decoys,
        meta=meta,
        scored=tuple(scored) if isinstance(scored, list) else None,
    )
    return record, problems


def read_labeled(
    paths: Iterable[Path], *, require_evidence: bool = False, report: ValidationReport | None = None
) -> Iterator[LabeledText]:
    """Yield valid rows; problems go to ``report`` (or raise DataFileError on the first when none)."""
    known = set(load_taxonomy().ids)
    seen_ids: dict[str, str] = {}
    seen_text: dict[str, str] = {}
    for path in paths:
        try:
            handle = path.open(encoding="utf-8")
        except OSError as exc:
            raise DataFileError(f"{path}: cannot read ({exc.strerror})") from None
        with handle:
            for number, line in enumerate(handle, start=1):
                where = f"{path.name}:{number}"
                if not line.strip():
                    continue
                try:
                    record, problems = _parse_row(json.loads(line), known, require_evidence)
                except (json.JSONDecodeError, ValueError) as exc:
                    problems, record = [f"invalid JSON object ({exc})"], None
                if record is not None:
                    if record.id in seen_ids:
                        problems.append(f"duplicate id {record.id!r} (first at {seen_ids[record.id]})")
                    print_ = _fingerprint(record.text)
                    if record.text and print_ in seen_text:
                        problems.append(f"duplicate text (same as {seen_text[print_]})")
                    seen_ids.setdefault(record.id, where)
                    seen_text.setdefault(print_, where)
                if problems:
                    if report is None:
                        raise DataFileError(f"{where}: {problems[0]}")
                    report.problems.extend(f"{where}: {p}" for p in problems)
                    continue
                assert record is not None
                if report is not None:
                    report.letters += 1
                yield record


def validate_corpus(path: Path) -> ValidationReport:
    """Check every corpus row: JSON, labels in the taxonomy, evidence present and exact, no duplicates."""
    report = ValidationReport()
    for _ in read_labeled(corpus_files(path), require_evidence=True, report=report):
        pass
    return report


def load_corpus(path: Path) -> list[LabeledText]:
    """All rows of a corpus directory or labeled JSONL file; raises on the first invalid row."""
    return list(read_labeled(corpus_files(path)))


def corpus_stats(letters: list[LabeledText]) -> dict[str, Any]:
    """Counts for the datasheet: per label, payer type, shape, writer; multi-label share; treatments."""
    from collections import Counter

    def count(key: str) -> dict[str, int]:
        return dict(Counter(letter.meta.get(key, "?") for letter in letters).most_common())

    labels = Counter(label for letter in letters for label in letter.labels)
    multi = sum(1 for letter in letters if len(letter.labels) > 1)
    return {
        "letters": len(letters),
        "families": len({letter.group for letter in letters}),
        "multi_label": multi,
        "multi_label_share": round(multi / len(letters), 3) if letters else 0.0,
        "no_reason": sum(1 for letter in letters if not letter.labels),
        "labels": dict(labels.most_common()),
        "payers": len({letter.meta.get("payer", "?") for letter in letters}),
        "treatments": len({letter.meta.get("treatment", "?").lower() for letter in letters}),
        "payer_types": count("payer_type"),
        "shapes": count("shape"),
        "writers": count("writer"),
        "with_decoys": sum(1 for letter in letters if letter.decoys),
    }


STATS_BEGIN = "<!-- corpus-stats:begin (generated by `denialparse corpus stats --markdown`) -->"
STATS_END = "<!-- corpus-stats:end -->"


def stats_markdown(stats: dict[str, Any]) -> str:
    """The datasheet's counts block, regenerated from the corpus so it never drifts."""

    def table(title: str, counts: dict[str, int]) -> list[str]:
        rows = [f"| {title} | letters |", "|---|---|"]
        rows += [f"| {key} | {value} |" for key, value in counts.items()]
        return rows

    lines = [
        STATS_BEGIN,
        f"- Letters: {stats['letters']} in {stats['families']} families by {len(stats['writers'])} writers",
        f"- Multi-reason letters: {stats['multi_label']} ({stats['multi_label_share']:.1%})",
        f"- Distinct payers: {stats['payers']}; distinct treatments: {stats['treatments']}",
        f"- Letters with decoy sentences (reason words that give no reason): {stats['with_decoys']}",
        "",
        *table("label", stats["labels"]),
        "",
        *table("payer type", stats["payer_types"]),
        "",
        *table("writer", stats["writers"]),
        STATS_END,
    ]
    return "\n".join(lines)


def grouped_split(
    letters: list[LabeledText], test_fraction: float, seed: int
) -> tuple[list[LabeledText], list[LabeledText]]:
    """Split by family so that no family is in both parts."""
    import random

    groups = sorted({letter.group for letter in letters})
    random.Random(seed).shuffle(groups)
    test_groups = set(groups[: max(1, round(len(groups) * test_fraction))])
    train = [letter for letter in letters if letter.group not in test_groups]
    test = [letter for letter in letters if letter.group in test_groups]
    return train, test


def to_row(letter: LabeledText) -> dict[str, Any]:
    """A letter back as a corpus JSONL row."""
    row: dict[str, Any] = {"id": letter.id, **letter.meta}
    row.update(
        {
            "family": letter.group,
            "labels": list(letter.labels),
            "evidence": {k: list(v) for k, v in letter.evidence.items()},
            "text": letter.text,
        }
    )
    if letter.decoys:
        row["decoys"] = {k: list(v) for k, v in letter.decoys.items()}
    return row
