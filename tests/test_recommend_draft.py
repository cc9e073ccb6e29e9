"""Knowledge base, case files, the recommend stage and the draft stage, on the shipped data files."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLES
from denialparse.casefile import CaseFacts, load_case
from denialparse.datatypes import Analysis, ReasonScore, Span, SupportingSentence
from denialparse.draft import draft
from denialparse.errors import DataFileError, UsageError
from denialparse.extract import document_from_text
from denialparse.knowledge import default_knowledge, load_knowledge
from denialparse.recommend import recommend
from denialparse.resources import DATA_DIR
from denialparse.taxonomy import load_taxonomy

LABELS = load_taxonomy().ids
KNOWLEDGE_FILES = ("sources.yaml", "arguments.yaml", "treatments.yaml", "case_facts.yaml", "taxonomy.yaml")


def analysis_for(labels: list[str], text: str = "We reviewed the request for IV ketamine.") -> Analysis:
    """An Analysis record as the analyse stage would hand it over, with the given reasons predicted."""
    document = document_from_text(text, "denial.pdf")
    reasons = tuple(
        ReasonScore(
            label=label,
            name=load_taxonomy().name_of(label),
            probability=0.9 if label in labels else 0.05,
            predicted=label in labels,
            sentences=(SupportingSentence(text, Span(0, len(text), 1), 0.9),) if label in labels else (),
        )
        for label in sorted(LABELS, key=lambda label: label not in labels)
    )
    return Analysis(document=document, reasons=reasons, fields={}, model_version="test", threshold=0.5)


@pytest.fixture(scope="module")
def full_case() -> CaseFacts:
    return load_case(EXAMPLES / "case.yaml")


def knowledge_copy(tmp_path: Path) -> Path:
    for name in KNOWLEDGE_FILES:
        shutil.copy(DATA_DIR / name, tmp_path / name)
    return tmp_path


def test_shipped_knowledge_is_consistent_and_never_cites_unverified() -> None:
    kb = load_knowledge()
    assert len(kb.arguments) >= 20
    cited = {source_id for argument in kb.arguments for source_id in argument.citations}
    assert cited <= set(kb.sources)
    assert all(kb.sources[source_id].mark in {"V", "P"} for source_id in cited)
    assert any(source.mark == "U" for source in kb.sources.values()), "U entries are kept as a guard"
    answered = {label for argument in kb.arguments for label in argument.answers}
    assert set(LABELS) <= answered, "every label has at least one argument"


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("arguments.yaml", "citations: [bahji_2021]", "citations: [bahji_2021, zarate_2006]", "unverified [U]"),
        ("arguments.yaml", "{{ esketamine_history }}", "{{ esketamine_story }}", "unknown fact 'esketamine_story'"),
        ("arguments.yaml", "answers: [out_of_network]", "answers: [out_of_netwrk]", "unknown label"),
        ("arguments.yaml", "citations: [step_therapy_exceptions]\n", "citations: [nope]\n", "unknown source"),
        ("arguments.yaml", '{{ cite("ca_imr") }}', '{{ cite("elekt_d") }}', "not listed in citations"),
        ("arguments.yaml", "    hedged: true\n    citations: [ca_imr]", "    citations: [ca_imr]", "not hedged"),
        ("arguments.yaml", "{{ network_gap }}", "{{ network_gap ", "template error"),
        ("sources.yaml", "mark: V\n    ref: A1.1", "mark: X\n    ref: A1.1", "sources.yaml: sources.0.mark"),
        ("treatments.yaml", "'\\bspravato\\b'", "'(spravato'", "bad pattern"),
        ("case_facts.yaml", "version: 1", "version: [1", "invalid YAML"),
    ],
)
def test_broken_knowledge_files_are_rejected(tmp_path: Path, file: str, old: str, new: str, message: str) -> None:
    directory = knowledge_copy(tmp_path)
    path = directory / file
    text = path.read_text()
    assert old in text, f"fixture text not found in {file}: {old}"
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(DataFileError, match=re.escape(message)):
        load_knowledge(directory)


def test_example_case_files_load(tmp_path: Path) -> None:
    case = load_case(EXAMPLES / "case.yaml")
    assert case.history.failed_trials and len(case.history.failed_trials) >= 2
    assert case.lookup("diagnosis.icd10") == "F33.2"
    assert case.lookup("treatment.class") == "ketamine_iv"
    partial = load_case(EXAMPLES / "case-partial.yaml")
    assert partial.lookup("history.failed_trials") is None
    as_json = tmp_path / "case.json"
    as_json.write_text(json.dumps(yaml.safe_load((EXAMPLES / "case-partial.yaml").read_text())))
    assert load_case(as_json).patient.name == partial.patient.name


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("patient:\n  nmae: X\n", "patient.nmae"),
        ("diagnosis:\n  icd10: depression\n", "diagnosis.icd10"),
        ("plan:\n  type: gold\n", "plan.type"),
        ("- just\n- a list\n", "must be a mapping"),
        ("version: 2\n", "unsupported case file version"),
        ("patient: [unclosed\n", "not valid YAML/JSON"),
    ],
)
def test_bad_case_files_name_the_problem(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "case.yaml"
    path.write_text(content)
    with pytest.raises(DataFileError, match=re.escape(message)):
        load_case(path)


@pytest.mark.parametrize("label", LABELS)
def test_every_label_gets_its_own_arguments_and_a_complete_letter(label: str, full_case: CaseFacts) -> None:
    kb = default_knowledge()
    analysis = analysis_for([label])
    plan = recommend(analysis, full_case)
    own = [argument for argument in plan.arguments if label in argument.answers]
    assert own, f"no argument answers {label}"
    letter = draft(analysis, plan, full_case).content.decode()
    # Every reference printed in the letter resolves to a knowledge-base entry that is not [U].
    references = re.findall(r"^\d+\. (.+)\. <(\S+)>$", letter, flags=re.MULTILINE)
    assert references
    by_citation = {source.citation: source for source in kb.sources.values()}
    for citation, url in references:
        assert citation in by_citation, citation
        assert by_citation[citation].mark != "U" and by_citation[citation].url == url
    assert "{{" not in letter and "{%" not in letter
    for argument in own:
        assert argument.title in letter


@pytest.mark.parametrize("label", LABELS)
def test_without_a_case_every_gap_is_a_visible_marker(label: str) -> None:
    analysis = analysis_for([label])
    plan = recommend(analysis)
    letter = draft(analysis, plan)
    text = letter.content.decode()
    assert plan.gaps
    for gap in plan.gaps:
        assert f"[[MISSING: {gap}]]" in text
    assert set(plan.gaps) <= set(letter.missing)


def test_conditions_follow_plan_type_funding_and_state(full_case: CaseFacts) -> None:
    analysis = analysis_for(["off_label"])
    ids = {argument.id for argument in recommend(analysis, full_case).arguments}
    assert {"offlabel_state_law_ca", "offlabel_parity", "exp_ketamine_evidence", "core_external_review_ca"} <= ids

    self_funded = full_case.model_copy(update={"plan": full_case.plan.model_copy(update={"funding": "self_funded"})})
    ids = {argument.id for argument in recommend(analysis, self_funded).arguments}
    assert "offlabel_state_law_ca" not in ids and "core_external_review_ca" not in ids

    medicare = full_case.model_copy(update={"plan": full_case.plan.model_copy(update={"type": "medicare_advantage"})})
    ids = {argument.id for argument in recommend(analysis, medicare).arguments}
    assert "core_medicare_advantage" in ids
    assert "core_full_and_fair_review" not in ids and "offlabel_parity" not in ids


def test_treatment_class_comes_from_the_letter_when_the_case_is_silent() -> None:
    spravato = analysis_for(["experimental_investigational"], "Spravato (esketamine) nasal spray is experimental.")
    ids = {argument.id for argument in recommend(spravato).arguments}
    assert "exp_esketamine_approved" in ids and "exp_ketamine_evidence" not in ids
    knee = analysis_for(["experimental_investigational"], "Knee cartilage implant is investigational.")
    ids = {argument.id for argument in recommend(knee).arguments}
    assert "exp_general_evidence" in ids and not ids & {"exp_esketamine_approved", "exp_parity_nqtl"}


def test_partly_verified_sources_are_flagged_for_review(full_case: CaseFacts) -> None:
    plan = recommend(analysis_for(["step_therapy"]), full_case)
    assert any("partly verified" in warning and "step_therapy_exceptions" not in warning for warning in plan.warnings)


def test_uncertain_analysis_argues_the_two_most_likely(full_case: CaseFacts) -> None:
    analysis = analysis_for([])
    plan = recommend(analysis, full_case)
    assert any("uncertain" in warning for warning in plan.warnings)


KINDS = ("appeal", "lmn", "external-review", "claim-file")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("label", LABELS)
def test_every_letter_kind_for_every_label_cites_only_the_knowledge_base(
    kind: str, label: str, full_case: CaseFacts
) -> None:
    kb = default_knowledge()
    analysis = analysis_for([label])
    plan = recommend(analysis, full_case)
    letter = draft(analysis, plan, full_case, kind=kind)
    text = letter.content.decode()
    by_citation = {source.citation: source for source in kb.sources.values()}
    for citation, url in re.findall(r"^\d+\. (.+)\. <(\S+)>$", text, flags=re.MULTILINE):
        assert citation in by_citation and by_citation[citation].mark != "U" and by_citation[citation].url == url
    assert "{{" not in text and "{%" not in text
    # Every marker is a known gap and every gap of the arguments carried is shown.
    for marker in re.findall(r"\[\[MISSING: ([^\]]+)\]\]", text):
        assert marker in letter.missing
    assert (full_case.patient.name or "") in text


def test_lmn_lists_the_failed_trials_and_is_signed_by_the_clinician(full_case: CaseFacts) -> None:
    analysis = analysis_for(["not_medically_necessary"])
    text = draft(analysis, recommend(analysis, full_case), full_case, kind="lmn").content.decode()
    for trial in full_case.history.failed_trials or []:
        assert trial.drug in text
    assert text.rstrip().count(full_case.prescriber.name or "?") >= 2
    assert "Request a full and fair review" not in text  # procedural requests belong to the appeal, not the LMN


def test_formats_open_and_read_back(full_case: CaseFacts, tmp_path: Path) -> None:
    import docx
    import pdfplumber

    analysis = analysis_for(["off_label"], "Ketamine is not FDA-approved for depression & <b>not</b> covered.")
    plan = recommend(analysis, full_case)
    html_letter = draft(analysis, plan, full_case, fmt="html").content.decode()
    assert html_letter.startswith("<!doctype html>") and "<script" not in html_letter
    assert "&lt;b&gt;not&lt;/b&gt;" in html_letter  # letter text is escaped, never markup
    docx_path = tmp_path / "appeal.docx"
    docx_path.write_bytes(draft(analysis, plan, full_case, fmt="docx").content)
    paragraphs = [p.text for p in docx.Document(str(docx_path)).paragraphs]
    assert any("Off-label prescribing is lawful" in p for p in paragraphs)
    assert any(p.startswith("Member ID:") for p in paragraphs)
    pdf_path = tmp_path / "appeal.pdf"
    pdf_path.write_bytes(draft(analysis, plan, full_case, fmt="pdf").content)
    with pdfplumber.open(pdf_path) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
        assert len(pdf.pages) >= 2
    assert "Jordan Rivera" in text and "Off-label prescribing is lawful" in text


def test_unknown_letter_kind_or_format_is_a_usage_error() -> None:
    analysis = analysis_for(["off_label"])
    with pytest.raises(UsageError, match="no template"):
        draft(analysis, recommend(analysis), kind="poem")
    with pytest.raises(UsageError, match="no template"):
        draft(analysis, recommend(analysis), fmt="rtf")


def test_case_text_is_data_not_template(tmp_path: Path) -> None:
    hostile = tmp_path / "case.yaml"
    hostile.write_text("patient:\n  name: \"{{ ''.__class__.__mro__ }} {% raw %}\"\n")
    case = load_case(hostile)
    analysis = analysis_for(["out_of_network"])
    text = draft(analysis, recommend(analysis, case), case).content.decode()
    assert "{{ ''.__class__.__mro__ }} {% raw %}" in text


GOLDEN = Path(__file__).parent / "golden"
MAIN_REASONS = ("off_label", "experimental_investigational", "not_medically_necessary")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("label", MAIN_REASONS)
def test_golden_letters(kind: str, label: str, full_case: CaseFacts) -> None:
    """Each letter kind for each main reason, word for word. Regenerate: DENIALPARSE_UPDATE_GOLDEN=1 pytest."""
    import datetime as dt
    import os

    analysis = analysis_for([label], "We reviewed the request for IV ketamine infusions for depression.")
    letter = draft(analysis, recommend(analysis, full_case), full_case, kind=kind, today=dt.date(2026, 3, 20))
    path = GOLDEN / f"{kind}-{label}.md"
    if os.environ.get("DENIALPARSE_UPDATE_GOLDEN"):
        GOLDEN.mkdir(exist_ok=True)
        path.write_bytes(letter.content)
    assert letter.content.decode() == path.read_text(), f"{path.name} changed; review the diff and regenerate"
