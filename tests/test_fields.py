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


# Service: labels, remittance rows, decision lines, prose, and an email subject as the last resort.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Service ......... 95811 PSG w/ CPAP titration, attended", "PSG w/ CPAP titration, attended"),
        ("Procedure submitted: 29827-RT Arthroscopic rotator cuff repair", "Arthroscopic rotator cuff repair"),
        ("Re: Order #OSP-77120394 SKYRIZI 150 MG/ML PEN", "SKYRIZI 150 MG/ML PEN"),
        ("Request #: 24-03-SP-0915 - L4-S1 lumbar fusion (22558, 22612)", "L4-S1 lumbar fusion (22558, 22612)"),
        ("Services requested: (1) Ketamine 200 mg troches; (2) therapy", "Ketamine 200 mg troches"),
        ("What your doctor asked for: Dr. Lee asked us to cover Mounjaro for prediabetes.", "Mounjaro"),
        ("Admission: 01/10/2024, acute inpatient psychiatry", "acute inpatient psychiatry"),
        ("Claim: 2024-118-77341  Hearing aids, binaural (V5261)", "Hearing aids, binaural (V5261)"),
        ("Determination: Inpatient admission NOT CERTIFIED. Observation is approved.", "Inpatient admission"),
        (
            "Date        Description                  Billed     Paid\n03/04/2024  MRI right knee   $1,890.00  $0.00",
            "MRI right knee",
        ),
        (
            "01/13/25  92557  HEARING TEST    $165.00  $98.40  CO-45\n"
            "01/13/25  V5261  HEARING AID BTE  $5,980.00  $0.00  PR-96",
            "HEARING AID BTE",
        ),
        ("01/05     Embryo cryopreservation, initial      $1,450.00   $0.00", "Embryo cryopreservation, initial"),
        ("06/25/2024    Oral appliance, custom (E0486) $2,450.00   $0.00", "Oral appliance, custom"),
        ("09/04/24  Fixed wing air transport   A0430   $38,900.00", "Fixed wing air transport"),
        ("  07/02/2024  95816  Quantitative EEG        $650   denied", "Quantitative EEG"),
        (
            "We got a request from Dr. Y. Boateng for the Dexcom G7 monitor (sensors and receiver). We denied it.",
            "Dexcom G7 monitor (sensors and receiver)",
        ),
        (
            "We got claims from Valley Clinic for Spravato (esketamine) treatments on June 11.",
            "Spravato (esketamine) treatments",
        ),
        ("Your doctor asked us to approve proton beam therapy (CPT 77523) for your cancer.", "proton beam therapy"),
        (
            "From: nurse@plan.example\nSubject: Update on your Spravato request\n\nWe looked at the request Dr. Okafor "
            "sent us for Spravato (esketamine nasal spray). We can't approve it.",
            "Spravato (esketamine nasal spray)",
        ),
        ("From: nurse@plan.example\nSubject: Knee MRI decision\n\nPlease call us.", "Knee MRI decision"),
    ],
)
def test_service_found(text: str, expected: str) -> None:
    document = document_from_text(text)
    found = extract_fields(document)["service"]
    assert found.value == expected
    assert found.span is not None and document.text[found.span.start : found.span.end] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Prior treatment: three SSRI trials",
        "Member Services: 1-800-555-0100 (TTY 711)",
        "Provider who asked for the service: Acadiana Bone & Joint",
        "RE: Participant Raymond Kowalczyk / Dependent: Sophie",
        "Claim: 24-0312-881045   Date processed: 03/29/2024",
        "Request #: 24-03-SP-0915",
        "01  06/18/25   74177             2,980.00   0.00   CO-15",
        "04  02/20/24   ALL LINES                    0.00   CO-197",
        "03/04/2024 We received your records.",
        "DETERMINATION: Drug APPROVED / Site of care NOT APPROVED",
        "We received a request from Red Mesa for you to stay in their program.",
        "Admission: 03/29/2024 (involuntary), dx F25.0",
    ],
)
def test_service_not_found(text: str) -> None:
    assert fields_of(text)["service"] is None
