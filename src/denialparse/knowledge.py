"""The appeal knowledge base: sources (law, codes, studies), arguments, treatment classes and case facts.

Each lives in one versioned YAML file under ``data/`` with a pydantic schema; :func:`validate_knowledge`
also checks what a schema cannot: every citation resolves, unverified [U] sources are never cited, partly
verified [P] sources only from arguments marked ``hedged``, and every template expression names a known fact.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal

from jinja2 import TemplateSyntaxError, meta
from jinja2.sandbox import SandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, field_validator

from denialparse.errors import DataFileError
from denialparse.resources import DATA_DIR, read_validated
from denialparse.taxonomy import load_taxonomy

Mark = Literal["V", "P", "U"]
PlanType = Literal[
    "employer",
    "individual",
    "medicaid",
    "medicare_advantage",
    "medicare_part_d",
    "federal_employee",
    "state_employee",
    "tricare",
    "other",
    "unknown",
]
Funding = Literal["self_funded", "fully_insured", "unknown"]
ALL_REASONS = "*"
_CITE_CALL = re.compile(r"""cite\(\s*["']([a-z0-9_]+)["']\s*\)""")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(_Strict):
    """One citable fact with its provenance; ``ref`` is the row in shared/reference/facts.md."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    citation: str = Field(min_length=3)
    supports: str = Field(min_length=10)
    url: str = Field(pattern=r"^https?://")
    mark: Mark
    ref: str


class Conditions(_Strict):
    plan_types: list[PlanType] | None = None
    funding: list[Funding] | None = None
    states: list[str] | None = None
    treatment_classes: list[str] | None = None
    behavioral_health: bool | None = None
    urgent: bool | None = None

    @field_validator("states")
    @classmethod
    def _state_codes(cls, states: list[str] | None) -> list[str] | None:
        for state in states or []:
            if not re.fullmatch(r"[A-Z]{2}", state):
                raise ValueError(f"state {state!r} is not a two-letter code")
        return states


class Argument(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    answers: list[str] = Field(min_length=1)
    order: int
    when: Conditions = Conditions()
    hedged: bool = False
    citations: list[str]
    text: list[str] = Field(min_length=1)


class TreatmentClass(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    behavioral_health: bool
    patterns: list[str]


class FactSpec(_Strict):
    case: str = Field(pattern=r"^[a-z_]+(\.[a-z0-9_]+)*$")
    letter: str | None = None
    description: str


class _SourcesFile(_Strict):
    version: int
    sources: list[Source]


class _ArgumentsFile(_Strict):
    version: int
    arguments: list[Argument]


class _TreatmentsFile(_Strict):
    version: int
    classes: list[TreatmentClass]


class _FactsFile(_Strict):
    version: int
    facts: dict[str, FactSpec]


class KnowledgeBase(_Strict):
    """All four files, cross-checked."""

    sources: dict[str, Source]
    arguments: tuple[Argument, ...]
    treatments: tuple[TreatmentClass, ...]
    facts: dict[str, FactSpec]
    versions: dict[str, int]

    def source(self, source_id: str) -> Source:
        return self.sources[source_id]


FILES = {
    "sources": "sources.yaml",
    "arguments": "arguments.yaml",
    "treatments": "treatments.yaml",
    "facts": "case_facts.yaml",
}


def template_variables(text: str) -> set[str]:
    """The fact names a text block uses (``cite`` excluded); raises on Jinja syntax errors."""
    environment = SandboxedEnvironment()
    return set(meta.find_undeclared_variables(environment.parse(text))) - {"cite"}


def cross_check(kb: KnowledgeBase) -> list[str]:
    """Problems that span files; an empty list means the knowledge base is consistent."""
    problems: list[str] = []
    labels = set(load_taxonomy().ids) | {ALL_REASONS}
    classes = {t.id for t in kb.treatments}
    seen: set[str] = set()
    for argument in kb.arguments:
        where = f"arguments.yaml: {argument.id}"
        if argument.id in seen:
            problems.append(f"{where}: duplicate argument id")
        seen.add(argument.id)
        for label in argument.answers:
            if label not in labels:
                problems.append(f"{where}: answers unknown label {label!r}")
        for class_id in argument.when.treatment_classes or []:
            if class_id not in classes:
                problems.append(f"{where}: unknown treatment class {class_id!r}")
        for source_id in argument.citations:
            source = kb.sources.get(source_id)
            if source is None:
                problems.append(f"{where}: cites unknown source {source_id!r}")
            elif source.mark == "U":
                problems.append(f"{where}: cites unverified [U] source {source_id!r}")
            elif source.mark == "P" and not argument.hedged:
                problems.append(f"{where}: cites partly verified [P] source {source_id!r} but is not hedged")
        for block in argument.text:
            try:
                variables = template_variables(block)
            except TemplateSyntaxError as exc:
                problems.append(f"{where}: template error: {exc.message}")
                continue
            for name in sorted(variables - set(kb.facts)):
                problems.append(f"{where}: unknown fact {name!r}")
            for cited in _CITE_CALL.findall(block):
                if cited not in argument.citations:
                    problems.append(f"{where}: cite({cited!r}) is not listed in citations")
    for treatment in kb.treatments:
        for pattern in treatment.patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                problems.append(f"treatments.yaml: {treatment.id}: bad pattern {pattern!r} ({exc})")
    ids = [s.id for s in kb.sources.values()]
    if len(ids) != len(set(ids)):
        problems.append("sources.yaml: duplicate source id")
    return problems


def load_knowledge(directory: Path = DATA_DIR) -> KnowledgeBase:
    """Read and cross-check the knowledge base; any problem raises DataFileError naming file and entry."""
    sources = read_validated(directory / FILES["sources"], _SourcesFile)
    arguments = read_validated(directory / FILES["arguments"], _ArgumentsFile)
    treatments = read_validated(directory / FILES["treatments"], _TreatmentsFile)
    facts = read_validated(directory / FILES["facts"], _FactsFile)
    source_map: dict[str, Source] = {}
    for source in sources.sources:
        if source.id in source_map:
            raise DataFileError(f"sources.yaml: duplicate source id {source.id!r}")
        source_map[source.id] = source
    kb = KnowledgeBase(
        sources=source_map,
        arguments=tuple(sorted(arguments.arguments, key=lambda a: (a.order, a.id))),
        treatments=tuple(treatments.classes),
        facts=facts.facts,
        versions={
            "sources": sources.version,
            "arguments": arguments.version,
            "treatments": treatments.version,
            "facts": facts.version,
        },
    )
    problems = cross_check(kb)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise DataFileError(problems[0] + more)
    return kb


@lru_cache(maxsize=2)
def default_knowledge() -> KnowledgeBase:
    return load_knowledge(DATA_DIR)
