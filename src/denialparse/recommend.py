"""Recommend stage: choose the appeal arguments that answer the detected reasons, render them with the case facts.

Analysis + CaseFacts -> Plan. Which argument applies is decided by the data in ``arguments.yaml`` (reasons, plan
type, funding, state, treatment class); facts come from the case file first and the letter second, and every fact
found nowhere becomes a visible ``[[MISSING: ...]]`` marker and a gap in the plan.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jinja2 import Undefined
from jinja2.sandbox import SandboxedEnvironment

from denialparse.casefile import CaseFacts, Score, Trial
from denialparse.datatypes import Analysis, Citation, Plan, SelectedArgument
from denialparse.knowledge import ALL_REASONS, Argument, Conditions, KnowledgeBase, default_knowledge

MISSING_FORMAT = "[[MISSING: {}]]"


@dataclass(frozen=True)
class CaseContext:
    """The facts that decide which arguments apply."""

    labels: tuple[str, ...]
    plan_type: str
    funding: str
    state: str | None
    treatment_class: str
    behavioral_health: bool
    urgent: bool


def _format(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(_format(item) for item in value)
    if isinstance(value, Trial):
        details = ", ".join(part for part in (value.dose, value.duration) if part)
        text = f"{value.drug} ({details})" if details else value.drug
        return f"{text}: {value.result}" if value.result else text
    if isinstance(value, Score):
        return f"{value.scale} {value.score}" + (f" on {value.date}" if value.date else "")
    return str(value).strip()


def gather_facts(analysis: Analysis, case: CaseFacts | None, kb: KnowledgeBase) -> dict[str, str]:
    """Every fact known for this appeal, by name: the case file wins over what the letter says."""
    facts: dict[str, str] = {}
    for name, spec in kb.facts.items():
        value = case.lookup(spec.case) if case is not None else None
        if value is None and spec.letter:
            value = analysis.field_value(spec.letter)
        if value is not None and _format(value):
            facts[name] = _format(value)
    return facts


def treatment_class_of(analysis: Analysis, case: CaseFacts | None, kb: KnowledgeBase) -> str:
    """The case's stated class, else the first class whose patterns match the service, else the letter text."""
    known = {t.id for t in kb.treatments}
    if case is not None and case.treatment.treatment_class in known:
        return str(case.treatment.treatment_class)
    service = (case.treatment.name if case is not None else None) or analysis.field_value("service") or ""
    for treatment in kb.treatments:
        if any(re.search(pattern, service, re.IGNORECASE) for pattern in treatment.patterns):
            return treatment.id
    # No service line: the class the letter mentions most ("Ketamine and Esketamine" policy titles name both).
    counts = {
        treatment.id: sum(
            len(re.findall(pattern, analysis.document.text, re.IGNORECASE)) for pattern in treatment.patterns
        )
        for treatment in kb.treatments
    }
    best = max(counts, key=lambda class_id: counts[class_id])
    return best if counts[best] > 0 else "general"


def context_for(analysis: Analysis, case: CaseFacts | None, kb: KnowledgeBase) -> tuple[CaseContext, list[str]]:
    """The deciding facts, and warnings about how they were chosen."""
    warnings: list[str] = []
    labels = analysis.labels
    if not labels:
        labels = tuple(r.label for r in analysis.reasons[:2])
        warnings.append(
            "The denial reason is uncertain; arguments are given for the two most likely reasons: " + ", ".join(labels)
        )
    deadline = analysis.deadline
    if deadline is not None and deadline.days_remaining is not None and deadline.days_remaining < 0:
        warnings.append(
            f"The appeal deadline computed from the letter ({deadline.due}) has passed; check the date you received "
            "the notice, and ask the plan whether a late appeal can be accepted for good cause."
        )
    plan = case.plan if case is not None else None
    plan_type = (plan.type if plan else None) or analysis.field_value("plan_type") or "unknown"
    funding = (plan.funding if plan else None) or "unknown"
    state = (plan.state if plan else None) or analysis.field_value("state")
    treatment = treatment_class_of(analysis, case, kb)
    behavioral = next(t.behavioral_health for t in kb.treatments if t.id == treatment)
    if plan_type in ("employer", "unknown") and funding == "unknown":
        warnings.append(
            "Whether the plan is self-funded or fully insured is unknown; state benefit laws apply only to fully "
            "insured plans (ask the employer or check the plan documents)."
        )
    context = CaseContext(
        labels=labels,
        plan_type=plan_type,
        funding=funding,
        state=state,
        treatment_class=treatment,
        behavioral_health=behavioral,
        urgent=bool(case.urgent) if case is not None else False,
    )
    return context, warnings


def applies(argument: Argument, context: CaseContext) -> bool:
    """Whether an argument answers one of the reasons and all of its conditions hold."""
    if ALL_REASONS not in argument.answers and not set(argument.answers) & set(context.labels):
        return False
    when: Conditions = argument.when
    checks: list[tuple[list[Any] | None, Any]] = [
        (when.plan_types, context.plan_type),
        (when.funding, context.funding),
        (when.states, context.state),
        (when.treatment_classes, context.treatment_class),
    ]
    if any(allowed is not None and value not in allowed for allowed, value in checks):
        return False
    if when.behavioral_health is not None and when.behavioral_health != context.behavioral_health:
        return False
    return when.urgent is None or when.urgent == context.urgent


def missing_fact_environment(descriptions: dict[str, str], missing: list[str], **options: Any) -> SandboxedEnvironment:
    """A sandbox whose undefined names render as visible [[MISSING: ...]] markers and are recorded in ``missing``.

    Used for argument text here and for whole letters in :mod:`denialparse.draft` (``options`` adds the loader).
    """

    class MissingFact(Undefined):
        def __str__(self) -> str:
            name = self._undefined_name or "a fact"
            description = descriptions.get(name, name.replace("_", " "))
            if description not in missing:
                missing.append(description)
            return MISSING_FORMAT.format(description)

    return SandboxedEnvironment(undefined=MissingFact, autoescape=False, **options)


def render_blocks(
    blocks: list[str],
    facts: dict[str, str],
    kb: KnowledgeBase,
    cite: Callable[[str], str] | None = None,
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Render text blocks over the facts; returns the paragraphs and the descriptions of facts missing."""
    descriptions = {name: spec.description for name, spec in kb.facts.items()}
    missing: list[str] = []
    environment = missing_fact_environment(descriptions, missing, keep_trailing_newline=False)
    context: dict[str, Any] = dict(facts)
    context["cite"] = cite or (lambda source_id: kb.source(source_id).citation)
    paragraphs = tuple(" ".join(environment.from_string(block).render(context).split()) for block in blocks)
    return paragraphs, tuple(missing)


def recommend(analysis: Analysis, case: CaseFacts | None = None, knowledge: KnowledgeBase | None = None) -> Plan:
    """The arguments for this denial, in letter order, with their citations and the facts still needed."""
    kb = knowledge or default_knowledge()
    context, warnings = context_for(analysis, case, kb)
    facts = gather_facts(analysis, case, kb)
    selected: list[SelectedArgument] = []
    gaps: list[str] = []
    for argument in kb.arguments:
        if not applies(argument, context):
            continue
        paragraphs, missing = render_blocks(argument.text, facts, kb)
        citations = tuple(
            Citation(
                id=source.id,
                citation=source.citation,
                supports=source.supports,
                source_url=source.url,
                mark=source.mark,
            )
            for source in (kb.source(source_id) for source_id in argument.citations)
        )
        for citation in citations:
            if citation.mark == "P":
                note = f"Check before sending: {citation.citation} is only partly verified (argument {argument.id})."
                if note not in warnings:
                    warnings.append(note)
        answers = tuple(label for label in argument.answers if label in context.labels) or ("all",)
        selected.append(
            SelectedArgument(
                id=argument.id,
                title=argument.title,
                answers=answers,
                paragraphs=paragraphs,
                citations=citations,
                missing=missing,
            )
        )
        gaps.extend(description for description in missing if description not in gaps)
    return Plan(arguments=tuple(selected), gaps=tuple(gaps), warnings=tuple(warnings))
