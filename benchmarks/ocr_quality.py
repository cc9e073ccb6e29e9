"""Classifier quality on scanned versus text PDFs: `python benchmarks/ocr_quality.py [--every N]`.

Takes corpus PDFs (corpus/pdf), makes a fax-like scan of each (200 dpi, skew, speckle, blur, 1-bit: see
tests/scanning.py), reads both through `denialparse.analyze` (the scan through Tesseract), and compares macro-F1
and exact match against the corpus labels. Writes benchmarks/results/ocr_quality.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))


def main() -> None:
    import numpy as np

    import denialparse
    from denialparse.corpus import LabeledText
    from denialparse.evaluation import evaluate_predictions
    from denialparse.taxonomy import load_taxonomy
    from scanning import scan_pdf

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--every", type=int, default=4, help="take every Nth corpus PDF (default 4)")
    parser.add_argument("--model", default=None, help="model directory (default: the shipped model)")
    parser.add_argument("--only", type=Path, default=None, help="a labeled JSONL: use only these letter ids")
    args = parser.parse_args()
    labels = load_taxonomy().ids
    index = [json.loads(line) for line in (ROOT / "corpus" / "pdf" / "labels.jsonl").read_text().splitlines()]
    if args.only is not None:
        wanted = {json.loads(line)["id"] for line in args.only.read_text().splitlines() if line.strip()}
        index = [row for row in index if row["id"] in wanted]
    rows = index[:: args.every]
    gold = [LabeledText(id=r["id"], text=r["text"], labels=tuple(r["labels"]), group=r["family"]) for r in rows]
    results = {}
    for kind in ("text", "scanned"):
        probabilities = np.zeros((len(rows), len(labels)))
        started = time.perf_counter()
        for i, row in enumerate(rows):
            data = (ROOT / "corpus" / "pdf" / row["file"]).read_bytes()
            if kind == "scanned":
                data = scan_pdf(data, seed=i)
            analysis = denialparse.analyze(data, name=row["file"], model=args.model)
            scores = {reason.label: reason.probability for reason in analysis.reasons}
            probabilities[i] = [scores[label] for label in labels]
            threshold = analysis.threshold
        metrics = evaluate_predictions(gold, probabilities, labels, threshold)
        results[kind] = {
            "letters": len(rows),
            "macro_f1": metrics["macro_f1"],
            "exact_match": metrics["exact_match"],
            "seconds": round(time.perf_counter() - started, 1),
        }
        print(kind, results[kind], flush=True)
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "ocr_quality.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
