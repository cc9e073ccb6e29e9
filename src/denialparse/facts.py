"""The rule-based half of the analyse stage: a letter's fields, codes and appeal deadline.

It needs neither the model nor spaCy, so the first letter a process reads has it worked out by the reader
process while this one loads the model (see :func:`denialparse.api.analyze`). The field rules are therefore
imported inside :func:`extract_facts`: a process that leaves the facts to its reader never compiles them.
"""

from __future__ import annotations

import time

from denialparse.datatypes import Document, LetterFacts

_ID_FIELDS = ("member_id", "group_number", "claim_number", "letter_date", "service_date")
_extracted_here: list[bool] = []  # one entry once this process has extracted facts itself
_left_to_a_reader: list[bool] = []  # one entry once this process has left a letter's facts to its reader


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
    if not _extracted_here:
        _extracted_here.append(True)
    return LetterFacts(fields, codes, deadline, round(time.perf_counter() - started, 4))


def leave_to_the_reader() -> bool:
    """Whether this letter's facts should be extracted by its reader process: only the first letter of a process.

    Later letters are worked out here, with the field rules this process compiles on the second letter; a reader
    process would compile them again for every letter, because what it loads is lost when it ends.
    """
    if _extracted_here or _left_to_a_reader:
        return False
    _left_to_a_reader.append(True)
    return True


def facts_ready() -> bool:
    """Whether this process has extracted facts itself (its field rules and rankers are loaded and compiled)."""
    return bool(_extracted_here)
