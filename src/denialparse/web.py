"""The local web app (`denialparse serve`): a thin FastAPI shell over the same library API as the CLI.

Uploads are read into memory (never spooled to disk), size-checked before parsing, sniffed by magic bytes, and
extracted in a worker process with a time limit. Nothing is stored: the result page carries the letter text back
to the browser in a hidden form field, so drafting a letter needs no server-side state. No request logging.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, File, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup, escape
from pydantic import BaseModel, Field

from denialparse import __version__
from denialparse.errors import DenialParseError, TooLargeError, UsageError
from denialparse.extract import Limits
from denialparse.formats import MEDIA_TYPES
from denialparse.resources import LETTER_FORMATS as FORMATS
from denialparse.resources import LETTER_KINDS, templates_dir

# Case facts the result page lets a user fill in (the full case file format is richer; see README).
CASE_FORM_FIELDS = {
    "author.name": "Your name (who signs)",
    "patient.name": "Patient name",
    "patient.date_of_birth": "Patient date of birth",
    "prescriber.name": "Treating clinician",
    "prescriber.credentials": "Clinician credentials",
    "diagnosis.description": "Diagnosis",
    "diagnosis.icd10": "ICD-10 code",
    "history.esketamine": "Esketamine tried, or why unsuitable",
    "history.criteria_met": "How the patient meets the plan's criteria",
}


class AppealRequest(BaseModel):
    """`POST /api/v1/appeal`: the letter text (as extracted) and case facts in the case-file format."""

    text: str = Field(min_length=1, max_length=2_000_000)
    case: dict[str, Any] = Field(default_factory=dict)
    letter: str = "appeal"
    format: str = "md"


# Letter fields the result page shows as editable inputs, and the case fact each correction becomes.
EDITABLE_FIELDS = {
    "payer": "plan.insurer",
    "patient_name": "patient.name",
    "member_id": "patient.member_id",
    "claim_number": "claim.number",
    "letter_date": "claim.denial_date",
    "service": "treatment.name",
}


def _pages() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(templates_dir() / "web")), autoescape=select_autoescape(["html", "j2"])
    )


async def _read_upload(upload: UploadFile, max_bytes: int) -> bytes:
    """Read at most max_bytes + 1 bytes in memory; more means 413 without reading the rest."""
    data = await upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise TooLargeError(f"{upload.filename or 'upload'}: larger than the {max_bytes // (1024 * 1024)} MB limit")
    return data


def _download(content: bytes, filename: str, media: str) -> Response:
    return Response(content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def highlight(text: str, spans: list[tuple[int, int, str]]) -> Markup:
    """The letter text, HTML-escaped, with each supporting sentence (by its character span) in a <mark>."""
    chosen: list[tuple[int, int, str]] = []
    for start, end, label in sorted(spans):
        if 0 <= start < end <= len(text) and not any(start < e and s < end for s, e, _ in chosen):
            chosen.append((start, end, label))
    pieces: list[str] = []
    cursor = 0
    for start, end, label in chosen:
        pieces.append(str(escape(text[cursor:start])))
        pieces.append(f'<mark title="{escape(label)}">{escape(text[start:end])}</mark>')
        cursor = end
    pieces.append(str(escape(text[cursor:])))
    return Markup("".join(pieces))


def _case_from_form(values: dict[str, str]) -> dict[str, Any]:
    case: dict[str, Any] = {}
    for dotted, value in values.items():
        if (dotted not in CASE_FORM_FIELDS and dotted not in EDITABLE_FIELDS.values()) or not value.strip():
            continue
        section, key = dotted.split(".", 1)
        case.setdefault(section, {})[key] = value.strip()
    return case


def create_app(model: str | None = None, max_bytes: int | None = None, limits: Limits | None = None) -> FastAPI:
    """The app; ``model`` is a model directory (default: the shipped model), ``limits`` default to the environment's."""
    from denialparse import api
    from denialparse.casefile import CaseFacts
    from denialparse.report import deadline_sentence, report_json

    app = FastAPI(title="denialparse", version=__version__, description="Denial letter -> reasons -> appeal.")
    pages = _pages()
    active_limits = limits or Limits.from_env()
    upload_limit = active_limits.max_bytes if max_bytes is None else max_bytes

    def analyse_bytes(data: bytes, name: str) -> Any:
        return api.analyze(data, model=model, name=Path(name).name or "upload.pdf", limits=active_limits)

    def draft_bytes(text: str, case_raw: dict[str, Any], kind: str, fmt: str) -> tuple[bytes, str, str]:
        if kind not in LETTER_KINDS or fmt not in FORMATS:
            raise UsageError(f"unknown letter {kind!r} or format {fmt!r}")
        try:
            case = CaseFacts.model_validate(case_raw) if case_raw else None
        except Exception as exc:
            raise UsageError(f"case facts: {str(exc).splitlines()[0]}") from None
        analysis = api.analyze_text(text, model=model, source="letter.pdf")
        letter = api.draft_letter(analysis, case, kind=kind, fmt=fmt)
        return letter.content, letter.filename, MEDIA_TYPES[fmt]

    @app.exception_handler(DenialParseError)
    async def _denial_error(request: Request, exc: DenialParseError) -> Response:
        message = str(exc)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": type(exc).__name__, "message": message}, status_code=exc.http_status)
        page = pages.get_template("error.html.j2").render(message=message, kind=type(exc).__name__)
        return HTMLResponse(page, status_code=exc.http_status)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get("/", response_class=HTMLResponse)
    async def upload_page() -> str:
        return pages.get_template("upload.html.j2").render(max_mb=upload_limit // (1024 * 1024))

    @app.post("/api/v1/analyze")
    async def api_analyze(file: Annotated[UploadFile, File(description="The denial letter (PDF)")]) -> JSONResponse:
        data = await _read_upload(file, upload_limit)
        # CPU-bound work runs in the thread pool so that other requests are served meanwhile.
        analysis = await run_in_threadpool(analyse_bytes, data, file.filename or "upload.pdf")
        return JSONResponse(report_json(analysis, api.recommend_for(analysis)))

    @app.post("/api/v1/appeal")
    async def api_appeal(body: AppealRequest) -> Response:
        content, filename, media = await run_in_threadpool(draft_bytes, body.text, body.case, body.letter, body.format)
        return _download(content, filename, media)

    @app.post("/analyze", response_class=HTMLResponse)
    async def result_page(file: Annotated[UploadFile, File()]) -> str:
        data = await _read_upload(file, upload_limit)
        analysis = await run_in_threadpool(analyse_bytes, data, file.filename or "upload.pdf")
        plan = api.recommend_for(analysis)
        report = report_json(analysis, plan)
        highlights = [
            (sentence["start"], sentence["end"], reason["name"])
            for reason in report["reasons"]
            if reason["predicted"]
            for sentence in reason["sentences"][:2]
        ]
        return pages.get_template("result.html.j2").render(
            report=report,
            analysis=analysis,
            plan=plan,
            highlighted=highlight(analysis.document.text, highlights),
            letter_text=analysis.document.text,
            deadline=deadline_sentence(analysis),
            case_fields=CASE_FORM_FIELDS,
            editable=EDITABLE_FIELDS,
            kinds=LETTER_KINDS,
            formats=FORMATS,
            shown=[r for r in report["reasons"] if r["predicted"]] or report["reasons"][:2],
        )

    @app.post("/letter")
    async def letter_download(request: Request) -> Response:
        form = await request.form()
        values = {key: str(value) for key, value in form.items() if isinstance(value, str)}
        text = values.get("letter_text", "")
        if not text.strip():
            raise UsageError("the letter text is missing; upload the denial again")
        content, filename, media = draft_bytes(
            text, _case_from_form(values), values.get("letter", "appeal"), values.get("format", "md")
        )
        return _download(content, filename, media)

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        return JSONResponse({"error": "HTTPException", "message": str(exc.detail)}, status_code=exc.status_code)

    return app
