"""Rebuild the example denial PDFs from corpus letters: `make examples` (deterministic output).

Each example is a corpus letter rendered to PDF with a different layout; `expected.json` records the labels
the corpus gives it, which the CLI tests check the shipped model against.
"""

from __future__ import annotations

import json
from pathlib import Path

from denialparse.corpus import load_corpus
from denialparse.pdfrender import RenderOptions, render_pdf

HERE = Path(__file__).resolve().parent
EXAMPLES = {
    # file name: (corpus id, layout)
    "ketamine-off-label-denial.pdf": ("w06-0016", "fax"),
    "ketamine-experimental-denial.pdf": ("w01-0026", "plain"),
    "spravato-medicaid-necessity-step-denial.pdf": ("w06-0002", "twocol"),
}


def main() -> None:
    letters = {letter.id: letter for letter in load_corpus(HERE.parent / "corpus")}
    expected = {}
    for file_name, (letter_id, layout) in EXAMPLES.items():
        letter = letters[letter_id]
        font = "Courier" if layout == "fax" else "Helvetica"
        options = RenderOptions(layout=layout, font=font, header="", footer="Page {page}", title=letter_id)
        (HERE / file_name).write_bytes(render_pdf(letter.text, options))
        expected[file_name] = list(letter.labels)
    (HERE / "expected.json").write_text(json.dumps(expected, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {len(expected)} example PDFs and expected.json to {HERE}")


if __name__ == "__main__":
    main()
