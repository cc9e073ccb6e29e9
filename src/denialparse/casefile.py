"""Case facts: what the denial letter cannot know (patient, clinician, treatment history), from YAML or JSON.

Unknown keys are rejected so a typo never silently drops a fact; every field is optional because a partial case
is normal, and the recommender reports what is still missing. See ``examples/case.yaml``.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

from denialparse.errors import DataFileError
from denialparse.knowledge import Funding, PlanType

MAX_CASE_BYTES = 1_000_000


def _as_text(value: Any) -> Any:
    """YAML reads 2026-03-10 as a date and 12345 as a number; a case fact is always text."""
    if isinstance(value, dt.date | int | float) and not isinstance(value, bool):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return value


Text = Annotated[str, BeforeValidator(_as_text)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Author(_Section):
    name: Text | None = None
    role: Literal["patient", "provider", "advocate", "family"] | None = None
    address: Text | None = None
    phone: Text | None = None
    email: Text | None = None


class Patient(_Section):
    name: Text | None = None
    date_of_birth: Text | None = None
    member_id: Text | None = None
    group_number: Text | None = None


class PlanInfo(_Section):
    insurer: Text | None = None
    name: Text | None = None
    type: PlanType | None = None
    funding: Funding | None = None
    state: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")


class Claim(_Section):
    number: Text | None = None
    authorization_number: Text | None = None
    date_of_service: Text | None = None
    denial_date: Text | None = None
    authorization_note: Text | None = None
    network_gap: Text | None = None
    coding_correction: Text | None = None


class Diagnosis(_Section):
    description: Text | None = None
    icd10: str | None = Field(default=None, pattern=r"^[A-TV-Z][0-9][0-9AB](\.[0-9A-Z]{1,4})?$")


class Treatment(_Section):
    name: Text | None = None
    treatment_class: str | None = Field(default=None, alias="class")
    supporting_literature: list[Text] | None = None


class Prescriber(_Section):
    name: Text | None = None
    credentials: Text | None = None
    practice: Text | None = None
    phone: Text | None = None


class Trial(_Section):
    drug: Text
    dose: Text | None = None
    duration: Text | None = None
    result: Text | None = None


class Score(_Section):
    scale: Text
    score: Text
    date: Text | None = None


class History(_Section):
    failed_trials: list[Trial] | None = None
    augmentation: list[Text] | None = None
    procedures: list[Text] | None = None
    esketamine: Text | None = None
    severity_scores: list[Score] | None = None
    suicidality: Text | None = None
    functional_impact: Text | None = None
    treatment_plan: Text | None = None
    alternatives_unsuitable: Text | None = None
    criteria_met: Text | None = None


class CaseFacts(_Section):
    """The case file; ``urgent`` asks for expedited handling."""

    version: int = 1
    author: Author = Author()
    patient: Patient = Patient()
    plan: PlanInfo = PlanInfo()
    claim: Claim = Claim()
    diagnosis: Diagnosis = Diagnosis()
    treatment: Treatment = Treatment()
    prescriber: Prescriber = Prescriber()
    history: History = History()
    urgent: bool = False
    enclosures: list[str] = []

    @field_validator("version")
    @classmethod
    def _known_version(cls, version: int) -> int:
        if version != 1:
            raise ValueError(f"unsupported case file version {version} (this tool reads version 1)")
        return version

    def lookup(self, dotted: str) -> Any:
        """The value at a dotted path such as ``patient.name`` (None when absent or empty)."""
        value: Any = self
        for part in dotted.split("."):
            if value is None:
                return None
            key = "treatment_class" if part == "class" else part
            value = getattr(value, key, None)
        if value in ("", [], None):
            return None
        return value


def load_case(path: Path) -> CaseFacts:
    """Read and validate a case file; a bad file raises DataFileError naming the file and the first problem."""
    try:
        if path.stat().st_size > MAX_CASE_BYTES:
            raise DataFileError(f"{path.name}: case file is larger than {MAX_CASE_BYTES // 1000} kB")
        raw_text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(f"{path.name}: cannot read case file ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise DataFileError(f"{path.name}: case file is not UTF-8 text") from None
    try:
        raw = json.loads(raw_text) if path.suffix.lower() == ".json" else yaml.safe_load(raw_text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise DataFileError(f"{path.name}: case file is not valid YAML/JSON ({str(exc).splitlines()[0]})") from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise DataFileError(f"{path.name}: case file must be a mapping of sections (author, patient, ...)")
    try:
        return CaseFacts.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"]) or "case"
        raise DataFileError(f"{path.name}: {where}: {error['msg']}") from None
