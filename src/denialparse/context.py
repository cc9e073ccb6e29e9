"""Context marking: reason words that are negated or only mentioned in general terms become other features.

Rules live in ``data/context.yaml``. This is a small ConText-style pass over one sentence at a time; the
classifier, not the rules, decides what the marked words mean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from denialparse.resources import DATA_DIR, read_yaml

_WORD = re.compile(r"[a-z0-9][a-z0-9'-]*|[;:.]")


@dataclass(frozen=True)
class ContextRules:
    targets: frozenset[str]
    strong_regex: re.Pattern[str]
    weak_cues: frozenset[str]
    weak_targets: frozenset[str]
    window: int
    weak_window: int
    clause_breaks: frozenset[str]
    general: re.Pattern[str]
    inverted_targets: frozenset[str] = frozenset()
    inverted_to: str = "unproven"

    @cached_property
    def all_targets(self) -> frozenset[str]:
        """Every word that can be marked: a sentence without one is left as it is."""
        return self.targets | self.inverted_targets


@lru_cache(maxsize=4)
def load_rules(path: Path = DATA_DIR / "context.yaml") -> ContextRules:
    raw = read_yaml(path)
    negation = raw["negation"]
    strong = "|".join(f"(?:{p})" for p in negation["strong_cues"])
    return ContextRules(
        targets=frozenset(t.lower() for t in raw["targets"]),
        strong_regex=re.compile(rf"\b(?:{strong})\b", re.IGNORECASE),
        weak_cues=frozenset(negation["weak_cues"]),
        weak_targets=frozenset(negation["weak_targets"]),
        window=int(negation["window"]),
        weak_window=int(negation["weak_window"]),
        clause_breaks=frozenset(raw["clause_breaks"]),
        general=re.compile("|".join(f"(?:{p})" for p in raw["general_sentence_patterns"]), re.IGNORECASE),
        inverted_targets=frozenset(negation.get("inverted_targets", [])),
        inverted_to=str(negation.get("inverted_to", "unproven")),
    )


def mark_context(sentence: str, rules: ContextRules | None = None) -> str:
    """Lower-cased word sequence of the sentence with negated / general reason words prefixed."""
    return " ".join(_marked_words(sentence, rules or load_rules()))


_CLAUSE_PUNCTUATION = frozenset(";:.")
# The classifier's token pattern: over a marked sentence it finds exactly the marked words without the clause
# punctuation, which is what :func:`context_tokens` returns without building and searching the string.
MARKED_TOKEN_PATTERN = r"(?u)[a-z0-9_][a-z0-9_'-]*"


def context_tokens(sentence: str, rules: ContextRules | None = None) -> list[str]:
    """The tokens ``MARKED_TOKEN_PATTERN`` finds in ``mark_context(sentence)``, computed directly."""
    return [word for word in _marked_words(sentence, rules or load_rules()) if word not in _CLAUSE_PUNCTUATION]


def _marked_words(sentence: str, rules: ContextRules) -> list[str]:
    lowered = sentence.lower()
    words: list[str] = _WORD.findall(lowered)
    if rules.all_targets.isdisjoint(words):  # most sentences: no reason word at all
        return words
    if rules.general.search(lowered):
        return [f"gen_{w}" if w in rules.targets else w for w in words]
    # Word index where each strong cue ends.
    strong_ends: set[int] = set()
    for match in rules.strong_regex.finditer(lowered):
        strong_ends.add(len(_WORD.findall(lowered[: match.end()])))
    out: list[str] = []
    reach = 0
    weak_reach = 0
    for index, word in enumerate(words):
        if index in strong_ends:
            reach = rules.window
        if word in rules.clause_breaks:
            reach = weak_reach = 0
        if word in rules.weak_cues:
            weak_reach = rules.weak_window
            out.append(word)
            continue
        if word in rules.inverted_targets and weak_reach > 0 and reach == 0:
            out.append(rules.inverted_to)
        elif word in rules.targets and (reach > 0 or (weak_reach > 0 and word in rules.weak_targets)):
            out.append(f"neg_{word}")
        else:
            out.append(word)
        reach = max(reach - 1, 0)
        weak_reach = max(weak_reach - 1, 0)
    return out
