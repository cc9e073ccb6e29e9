"""Draft stage: render a letter from a Plan with the Jinja2 templates in ``templates/``.

Analysis + Plan + CaseFacts -> Letter. Each letter kind has one Markdown template, ``<kind>.md.j2``; the other
formats (HTML, DOCX, PDF) are converted from it by :mod:`denialparse.formats`. A fact the case lacks renders as a
visible ``[[MISSING: ...]]`` marker and is listed on the Letter, never invented.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from jinja2 import FileSystemLoader, TemplateNotFound

from denialparse.casefile import CaseFacts
from denialparse.datatypes import Analysis, Citation, Letter, Plan, SelectedArgument
from denialparse.errors import UsageError
from denialparse.formats import convert
from denialparse.knowledge import KnowledgeBase, default_knowledge
from denialparse.recommend import gather_facts, missing_fact_environment
from denialparse.resources import LETTER_FORMATS, templates_dir
from denialparse.taxonomy import load_taxonomy

# Which arguments each letter carries: all of them, only the clinical ones, or only the records requests.
_ARGUMENT_FILTER = {
    "appeal": None,
    "external-review": None,
    "lmn": "clinical",
    "claim-file": "records",
}
_RECORDS_ARGUMENTS = ("core_request_file_and_criteria", "core_parity_criteria_disclosure")
DEFAULT_ENCLOSURES = (
    "Copy of the denial letter",
    "Letter of medical necessity from the treating clinician",
    "Relevant medical records",
)


def available_letters() -> dict[str, tuple[str, ...]]:
    """The letter kinds that have a template, each in every format."""
    kinds = sorted(path.name.split(".")[0] for path in templates_dir().glob("*.md.j2"))
    return dict.fromkeys(kinds, LETTER_FORMATS)


def _arguments_for(kind: str, plan: Plan) -> tuple[SelectedArgument, ...]:
    selection = _ARGUMENT_FILTER.get(kind)
    if selection == "clinical":
        return tuple(a for a in plan.arguments if a.answers != ("all",))
    if selection == "records":
        return tuple(a for a in plan.arguments if a.id in _RECORDS_ARGUMENTS)
    return plan.arguments


def _unique_citations(arguments: tuple[SelectedArgument, ...]) -> list[Citation]:
    seen: dict[str, Citation] = {}
    for argument in arguments:
        for citation in argument.citations:
            seen.setdefault(citation.id, citation)
    return list(seen.values())


def _quotes(analysis: Analysis, labels: set[str]) -> list[str]:
    quotes: list[str] = []
    for reason in analysis.reasons:
        if reason.label in labels and reason.sentences:
            sentence = " ".join(reason.sentences[0].text.split())
            if sentence not in quotes:
                quotes.append(sentence)
    return quotes


def draft(
    analysis: Analysis,
    plan: Plan,
    case: CaseFacts | None = None,
    *,
    kind: str = "appeal",
    fmt: str = "md",
    knowledge: KnowledgeBase | None = None,
    today: dt.date | None = None,
) -> Letter:
    """Render one letter; raises UsageError for a kind or format that has no template."""
    kb = knowledge or default_knowledge()
    letters = available_letters()
    if kind not in letters or fmt not in letters[kind]:
        choices = ", ".join(f"{k} ({'/'.join(f)})" for k, f in sorted(letters.items()))
        raise UsageError(f"no template for letter {kind!r} in format {fmt!r}; available: {choices}")
    facts = gather_facts(analysis, case, kb)
    arguments = _arguments_for(kind, plan)
    taxonomy = load_taxonomy()
    answered = {label for argument in plan.arguments for label in argument.answers}
    labels = [r.label for r in analysis.reasons if r.label in answered]
    missing: list[str] = []
    environment = missing_fact_environment(
        {name: spec.description for name, spec in kb.facts.items()},
        missing,
        loader=FileSystemLoader(str(templates_dir())),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    try:
        template = environment.get_template(f"{kind}.md.j2")
    except TemplateNotFound as exc:  # pragma: no cover - guarded by available_letters
        raise UsageError(f"template not found: {exc.name}") from None
    context: dict[str, Any] = dict(facts)
    context.update(
        today=(today or dt.date.today()).strftime("%B %d, %Y").replace(" 0", " "),
        reasons=[taxonomy.name_of(label) for label in labels] or ["not stated clearly"],
        quotes=_quotes(analysis, set(labels)),
        arguments=arguments,
        citations=_unique_citations(arguments),
        kind=kind,
        trials=list(case.history.failed_trials or []) if case is not None else [],
        scores=list(case.history.severity_scores or []) if case is not None else [],
        enclosures=list(DEFAULT_ENCLOSURES) + (list(case.enclosures) if case is not None else []),
        urgent=bool(case.urgent) if case is not None else False,
        deadline=analysis.deadline,
    )
    text = template.render(context).strip() + "\n"
    for argument in arguments:
        for gap in argument.missing:
            if gap not in missing:
                missing.append(gap)
    stem = analysis.document.source.rsplit("/", 1)[-1].rsplit(".", 1)[0] or "letter"
    title = f"{kind.replace('-', ' ').title()} - {stem}"
    return Letter(
        kind=kind,
        format=fmt,
        content=convert(text, fmt, title),
        filename=f"{stem}-{kind}.{fmt}",
        missing=tuple(missing),
    )
