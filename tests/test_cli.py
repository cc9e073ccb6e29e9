"""The CLI in-process, on real PDFs and the shipped model, including every error exit code."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CORPUS, EXAMPLES, OFF_LABEL_LETTER, Run, encrypted_pdf, image_only_pdf
from denialparse import cli
from denialparse.analysis import get_model
from denialparse.errors import ALL_ERRORS, DataFileError


def test_report_text_on_a_real_pdf(run: Run, make_pdf: Callable[..., Path]) -> None:
    code, out, err = run("report", make_pdf(OFF_LABEL_LETTER, layout="plain"))
    assert code == 0, err
    assert "Off-label use" in out
    assert "Food and Drug Administration" in out
    assert "NWH88812345" in out


def test_report_json_has_the_documented_keys(run: Run, make_pdf: Callable[..., Path]) -> None:
    code, out, err = run("report", "--format", "json", make_pdf(OFF_LABEL_LETTER, layout="twocol"))
    assert code == 0, err
    report = json.loads(out)
    assert report["schema"] == "denialparse.report/1"
    assert {
        "source",
        "status",
        "pages",
        "reasons",
        "fields",
        "arguments",
        "gaps",
        "labels",
        "uncertain",
    } <= set(report)
    assert report["labels"][0] == "off_label"
    top = report["reasons"][0]
    assert top["label"] == "off_label" and top["predicted"] and top["probability"] >= report["threshold"]
    assert any("Food and Drug Administration" in s["text"] for s in top["sentences"])
    assert report["fields"]["member_id"]["value"] == "NWH88812345"
    assert report["fields"]["letter_date"]["value"] == "March 3, 2026"
    assert report["arguments"], "recommended arguments must be listed"


def test_report_on_each_bundled_example(run: Run) -> None:
    examples = sorted(EXAMPLES.glob("*.pdf"))
    assert len(examples) >= 3
    code, out, err = run("report", "--format", "json", *examples)
    assert code == 0, err
    reports = [json.loads(line) for line in out.splitlines()]
    assert len(reports) == len(examples)
    expected = json.loads((EXAMPLES / "expected.json").read_text())
    for report in reports:
        assert set(expected[report["source"]]) <= set(report["labels"]), report["source"]
        # Every example states these; a rule change that loses one shows here (the demo prints them).
        for key in ("payer", "patient_name", "member_id", "letter_date", "service"):
            assert report["fields"][key]["value"], (report["source"], key)
        assert report["deadline"]["due"], report["source"]


def test_report_goes_on_after_a_bad_file(run: Run, make_pdf: Callable[..., Path], tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_text("not a pdf")
    code, out, err = run("report", "--format", "json", bad, make_pdf())
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["status"] for r in rows] == ["error", "ok"]
    assert rows[0]["error"]["kind"] == "not_pdf"
    assert code == 10
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", 11),
        (b"hello, this is not a pdf", 10),
        (b"%PDF-1.4\n%%EOF", 12),
        (encrypted_pdf("secret"), 13),
        (image_only_pdf(), 14),
    ],
    ids=["empty", "not-pdf", "corrupt", "encrypted", "no-text"],
)
def test_bad_input_exit_codes(run: Run, tmp_path: Path, content: bytes, code: int) -> None:
    path = tmp_path / "letter.pdf"
    path.write_bytes(content)
    for command in (("report",), ("appeal",)):
        exit_code, _, err = run(*command, path)
        assert exit_code == code
        assert err.startswith("denialparse: error: letter.pdf")
        assert err.count("\n") == 1 and "Traceback" not in err


def test_hostile_pdfs_and_limits_from_the_environment(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hostile import decompression_bomb, deep_page_tree, many_pages

    monkeypatch.setenv("DENIALPARSE_MAX_MEMORY_MB", "128")
    cases = {"bomb.pdf": (decompression_bomb(400), 15), "deep.pdf": (deep_page_tree(5000), 12)}
    cases["pages.pdf"] = (many_pages(40), 15)
    monkeypatch.setenv("DENIALPARSE_MAX_PAGES", "30")
    for name, (content, code) in cases.items():
        (tmp_path / name).write_bytes(content)
        exit_code, _, err = run("report", tmp_path / name)
        assert exit_code == code and err.startswith(f"denialparse: error: {name}: ")
        assert err.count("\n") == 1 and "Traceback" not in err
    monkeypatch.setenv("DENIALPARSE_MAX_PAGES", "lots")
    exit_code, _, err = run("report", tmp_path / "pages.pdf")
    assert exit_code == 2 and "DENIALPARSE_MAX_PAGES='lots' is not a number" in err


def test_usage_and_model_and_data_errors(run: Run, tmp_path: Path, make_pdf: Callable[..., Path]) -> None:
    assert run("report")[0] == 2
    assert run("no-such-command")[0] == 2
    code, _, err = run("report", "--model", tmp_path, make_pdf())
    assert code == 20 and "not a model directory" in err
    bad_jsonl = tmp_path / "in.jsonl"
    bad_jsonl.write_text('{"id": 1, "text": "ok"}\n{"id": 2}\n')
    code, _, err = run("classify-text", bad_jsonl)
    assert code == 21 and "in.jsonl:2:" in err
    bad_case = tmp_path / "case.yaml"
    bad_case.write_text("patient: [unclosed\n")
    code, _, err = run("appeal", make_pdf(), "--case", bad_case)
    assert code == 21 and "case.yaml" in err


def test_evaluate_fields_takes_every_gold_option(run: Run, tmp_path: Path) -> None:
    """Repeated --gold options are evaluated together (not only the last); a file named twice counts once."""
    dev = [
        (CORPUS / "fields" / name).read_text(encoding="utf-8").splitlines() for name in ("gold-a.jsonl", "gold-b.jsonl")
    ]
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text("\n".join(dev[0][:2]) + "\n", encoding="utf-8")
    second.write_text(dev[1][0] + "\n", encoding="utf-8")
    for golds, letters in (((first, second), 3), ((second,), 1), ((first, first), 2)):
        out = tmp_path / f"out{letters}"
        options = [item for gold in golds for item in ("--gold", gold)]
        code, _, err = run("evaluate", "--fields", *options, "--corpus", CORPUS, "--out", out)
        assert code == 0, err
        result = json.loads((out / "fields.json").read_text(encoding="utf-8"))
        assert result["letters"] == letters
        assert result["gold"] == [str(gold) for gold in golds]


def test_evaluate_fields_reads_the_gold_sets_manifest(run: Run, tmp_path: Path) -> None:
    """Without --gold, --set picks the files of one role from <corpus>/fields/sets.yaml."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS / "letters", corpus / "letters")
    (corpus / "fields").mkdir()
    lines = (CORPUS / "fields" / "gold-a.jsonl").read_text(encoding="utf-8").splitlines()
    (corpus / "fields" / "dev.jsonl").write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    (corpus / "fields" / "test.jsonl").write_text(lines[3] + "\n", encoding="utf-8")
    (corpus / "fields" / "sets.yaml").write_text(
        "version: 1\ndevelopment: [dev.jsonl]\nheld-out: [test.jsonl]\n", encoding="utf-8"
    )
    for gold_set, letters in (("development", 3), ("held-out", 1)):
        out = tmp_path / gold_set
        code, _, err = run("evaluate", "--fields", "--set", gold_set, "--corpus", corpus, "--out", out)
        assert code == 0, err
        assert json.loads((out / "fields.json").read_text(encoding="utf-8"))["letters"] == letters
    (corpus / "fields" / "extra.jsonl").write_text(lines[4] + "\n", encoding="utf-8")
    code, _, err = run("evaluate", "--fields", "--corpus", corpus, "--out", tmp_path / "x")
    assert code == DataFileError.exit_code and "exactly one role" in err and "Traceback" not in err


def test_evaluate_fields_against_a_second_annotation(run: Run, tmp_path: Path) -> None:
    """--against scores a second annotator's file against the gold by the extractor's rules, beside the extractor
    on the same letters; the gold read as a second annotation agrees with itself on every field."""
    second = CORPUS / "fields" / "agreement" / "second-dev-110.jsonl"
    code, out_text, err = run("evaluate", "--fields", "--against", second, "--corpus", CORPUS, "--out", tmp_path / "a")
    assert code == 0, err
    result = json.loads((tmp_path / "a" / "agreement.json").read_text(encoding="utf-8"))
    assert result["letters"] == 110 == result["extractor"]["letters"]
    agreement = result["agreement"]["per_field"]
    assert agreement["service"]["exact_match"] >= 0.95 and agreement["payer"]["exact_match"] >= 0.95
    assert 0.5 < result["extractor"]["per_field"]["service"]["exact_match"] <= 1.0
    assert "second annotator" in out_text and "extractor" in out_text
    gold = CORPUS / "fields" / "gold-a.jsonl"
    code, _, err = run("evaluate", "--fields", "--against", gold, "--corpus", CORPUS, "--out", tmp_path / "b")
    assert code == 0, err
    itself = json.loads((tmp_path / "b" / "agreement.json").read_text(encoding="utf-8"))["agreement"]
    assert itself["letters"] == 80 and not itself["mismatches"]
    unrelated = tmp_path / "unrelated.jsonl"
    unrelated.write_text('{"id": "no-such-letter", "fields": {}}\n', encoding="utf-8")
    code, _, err = run("evaluate", "--fields", "--against", unrelated, "--corpus", CORPUS, "--out", tmp_path / "c")
    assert code == DataFileError.exit_code and "none of the gold letters" in err and "Traceback" not in err


def test_exit_codes_are_distinct() -> None:
    codes = [error.exit_code for error in ALL_ERRORS]
    assert len(codes) == len(set(codes))
    assert 0 not in codes and cli.INTERNAL_ERROR_EXIT not in codes


def test_classify_text_interface(run: Run, tmp_path: Path) -> None:
    rows = [
        {"id": "a", "text": OFF_LABEL_LETTER},
        {
            "id": 7,
            "text": "We reviewed your claim. The provider is not in our network and your plan has no "
            "out-of-network benefits.",
        },
        {"id": "empty", "text": ""},
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows))
    output = tmp_path / "out.jsonl"
    code, _, err = run("classify-text", source, "-o", output)
    assert code == 0, err
    results = [json.loads(line) for line in output.read_text().splitlines()]
    assert [r["id"] for r in results] == ["a", 7, "empty"]
    for result in results:
        assert set(result) == {"id", "scores", "labels", "primary"}
        assert all(0.0 <= p <= 1.0 for p in result["scores"].values())
        assert result["primary"] == max(result["scores"], key=result["scores"].get)
        threshold = get_model().threshold
        assert result["labels"] == [k for k, v in result["scores"].items() if v >= threshold]
    assert "off_label" in results[0]["labels"]
    assert results[1]["primary"] == "out_of_network"


def test_appeal_writes_a_letter_with_missing_markers(run: Run, make_pdf: Callable[..., Path], tmp_path: Path) -> None:
    output = tmp_path / "appeal.md"
    code, _, err = run("appeal", make_pdf(), "-o", output)
    assert code == 0, err
    letter = output.read_text()
    assert "NWH88812345" in letter
    assert "[[MISSING:" in letter
    code, _, err = run("appeal", make_pdf(), "--case", EXAMPLES / "case.yaml", "-o", output)
    assert code == 0, err
    assert "[[MISSING:" not in output.read_text()


def test_classify_texts_in_worker_processes_keeps_order_and_scores() -> None:
    from conftest import CORPUS
    from denialparse import api
    from denialparse.corpus import load_corpus

    texts = [letter.text for letter in load_corpus(CORPUS)[:240]]
    assert api.classify_texts(texts, jobs=2) == api.classify_texts(texts)


def test_version_and_help(run: Run) -> None:
    code, out, _ = run("--version")
    assert code == 0 and out.startswith("denialparse, version ")
    code, out, _ = run("--help")
    assert code == 0
    for command in cli.iter_commands():
        assert command in out


def _letters_with_a_broken_one(make_pdf: Callable[..., Path], tmp_path: Path) -> Path:
    """tmp_path/letters holding a readable denial a.pdf and a damaged broken.pdf."""
    folder = tmp_path / "letters"
    folder.mkdir()
    make_pdf(name="letters/a.pdf")
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4\n garbage without objects")
    return folder


def test_batch_is_resumable_and_never_stops_on_a_bad_file(
    run: Run, make_pdf: Callable[..., Path], tmp_path: Path
) -> None:
    folder = _letters_with_a_broken_one(make_pdf, tmp_path)
    output = tmp_path / "results.jsonl"
    code, _, err = run("batch", folder, "-o", output, "--jobs", "1")
    assert code == 0, err
    rows = [json.loads(line) for line in output.read_text().splitlines()]
    assert {Path(r["source"]).name: r["status"] for r in rows} == {"a.pdf": "ok", "broken.pdf": "error"}
    assert next(r for r in rows if r["status"] == "ok")["labels"] == ["off_label"]
    assert "text" not in json.dumps(rows)  # no letter text in the results
    make_pdf(name="letters/b.pdf")
    code, _, err = run("batch", folder, "-o", output, "--jobs", "2")
    assert code == 0, err
    sources = [json.loads(line)["source"] for line in output.read_text().splitlines()]
    assert len(sources) == 3 and len(set(sources)) == 3  # only the new letter was analysed
    summary = (tmp_path / "results.summary.csv").read_text().splitlines()
    assert summary[0] == "dimension,value,reason,letters"
    assert "all,all,off_label,2" in summary and any(line.startswith("error,") for line in summary)


def test_batch_after_an_interrupted_write_and_with_retry_errors(
    run: Run, make_pdf: Callable[..., Path], tmp_path: Path
) -> None:
    """A torn last line (a run killed while writing) loses no later result; --retry-errors redoes failed files."""
    folder = _letters_with_a_broken_one(make_pdf, tmp_path)
    output = tmp_path / "results.jsonl"
    assert run("batch", folder, "-o", output, "--jobs", "1")[0] == 0
    lines = output.read_text().splitlines()
    ok_line = next(line for line in lines if '"status": "ok"' in line)
    error_line = next(line for line in lines if '"status": "error"' in line)
    output.write_text(error_line + "\n" + ok_line[: len(ok_line) // 2])  # a.pdf's line was cut short
    code, _, err = run("batch", folder, "-o", output, "--jobs", "1")
    assert code == 0, err
    rows = [json.loads(line) for line in output.read_text().splitlines()[2:]]
    assert [(Path(r["source"]).name, r["status"]) for r in rows] == [("a.pdf", "ok")]  # redone, on its own line
    make_pdf(name="letters/broken.pdf")  # the damaged file is replaced by a readable one
    code, _, err = run("batch", folder, "-o", output, "--jobs", "1")
    assert code == 0 and len(output.read_text().splitlines()) == 3  # a plain rerun skips the error
    code, _, err = run("batch", folder, "-o", output, "--jobs", "1", "--retry-errors")
    assert code == 0, err
    last = json.loads(output.read_text().splitlines()[-1])
    assert (Path(last["source"]).name, last["status"]) == ("broken.pdf", "ok")
    summary = (tmp_path / "results.summary.csv").read_text().splitlines()
    assert "all,all,off_label,2" in summary and not any(line.startswith("error,") for line in summary)


def test_library_facade_is_callable() -> None:
    """`denialparse.analyze(pdf)` is the documented API; no submodule may shadow it."""
    import denialparse
    import denialparse.analysis  # importing the stage module must not shadow the facade

    analysis = denialparse.analyze(EXAMPLES / "ketamine-off-label-denial.pdf")
    assert analysis.labels[0] == "off_label"
    letter = denialparse.draft_letter(analysis, None)
    assert b"[[MISSING:" in letter.content
