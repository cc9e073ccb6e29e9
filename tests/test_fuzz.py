"""Property-based tests: arbitrary bytes and text never crash or hang the extractors or the classifier.

The normal suite runs a few hundred cases; `make fuzz` runs 10,000 per property (DENIALPARSE_FUZZ_EXAMPLES).
"""

from __future__ import annotations

import contextlib
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from denialparse.analysis import get_model
from denialparse.codes import extract_codes
from denialparse.deadline import compute_deadline
from denialparse.errors import DenialParseError
from denialparse.extract import document_from_text, extract
from denialparse.fields import extract_fields

EXAMPLES = int(os.environ.get("DENIALPARSE_FUZZ_EXAMPLES", "150"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that looks like letters: labels, IDs, codes, dates and reason words mixed with arbitrary characters.
PIECES = st.sampled_from(
    [
        "Member ID:", "Claim #", "Date:", "CO-50", "N115", "M15", "F33.2", "J3490", "96365", "within 180 days",
        "not medically necessary", "experimental", "not evidence-based", "Dear Ms. ", "RE:", "\n", "\n\n", "  ",
        "P.O. Box 14463, Lexington, KY 40512", "Service requested:", "CPT", "(22558, 22612)", "12/05/2023",
        "Subject:", "Admission:", "SVC DATE  DCN  RIN", "Dr. ", "request from ", "$1,450.00", "DOS ....", "(1) ",
        "Determination:", "Patient:", "To:", "OTHER CODES THAT MAY APPEAR", "Order #", "3/18", "Hi ",
        "Order:", "; Procedure:", "We have denied the following:", "letter dated ", "Admit/discharge:",
        "Parent(s) of:", "Pt:", "TO: ", "Printed ", "LINE  SERVICE  UNITS", "your request for ", "Coverage of ",
        " is not covered", "Medicaid #:", " de ", "admitted to ", " Jr.", "8 visits ", "services listed below",
        "your member number, ", "PHC-0448127-01", "On ", " asked us", "request of ", "MID ", "ID#", "Claim no(s).:",
        "We mailed this letter on ", "(C61)", "Dear Reverend ", "LOCAL 412 ", "Date:     Member number:",
    ]
)  # fmt: skip
LETTERLIKE = st.lists(st.one_of(PIECES, st.text(max_size=40)), max_size=60).map("".join)


@FUZZ
@given(data=st.binary(max_size=4096))
def test_arbitrary_bytes_give_a_clean_error_or_a_document(data: bytes) -> None:
    try:
        document = extract(data, name="fuzz.pdf")
    except DenialParseError:
        return
    assert isinstance(document.text, str)


@FUZZ
@given(data=st.binary(max_size=2048))
def test_bytes_behind_a_pdf_header_never_crash(data: bytes) -> None:
    with contextlib.suppress(DenialParseError):
        extract(b"%PDF-1.7\n" + data, name="fuzz.pdf")


@FUZZ
@given(text=LETTERLIKE)
def test_rule_extractors_accept_any_text(text: str) -> None:
    document = document_from_text(text, "fuzz")
    fields = extract_fields(document)
    for found in fields.values():
        if found.span is not None:
            assert 0 <= found.span.start <= found.span.end <= len(document.text)
    for code in extract_codes(document):
        assert document.text[code.span.start : code.span.end]
    compute_deadline(document, fields)


@FUZZ
@given(texts=st.lists(LETTERLIKE, min_size=1, max_size=4))
def test_classifier_scores_any_text(texts: list[str]) -> None:
    model = get_model()
    for prediction in model.predict_texts(texts):
        assert set(prediction.probabilities) == set(model.labels)
        assert all(0.0 <= p <= 1.0 for p in prediction.probabilities.values())
