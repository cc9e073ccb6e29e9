"""The ``denialparse`` command: a thin shell over :mod:`denialparse.api`.

Only click is imported at start-up, so ``--help`` and ``--version`` stay fast; every command imports what
it needs. Every :class:`~denialparse.errors.DenialParseError` becomes one line on stderr and its own exit
code (see the README's table); an unexpected failure prints one line too, never a traceback.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource

from denialparse import __version__
from denialparse.errors import INTERNAL_ERROR_EXIT, DataFileError, DenialParseError, UsageError
from denialparse.resources import LETTER_FORMATS, LETTER_KINDS

if TYPE_CHECKING:
    from rich.console import Console

model_option = click.option(
    "--model",
    "model_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Model directory (default: the shipped model).",
)
engine_option = click.option(
    "--engine",
    type=click.Choice(["pdfplumber", "pdfium"]),
    default="pdfplumber",
    show_default=True,
    help="PDF text engine: pdfplumber (reads two-column pages by column) or pdfium (about 50 times faster).",
)


def _fail(message: str, code: int) -> None:
    click.echo(f"denialparse: error: {message}", err=True)
    sys.exit(code)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="denialparse")
def cli() -> None:
    """Read a health-insurance denial letter, say why it was denied, and draft the appeal."""


def _write_output(output: Path | None, data: bytes) -> None:
    if output is None or str(output) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    tmp = output.with_name(f".{output.name}.partial")
    tmp.write_bytes(data)
    tmp.replace(output)


@cli.command()
@click.argument("letters", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--case", "case_path", type=click.Path(path_type=Path, dir_okay=False), help="Case facts (YAML/JSON).")
@model_option
@engine_option
def report(letters: tuple[Path, ...], fmt: str, case_path: Path | None, model_dir: Path | None, engine: str) -> None:
    """Classify each denial LETTER (PDF) and print the reasons, fields and arguments.

    With several letters, a bad file is reported and the others still run; the exit code is that of the
    first failure.
    """
    from denialparse import api
    from denialparse.report import error_json, render_text, report_json

    case = api.load_case_file(case_path) if case_path else None
    first_error: DenialParseError | None = None
    console: Console | None = None

    def prepare() -> None:
        """What printing a report needs, loaded while the first letter is read rather than before or after."""
        api.prepare_recommendations()
        if fmt == "text":
            import rich.console  # noqa: F401

    for result in api.analyze_many(letters, model=model_dir, engine=engine, meanwhile=prepare):
        if result.error is not None:
            first_error = first_error or result.error
            if fmt == "json":
                click.echo(json.dumps(error_json(result.source, result.error), ensure_ascii=False))
            click.echo(f"denialparse: error: {result.error}", err=True)
            continue
        assert result.analysis is not None
        plan = api.recommend_for(result.analysis, case)
        if fmt == "text":
            from rich.console import Console

            console = console or Console(soft_wrap=False)
            console.print(render_text(result.analysis, plan))
        else:
            click.echo(json.dumps(report_json(result.analysis, plan), ensure_ascii=False))
    if first_error is not None:
        sys.exit(first_error.exit_code)


@cli.command()
@click.argument("letter", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--case", "case_path", type=click.Path(path_type=Path, dir_okay=False), help="Case facts (YAML/JSON).")
@click.option(
    "--letter",
    "kind",
    type=click.Choice(LETTER_KINDS),
    default="appeal",
    show_default=True,
    help="appeal; lmn (letter of medical necessity from the clinician); external-review; claim-file request.",
)
@click.option("--format", "fmt", type=click.Choice(LETTER_FORMATS), default="md", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Output file (default stdout).")
@model_option
@engine_option
def appeal(
    letter: Path,
    case_path: Path | None,
    kind: str,
    fmt: str,
    output: Path | None,
    model_dir: Path | None,
    engine: str,
) -> None:
    """Draft a counter-appeal for the denial LETTER (PDF); missing facts show as [[MISSING: ...]]."""
    from denialparse import api

    case = api.load_case_file(case_path) if case_path else None
    analysis = api.analyze(letter, model=model_dir, engine=engine, meanwhile=api.prepare_recommendations)
    drafted = api.draft_letter(analysis, case, kind=kind, fmt=fmt)
    _write_output(output, drafted.content)
    if output is not None and str(output) != "-":
        click.echo(f"wrote {output} ({kind}, {fmt}; {len(drafted.missing)} fact(s) missing)", err=True)


def _read_jsonl_texts(path: Path) -> tuple[list[Any], list[str]]:
    ids: list[Any] = []
    texts: list[str] = []
    try:
        handle = sys.stdin if str(path) == "-" else path.open(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(f"{path}: cannot read ({exc.strerror})") from None
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                raise DataFileError(f"{path}:{number}: not valid JSON") from None
            if not isinstance(row, dict) or "id" not in row or not isinstance(row.get("text"), str):
                raise DataFileError(f'{path}:{number}: each line needs "id" and a string "text"')
            ids.append(row["id"])
            texts.append(row["text"])
    return ids, texts


@cli.command("classify-text")
@click.argument("input_path", metavar="IN.jsonl", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Output JSONL (default stdout).")
@click.option(
    "--jobs", type=click.IntRange(min=1), default=1, show_default=True, help="Worker processes for large inputs."
)
@model_option
def classify_text(input_path: Path, output: Path | None, jobs: int, model_dir: Path | None) -> None:
    """Classify raw texts in bulk: {"id", "text"} per line in, {"id", "scores", "labels", "primary"} out."""
    from denialparse import api

    ids, texts = _read_jsonl_texts(input_path)
    results = api.classify_texts(texts, model=model_dir, jobs=jobs)
    lines = [json.dumps({"id": i, **r}, ensure_ascii=False) for i, r in zip(ids, results, strict=True)]
    _write_output(output, ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8"))


@cli.command()
@click.option("--corpus", "corpus_path", type=click.Path(path_type=Path), default=Path("corpus"), show_default=True)
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), required=True)
@click.option("--seed", type=int, default=13, show_default=True)
@click.option("--name", default=None, help="Model name for the card (default: the directory name).")
@click.option(
    "--by-writer/--no-by-writer",
    default=True,
    show_default=True,
    help="Also measure with each writer held out (one extra training per writer).",
)
def train(corpus_path: Path, out_dir: Path, seed: int, name: str | None, by_writer: bool) -> None:
    """Retrain the classifier from the labeled corpus and write a model directory."""
    from denialparse.training import train_model_dir

    metrics = train_model_dir(corpus_path, out_dir, seed=seed, name=name, by_writer=by_writer)
    click.echo(
        f"wrote {out_dir}: grouped out-of-fold macro-F1 {metrics['macro_f1']:.3f} "
        f"(keyword baseline {metrics['baseline']['macro_f1']:.3f}), ECE {metrics['ece']:.3f}"
    )
    if metrics.get("by_writer"):
        click.echo(f"with each writer held out: macro-F1 {metrics['by_writer']['macro_f1']:.3f}")


@cli.command("train-fields")
@click.option("--corpus", "corpus_path", type=click.Path(path_type=Path), default=Path("corpus"), show_default=True)
@click.option("--gold", "gold_dir", type=click.Path(path_type=Path), default=Path("corpus/fields"), show_default=True)
@click.option(
    "--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("models/field-rankers")
)
@click.option("--seed", type=int, default=13, show_default=True)
@click.option(
    "--cv/--no-cv", "cross_validation", default=True, show_default=True, help="Measure with each writer held out."
)
def train_fields(corpus_path: Path, gold_dir: Path, out_dir: Path, seed: int, cross_validation: bool) -> None:
    """Retrain the service and service-date rankers from the gold field annotations."""
    from denialparse.field_ranker_training import train_rankers

    meta = train_rankers(corpus_path, gold_dir, out_dir, seed=seed, cross_validation=cross_validation)
    click.echo(f"wrote {out_dir}")
    for name, cv in meta["metrics"].items():
        click.echo(
            f"{name}, each writer held out: exact match ranker {cv['ranker']['exact_match']:.3f}, "
            f"rules {cv['rules']['exact_match']:.3f}"
        )


def _load_rows(data: Path) -> list[Any]:
    from denialparse.corpus import load_corpus

    rows = load_corpus(data)
    if not rows:
        raise DataFileError(f"{data}: no labeled rows")
    return rows


def _metrics_table(title: str, result: dict[str, Any]) -> Any:
    from rich.table import Table

    table = Table(title=title)
    for column in ("label", "scored", "support", "FP", "P", "R", "F1", "baseline F1"):
        table.add_column(column, justify="left" if column == "label" else "right")
    baseline = result.get("baseline", {}).get("per_label", {})
    for label, s in result["per_label"].items():
        base = baseline.get(label, {})
        # A label with no gold positives has no recall or F1 (it is left out of macro-F1): its false
        # positives are what matter there.
        no_support = s["support"] == 0
        table.add_row(
            label,
            str(s["scored"]),
            str(s["support"]),
            str(s.get("fp", "")),
            "-" if no_support else f"{s['precision']:.3f}",
            "-" if no_support else f"{s['recall']:.3f}",
            "-" if no_support else f"{s['f1']:.3f}",
            "" if not base else (f"FP {base.get('fp')}" if no_support else f"{base['f1']:.3f}"),
        )
    base_macro = result.get("baseline", {}).get("macro_f1")
    table.caption = (
        f"macro-F1 {result['macro_f1']:.3f}  micro-F1 {result['micro_f1']:.3f}  ECE {result['ece']:.3f}  "
        f"exact match {result['exact_match']:.3f}"
        + ("" if base_macro is None else f"  |  keyword baseline macro-F1 {base_macro:.3f}")
    )
    return table


def _confusion_table(confusion: dict[str, Any]) -> Any:
    from rich.table import Table

    table = Table(title="Confusion (rows gold, columns predicted)")
    table.add_column("gold \\ predicted")
    for column in confusion["columns"]:
        table.add_column(column[:10], justify="right")
    for label, row in zip(confusion["rows"], confusion["matrix"], strict=True):
        table.add_row(label, *(str(v) for v in row))
    return table


@cli.command()
@click.option("--data", "data", type=click.Path(path_type=Path, exists=False), help="Labeled JSONL (reasons).")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("reports/evaluation"),
    show_default=True,
    help="Where metrics.json and confusion.png (or fields.json) go.",
)
@click.option("--fields", "fields_mode", is_flag=True, help="Evaluate the field extractor instead of the classifier.")
@click.option(
    "--set",
    "gold_set",
    type=click.Choice(["development", "held-out"]),
    default="development",
    show_default=True,
    help="With --fields: the gold files of this role in <corpus>/fields/sets.yaml. Held-out figures are the ones "
    "to publish; only development mismatches may be read to change the extractor.",
)
@click.option(
    "--gold",
    "gold",
    type=click.Path(path_type=Path),
    multiple=True,
    help="With --fields: gold field annotations (file or directory) instead of a --set; repeat to pool several.",
)
@click.option("--corpus", "corpus_path", type=click.Path(path_type=Path), default=Path("corpus"), show_default=True)
@click.option("--pdf", "through_pdf", is_flag=True, help="With --fields: render each letter to PDF and extract it.")
@click.option(
    "--against",
    "second",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="With --fields: a second annotation of gold letters (same format): score it against the gold by the "
    "same rules, beside the extractor on the same letters (how often two annotators agree).",
)
@model_option
def evaluate(
    data: Path | None,
    out_dir: Path,
    fields_mode: bool,
    gold_set: str,
    gold: tuple[Path, ...],
    corpus_path: Path,
    through_pdf: bool,
    second: Path | None,
    model_dir: Path | None,
) -> None:
    """Per-label precision/recall/F1, macro-F1, confusion matrix and calibration on labeled JSONL.

    With --fields: per-field precision, recall and exact match of the field extractor against gold annotations.
    """
    from rich.console import Console

    if fields_mode:
        if not gold:
            from denialparse.field_evaluation import load_gold_sets

            sets = load_gold_sets(corpus_path / "fields")
            # A second annotation is compared with whichever gold holds its letters.
            gold = tuple(sets["development"] + sets["held-out"]) if second else tuple(sets[gold_set])
            if not gold:
                raise UsageError(f"{corpus_path / 'fields' / 'sets.yaml'} names no {gold_set} gold files")
        if second is not None:
            _annotator_agreement(second, gold, corpus_path, out_dir)
        else:
            _evaluate_fields(gold, corpus_path, out_dir, through_pdf)
        return
    if data is None:
        raise UsageError("evaluate needs --data FILE.jsonl (or --fields)")
    from denialparse.analysis import get_model
    from denialparse.evaluation import evaluate_model_on, save_confusion_png

    rows = _load_rows(data)
    result = evaluate_model_on(rows, get_model(model_dir))
    result["data"] = str(data)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "metrics.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    save_confusion_png(result["confusion"], out_dir / "confusion.png", f"{result['model']} on {data.name}")
    console = Console()
    console.print(_metrics_table(f"{result['model']} on {data.name} ({len(rows)} rows)", result))
    console.print(_confusion_table(result["confusion"]))
    console.print(f"wrote {out_dir / 'metrics.json'} and {out_dir / 'confusion.png'}")


def _evaluate_fields(gold: tuple[Path, ...], corpus_path: Path, out_dir: Path, through_pdf: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    from denialparse.corpus import load_corpus
    from denialparse.extract import document_from_text, extract
    from denialparse.field_evaluation import evaluate_fields, load_gold
    from denialparse.pdfrender import options_for, render_pdf

    letters = {letter.id: letter for letter in load_corpus(corpus_path)}
    rows = load_gold(*gold)
    order = {row.id: number for number, row in enumerate(rows)}

    def document(letter: Any) -> Any:
        if not through_pdf:
            return document_from_text(letter.text, letter.id)
        pdf = render_pdf(letter.text, options_for(order[letter.id], title=letter.id))
        return extract(pdf, name=f"{letter.id}.pdf")

    result = evaluate_fields(letters, rows, document)
    result["gold"] = [str(path) for path in gold]
    result["through_pdf"] = through_pdf
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "fields.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    table = Table(
        title=f"Field extraction on {result['letters']} gold letters" + (" (through PDF)" if through_pdf else "")
    )
    for column in ("field", "precision", "recall", "exact match", "gold", "predicted"):
        table.add_column(column, justify="left" if column == "field" else "right")
    for name, scores in result["per_field"].items():
        table.add_row(
            name,
            *(f"{scores[k]:.3f}" if scores[k] is not None else "-" for k in ("precision", "recall", "exact_match")),
            str(scores["gold"]),
            str(scores["predicted"]),
        )
    console = Console()
    console.print(table)
    console.print("exact match by group: " + ", ".join(f"{k} {v:.3f}" for k, v in result["groups"].items()))
    console.print(f"wrote {out_dir / 'fields.json'} ({len(result['mismatches'])} mismatches listed for error analysis)")


def _annotator_agreement(second: Path, gold: tuple[Path, ...], corpus_path: Path, out_dir: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    from denialparse.corpus import load_corpus
    from denialparse.extract import document_from_text
    from denialparse.field_evaluation import evaluate_agreement, evaluate_fields, load_gold

    second_rows = load_gold(second)
    gold_rows = load_gold(*gold)
    agreement = evaluate_agreement(second_rows, gold_rows)
    shared = {row.id for row in second_rows}
    rows = [row for row in gold_rows if row.id in shared]
    letters = {letter.id: letter for letter in load_corpus(corpus_path) if letter.id in shared}
    extractor = evaluate_fields(letters, rows, lambda letter: document_from_text(letter.text, letter.id))
    out_dir.mkdir(parents=True, exist_ok=True)
    result = {"second_annotation": str(second), "letters": agreement["letters"], "agreement": agreement}
    result["extractor"] = extractor
    (out_dir / "agreement.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    table = Table(title=f"Exact match against the gold on the {agreement['letters']} letters of {second.name}")
    for column in ("field", "second annotator", "extractor"):
        table.add_column(column, justify="left" if column == "field" else "right")
    for name, scores in agreement["per_field"].items():
        table.add_row(name, f"{scores['exact_match']:.3f}", f"{extractor['per_field'][name]['exact_match']:.3f}")
    for group, value in agreement["groups"].items():
        table.add_row(f"group: {group}", f"{value:.3f}", f"{extractor['groups'][group]:.3f}")
    console = Console()
    console.print(table)
    console.print(f"wrote {out_dir / 'agreement.json'}")


@cli.command()
@click.argument("first", type=click.Path(path_type=Path, file_okay=False))
@click.argument("second", type=click.Path(path_type=Path, file_okay=False))
@click.option("--data", "data", type=click.Path(path_type=Path), required=True, help="Labeled JSONL.")
def compare(first: Path, second: Path, data: Path) -> None:
    """Compare two model directories on the same labeled data: per-label deltas and the better one."""
    from rich.console import Console
    from rich.table import Table

    from denialparse.analysis import get_model
    from denialparse.evaluation import compare_results, evaluate_model_on

    rows = _load_rows(data)
    a = evaluate_model_on(rows, get_model(first))
    b = evaluate_model_on(rows, get_model(second))
    delta = compare_results(a, b)
    table = Table(title=f"{first.name} vs {second.name} on {data.name} ({len(rows)} rows)")
    for column in ("label", f"F1 {first.name}", f"F1 {second.name}", "delta"):
        table.add_column(column, justify="left" if column == "label" else "right")
    for label, change in delta["per_label_f1_delta"].items():
        before = a["per_label"].get(label, {}).get("f1")
        table.add_row(
            label,
            "" if before is None else f"{before:.3f}",
            f"{b['per_label'][label]['f1']:.3f}",
            "" if change is None else f"{change:+.3f}",
        )
    table.add_row("macro-F1", f"{a['macro_f1']:.3f}", f"{b['macro_f1']:.3f}", f"{delta['macro_f1_delta']:+.3f}")
    console = Console()
    console.print(table)
    verdict = {"first": first.name, "second": second.name}.get(delta["better"])
    console.print(f"better: {verdict} (by macro-F1)" if verdict else "no difference in macro-F1 or micro-F1")


@cli.group()
def corpus() -> None:
    """Work with the labeled corpus."""


@corpus.command("validate")
@click.argument("path", type=click.Path(path_type=Path), default=Path("corpus"))
def corpus_validate(path: Path) -> None:
    """Check corpus files: JSON, labels, exact evidence sentences, no duplicates (with line numbers)."""
    from denialparse.corpus import validate_corpus

    result = validate_corpus(path)
    for problem in result.problems:
        click.echo(problem)
    click.echo(f"{result.letters} valid letter(s), {len(result.problems)} problem(s)", err=True)
    if not result.ok:
        sys.exit(DataFileError.exit_code)


@corpus.command("stats")
@click.argument("path", type=click.Path(path_type=Path), default=Path("corpus"))
@click.option("--markdown", is_flag=True, help="Print the counts block of the datasheet (corpus/README.md).")
def corpus_stats_command(path: Path, markdown: bool) -> None:
    """Counts per label, payer type, shape and writer (the numbers in corpus/README.md)."""
    from denialparse.corpus import corpus_stats, load_corpus, stats_markdown

    stats = corpus_stats(load_corpus(path))
    click.echo(stats_markdown(stats) if markdown else json.dumps(stats, indent=2))


@corpus.command("split")
@click.argument("path", type=click.Path(path_type=Path), default=Path("corpus"))
@click.option("--test-fraction", type=float, default=0.2, show_default=True)
@click.option("--seed", type=int, default=13, show_default=True)
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), required=True)
def corpus_split(path: Path, test_fraction: float, seed: int, out_dir: Path) -> None:
    """Write train.jsonl and test.jsonl with no family in both (for train -> evaluate)."""
    from denialparse.corpus import grouped_split, load_corpus, to_row

    train_rows, test_rows = grouped_split(load_corpus(path), test_fraction, seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, rows in (("train.jsonl", train_rows), ("test.jsonl", test_rows)):
        lines = [json.dumps(to_row(r), ensure_ascii=False) for r in rows]
        (out_dir / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    click.echo(f"wrote {out_dir}: {len(train_rows)} train, {len(test_rows)} test letters")


@corpus.command("render")
@click.argument("path", type=click.Path(path_type=Path), default=Path("corpus"))
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), required=True)
@click.option("--limit", type=int, default=None, help="Render only the first N letters (by id).")
@click.option("--every", type=int, default=1, show_default=True, help="Take every Nth letter.")
@click.option("--id", "ids", multiple=True, help="Render only these letter ids (repeatable).")
def corpus_render(path: Path, out_dir: Path, limit: int | None, every: int, ids: tuple[str, ...]) -> None:
    """Render corpus letters to PDFs in rotating layouts and fonts, reproducibly, with a labels.jsonl index."""
    from denialparse.corpus import load_corpus
    from denialparse.pdfrender import options_for, render_pdf

    letters = sorted(load_corpus(path), key=lambda letter: letter.id)
    if ids:
        wanted = set(ids)
        letters = [letter for letter in letters if letter.id in wanted]
        missing = wanted - {letter.id for letter in letters}
        if missing:
            raise DataFileError(f"{path}: no letter with id {', '.join(sorted(missing))}")
    letters = letters[:: max(every, 1)][:limit]
    out_dir.mkdir(parents=True, exist_ok=True)
    index = []
    for number, letter in enumerate(letters):
        options = options_for(number, title=letter.id)
        (out_dir / f"{letter.id}.pdf").write_bytes(render_pdf(letter.text, options))
        index.append(
            {
                "id": letter.id,
                "file": f"{letter.id}.pdf",
                "layout": options.layout,
                "font": options.font,
                "labels": list(letter.labels),
                "text": letter.text,
                "family": letter.group,
            }
        )
    (out_dir / "labels.jsonl").write_text("".join(json.dumps(r) + "\n" for r in index), encoding="utf-8")
    click.echo(f"rendered {len(letters)} PDF(s) to {out_dir}")


@cli.command()
@click.argument("target")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True, help="results.jsonl")
@click.option("--jobs", type=click.IntRange(1, 64), default=2, show_default=True, help="Worker processes.")
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    default=None,
    help="Run on the Dask cluster with this scheduler (tcp://HOST:8786) instead of local processes; "
    "its workers must see the letters at the same paths. Needs pip install 'denialparse[dask]'.",
)
@click.option(
    "--retry-errors",
    is_flag=True,
    help="Analyse again the files whose last result is an error (e.g. replaced by an unprotected copy).",
)
@model_option
@engine_option
def batch(
    target: str,
    output: Path,
    jobs: int,
    scheduler: str | None,
    retry_errors: bool,
    model_dir: Path | None,
    engine: str,
) -> None:
    """Analyse every PDF in a directory or glob: one JSON line per file, resumable, with a summary (+ CSV)."""
    jobs_given = click.get_current_context().get_parameter_source("jobs") is ParameterSource.COMMANDLINE
    if scheduler is not None and jobs_given:
        raise UsageError("--jobs is for local runs; with --scheduler the cluster's workers do the work")
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
    from rich.table import Table

    from denialparse.batch import done_sources, find_letters, run_batch, summarise, write_summary_csv

    files = find_letters(target)
    already = len(done_sources(output, retry_errors=retry_errors) & {str(f) for f in files})
    console = Console(stderr=True)
    columns = (
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("letters", total=len(files), completed=already, rate="")

        def advance(_: dict[str, Any]) -> None:
            progress.advance(task)
            speed = progress.tasks[0].speed
            progress.update(task, rate=f"{speed:.1f}/s" if speed else "")

        run_batch(
            files,
            output,
            jobs=jobs,
            model_dir=str(model_dir) if model_dir else None,
            engine=engine,
            scheduler=scheduler,
            on_result=advance,
            retry_errors=retry_errors,
        )
    summary = summarise(output)
    csv_path = output.with_suffix(".summary.csv")
    write_summary_csv(summary, csv_path)
    table = Table(title=f"{summary['ok']} of {summary['letters']} letters analysed")
    table.add_column("reason")
    table.add_column("letters", justify="right")
    for reason, count in summary["reasons"].items():
        table.add_row(reason, str(count))
    for kind, count in summary["errors"].items():
        table.add_row(f"[red]error: {kind}[/red]", str(count))
    console.print(table)
    console.print(f"wrote {output} and {csv_path} (reasons by payer and plan type)")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind (local only by default).")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(1, 65535))
@model_option
def serve(host: str, port: int, model_dir: Path | None) -> None:
    """Start the local web app: upload a denial, see the reasons, download the letters."""
    import uvicorn

    from denialparse.web import create_app

    click.echo(f"denialparse web app on http://{host}:{port}/ (Ctrl+C to stop)", err=True)
    # No access log: request lines are harmless, but nothing about a user's visit needs keeping.
    uvicorn.run(create_app(str(model_dir) if model_dir else None), host=host, port=port, access_log=False,
                log_level="warning")  # fmt: skip


@cli.group()
def knowledge() -> None:
    """The appeal knowledge base: sources, arguments, treatment classes, case facts."""


@knowledge.command("validate")
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="A directory holding sources.yaml, arguments.yaml, treatments.yaml, case_facts.yaml (default: shipped).",
)
def knowledge_validate(directory: Path | None) -> None:
    """Check the knowledge base: schemas, citations resolve, no [U] source cited, [P] only when hedged."""
    from collections import Counter

    from denialparse.knowledge import load_knowledge
    from denialparse.resources import DATA_DIR

    kb = load_knowledge(directory or DATA_DIR)
    marks = Counter(source.mark for source in kb.sources.values())
    per_label = Counter(label for argument in kb.arguments for label in argument.answers)
    click.echo(
        f"ok: {len(kb.sources)} sources (V {marks['V']}, P {marks['P']}, U {marks['U']}), "
        f"{len(kb.arguments)} arguments, {len(kb.treatments)} treatment classes, {len(kb.facts)} case facts"
    )
    click.echo("arguments per reason: " + ", ".join(f"{label} {n}" for label, n in sorted(per_label.items())))


def main() -> None:
    """Entry point: run the CLI, turning every error into one line and an exit code."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(UsageError.exit_code)
    except click.exceptions.Abort:
        _fail("aborted", 130)
    except DenialParseError as exc:
        _fail(str(exc), exc.exit_code)
    except BrokenPipeError:
        sys.exit(0)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except Exception as exc:
        if os.environ.get("DENIALPARSE_DEBUG"):
            raise
        _fail(
            f"internal error ({type(exc).__name__}); rerun with DENIALPARSE_DEBUG=1 for details",
            INTERNAL_ERROR_EXIT,
        )


def iter_commands() -> Iterator[str]:
    """Names of every command (used by the docs test)."""
    yield from cli.commands


if __name__ == "__main__":
    main()
