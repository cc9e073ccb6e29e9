"""Parse corpus letters with new IDs and codes in every line, 500 at a time, in this fresh process, and print the
size of spaCy's string store and the peak memory after each 500 (JSON). Run by `benchmarks/run.py`."""

from __future__ import annotations

import json
import random
import resource
import sys
from pathlib import Path

from denialparse.corpus import load_corpus
from denialparse.nlp import build_pipeline, split_many

ROOT = Path(__file__).resolve().parent.parent


def _peak_rss_kb() -> int:
    """This process's peak resident memory since it started (``ru_maxrss`` would include the parent's, which
    Linux carries across exec)."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(steps: int) -> None:
    nlp = build_pipeline()
    letters = [letter.text for letter in load_corpus(ROOT / "corpus")]
    rng = random.Random(7)
    figures = []
    for step in range(1, steps + 1):
        texts = [
            "\n".join(f"{line} Ref {rng.randrange(10**9)}-{rng.randrange(10**6)}" for line in text.splitlines())
            for text in (letters * 2)[(step * 500) % len(letters) :][:500]
        ]
        list(split_many(texts))
        peak_mb = _peak_rss_kb() / 1024
        figures.append({"letters": step * 500, "strings": len(nlp.vocab.strings), "max_rss_mb": round(peak_mb, 1)})
    print(json.dumps(figures))


if __name__ == "__main__":
    main(int(sys.argv[1]))
