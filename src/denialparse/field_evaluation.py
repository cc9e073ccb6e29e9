"""Measure the field extractor against gold annotations (``corpus/fields/*.jsonl``).

Each gold row is ``{"id": letter id, "fields": {...}}`` (see ``corpus/fields/README.md``). Per field: precision
(correct / predicted), recall (correct / gold present) and exact match (prediction equals gold, "not found"
included). Comparison rules are per kind of field: IDs exact after whitespace/case folding, dates as calendar
dates, codes as sets, free text (service, provider) by word overlap (a shorter service that names the same thing
counts), payer by name containment.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from denialparse.corpus import LabeledText
from denialparse.datatypes import Document
from denialparse.errors import DataFileError
from denialparse.facts import extract_facts
from denialparse.fields import DATE_PATTERN, FIELD_NAMES, parse_date
from denialparse.resources import read_yaml

# The extractor's own fields that have gold (funding and the appeal address/fax have none), then the deadline's.
_NO_GOLD = ("plan_funding", "appeal_address", "appeal_fax", "external_review")
SCALAR_FIELDS = (
    *(name for name in FIELD_NAMES if name not in _NO_GOLD),
    "appeal_window_days",
    "expedited_available",
    "external_review_mentioned",
)
CODE_FIELDS = ("cpt_hcpcs", "icd10", "ndc", "carc", "rarc")
GROUPS = {
    "ids": ("member_id", "group_number", "claim_number"),
    "dates": ("letter_date", "service_date"),
    "codes": CODE_FIELDS,
    "payer, plan type, service": ("payer", "plan_type", "service"),
}


@dataclass(frozen=True)
class GoldFields:
    id: str
    fields: dict[str, Any]


class GoldSets(BaseModel):
    """``corpus/fields/sets.yaml``: the role of each gold file."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    version: int
    development: list[str]
    held_out: list[str] = Field(alias="held-out")


GOLD_SETS_FILE = "sets.yaml"
GOLD_SET_NAMES = ("development", "held-out")


def load_gold_sets(directory: Path) -> dict[str, list[Path]]:
    """The gold files of each role, checked: every ``*.jsonl`` in ``directory`` has exactly one role."""
    import yaml

    try:
        sets = GoldSets.model_validate(read_yaml(directory / GOLD_SETS_FILE))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise DataFileError(f"{directory / GOLD_SETS_FILE}: {where}: {first['msg']}") from None
    except (OSError, yaml.YAMLError) as exc:
        raise DataFileError(f"{directory / GOLD_SETS_FILE}: {str(exc).splitlines()[0]}") from None
    named = sets.development + sets.held_out
    present = sorted(path.name for path in directory.glob("*.jsonl"))
    if sorted(named) != present:
        raise DataFileError(
            f"{directory / GOLD_SETS_FILE}: each gold file needs exactly one role "
            f"(files: {', '.join(present)}; named: {', '.join(sorted(named))})"
        )
    return {
        "development": [directory / name for name in sets.development],
        "held-out": [directory / name for name in sets.held_out],
    }


def load_gold(*paths: Path) -> list[GoldFields]:
    """Gold rows from files or directories of ``*.jsonl`` files, in order; a file named twice is read once."""
    files: list[Path] = []
    for path in paths:
        found = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
        if not found or not all(f.is_file() for f in found):
            raise DataFileError(f"{path}: no gold field files")
        files.extend(f for f in found if f.resolve() not in {seen.resolve() for seen in files})
    rows: list[GoldFields] = []
    for file in files:
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
                rows.append(GoldFields(str(raw["id"]), dict(raw["fields"])))
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                raise DataFileError(f"{file.name}:{number}: invalid gold row ({exc})") from None
    return rows


def _norm(value: str) -> str:
    return " ".join(value.casefold().split())


def _words(value: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", value.casefold())) - {"the", "of", "and", "for", "a", "an", "in", "to"}


def _overlap(predicted: str, gold: str) -> bool:
    p, g = {_singular(w) for w in _words(predicted)}, {_singular(w) for w in _words(gold)}
    if not p or not g:
        return False
    common = len(p & g)
    # Most of the gold words must be there; extra detail (dose, quantity, codes) is fine, a different thing is not.
    first_gold_word = re.findall(r"[a-z0-9]+", gold.casefold())[:1]
    starts_alike = bool(first_gold_word) and predicted.casefold().lstrip("( ").startswith(first_gold_word[0])
    if common / len(g) >= 0.6 and (common / len(p) >= 0.25 or starts_alike):
        return True
    return _names_part_of(p, g)


# Words that name a kind of service, not which one: "visits" alone does not say "chiropractic visits".
_GENERIC_SERVICE_WORDS = frozenset(
    "visit service session therapy treatment test testing care drug procedure stay claim payment line study "
    "device admission day week month request item supply dose course medication infusion injection level".split()
)


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _names_part_of(predicted: set[str], gold: set[str]) -> bool:
    """A shorter prediction that names the same thing: "Zurzuvae" for "ZURZUVAE (zuranolone) 50 mg capsules".

    Every predicted word (singular) is in the gold and at least one is distinctive (not a generic service word).
    The prediction's own detail (a dose, a quantity, a billing code) is let pass, as the overlap rule lets the
    gold's: "Infliximab 5 mg/kg" for "Infliximab (Remicade)".
    """
    named = {w for w in predicted if not _DETAIL_WORD.fullmatch(w)}
    return named <= gold and bool(named - _GENERIC_SERVICE_WORDS)


# A number, a unit of a dose or quantity, or a CPT/HCPCS code ("j0897", "97110"), as _words gives them.
_DETAIL_WORD = re.compile(r"\d+|[a-z]\d{4}|\d{4}[a-z]|mg|mcg|ml|kg|g|units?|x|iu")


def _service_match(predicted: str, gold: str) -> bool:
    """A gold entry that joins several denied services with "; " (one annotator's convention; the others give
    the first, or the one the letter leads with) is matched by a prediction naming it whole or any one of them."""
    parts = [part for part in gold.split(";") if part.strip()]
    return _overlap(predicted, gold) or (len(parts) > 1 and any(_overlap(predicted, part) for part in parts))


_GENERIC_NAME_WORDS = frozenset(
    "dr md do np psyd phd rn the of and for health medical center centre clinic associates llc inc group care "
    "services hospital institute partners practice".split()
)


def _shares_a_name(predicted: str, gold: str) -> bool:
    """Providers: "Dr. Akande" and "Oluwaseun Akande, MD" are the same; a shared distinctive word decides."""
    return bool((_words(predicted) & _words(gold)) - _GENERIC_NAME_WORDS)


def _contains_either(predicted: str, gold: str) -> bool:
    return _norm(predicted) in _norm(gold) or _norm(gold) in _norm(predicted)


def _same_text(predicted: str, gold: str) -> bool:
    return _norm(predicted) == _norm(gold)


_WEEKDAY = re.compile(r"^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*\.?,?\s+", re.IGNORECASE)


def _month_day(text: str) -> tuple[int, int] | None:
    """A date written without its year: "06/28", "June 28", "28 June"."""
    text = text.strip().rstrip(".")
    if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})", text):
        return int(m[1]), int(m[2])
    if m := re.fullmatch(r"([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?", text):
        month = parse_date(f"{m[1]} 1, 2000")
        return (month.month, int(m[2])) if month else None
    if m := re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([A-Za-z]+)", text):
        month = parse_date(f"{m[2]} 1, 2000")
        return (month.month, int(m[1])) if month else None
    return None


def _same_date(predicted: str, gold: str, *, without_year: bool = False) -> bool:
    """The same calendar date; with ``without_year``, a date written without its year (a service date in "your
    visit on 06/28") matches on month and day alone."""
    predicted, gold = _WEEKDAY.sub("", predicted), _WEEKDAY.sub("", gold)
    a, b = parse_date(predicted), parse_date(gold)
    if a is not None and b is not None:
        return a == b
    if without_year:
        day_a = (a.month, a.day) if a is not None else _month_day(predicted)
        day_b = (b.month, b.day) if b is not None else _month_day(gold)
        if day_a is not None and day_b is not None:
            return day_a == day_b
    return a is None and b is None and _norm(predicted) == _norm(gold)


def _payer_match(predicted: str, gold: str) -> bool:
    p, g = _norm(predicted), _norm(gold)
    return p in g or g in p or bool(_words(predicted) & _words(gold) - {"health", "plan", "healthcare", "care"})


def _name_match(predicted: str, gold: str) -> bool:
    strip = re.compile(r"\b(?:mr|mrs|ms|dr|miss)\.?\s+", re.IGNORECASE)
    return _norm(strip.sub("", predicted)) == _norm(strip.sub("", gold))


def _reviewer_match(predicted: str, gold: str) -> bool:
    gold_names = [w for w in re.findall(r"[A-Za-z'’-]+", gold) if w[0].isupper() and len(w) > 2]
    return bool(gold_names) and gold_names[0].casefold() in predicted.casefold()


COMPARE: dict[str, Callable[[str, str], bool]] = {
    "payer": _payer_match,
    "service": _service_match,
    "provider": _shares_a_name,
    "policy": lambda predicted, gold: _contains_either(predicted, gold) or _overlap(predicted, gold),
    "reviewer": _reviewer_match,
    "patient_name": _name_match,
    "letter_date": _same_date,
}


def _normalise_carc(code: str) -> str:
    return code.upper().replace(" ", "").split("-")[-1]


def predict(document: Document) -> dict[str, Any]:
    """The extractor's answer for one letter, in the gold schema: what the product reports (codes inside the ID
    fields' spans, "Member number: H4512 22804117", are not codes)."""
    facts = extract_facts(document)
    fields, codes, deadline = facts.fields, facts.codes, facts.deadline
    result: dict[str, Any] = {name: fields[name].value for name in fields if name in SCALAR_FIELDS}
    result["appeal_window_days"] = deadline.window_days if deadline and deadline.source == "letter" else None
    result["expedited_available"] = bool(deadline and deadline.expedited_available)
    result["external_review_mentioned"] = fields["external_review"].found
    by_system: dict[str, list[str]] = {name: [] for name in CODE_FIELDS}
    for code in codes:
        key = "cpt_hcpcs" if code.system in ("cpt", "hcpcs") else code.system
        if key in by_system:
            by_system[key].append(code.code)
    result.update(by_system)
    return result


def _gold_value(gold: dict[str, Any], name: str) -> Any:
    if name == "service_date":
        return gold.get("service_dates") or []
    return gold.get(name)


_OPEN_RANGE = re.compile(
    rf"({DATE_PATTERN})\s+"
    r"(?:forward|onwards?|and\s+(?:after|later|following)|(?:to|through)\s+(?:present|discharge|date))",
    re.IGNORECASE,
)


def _first_date_of(gold: str) -> str:
    """The first date a gold entry names: a range "03/17/2025 - 03/28/2025" by its start, and a list sharing one
    year ("09/08, 09/10 and 09/12/2025", "June 3, 5 and 12, 2024") by its first item with that year."""
    first = re.split(r"\s+(?:-|to|through|~)\s+|(?<=\d)-(?=\d{1,2}/)", gold)[0]  # "05/13-05/31/24" too
    if parse_date(first):
        return first
    # An open range: "11/19/2024 forward", "03/20/2025 onward", "01/06/2025 and after".
    if (lead := _OPEN_RANGE.fullmatch(first)) and parse_date(lead[1]):
        return lead[1]
    items = re.split(r",\s*(?:and\s+)?|\s+and\s+", gold)
    if len(items) == 1:
        return first
    head = items[0].strip()
    # The shared year ends the list: "09/12/2025" or "09/12/25" (never the day of "09/12"), or "17, 2025".
    year = re.search(r"(?:\d{1,2}/\d{1,2}/(\d{4}|\d{2})|(\d{4}))\s*$", gold)
    if year:
        if re.fullmatch(r"\d{1,2}/\d{1,2}", head):
            return f"{head}/{year[1] or year[2]}"
        if re.fullmatch(r"[A-Za-z]+\.?\s+\d{1,2}", head):
            return f"{head}, {year[1] or year[2]}"
    # A list without a year ("8/21, 8/28 and 9/4") by its first item, compared as written; a range by its start.
    return head if first == gold else first


def scalar_correct(name: str, predicted: Any, gold: Any) -> bool:
    if name == "service_date":
        # Both sides by their first date: a list or range predicted as written in the letter counts when it starts
        # where the gold starts (the gold may also split one list into entries).
        if predicted is None:
            return False
        first = _first_date_of(str(predicted))
        return any(_same_date(first, _first_date_of(str(g)), without_year=True) for g in gold)
    if isinstance(gold, bool | int):
        return bool(predicted == gold)
    compare = COMPARE.get(name, _same_text)
    return predicted is not None and gold is not None and compare(str(predicted), str(gold))


def annotation_as_prediction(fields: dict[str, Any]) -> dict[str, Any]:
    """A gold row read as a prediction, to score one annotator against another by the extractor's rules: the first
    service date stands for the list (a prediction is one value; a list counts by its first date either way)."""
    result: dict[str, Any] = {name: fields.get(name) for name in SCALAR_FIELDS}
    dates = fields.get("service_dates") or []
    result["service_date"] = dates[0] if dates else None
    for name in ("expedited_available", "external_review_mentioned"):
        result[name] = bool(fields.get(name))
    result.update({name: list(fields.get(name) or []) for name in CODE_FIELDS})
    return result


def evaluate_fields(
    letters: dict[str, LabeledText],
    gold_rows: Sequence[GoldFields],
    documents: Callable[[LabeledText], Document],
) -> dict[str, Any]:
    """Per-field precision, recall and exact match of the extractor; per-group means; the mismatches."""

    def extracted(row: GoldFields) -> dict[str, Any]:
        letter = letters.get(row.id)
        if letter is None:
            raise DataFileError(f"gold row {row.id!r} names no corpus letter")
        return predict(documents(letter))

    return score_predictions(gold_rows, extracted)


def evaluate_agreement(second: Sequence[GoldFields], gold_rows: Sequence[GoldFields]) -> dict[str, Any]:
    """A second annotation of gold letters scored against the gold as if it were the extractor: how often two
    annotators agree under the same comparison rules, the ceiling an exact-match figure can be read against."""
    by_id = {row.id: row for row in second}
    shared = [row for row in gold_rows if row.id in by_id]
    if not shared:
        raise DataFileError("the second annotation names none of the gold letters")
    return score_predictions(shared, lambda row: annotation_as_prediction(by_id[row.id].fields))


def score_predictions(
    gold_rows: Sequence[GoldFields], predicted_for: Callable[[GoldFields], dict[str, Any]]
) -> dict[str, Any]:
    """Per-field precision, recall and exact match of predictions in the gold schema (see :func:`predict`)."""
    counts: dict[str, dict[str, int]] = {
        name: {"predicted": 0, "gold": 0, "correct": 0, "exact": 0, "rows": 0} for name in SCALAR_FIELDS + CODE_FIELDS
    }
    mismatches: list[dict[str, Any]] = []
    for row in gold_rows:
        predicted = predicted_for(row)
        for name in SCALAR_FIELDS:
            gold = _gold_value(row.fields, name)
            value = predicted.get(name)
            entry = counts[name]
            entry["rows"] += 1
            gold_present = gold not in (None, [], False) if not isinstance(gold, bool) else gold
            value_present = value not in (None, False)
            correct = scalar_correct(name, value, gold) if value_present and gold_present else False
            entry["predicted"] += int(value_present)
            entry["gold"] += int(gold_present)
            entry["correct"] += int(correct)
            exact = correct or (not value_present and not gold_present)
            entry["exact"] += int(exact)
            if not exact:
                mismatches.append({"id": row.id, "field": name, "predicted": value, "gold": gold})
        for name in CODE_FIELDS:
            normalise = _normalise_carc if name == "carc" else str.upper
            gold_set = {normalise(c) for c in row.fields.get(name) or []}
            predicted_set = {normalise(c) for c in predicted.get(name) or []}
            entry = counts[name]
            entry["rows"] += 1
            entry["predicted"] += len(predicted_set)
            entry["gold"] += len(gold_set)
            entry["correct"] += len(predicted_set & gold_set)
            entry["exact"] += int(predicted_set == gold_set)
            if predicted_set != gold_set:
                mismatches.append(
                    {"id": row.id, "field": name, "predicted": sorted(predicted_set), "gold": sorted(gold_set)}
                )
    per_field = {}
    for name, entry in counts.items():
        precision = entry["correct"] / entry["predicted"] if entry["predicted"] else None
        recall = entry["correct"] / entry["gold"] if entry["gold"] else None
        per_field[name] = {
            "precision": round(precision, 4) if precision is not None else None,
            "recall": round(recall, 4) if recall is not None else None,
            "exact_match": round(entry["exact"] / entry["rows"], 4) if entry["rows"] else None,
            **entry,
        }
    groups = {
        group: round(sum(per_field[name]["exact_match"] or 0 for name in names) / len(names), 4)
        for group, names in GROUPS.items()
    }
    return {"letters": len(gold_rows), "per_field": per_field, "groups": groups, "mismatches": mismatches}
