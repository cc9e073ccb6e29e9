"""The rule-based half of the analyse stage: a letter's fields, codes and appeal deadline.

It needs neither the model nor spaCy, so the first letter a process reads has it worked out by the reader
process while this one loads the model (see :func:`denialparse.api.analyze`). The field rules are therefore
imported inside :func:`extract_facts`: a process that leaves the facts to its reader never compiles them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from denialparse.datatypes import Document, LetterFacts

_ID_FIELDS = ("member_id", "group_number", "claim_number", "letter_date", "service_date")


@dataclass
class _ThisProcess:
    extracted_facts: bool = False  # its field rules and rankers are loaded and compiled
    left_facts_to_a_reader: bool = False


_THIS_PROCESS = _ThisProcess()


def extract_facts(document: Document) -> LetterFacts:
    """Fields, then the codes outside the ID fields' spans, then the deadline from both."""
    from denialparse.codes import extract_codes
    from denialparse.deadline import compute_deadline
    from denialparse.fields import extract_fields

    started = time.perf_counter()
    fields = extract_fields(document)
    id_spans = [
        (found.span.start, found.span.end)
        for name in _ID_FIELDS
        if (found := fields.get(name)) is not None and found.span is not None
    ]
    codes = extract_codes(document, exclude=id_spans)
    deadline = compute_deadline(document, fields)
    _THIS_PROCESS.extracted_facts = True
    return LetterFacts(fields, codes, deadline, round(time.perf_counter() - started, 4))


def leave_to_the_reader() -> bool:
    """Whether this letter's facts should be extracted by its reader process: only the first letter of a process.

    Later letters are worked out here, with the field rules this process compiles on the second letter; a reader
    process would compile them again for every letter, because what it loads is lost when it ends.
    """
    if _THIS_PROCESS.extracted_facts or _THIS_PROCESS.left_facts_to_a_reader:
        return False
    _THIS_PROCESS.left_facts_to_a_reader = True
    return True


def facts_ready() -> bool:
    """Whether this process has extracted facts itself (its field rules and rankers are loaded and compiled)."""
    return _THIS_PROCESS.extracted_facts
