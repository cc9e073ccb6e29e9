"""Field rules, table-driven, with negative and boundary cases."""

from __future__ import annotations

from datetime import date

import pytest

from denialparse.extract import document_from_text
from denialparse.fields import extract_fields, parse_date


def fields_of(text: str) -> dict[str, str | None]:
    return {name: found.value for name, found in extract_fields(document_from_text(text)).items()}


@pytest.mark.parametrize(
    ("text", "field", "expected"),
    [
        ("Member ID: W100023757   Group #: GRP-1003", "member_id", "W100023757"),
        ("Cigna ID U60177315 01\nDOB 01/02/1980", "member_id", "U60177315 01"),
        ("Member: Ann Lee  Member ID: OSC 7720 1184 03", "member_id", "OSC 7720 1184 03"),
        ("Sponsor DBN: XXXXX0395", "member_id", "XXXXX0395"),
        ("Claim numbers: EC25101884410 - EC25101884411", "claim_number", "EC25101884410"),
        ("CLAIM NO...: 24-0912-04471", "claim_number", "24-0912-04471"),
        (
            "Send your appeal to:\nAcme Health Appeals\nP.O. Box 1234\nDayton, OH 45401",
            "appeal_address",
            "Acme Health Appeals / P.O. Box 1234 / Dayton, OH 45401",
        ),
        (
            "To appeal, fax your request to our Appeals Unit. Appeals fax: (888) 555-0134.",
            "appeal_fax",
            "(888) 555-0134",
        ),
        ("You may ask for a State Fair Hearing after the plan appeal.", "external_review", "Fair Hearing"),
        ("Member name: Darnell\nWhitfield Medicaid ID: 8802154469", "patient_name", "Darnell Whitfield"),
        ("NM1 patient: ESPINOZA-LACROIX, MARGUERITE     Cigna ID U1", "patient_name", "ESPINOZA-LACROIX, MARGUERITE"),
        (
            "June 9, 2025\n\nTamsin R. Achebe-Lowry\n77 Riverside Terrace\nProvidence, RI 02906",
            "patient_name",
            "Tamsin R. Achebe-Lowry",
        ),
        ("Clinical Policy Bulletin 0513 applies.", "policy", "Clinical Policy Bulletin 0513"),
        ("Reviewed by: Vanessa Throckmorton, MD", "reviewer", "Vanessa Throckmorton, MD"),
        ("This plan is governed by ERISA.", "plan_type", "employer"),
        ("Medicare Advantage Notice of Denial of Medical Coverage", "plan_type", "medicare_advantage"),
        ("Subscriber ID # XJH-88120-01", "member_id", "XJH-88120-01"),
        ("Member ID: W100023757   Group #: GRP-1003", "group_number", "GRP-1003"),
        ("Claim #: CLM-2026-188160", "claim_number", "CLM-2026-188160"),
        ("Authorization / Reference #: UM-2026-104432", "claim_number", "UM-2026-104432"),
        ("Reference Number: 2024-0912-77731", "claim_number", "2024-0912-77731"),
        ("Date of Notice: 01/26/2026", "letter_date", "01/26/2026"),
        ("Date: March 3, 2026\nDear Member", "letter_date", "March 3, 2026"),
        ("Northwind Plan\nFebruary 9, 2026\n\nDear Member,", "letter_date", "February 9, 2026"),
        ("Service Requested: Spravato 84 mg nasal spray", "service", "Spravato 84 mg nasal spray"),
        ("Drug Requested: Ozempic 1 mg/0.75 mL pen   Quantity: 3", "service", "Ozempic 1 mg/0.75 mL pen"),
        ("UnitedHealthcare Community Plan\nPO Box 30555", "payer", "UnitedHealthcare"),
        (
            "Questions? Call Blue Cross Blue Shield of Texas at 1-800-555-0100",
            "payer",
            "Blue Cross Blue Shield of Texas",
        ),
    ],
)
def test_field_found(text: str, field: str, expected: str) -> None:
    assert fields_of(text)[field] == expected


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("Please keep your member ID card with you.", "member_id"),
        ("Your claim was reviewed.", "claim_number"),
        ("Date of Notice: 13/45/2026", "letter_date"),
        ("We reviewed the service.", "service"),
        ("Dear Member, your plan has reviewed the request.", "payer"),
        ("Unitedhealthcareless", "payer"),
    ],
)
def test_field_not_found(text: str, field: str) -> None:
    found = extract_fields(document_from_text(text))[field]
    assert found.value is None and found.span is None and found.rule == "not-found"


def test_span_points_at_the_value() -> None:
    document = document_from_text("Header line\nMember ID: W100023757")
    found = extract_fields(document)["member_id"]
    assert found.span is not None
    assert document.text[found.span.start : found.span.end] == "W100023757"
    assert found.span.page == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01/26/2026", date(2026, 1, 26)),
        ("1/2/26", date(2026, 1, 2)),
        ("2026-02-28", date(2026, 2, 28)),
        ("Sept. 3, 2025", date(2025, 9, 3)),
        ("3 March 2026", date(2026, 3, 3)),
        ("02/30/2026", None),
        ("Smarch 3, 2026", None),
    ],
)
def test_parse_date(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected
