"""The classification report: one stable JSON shape, and a readable text rendering of the same data.

JSON keys are documented in the README ("Report JSON"); ``schema`` names the version of this shape.
"""

from __future__ import annotations

from typing import Any

from denialparse.datatypes import Analysis, ExtractedField, Plan
from denialparse.errors import DenialParseError

REPORT_SCHEMA = "denialparse.report/1"
UNCERTAIN_SHOWN = 2


def _field_json(found: ExtractedField) -> dict[str, Any]:
    return {
        "value": found.value,
        "page": found.span.page if found.span else None,
        "start": found.span.start if found.span else None,
        "end": found.span.end if found.span else None,
        "confidence": found.confidence,
        "rule": found.rule,
    }


def _deadline_json(analysis: Analysis) -> dict[str, Any] | None:
    deadline = analysis.deadline
    if deadline is None:
        return None
    return {
        "due": deadline.due,
        "days_remaining": deadline.days_remaining,
        "window_days": deadline.window_days,
        "anchor": deadline.anchor,
        "anchor_date": deadline.anchor_date,
        "source": deadline.source,
        "basis": deadline.basis,
        "expedited_available": deadline.expedited_available,
        "note": deadline.note,
        "page": deadline.span.page if deadline.span else None,
    }


def deadline_sentence(analysis: Analysis) -> str:
    """One line for people: when to appeal by, where that comes from, and that the notice controls."""
    deadline = analysis.deadline
    if deadline is None or deadline.window_days is None:
        basis = deadline.basis if deadline else "no appeal window found"
        return f"Appeal deadline: not found ({basis}). The deadline in your own notice controls."
    if deadline.due is None:
        anchor = "day you received it" if deadline.anchor == "receipt" else "notice date"
        when = f"{deadline.window_days} days from the {anchor}"
    else:
        left = deadline.days_remaining or 0
        status = f"{left} days left" if left >= 0 else f"passed {-left} days ago"
        when = f"{deadline.due} ({status})"
    expedited = " Expedited (urgent) appeal is mentioned in the letter." if deadline.expedited_available else ""
    return f"Appeal deadline: {when}; {deadline.basis}.{expedited} {deadline.note}"


def report_json(analysis: Analysis, plan: Plan | None) -> dict[str, Any]:
    """The report of one letter as plain JSON types."""
    document = analysis.document
    return {
        "schema": REPORT_SCHEMA,
        "source": document.source,
        "status": "ok",
        "pages": len(document.pages),
        "model": analysis.model_version,
        "threshold": analysis.threshold,
        "uncertain": analysis.uncertain,
        "labels": list(analysis.labels),
        "reasons": [
            {
                "label": reason.label,
                "name": reason.name,
                "probability": reason.probability,
                "predicted": reason.predicted,
                "sentences": [
                    {
                        "text": s.text,
                        "page": s.span.page,
                        "start": s.span.start,
                        "end": s.span.end,
                        "score": s.score,
                    }
                    for s in reason.sentences
                ],
            }
            for reason in analysis.reasons
        ],
        "fields": {name: _field_json(found) for name, found in analysis.fields.items()},
        "codes": [
            {
                "system": code.system,
                "code": code.code,
                "meaning": code.meaning,
                "page": code.span.page,
                "start": code.span.start,
                "end": code.span.end,
            }
            for code in analysis.codes
        ],
        "deadline": _deadline_json(analysis),
        "arguments": [
            {
                "id": argument.id,
                "title": argument.title,
                "answers": list(argument.answers),
                "citations": [c.citation for c in argument.citations],
                "missing": list(argument.missing),
            }
            for argument in (plan.arguments if plan else ())
        ],
        "gaps": list(plan.gaps) if plan else [],
        "warnings": list(document.warnings) + list(analysis.warnings) + (list(plan.warnings) if plan else []),
        "timings": analysis.timings,
    }


def error_json(source: str, error: DenialParseError) -> dict[str, Any]:
    return {
        "schema": REPORT_SCHEMA,
        "source": source,
        "status": "error",
        "error": {"kind": error.kind, "message": str(error), "exit_code": error.exit_code},
    }


def render_text(analysis: Analysis, plan: Plan | None) -> Any:
    """A rich renderable of the report (imported lazily: rich costs start-up time)."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    parts: list[Any] = []
    shown = analysis.predicted or analysis.reasons[:UNCERTAIN_SHOWN]
    if analysis.uncertain:
        parts.append(
            Text(
                f"Uncertain: no reason reached the threshold ({analysis.threshold:.2f}); the two most likely are:",
                style="bold yellow",
            )
        )
    reasons = Table(title="Denial reasons", show_lines=True, expand=True)
    reasons.add_column("Reason", ratio=1)
    reasons.add_column("Prob.", justify="right", width=6)
    reasons.add_column("Supporting sentence(s) from the letter", ratio=3)
    for reason in shown:
        # Letter text goes in as Text, never as markup: "[sic]" or "[bold]" in a letter must print as written.
        quotes = Text("\n".join(f"p{s.span.page}: \u201c{s.text}\u201d" for s in reason.sentences[:2]))
        label_cell = Text(reason.name + "\n")
        label_cell.append(reason.label, style="dim")
        reasons.add_row(label_cell, f"{reason.probability:.2f}", quotes)
    parts.append(reasons)
    others = [r for r in analysis.reasons if r not in shown]
    if others:
        parts.append(Text("Other labels: " + ", ".join(f"{r.label} {r.probability:.2f}" for r in others), style="dim"))

    fields = Table(title="Key fields", expand=True)
    fields.add_column("Field")
    fields.add_column("Value")
    fields.add_column("Source", style="dim")
    for name, found in analysis.fields.items():
        where = f"page {found.span.page}, chars {found.span.start}-{found.span.end}" if found.span else ""
        value = Text(found.value) if found.value is not None else Text("not found", style="dim")
        fields.add_row(name.replace("_", " "), value, where)
    parts.append(fields)
    if analysis.codes:
        codes = Table(title="Codes in the letter", expand=True)
        codes.add_column("Type")
        codes.add_column("Code")
        codes.add_column("Meaning")
        codes.add_column("Source", style="dim")
        for code in analysis.codes:
            meaning = Text(code.meaning) if code.meaning else Text("meaning not in the knowledge base", style="dim")
            codes.add_row(code.system.upper(), Text(code.code), meaning, f"page {code.span.page}")
        parts.append(codes)
    parts.append(Text(deadline_sentence(analysis), style="bold"))

    if plan is not None:
        arguments = Table(title="Recommended appeal arguments", expand=True)
        arguments.add_column("#", width=3)
        arguments.add_column("Argument")
        arguments.add_column("Answers", style="dim")
        for number, argument in enumerate(plan.arguments, start=1):
            arguments.add_row(str(number), argument.title, ", ".join(argument.answers))
        parts.append(arguments)
        if plan.gaps:
            parts.append(Text("Facts the appeal still needs: " + "; ".join(plan.gaps), style="yellow"))
    for warning in analysis.document.warnings + analysis.warnings + (plan.warnings if plan else ()):
        parts.append(Text(f"Warning: {warning}", style="yellow"))
    title = Text(
        f"{analysis.document.source}  ({len(analysis.document.pages)} page(s), model {analysis.model_version})"
    )
    return Panel(Group(*parts), title=title, title_align="left")
