"""Field rules (without the learned rankers, tested in test_field_ranker.py), table-driven, with negative and boundary
cases."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from denialparse.extract import document_from_text
from denialparse.fields import extract_fields, parse_date


def fields_of(text: str) -> dict[str, str | None]:
    return {name: found.value for name, found in extract_fields(document_from_text(text), learned=False).items()}


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
        # Round 2 (issue 5): how insurers name the item, dates, IDs and members beyond the usual labels.
        ("Dates of service on claim: 03/01/2024 - 03/28/2024\nClaim #: AM-24-771042", "service_date", "03/01/2024"),
        ("Date of care: November 14, 2023 (emergency room visit)", "service_date", "November 14, 2023"),
        ("Additional days requested: 10/23/2024 - 11/05/2024", "service_date", "10/23/2024"),
        ("Dates requested: 07/01/2025 - 12/31/2025", "service_date", "07/01/2025"),
        ("Admit: 06/02/2024  Disch: 06/07/2024", "service_date", "06/02/2024"),
        ("Admit/discharge: 03/18/2024 - 03/20/2024", "service_date", "03/18/2024"),
        ("Requested start date 09/19/2024.", "service_date", "09/19/2024"),
        ("the Xolair that your doctor gave you on 10/01/2025.", "service_date", "10/01/2025"),
        ("your prescriptions for Menopur, filled 02/14/2025 through CVS.", "service_date", "02/14/2025"),
        ("You were admitted to Willow Glen on 04/29/2024 after a fall.", "service_date", "04/29/2024"),
        ("Acupuncture (97810), 8 visits 03/05/2024 - 04/25/2024", "service_date", "03/05/2024"),
        (
            "1  12/02/24  97153  80  $3,920.00\n2  12/09/24  97155  12  $0.00  CO-197",
            "service_date",
            "12/09/24",
        ),
        ("Recipient: Ann Lee        Medicaid #: 500318227441", "member_id", "500318227441"),
        ("Plan: TRICARE Select     DoD Benefits #: 20883107729", "member_id", "20883107729"),
        ("Member: Ann Lee     Member ID (former): MEBB44017230", "member_id", "MEBB44017230"),
        ("Referral #: TR-24-0829-5541", "claim_number", "TR-24-0829-5541"),
        ("TAR CONTROL #: 41820550318        DATE: 01/19/2024", "claim_number", "41820550318"),
        ("RE: DETERMINATION - CASE MON-250404-19931", "claim_number", "MON-250404-19931"),
        ("Claims > Claim Detail\nPrinted 01/09/2025 08:51 MT", "letter_date", "01/09/2025"),
        ("Date of call: 05/21/2024   Time: 12:10 ET", "letter_date", "05/21/2024"),
        ("Acct #: 7710\nDenial detail (from the plan's letter dated 07/01/2024):", "letter_date", "07/01/2024"),
        ("Member: Dariela Montes de Oca      Medicaid ID: 2290113048", "patient_name", "Dariela Montes de Oca"),
        ("Member: Arturo Benavides Jr.       Member ID: VZB887310448", "patient_name", "Arturo Benavides Jr."),
        ("DATE: 04/18/2024\nTO: Earline M. Woodfork\nMEMBER #: 106-884-3301", "patient_name", "Earline M. Woodfork"),
        ("Parent/Guardian of: Tyrese Campbell (age 6)", "patient_name", "Tyrese Campbell"),
        ("Mr. and Mrs. Lee\nParent(s) of: Ezra Lee, age 15", "patient_name", "Ezra Lee"),
        ("Pt: HOLLOWAY, GERALD R    DOB: 02/11/1948", "patient_name", "HOLLOWAY, GERALD R"),
        # Round 8 (issue 5): labels a claim carries, run-in and bilingual labels, remittance abbreviations.
        ("Patient: Ana Ruiz   ID submitted: KQ7730021   DOB: 01/02/1990", "member_id", "KQ7730021"),
        ("Patient: ANA RUIZ   Subscriber ID on claim: 55120044-02", "member_id", "55120044-02"),
        ("Capital Plan notice for member Ana Ruiz (ID CPX120044871), knee MRI.", "member_id", "CPX120044871"),
        ("Payer: Harbor Blue (PPO) - ID HBQ77120034", "member_id", "HBQ77120034"),
        ("Clm 25101Z00417 denied CO-18 duplicate of clm 25099Z00112.", "claim_number", "25101Z00417"),
        ("PT: ALVAREZ, ROSA          MBR# 700112233\nCLM# 24301-00992", "claim_number", "24301-00992"),
        ("Procedure: Sleep study\nOrder: SLP-TX-250101-7781", "claim_number", "SLP-TX-250101-7781"),
        ("PT: ALVAREZ, ROSA          MBR# 700112233", "patient_name", "ALVAREZ, ROSA"),
        ("Patient as submitted: BROOKS, DARIUS  DOB 04/05/1971  ID XJ1", "patient_name", "BROOKS, DARIUS"),
        ("To: Dana Wu (parent of member Milo Wu)\nSubject: your request", "patient_name", "Milo Wu"),
        (
            "Valley Health\n\nPriya Raman-Osei\nMember ID: VH-2210\n\nHi Priya,\nWe reviewed",
            "patient_name",
            "Priya Raman-Osei",
        ),
        ("NORTH RIVER HEALTH PLAN - REMITTANCE\nRemit 03/14/2025   Paid: $0.00", "letter_date", "03/14/2025"),
        ("Hospital billing summary\nThe payer's EOB dated 05/02/2024 shows the denial.", "letter_date", "05/02/2024"),
        ("EXPLANATION OF BENEFITS          Processed 02/11/2025\nMember: A. Lee", "letter_date", "02/11/2025"),
        ("Payment cycle: 10/04/2024\nClient: LEE, ANN", "letter_date", "10/04/2024"),
        ("Member billed: BABY GIRL LEE     Medicaid ID reported: 948771204R (mother)", "member_id", "948771204R"),
        ("RE: Member Nathan Brook, ID AZB 660114920\n    Avastin", "member_id", "AZB 660114920"),
        ("Client: VANCE, JEREMY L   Prime #: KT88412X", "member_id", "KT88412X"),
        ("Recipient: Bernice Hall\nMedicaid Number: 50011873442", "member_id", "50011873442"),
        ("Member: Harold Dunne\nIdentification No.: YRK552019384", "member_id", "YRK552019384"),
        ("Medicaid ID: 000927715308\nTrip #: MS-2407-889143", "claim_number", "MS-2407-889143"),
        ("To: Harold Pfeil (son of member Dorothy Pfeil)\nSubject: home care", "patient_name", "Dorothy Pfeil"),
        ("INTERNAL NOTE\nRe: pt A. Lindgren (MRN 7730218), BCBS", "patient_name", "A. Lindgren"),
        ("Concerning: Member Halvard Berg, Certificate no. GB-20177349", "patient_name", "Halvard Berg"),
        (
            "Notice. Claim #CBC-24-3301872, patient Ruth Ann Spangler, physical therapy.",
            "patient_name",
            "Ruth Ann Spangler",
        ),
        ("Re: Member Ashton Pryce, UHC ID 987411203", "patient_name", "Ashton Pryce"),
        ("Child: Addison R. Stroud (age 10)", "patient_name", "Addison R. Stroud"),
        ("Resident: LINDQUIST, ARVID P.     Payer: Humana", "patient_name", "LINDQUIST, ARVID P."),
        ("Patient: LUNDQVIST, OSCAR B    Ins ID: W123456", "patient_name", "LUNDQVIST, OSCAR B"),
        ("Covered Person: Master Oliver Prentiss (dependent)", "patient_name", "Oliver Prentiss"),
        ("From: Care Team <care@plan.example>\nTo: Mr. Ambrose Finch\nSent: Monday", "patient_name", "Ambrose Finch"),
        ("Wellmark Utilization Management\nRef. WMK-0114-77390", "claim_number", "WMK-0114-77390"),
        ("Claim Control Nos.: 25-160-0091202 through 25-160-0091221", "claim_number", "25-160-0091202"),
        ("To: Riverbend Pharmacy\nAudit #: DA-25-0918-4471", "claim_number", "DA-25-0918-4471"),
        ("Aviso / Notice\nFecha / Date: 06/30/2025\nMember: Ana Ruiz", "letter_date", "06/30/2025"),
        ("Claim Notice (member copy). Date: 08/20/2025. Member: Ann Lee.", "letter_date", "08/20/2025"),
        ("Claim status\nStatus as of 04/17/2025 10:02 ET\nPatient: LEE, ANN", "letter_date", "04/17/2025"),
        ("RE: Lumbar fusion (CPT 22612), scheduled 05/19/2025\nMember ID: X1", "service_date", "05/19/2025"),
        ("The surgery was pencilled in for 07/08 but was not approved.", "service_date", "07/08"),
        ("We received a claim for Humira from Apex Pharmacy on 03/03/2025.", "service_date", "03/03/2025"),
        ("Claim 1   Provider: Lakeview EMS          Date: 07/19/2024\nService  Billed", "service_date", "07/19/2024"),
        ("RE: Request for bilateral breast reduction (CPT 19318)", "service", "bilateral breast reduction (CPT 19318)"),
        # The payer a provider's paper names with a label, or the first line's first cell or part before a dash.
        ("RIVERBEND HOSPITAL - BILLING OFFICE\nPayer: Acme Mutual (PPO) - ID AM1", "payer", "Acme Mutual"),
        (
            "Harbor Benefit Administrators | Provider Portal | Claim Lookup\nClaim #: 1",
            "payer",
            "Harbor Benefit Administrators",
        ),
        ("LAKESIDE PLAN SERVICES          REMITTANCE ADVICE\nPayee: X", "payer", "LAKESIDE PLAN SERVICES"),
        ("STATE OF NOWHERE MEDICAID - eClaims\nREMITTANCE ADVICE", "payer", "STATE OF NOWHERE MEDICAID"),
        ("MEDIVANTA\nEXPLANATION OF BENEFITS\nMember: Ann Lee", "payer", "MEDIVANTA"),
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
        # Round 2 (issue 5): how insurers name the item, dates, IDs and members beyond the usual labels.
        ("prior sessions 11/12/2024, 01/14/2025 were paid", "service_date"),
        ("Admit type: elective", "service_date"),
        ("Plan ID: H1036-xxx", "member_id"),
        ("RE: Order ID 600441873 - Determination enclosed", "member_id"),
        ("Dates of service on claim: 03/01/2024", "claim_number"),
        ("Case management: call 1-800-555-0100", "claim_number"),
        ("Printed materials are enclosed.", "letter_date"),
        ("Your appeal letter dated 13/45/2024", "letter_date"),
        ("TO: Dr. Hana Dobrowski", "patient_name"),
        ("To: Great Lakes Gastroenterology Clinic", "patient_name"),
        ("PT: 12 visits", "patient_name"),
        # Round 8: an agent's number, a call's ID, a date label or a code where an ID or a service would be.
        ("Agent: Brianna (ID 40771)   Call reference: AMB-0507-22918", "member_id"),
        ("Representative: D. Hollins     Call ID: WC-PDP-1118-0442", "member_id"),
        ("Patient: ANA RUIZ   Subscriber ID on claim: 55120044-02", "claim_number"),
        ("Claim: DOS 03/28/2025, 99393", "claim_number"),
        ("Order: 72148 MRI lumbar spine without contrast", "claim_number"),
        ("The original claim (25101220448, processed 01/15/2025) was paid.", "letter_date"),
        ("We approved your stay. Your discharge planned 03/20/2025 is covered.", "service_date"),
        ("Claim: 8825149907311   DOS 02/11/2025", "service"),
        ("ORTHO CLINIC - PA FOLLOW-UP NOTE (internal)\nPt: Ann Lee", "payer"),
        ("PROGRESS NOTE - ADDENDUM\nPt: Ann Lee", "payer"),
        ("For pancreatic cancer, results of the phase 3 PANOVA-3 trial are pending.", "claim_number"),
        ("To: Abdullah Rahimi, MD - Orthopaedic Surgery\nFrom: Review Unit", "patient_name"),
        ("Precertification Notice - your request was reviewed on 03/04/2025.", "claim_number"),
    ],
)
def test_field_not_found(text: str, field: str) -> None:
    found = extract_fields(document_from_text(text), learned=False)[field]
    assert found.value is None and found.span is None and found.rule == "not-found"


def test_span_points_at_the_value() -> None:
    document = document_from_text("Header line\nMember ID: W100023757")
    found = extract_fields(document, learned=False)["member_id"]
    assert found.span is not None
    assert document.text[found.span.start : found.span.end] == "W100023757"
    assert found.span.page == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01/26/2026", date(2026, 1, 26)),
        ("1/2/26", date(2026, 1, 2)),
        ("2026-02-28", date(2026, 2, 28)),
        ("2024.06.18", date(2024, 6, 18)),
        ("2024.06-18", None),
        ("2024.02.30", None),
        ("Sept. 3, 2025", date(2025, 9, 3)),
        ("3 March 2026", date(2026, 3, 3)),
        ("02/30/2026", None),
        ("Smarch 3, 2026", None),
        # Hyphenated, as forms and mainframes print them; never an impossible date.
        ("14-NOV-2024", date(2024, 11, 14)),
        ("03-04-25", date(2025, 3, 4)),
        ("13-04-25", None),
        ("14-Smarch-2024", None),
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
            "We completed the review of the request submitted on your behalf for a tonsillectomy. It is denied.",
            "tonsillectomy",
        ),
        (
            "From: nurse@plan.example\nSubject: Update on your Spravato request\n\nWe looked at the request Dr. Okafor "
            "sent us for Spravato (esketamine nasal spray). We can't approve it.",
            "Spravato (esketamine nasal spray)",
        ),
        ("From: nurse@plan.example\nSubject: Knee MRI decision\n\nPlease call us.", "Knee MRI decision"),
        # Round 2 (issue 5): how insurers name the item, dates, IDs and members beyond the usual labels.
        ("Service(s) requested: Lumbar fusion L4-L5", "Lumbar fusion L4-L5"),
        ("Exam requested: PET/CT, skull base to mid-thigh (CPT 78815)", "PET/CT, skull base to mid-thigh (CPT 78815)"),
        ("Order: 72148 MRI lumbar spine without contrast   Order ID 25-0228-4413", "MRI lumbar spine without contrast"),
        ("Admission type: Elective; Procedure: CABG x3", "CABG x3"),
        (
            "We have denied the following: Admission to a skilled nursing facility",
            "Admission to a skilled nursing facility",
        ),
        (
            "We have DENIED the medical services/items listed below requested by you or your doctor:\n"
            "Inpatient rehabilitation facility admission",
            "Inpatient rehabilitation facility admission",
        ),
        ("LINE  SERVICE  UNITS  STATUS\n1  RESIDENTIAL TX (1001)  45  DENIED", "RESIDENTIAL TX"),
        ("We reviewed your doctor's request for Auvelity 45 mg tablets.", "Auvelity 45 mg tablets"),
        (
            "We have denied payment for the skilled nursing services listed above.",
            "skilled nursing services listed above",
        ),
        ("This letter is about the claim for Xolair (omalizumab) 150 mg, J2357.", "Xolair (omalizumab) 150 mg"),
        ("Your request for continued home health care after 05/18/2024 has been denied.", "continued home health care"),
        ("Coverage of the skilled nursing facility stay will end on 03/08/2024.", "skilled nursing facility stay"),
        (
            "Your doctor asked us to approve a stellate ganglion block (an injection of medicine).",
            "stellate ganglion block",
        ),
        ("We can no longer pay for prescriptions written by this doctor.", "prescriptions written"),
        ("Dear Member,\nTestosterone pellets are not covered under your plan.", "Testosterone pellets"),
        (
            "Request: Racemic ketamine IV infusion, 6 infusions (J3490,\n96365)",
            "Racemic ketamine IV infusion, 6 infusions",
        ),
        ("Service requested: Xolair (omalizumab) 150 mg", "Xolair (omalizumab) 150 mg"),
        # Round 3: more labels, the notice form's "We denied:", a claim's "RE: Claim for", reimbursement prose.
        ("Test: Hereditary cancer multigene panel, 47 genes", "Hereditary cancer multigene panel, 47 genes"),
        ("Billed: 0775T  Arthrodesis, sacroiliac joint      $24,300.00", "Arthrodesis, sacroiliac joint"),
        ("Drug(s): ELIQUIS 5 MG TABLET #60", "ELIQUIS 5 MG TABLET #60"),
        ("NOT APPROVED: Pembrolizumab 400 mg every 3 weeks.", "Pembrolizumab 400 mg every 3 weeks"),
        (
            "We denied the medical care listed below:\nKetamine IV infusions, 6 sessions",
            "Ketamine IV infusions, 6 sessions",
        ),
        (
            "We denied: Vertebral axial decompression (VAX-D), 20 sessions.",
            "Vertebral axial decompression (VAX-D), 20 sessions",
        ),
        ("RE: Claim for pembrolizumab (Keytruda) infusion, 200 mg IV", "pembrolizumab (Keytruda) infusion, 200 mg IV"),
        ("RE: Request for coverage - ketamine infusion", "ketamine infusion"),
        ("CLAIM MESSAGE: Vitamin D testing (82306, 82652) was billed with diagnosis Z13.21.", "Vitamin D testing"),
        (
            "CLAIM NOTES\nTestosterone pellets (S0189) with insertion (11980) were billed together.",
            "Testosterone pellets",
        ),
        (
            "The claim billed MRI lumbar spine with contrast (CPT 72158). It does not match.",
            "MRI lumbar spine with contrast",
        ),
        (
            "We received your claim for reimbursement for Stelara 90 mg/mL (1 syringe), which you bought",
            "Stelara 90 mg/mL",
        ),
        # Round 6: a code-first remittance row, a code's description on a claim line, a pharmacy Rx line.
        (
            "Claim: 24-HBS-3128840\nLine 1   75574  CT angiography, heart/coronary     DENIED   CARC 197",
            "CT angiography, heart/coronary",
        ),
        (
            "LN  HCPCS  UNITS  DESCRIPTION\n2   J9145   180    Daratumumab, 10 mg    $17,460.00  $0.00",
            "Daratumumab, 10 mg",
        ),
        (
            "Claim: 2412WTN5560188    DOS: 11/04/2024    CPT 70553 MRI brain w/o & w/ contrast\n",
            "MRI brain w/o & w/ contrast",
        ),
        ("DOS: 11/14/2024   CPT 64721 carpal tunnel release, right; 01810 anesthesia", "carpal tunnel release, right"),
        ("DOS: 11/04/2024   CPT 95886, 95913 (EMG/NCS)\n", "EMG/NCS"),
        (
            "PT: MCALLISTER, JUNE\nRX# 2410092  OZEMPIC 0.25-0.5MG/DOSE PEN  QTY 1.5  DS 28",
            "OZEMPIC 0.25-0.5MG/DOSE PEN",
        ),
        ("Admission: 10/22/2023   Level of care: Acute inpatient psychiatric\n", "Acute inpatient psychiatric"),
    ],
)
def test_service_found(text: str, expected: str) -> None:
    document = document_from_text(text)
    found = extract_fields(document, learned=False)["service"]
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
        # "claim:" ending a sentence that introduces a list is no label.
        "There were 2 problems with this claim:\n - Green Bay Imaging is not part of the network.",
        "01  06/18/25   74177             2,980.00   0.00   CO-15",
        "04  02/20/24   ALL LINES                    0.00   CO-197",
        "03/04/2024 We received your records.",
        "DETERMINATION: Drug APPROVED / Site of care NOT APPROVED",
        "We received a request from Red Mesa for you to stay in their program.",
        "Admission: 03/29/2024 (involuntary), dx F25.0",
        # Round 2 (issue 5): how insurers name the item, dates, IDs and members beyond the usual labels.
        "Order: #ORD-12345678",
        "Re: pt A. Lindgren (MRN 7730218)",
        "We received the request for your daughter Avery to be admitted.",
        "We need your request for additional records.",
        "Because of this, the stay is not covered.",
        "CO-204  This service is not covered.",
        "We have denied the following:",
        "Member Services  Hours  Phone\nCall  9-5  1-800-555-0100",
        "We approved: Privigen 1 g/kg.\nWe denied: the remaining dose and duration requested.",
        "Billed: $2,318.00",
        "Denied: 04/07/2024 - 04/08/2024",
        "Test results: normal",
        "Drug: X   Rx #123: Y",
        "Your claim (2024-118) was billed twice.",
        "The claim billed on 03/04/2024 (CPT codes missing).",
        "Line 1   75574   1   $412.00",
        "CPT 70553 x 8\n",
        "RX# 2410092\n",
        # Round 13: a subject line that names the letter, not the care.
        "Subject: Decision Letter - Grievance 2025-GA-0093381\n",
        "RE: Provider appeal - outcome: DENIAL UPHELD (lines 1-3)\n",
    ],
)
def test_service_not_found(text: str) -> None:
    assert fields_of(text)["service"] is None


# Letter date: labels of notices, statements and emails; an unlabelled date only when it stands on its own line.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Acme Health\n\nJune 9, 2025\n\nDear Member,", "June 9, 2025"),
        ("Acme Health\nTuesday, June 10, 2025\n\nDear Member,", "June 10, 2025"),
        ("Acme Health Plan  Chicago, IL  March 3, 2024\n\nDear Member,", "March 3, 2024"),
        ("Group #: 76-114092  Statement date: 04/19/2024", "04/19/2024"),
        ("Claim: 24-0312-881045  Date processed: 03/29/2024", "03/29/2024"),
        ("Provider: NORTHSTAR AIR  Processed: 10/21/2024", "10/21/2024"),
        ("Acme Health Plan\nDate Printed: 14-NOV-2024\n\nDear Member,", "14-NOV-2024"),
        ("Acme Health Plan\nMailed: 14 March 2025\n\nDear Member,", "14 March 2025"),
        # A table heading's value is in the cell under it.
        (
            "NOTICE OF DENIAL\nDATE OF NOTICE    MEMBER ID     CASE NO\n03/14/2025        W123456789    C-88812",
            "03/14/2025",
        ),
        ("Humana Gold Plus (HMO)  Run date 07/29/2024", "07/29/2024"),
        ("CHECK/EFT #: 000612904  PAYMENT DATE: 03/22/2024", "03/22/2024"),
        ("Date/time of call: 02/18/2025 4:35 PM ET", "02/18/2025"),
        ("From: nurse@plan.example\nSent: Mon 10/06/2025 4:12 PM\nTo: Ann Lee", "10/06/2025"),
        ("Date: Tue, Feb 20, 2024 3:17 PM", "Feb 20, 2024"),
        ("Date ............ 07/09/2024", "07/09/2024"),
        ("*** FAX ***\nDATE: 05/21\nRE: Claim 24CCH0098812", "05/21"),
        ("FROM: Acme Health FAX: (866) 915-9811 PHONE: (800)\n762-2382 DATE: 12/05/2023 PAGES: 2", "12/05/2023"),
        ("Acme Plan\n\nDate: 2024.07.30\n\nTo: Ms. Park", "2024.07.30"),
        # Round 5: an internal note dated by its signature on the last line.
        ("CLINIC NOTE (internal)\nPA denied, will appeal.\n- J. Marsh, RN 3/22", "3/22"),
        ("Phone note\nCalled plan re denial.\nKT 11/04 09:30\n", "11/04"),
        ("Billing note\nRemit denied CO-16.\n-- D. Ruiz, billing, March 3, 2025", "March 3, 2025"),
        # Ordinals as people write them.
        ("Acme Health\n\nMarch 3rd, 2025\n\nDear Member,", "March 3rd, 2025"),
        ("Date: 21st of January 2025\nDear Member", "21st of January 2025"),
        # Round 11: year first with slashes, a remittance advice's date, a notice saying when it was mailed.
        ("SUNRISE MUTUAL\n\nDate: 2025/07/22\n\nTo: Mr. Kenji Watanabe", "2025/07/22"),
        ("RA NUMBER: 0003318842          RA DATE: 2024-11-07          PAGE:  1", "2024-11-07"),
        ("Healthy Blue\n\nDate we mailed this letter: 09/30/2025\n\nEarline D. Batiste", "09/30/2025"),
        # Round 12: a letter that dates itself in a sentence; a flattened two-column letterhead opening with its date.
        ("Dear Member,\nWe denied it.\n\nWe mailed this letter on July 2, 2025.\n\nClaims Review", "July 2, 2025"),
        ("We denied it.\n\nThis notice was prepared on Dec. 9, 2025.\n\nClaims Department", "Dec. 9, 2025"),
        ("Please send new notes. I'm sending this on 19 November 2024, and a copy goes by mail.", "19 November 2024"),
        ("You may appeal.\n\nWritten January 13, 2026, by the Health Plan Services office.", "January 13, 2026"),
        ("eMSN - Part B\nDelivered to your account: 11/05/2024\nName: R. Baptiste", "11/05/2024"),
        ("Devoted Health\n\nSent 2025-03-19 by mail and to your member account\n\nHi Ana,", "2025-03-19"),
        ("MOLINA HEALTHCARE  Terrence Holloway\nOctober 7, 2025  Member Services (800) 642-4168", "October 7, 2025"),
        # A date heading over its value in a two-label row.
        ("Humana\nDate:                Member number:\nMarch 18, 2025      H68231457", "March 18, 2025"),
        # Round 13: more label words; a forwarded chain is dated by its innermost message, a printout by its message.
        ("UnitedHealthcare\nP.O. Box 30432\n\nNotification date: 06/12/2024\n\nCARLOS DEVEREAUX", "06/12/2024"),
        ("PROVIDER EXPLANATION OF PAYMENT\n\nEOP date: Oct. 14, 2025          Check/EFT no.: none", "Oct. 14, 2025"),
        ("Your Explanation of Benefits\nPrinted: 04/09/2025          Statement period: 03/01 - 03/31", "04/09/2025"),
        (
            "---------- Forwarded message ---------\nFrom: Renata Voss <rv@clinic.example>\nDate: Tue, Oct 14, 2025 at "
            "10:06 AM\nSubject: Fwd: decision\n\nSee below.\n\n-----Original Message-----\nFrom: Appeals "
            "<ga@plan.example>\nSent: Friday, October 10, 2025 3:12 PM\nTo: Provider Correspondence\n\nWe upheld it.",
            "October 10, 2025",
        ),
        (
            "Member portal > Message center\nPrinted 10/01/2025 07:52 PM\n\nFrom:      Member Relations\nTo:        "
            "B. Solano\nDate sent: 09/29/2025 3:05 PM\nSubject:   Response to your grievance",
            "09/29/2025",
        ),
    ],
)
def test_letter_date_found(text: str, expected: str) -> None:
    assert fields_of(text)["letter_date"] == expected


@pytest.mark.parametrize(
    "text",
    [
        "MEDICAL MUTUAL\nDate  Service  Billed\n03/27/25  J0897 Denosumab  $2,140.00  $0.00",
        "Provider: Lotus Path  DOS: 10/02, 10/09, 10/16/2024  Codes: 97810",
        "Optum\nAdmission: 01/10/2024, acute inpatient psychiatry",
        "Service: Hyperbaric oxygen therapy, 20 sessions, 05/06/2024 - 05/31/2024",
        "UnitedHealthcare\nThe request was for 14 days starting August 5, 2024.",
        "Patient: Ann Lee  DOB  01/02/1980",
        "DATE: 13/45",
        "Member ID: W1\n02/30/2024",
        "Claim 4471 ORIGINAL DENIAL DATE: 01/02/2024",
        "Billed on 03/04/2024 SERVICE DATE: 02/02/2024",
        # Round 5: a last line that is a revision stamp, prose running long, or a date that does not end the line.
        "We denied the request.\nLast updated March 3, 2024",
        "We denied the request.\nIf you have questions about this notice or your rights, please call us on 4/12",
        "We denied the request.\nCall us after 4/12 with questions",
        "Date: 2025/13/45",
        # Round 12: a table row opening with its date is a service, not the letter's date.
        "Acme Health\nDATE  SERVICE  CHARGE\n04/02/24  Myocardial perfusion SPECT (78452)  $2,480.00",
        "Acme Health\nDate of service  Service\n06/04/2024  Acupuncture 97813  $110",
        "We will review the request after this letter was sent.",
    ],
)
def test_letter_date_not_found(text: str) -> None:
    assert fields_of(text)["letter_date"] is None


# Service date: denied days first, then date-of-service labels, the service line, prose cues and table rows.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Admission: 01/10/2024, acute inpatient\nDays denied: 01/15/2024 - 01/19/2024", "01/15/2024"),
        ("Admission: 11/13/2024, acute inpatient psychiatric\nDays not authorized: 11/19/2024 forward", "11/19/2024"),
        ("Admit: 03/01/2025\nNon-certified days: 03/05/2025 - 03/07/2025", "03/05/2025"),
        ("Admit date/time: 01/20/2025 03:40", "01/20/2025"),
        ("DOS ............. 06/27/2024", "06/27/2024"),
        ("DOS: 09/03, 09/10, 09/17", "09/03, 09/10, 09/17"),
        ("DOS 03/18 99214 / 20610  BILLED $412.00", "03/18"),
        ("Service: Adaptive behavior treatment (97153), 10/01/2025 - 10/31/2025", "10/01/2025"),
        ("Svc: Outpatient ECT, 8 sessions, 05/06/24 - 06/03/24 (90870)", "05/06/24"),
        ("Level of care requested: Inpatient rehabilitation, continued stay from 07/23/2024", "07/23/2024"),
        ("Services billed: Lumbar MRI (72148), office consults 3/20 and 4/03", "3/20 and 4/03"),
        ("We got claims for Spravato treatments on June 11, June 18, and June 25, 2024.", "June 11"),
        ("The request was for 14 days starting August 5, 2024.", "August 5, 2024"),
        ("We could not pay the claim for two hearing aids purchased on 4/18.", "4/18"),
        ("01/05  Embryo cryopreservation, initial  $1,450.00  $0.00", "01/05"),
        (
            "RECIPIENT NAME  RIN  DCN  SVC DATE  PROC  BILLED\n"
            "ZAVALA, EFRAIN  384917726  4A10228  01/17/24  93306  680.00",
            "01/17/24",
        ),
        # Round 3: purchase, delivery and refill dates, the request's date, ISO dates with full stops.
        ("Item: Power wheelchair (K0823) with accessories; delivered 06/28/2024", "06/28/2024"),
        ("your claim for Stelara, which you bought on 08/30/2025 from a pharmacy", "08/30/2025"),
        ("Item: FreeStyle Libre 3 sensors x3 (dispensed in clinic 1/16)", "1/16"),
        ("When your pharmacy tried to refill it on 02/06/2025, the claim was rejected.", "02/06/2025"),
        ("We received a request from Liberty Bell Home Health on 11/29/2023 to add visits.", "11/29/2023"),
        ("private duty nursing, sent by Tampa Bay Continuing Care on September 5, 2023.", "September 5, 2023"),
        ("Date of Service: 2024.06.18\nService: MRI brain", "2024.06.18"),
        # Round 6: a date "on" in a clause about the care, remittance FROM/THRU, a claim's own line.
        ("Claim 25-77 for V. Larsen, colonoscopy with biopsy (CPT 45380) on 06/14/2024, was not paid.", "06/14/2024"),
        ("We couldn't pay the claims for your visits on 1/8, 1/15 and 1/22.", "1/8, 1/15 and 1/22"),
        ("We received a bill for a screening colonoscopy you had on 08/06/2024.", "08/06/2024"),
        ("Thank you for the requests submitted on April 15. Neither can be approved.", "April 15"),
        ("PATIENT: NAKAMURA  ICN: 2024137TX0044812   FROM/THRU: 04/11/2024", "04/11/2024"),
        ("Re: Claim for tonsillectomy, Riverside Surgery Center, 12/18\nHi Mateo,", "12/18"),
        ("Claim: MRI left shoulder, 08/12, Lakeshore Open MRI - $2,140.00", "08/12"),
        ("Your physical therapy visit on March 3rd, 2025 was not covered.", "March 3rd, 2025"),
        # Round 7: a split decision, each range on its own line with its verdict.
        (
            "Admit: 07/06/2024\nDays 07/06 - 07/09/2024: approved (acute).\nDays 07/10 - 07/11/2024: NOT APPROVED.",
            "07/10",
        ),
        (
            "Visits 10/14/2024 - 11/22/2024 (15 visits): supported.\nVisits 11/25/2024 - 01/10/2025: not supported.",
            "11/25/2024",
        ),
        # Round 12: the date of a request told in a sentence.
        (
            "On July 8, 2025, your primary care doctor, Dr. Ben Treadway, asked us to approve a referral.",
            "July 8, 2025",
        ),
        ("Thank you for your request of January 14, 2026 for coverage of Spravato.", "January 14, 2026"),
        ("We're writing about the request Dr. Tamsin Abernathy sent us on 03/12/2025 for a procedure.", "03/12/2025"),
        ("On the morning of 2025-04-09 your office faxed us a request to cover a cream.", "2025-04-09"),
        # Round 13: when a request came in, as a header labels it; a label's bracketed note; more prose cues.
        (
            "Request #:           25-UM-2291034\nReceived on:         April 24, 2025\nProvider: Dr. Ruiz",
            "April 24, 2025",
        ),
        ("Reference #:   DME-26-0412-1190\nReceived:      04/12/2026\nSupplier:      Lakes Mobility", "04/12/2026"),
        (
            "  Diagnosis ........... F90.2\n  Received ............ 01/28/2026\n  Decision ............ Denied",
            "01/28/2026",
        ),
        ("PA CASE #    24-118507362\nRECEIVED     07/03/2024     DECIDED 07/05/2024", "07/03/2024"),
        ("Date of service (specimen collected): 07/22/2024\nOrdering provider: K. Moreau, MD", "07/22/2024"),
        (
            "Horizon ID 3HZN44817205, Group 0049118\n  eviCore case R190023874, received 01/05/2026, decided 01/08",
            "01/05/2026",
        ),
        (
            "We did not pay for the power wheelchair (HCPCS K0823) delivered to you on September 16, 2025.",
            "September 16, 2025",
        ),
        ("The claim is for Mohs surgery (CPT 17311) performed by Dr. Miles Haverford on 9/9/2025.", "9/9/2025"),
        (
            "We are writing about the request we received on December 29, 2025, from Dr. Orr for surgery.",
            "December 29, 2025",
        ),
        ("Spravato was requested for induction treatment beginning on or after February 3, 2025.", "February 3, 2025"),
        # Round 13b: the care word nearest the date decides; "on or after"; a request "received" after its service.
        (
            "We processed the claims for ketamine infusions you received on January 8, 10 and 22, 2025. Billed.",
            "January 8, 10 and 22, 2025",
        ),
        (
            "We got a request for a sleep study (CPT 95810) at Garden Sleep Center on or after December 8, 2025.",
            "December 8, 2025",
        ),
        ("We reviewed the request for MRI Cervical Spine (CPT 72141) received 8/14/2024. It is denied.", "8/14/2024"),
    ],
)
def test_service_date_found(text: str, expected: str) -> None:
    assert fields_of(text)["service_date"] == expected


def test_days_a_split_decision_denies_are_the_service_date_whatever_the_ranker_prefers() -> None:
    """The admission date is labelled too (and usually right), but when the letter marks days denied, those are
    at issue: the learned choice does not override them."""
    text = (
        "Aetna Concurrent Review\nMember: J. Doe   Admit: 07/06/2024   Dx: J18.9\n"
        "Days 07/06 - 07/09/2024: approved (acute).\nDays 07/10 - 07/11/2024: NOT APPROVED.\n"
        "Reason: the member was stable for discharge on 07/09/2024."
    )
    found = extract_fields(document_from_text(text))["service_date"]
    assert (found.value, found.rule) == ("07/10", "label:denied-days")
    # A range approved on its line is not taken for a denied one, even when a later line denies something.
    approved = "Admit: 07/06/2024\nDays 07/06 - 07/09/2024: approved (acute).\nThe rest of the stay was denied."
    assert extract_fields(document_from_text(approved))["service_date"].rule != "label:denied-days"


@pytest.mark.parametrize(
    "text",
    [
        "The head scan from 07/02/2024 shows mild asymmetry.",
        "We approved your treatment from March 4, 2024 through June 2, 2024.",
        "Date: 07/22/2024\nMember: Ann Lee",
        "DOS: 13/45",
        "RECIPIENT NAME  RIN  SVC DATE  PROC\nZAVALA, EFRAIN  384917726  93306  680.00",
        "We received a request from your doctor. On 11/29/2023 we asked for records.",
        "Version 2024.06.18.1 of the policy applies.",
        # A date "on" that is the letter's own event or another event, not the care.
        "We reviewed your claim for the MRI and made our decision on 03/05/2025.",
        "Inpatient rehabilitation after your lumbar spinal fusion on 02/04/2025 is not covered.",
        "Physical therapy was recommended on 01/28/2025 but has not started.",
        "Your claim for the MRI was denied on 03/05/2025.",
        "Claim: 25-7719302",
        # When the reviewer looked, not the care; "Dates" inside a sentence is no label.
        "Date reviewed: 11/02/2023",
        "Your claim lists two Dates: see the enclosed statement of 02/01/2024.",
        # Round 12: a date that opens a sentence about something other than the request.
        "On July 8, 2025, the plan changed its drug list.",
        # Round 13: an e-mail header's arrival stamp and an appeal's own receipt are not the request.
        "From:        Appeals Team\nTo:          D. Marchetti\nReceived:    05/30/2025 4:47 PM\nSubject: Decision",
        "Reconsideration request received:  July 15, 2025",
        "Form CMS-10146 (Exp. 01/31/2027)                               Page 1 of 2",
    ],
)
def test_service_date_not_found(text: str) -> None:
    assert fields_of(text)["service_date"] is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Member ID: W1  Group: 0871553 - Northbridge Logistics", "employer"),
        ("Member: Ann Lee  Group: Lorain County Schools", "employer"),
        ("Plan: UnitedHealthcare Choice (group: Four Corners Electric Cooperative)", "employer"),
        ("Plan: Halcyon Health System Employee Prescription Plan", "employer"),
        ("Prior authorization is required under the State of Wisconsin group formulary.", "state_employee"),
        ("Your employer's workers' compensation coverage uses a provider network.", "other"),
        ("You have the right to request a redetermination (appeal) of our decision.", "medicare_part_d"),
        ("Medicare drug plans may only cover a drug for a medically accepted indication.", "medicare_part_d"),
        # Round 3: union funds, workers' health trusts, employees' plans, a company group, state Medicaid programs.
        ("PLUMBERS & PIPEFITTERS LOCAL 440 WELFARE FUND", "employer"),
        ("Plan: Cascade Timber Workers Health Trust - Rx", "employer"),
        ("Plan: Buckeye Manufacturing Employees' Prescription Plan", "employer"),
        ("Group: 0913346 ACME LOGISTICS INC.    Claim #: 1", "employer"),
        ("Group: 21880-Lancaster Regional Medical Group", "employer"),
        ("TRILLIUM COMMUNITY HEALTH PLAN\nOregon Health Plan (OHP)", "medicaid"),
        ("HealthChoices Behavioral Health Program - Bucks County", "medicaid"),
        # Round 5: student health plans, an insurer's Medicare line, a plan or coverage tied to a named organisation, a
        # large-group plan or group contract, more program names.
        ("Riverbend College Student Health Insurance Plan\nClaims Unit", "other"),
        ("Hi Sam,\nYour student plan needs a referral from the campus clinic.", "other"),
        ("Plan sponsored by: Harmon Tech Institute\nAetna Student Health", "other"),
        ("HUMANA MEDICARE - PROVIDER REMITTANCE ADVICE", "medicare_advantage"),
        ("Plan: Wellcare Medicare Value (HMO)", "medicare_advantage"),
        ("Plan: Northgate Freight Inc. (Navitus formulary)", "employer"),
        ("Account: PINE RIDGE SCHOOL DISTRICT 9 - OPEN ACCESS PLUS", "employer"),
        ("Your plan, the Choice Plus plan offered through Halvorsen Marine, excludes LASIK.", "employer"),
        ("Records show your coverage through Delmar Tool Works, Inc. ended on May 31.", "employer"),
        ("Plan: Blue Preferred PPO - Tri-County Dairy Cooperative (large group)", "employer"),
        ("Authorization is required under the member's group contract.", "employer"),
        ("ForwardHealth\nPrior Authorization", "medicaid"),
        ("From: Uniform Medical Plan Care Management", "state_employee"),
        ("If you elected COBRA continuation coverage, send proof.", "employer"),
        ("Your company's health plan excludes it.", "employer"),
        ("Plan: Keystone Rx Select (PDP)", "medicare_part_d"),
        ("Riverbend Health is an HMO Special Needs Plan with a Medicare contract.", "medicare_advantage"),
        ("Plan: Silver 70 ACA plan (Individual & Family)", "individual"),
        # Round 11: a group number with its organisation in brackets; a benefit sponsor.
        ("Subscriber #: XZM611204839     Group No.: 00218455 (Range Iron Works)", "employer"),
        ("Group: 280114M003 (Coastal Biologics, Inc.)", "employer"),
        ("Prescription benefit sponsor: Trinity Valley Independent School District", "employer"),
        # A clue in the header outranks another plan the body names in passing; without one, the data file's order.
        (
            "DESERT CARE\nAHCCCS Complete Care\n\n"
            + "We reviewed it. " * 30
            + "A Medicare Advantage plan may cover it.",
            "medicaid",
        ),
        (
            "Dear Member,\n\n" + "We reviewed it. " * 30 + "Medicaid or a Medicare Advantage plan may cover it.",
            "medicare_advantage",
        ),
        # Round 12: Original Medicare's contractors and appeal steps are none of the listed plan types.
        ("CGS Administrators, LLC - Jurisdiction B DME MAC\nResponse to Written Inquiry", "other"),
        ("You may ask for a reconsideration by a Qualified Independent Contractor (QIC).", "other"),
        # Round 13: a group number followed by its organisation's name; a state government's own employee group.
        ("Member ID: W55120  Group: 174503 STATE LINE FOODS", "employer"),
        ("Group ................ 007024631-0003  Meridian Tool & Die Co.", "employer"),
        ("Coverage under group 004418-OT (Oconee Textiles Inc.) ended on 02/29/2024.", "employer"),
        ("Group: 1000873, Evergreen Maritime Services", "employer"),
        ("Employer group: Commonwealth of Pennsylvania - active employees", "state_employee"),
    ],
)
def test_plan_type_found(text: str, expected: str) -> None:
    assert fields_of(text)["plan_type"] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Member ID: HMK884201337\nGroup #: 0047712",
        "Group: 0715209 (Choice Plus)",
        "Group: 0715209 (Open Access Plus)",
        "Daily sessions are billed with 90868, and redetermination of motor threshold with 90869.",
        "Plan: Employee  \n  Plan",
        "Group: 0047712 HMO Select",
        "Group: 0047712\nPlan: Choice",
        # Round 5: a Medigap policy is not Medicare Advantage; a study's "large group of patients"; coverage through an
        # insurer or a government program; a full-time student who is a dependent.
        "Aetna Medicare Supplement Plan G\nClaim detail",
        "A large group of patients was followed for two years.",
        "Your coverage through Aetna ends on June 30.",
        "Coverage provided through Medicare ends when you leave the hospital.",
        "Your son stays covered while he is a full-time student.",
        "Plan: Choice Plus (company benefits)",
        # Round 13: a group with a product or the next label after it; the agency a Medicare notice names.
        "Member ID: 918274630    Group: 0702219 (Choice Plus)",
        "GROUP: 0907712  PLAN: CHOICE PLUS",
        "Group: 0703321  Member ID: 55120",
        "THE OFFICIAL SUMMARY OF YOUR MEDICARE CLAIMS FROM THE CENTERS FOR MEDICARE & MEDICAID SERVICES",
    ],
)
def test_plan_type_not_found(text: str) -> None:
    assert fields_of(text)["plan_type"] is None


@pytest.mark.parametrize(
    ("text", "field", "expected"),
    [
        ("RE: Claim 24CCH0098812 - member Tamika Rowe", "claim_number", "24CCH0098812"),
        ("Subject: Update on your request - Ref 24-CM-004417", "claim_number", "24-CM-004417"),
        ("Re: Order 24M-0513-70811 - REQUEST CANNOT BE PROCESSED", "claim_number", "24M-0513-70811"),
        ("Auth ref: MBHP-ECT-240621-008", "claim_number", "MBHP-ECT-240621-008"),
        ("CD number: CD-2406-771904", "claim_number", "CD-2406-771904"),
        ("RE: Member Marguerite Oyelowo, ID CPH-0047782-01", "member_id", "CPH-0047782-01"),
        (
            "RECIPIENT NAME  RIN  DCN  SVC DATE  PROC\nZAVALA, EFRAIN  384917726  4A1022871100201  01/17/24  93306",
            "claim_number",
            "4A1022871100201",
        ),
        (
            "RECIPIENT NAME  RIN  DCN  SVC DATE  PROC\nZAVALA, EFRAIN  384917726  4A1022871100201  01/17/24  93306",
            "member_id",
            "384917726",
        ),
        # Round 3: more claim and member labels, an employer's account, a name after a group number.
        ("Tracking: MSK-GHP-240826-0092", "claim_number", "MSK-GHP-240826-0092"),
        ("Ref: OBH-TMS-0402-23381", "claim_number", "OBH-TMS-0402-23381"),
        ("Date: 03/29/2024   Pages: 2   Re: Ref ABHTX-DME-2403-77104", "claim_number", "ABHTX-DME-2403-77104"),
        ("Review #: HMK-25-188-40025", "claim_number", "HMK-25-188-40025"),
        ("Claims: 2411-HS-330871, 2412-HS-341190", "claim_number", "2411-HS-330871"),
        ("Claim group: HSB-2501-44380 to -44408", "claim_number", "HSB-2501-44380"),
        ("Member: Winston Abernathy-Yoo      MRN: 00084412093", "member_id", "00084412093"),
        ("Priya Ramaswamy\nMedical Record #: 11-004-88231", "member_id", "11-004-88231"),
        (
            "CLAIM: 25027BK0044182     PATIENT: FONTENOT, CHARLENE R    MEMBER: XKC5500128847",
            "member_id",
            "XKC5500128847",
        ),
        ("Member: Andrea Castellanos     ID 97611023401", "member_id", "97611023401"),
        ("Account: 3188450 - Harborview Hospitality Group", "group_number", "3188450"),
        ("Group: 21880-Lancaster Regional Medical Group", "group_number", "21880"),
        ("Review date: 02/06/2025", "letter_date", "02/06/2025"),
        # Round 4: remittance and Blue plan labels, a fixed-width column with an empty cell, remittance dates.
        ("PATIENT: Wozniak, Edmund J    MBR: XDP441900377    ICN 25041LAB00921", "member_id", "XDP441900377"),
        ("Member: Szymanski, Loretta M    Contract: XYK8830129477", "member_id", "XYK8830129477"),
        ("ICN  RECIP ID  NAME  DOS\n2024151003217  948003112L  TRAN, KHANH  02/06/24", "member_id", "948003112L"),
        ("ID Card #: QRS-44120-7", "member_id", "QRS-44120-7"),
        ("Auth: RTC-ED-24-0206-3317", "claim_number", "RTC-ED-24-0206-3317"),
        ("Precertification #: 25-9913-0742", "claim_number", "25-9913-0742"),
        ("Inpatient notification # CHC-IP-250403-118; admit 04/03/2025", "claim_number", "CHC-IP-250403-118"),
        ("RE: Request SLP-SC-0821-12207  Member: Ann Lee", "claim_number", "SLP-SC-0821-12207"),
        (
            "ICN            DOS        PROC    MOD  UNITS\n2124123880017  04/11/24   G2083        1",
            "claim_number",
            "2124123880017",
        ),
        ("Issued: October 9, 2024\nCovered Person: Ann Lee", "letter_date", "October 9, 2024"),
        ("DOS: 05/13/2024     Received: 05/28/2024     Finalized: 06/04/2024", "letter_date", "06/04/2024"),
        ("Remit date: 07/12/2024     EFT: 0093318872", "letter_date", "07/12/2024"),
        ("RA #: 0009812654     Check/EFT date: 07/19/2024", "letter_date", "07/19/2024"),
        ("PROVIDER: HUDSON PLLC   MMIS ID: 047   CYCLE 2417  DATE 04/29/24", "letter_date", "04/29/24"),
        # Round 5: labels joined by "/" pair with values joined by " / "; Medicaid recipient abbreviations; "Claim(s)";
        # an ID on the provider's line is the provider's; send stamps and portal stamps date a letter.
        ("Policy/Certificate: GRP-88-4410 / 7731-20019", "group_number", "GRP-88-4410"),
        ("Policy/Certificate: GRP-88-4410 / 7731-20019", "member_id", "7731-20019"),
        ("Name: Lee Park  Employee ID/Member ID: E55102 / KXW4410092", "member_id", "KXW4410092"),
        ("Member ID/Group #: KXW4410092 / 66120", "member_id", "KXW4410092"),
        ("Member ID/Group #: KXW4410092 / 66120", "group_number", "66120"),
        ("Claim/Reference #: 24-55120-A", "claim_number", "24-55120-A"),
        ("Enrollee: Dana Fiske   RID: 330918274", "member_id", "330918274"),
        ("CLIENT: MORALES, INES   PCN: 604417293", "member_id", "604417293"),
        ("Claim(s): 25118D0042210, 25118D0042211", "claim_number", "25118D0042210"),
        ("Provider: BAYSIDE THERAPY LLC  MMIS ID: 08812045\nRecipient ID: QX77120M", "member_id", "QX77120M"),
        ("Billing provider: Ann Lee, MD   Member ID: KXW4410092", "member_id", "KXW4410092"),
        ("Date/Time sent: 11/03/2025 08:40\nTo: Utilization Review", "letter_date", "11/03/2025"),
        ("Provider Portal > Claim Detail\nViewed: 02/27/2026 09:12 ET", "letter_date", "02/27/2026"),
        ("Claim Status Response\nInquiry submitted: 01/15/2026 10:02 AM", "letter_date", "01/15/2026"),
        (
            "Claim  Svc Date  Service  Charged\n25101880021  01/06/25  S0013 ESKETAMINE  $2,184.00",
            "claim_number",
            "25101880021",
        ),
        ("CLP*CG2518877120*4*5830.00*0.00**12*EV4418207", "claim_number", "CG2518877120"),
        ("Member ID:\n  W184392771\nDate: 03/04/2025", "member_id", "W184392771"),
        ("Claim number\n24-281-0044916\n", "claim_number", "24-281-0044916"),
        ("MBR ID 961330294    GRP 0912077", "group_number", "0912077"),
        ("Reference ID: UM-2024-77120", "claim_number", "UM-2024-77120"),
        ("Grievance #: GRV-2025-00417", "claim_number", "GRV-2025-00417"),
        ("Dated: March 3, 2025", "letter_date", "March 3, 2025"),
        ("Member ID: K4410 … 99812 (shown in part)", "member_id", "K4410 ... 99812"),
        ("Your claim number is 2025031188120.", "claim_number", "2025031188120"),
        ("Your member ID was W77120034 when the claim was filed.", "member_id", "W77120034"),
        # A note in brackets after the label, or the label in brackets after another.
        ("Medical Assistance ID (ACCESS card): 8812045530", "member_id", "8812045530"),
        ("Participant: Reyna Castellanos          DCN (Medicaid ID): 114027753", "member_id", "114027753"),
        # Round 10: labels unseen writers use, read when no usual label is there; IDs in digit groups; letter codes.
        ("CIN: 91266054F      TAR/RAF Number: 25-178-40821", "claim_number", "25-178-40821"),
        (" 4. PRIOR APPROVAL NUMBER:  0248811936", "claim_number", "0248811936"),
        ("Appeal (redetermination) #: PDRA-0000917742", "claim_number", "PDRA-0000917742"),
        ("Our reference numbers: TX-25-04417 (transplant request)", "claim_number", "TX-25-04417"),
        ("Referral ID: HNCS-RF-2411-066218", "claim_number", "HNCS-RF-2411-066218"),
        ("Requests reviewed: QL-26-077140 and PA-26-077141", "claim_number", "QL-26-077140"),
        ("Claim #: 24-55120-A\nConfirmation #: RD-25-0316-88412", "claim_number", "24-55120-A"),
        ("Patient name: Herbert Tanaka   Patient number: SCN77304182", "member_id", "SCN77304182"),
        ("Patient: Lorenzo Begay      Chart #: 0448217", "member_id", "0448217"),
        ("Tufts Health Plan ID: 3904418201", "member_id", "3904418201"),
        ("Health/medical record #: 11 0739 2281", "member_id", "11 0739 2281"),
        ("Member ID: 9 48 711 03 5\nPlan: AARP Medicare Advantage", "member_id", "9 48 711 03 5"),
        ("Member ID: 7702918843\nPatient number: 1029384756", "member_id", "7702918843"),
        ("ID No.: 102448871903             Group: MASSMTRX", "group_number", "MASSMTRX"),
        (" BIN 610011   PCN 9999   GRP RXR7721", "group_number", "RXR7721"),
        # Round 11: a masked SSN or an amount is no ID; a policy number only when no member label is there.
        ("Participant SSN: XXX-XX-6604       Fund ID: BTU-0044182", "member_id", "BTU-0044182"),
        ("Policy No. : SMH-44120-07\nMember ID  : 4412007-02", "member_id", "4412007-02"),
        ("Policy number:   STM-559031177\nTracking No.:    GR-CLM-25-0039918", "member_id", "STM-559031177"),
        ("Policy number:   STM-559031177\nTracking No.:    GR-CLM-25-0039918", "claim_number", "GR-CLM-25-0039918"),
        ("TOTAL PAID CLAIMS:  175.48\nClaim No.: 2024305207718000", "claim_number", "2024305207718000"),
        ("Internal control number:      ICN 25071-40089-310", "claim_number", "25071-40089-310"),
        ("Claim Ref. No. : PPB-25-014457", "claim_number", "PPB-25-014457"),
        ("Clm #s: 2025011700418 / 2025011700419", "claim_number", "2025011700418"),
        ("Referral/consult #: 1998-33017", "claim_number", "1998-33017"),
        ("Representative: D. Hollins     Call ID: WC-PDP-1118-0442", "claim_number", "WC-PDP-1118-0442"),
        ("Caremark ID: CVS4471903328             RxGroup: RX5582   BIN: 004336", "group_number", "RX5582"),
        ("- Plan: Dunmore & Pratt Engineering Employee Benefit Plan (Group RXDPENG)", "group_number", "RXDPENG"),
        ("Student ID on plan: NFU-24-338107", "member_id", "NFU-24-338107"),
        # A heading cell of a few words, and a row whose last cell is empty.
        (
            "Original ICN  Adjustment ICN  DOS  Procedure\n2403117744  2417082210  01/16/24  80053",
            "claim_number",
            "2403117744",
        ),
        (
            "BENEFICIARY  MEDICAID ID  ICN  DOS  PROC  PAID  ADJ CODES\nHOLLOWAY, VERNON  188204417  2224095310177  "
            "03/28/24  99214  96.12",
            "claim_number",
            "2224095310177",
        ),
        # Round 12: IDs told in sentences, each by the nearest kind word before it.
        (
            "We processed the three bills under your member number, PHC-0627733-01, as claims 25141-0007712, "
            "25141-0007713 and 25145-0002290.",
            "member_id",
            "PHC-0627733-01",
        ),
        (
            "We processed the three bills under your member number, PHC-0627733-01, as claims 25141-0007712, "
            "25141-0007713 and 25145-0002290.",
            "claim_number",
            "25141-0007712",
        ),
        ("When you call, tell us your Medicaid ID, 7700418822. Also tell us the number.", "member_id", "7700418822"),
        ("Our reference for this review is CR-0126-70244, and we cannot approve it.", "claim_number", "CR-0126-70244"),
        (
            "on the Trust's Standard PPO option, with the member identification number CMB 7730412 00.",
            "member_id",
            "CMB 7730412 00",
        ),
        # Two labels over their values; a decision number written before the claim's control number; "Claim (CCN):".
        (
            "Member ID                     Reference #\nW219884036                    1023-88-41907",
            "member_id",
            "W219884036",
        ),
        ("Date of Birth:          Group Number:\n03/02/1987              3341907", "group_number", "3341907"),
        (
            "Redetermination number:  L-B-25-1208847721\nInternal Control Number:  0425079312405",
            "claim_number",
            "L-B-25-1208847721",
        ),
        ("Claim (CCN):       25231801246000\nReview ID:         TPE-JA-25-114903", "claim_number", "25231801246000"),
        ("NAME OKAFOR, BEATRIX   MID 1FJ5NP3KD66   ACNT 77102-OL   ICN 0225010387440", "member_id", "1FJ5NP3KD66"),
        ("Group ............... 00G4417", "group_number", "00G4417"),
        ("Pt:  Renata Sokolowski    ID#  88241079001    Auth #  PH-TMS-2602-11934", "member_id", "88241079001"),
        (
            "ID No.        Plan                    Ref No.\n2119483660    GEHA Standard Option    25139-00871",
            "claim_number",
            "25139-00871",
        ),
        ("Claim no(s).:  25-144-00387, 25-144-00391", "claim_number", "25-144-00387"),
        ("Group:            GLTJC-HW\nPlan sponsor:     Great Lakes Fund", "group_number", "GLTJC-HW"),
        # A vendor's case ID run into the Re line does not outrank the member label below it.
        (
            "Re: Determination - Cohere ID CH-8W2KQ7\n\nPatient: Greg Szabo\nMember ID: 9051837726",
            "member_id",
            "9051837726",
        ),
        # Round 13: the plan's own member number over a government program's number for the same person, whichever
        # comes first; a message's or a notice's ID is no member's; pipe tables; more decision labels.
        ("Member: Ann Lee     Medicaid CIN: QX55120R\nPlan Member ID: 0081123344", "member_id", "0081123344"),
        (
            "ProviderOne Client ID ....... 301228874WA\nMolina Member ID ............ 100722019",
            "member_id",
            "100722019",
        ),
        (
            "Recipient Identification Number (RIN): 660128843\nMeridian Member ID: MHIL-5523001",
            "member_id",
            "MHIL-5523001",
        ),
        ("Medicaid ID:          7731180224\nSunshine Health ID:   U0112874431", "member_id", "U0112874431"),
        ("Medicare number (MBI): 4TR2-KL7-QP19\nMember ID: H55120873-01", "member_id", "H55120873-01"),
        ("Client ID (Prime #): QT118804   Trillium member #: 0051128834", "member_id", "0051128834"),
        ("Medicaid ID: 900315726044\nPrior authorization number: 25048-117302", "member_id", "900315726044"),
        ("Message ID:  MSG-55012873\nSubject: Your appeal\n\nMember ID: W771203345", "member_id", "W771203345"),
        ("  | Member ID            | 20583318          |", "member_id", "20583318"),
        ("  | Request ID           | PA-OK-2025-0611-07731   |", "claim_number", "PA-OK-2025-0611-07731"),
        (
            "Notice ID: SPBM-NOD-0311-22871\nPrior authorization number: 25070-22871",
            "claim_number",
            "SPBM-NOD-0311-22871",
        ),
        ("Treatment plan ID:  DNTX-TP-2506-11873\nDate received: 2025-06-02", "claim_number", "DNTX-TP-2506-11873"),
        ("Appeal File #: AP-2025-044120\nOriginal Determination #: PA-2025-221873", "claim_number", "AP-2025-044120"),
        (
            "Second-level appeal:    GRV-A2-25-0511-2210\nFirst-level appeal:  GRV-A1-25-0301-1187",
            "claim_number",
            "GRV-A2-25-0511-2210",
        ),
        ("Outside referral request:      RR-SE-25-220071", "claim_number", "RR-SE-25-220071"),
        ("Re: Appeal 25-OH-APL-0044128 / Claim 2507101842277 / DOS 6/2/25", "claim_number", "25-OH-APL-0044128"),
        ("Your ID:         U5520418826\nAccount #:       4410872  (Tri-River Tooling)", "group_number", "4410872"),
        ("Member ID No.:   W3K552011873\nGroup/Plan:      51120-0000  Select PPO", "group_number", "51120-0000"),
        (
            "Dispute ID: SH-CD-25-0710442\nMedicaid ID: 9481000733\nSunshine Health member ID: U99120412",
            "member_id",
            "U99120412",
        ),
        (
            "Member/Patient:     Daniela Reyes (dependent)\nKP medical record:  000114982211",
            "member_id",
            "000114982211",
        ),
        (
            "MassHealth ID .......... 100581290301\nMember ................. Adrian Quinones",
            "member_id",
            "100581290301",
        ),
        ("Please include your Employee ID (CPH-118230) and the claim number.", "member_id", "CPH-118230"),
        ("Plan / group:     Brookhaven Logistics, Inc. / Group 7724-001 (EPO)", "group_number", "7724-001"),
        ("Member ID: XYK660381204   Group: Great Lakes Tooling Inc. (007731204)", "group_number", "007731204"),
        ("Group: ACME LOGISTICS INC 0719824   Claim Number: 24E0883171500", "group_number", "0719824"),
        ("Account: Rivermark Medical Devices, Inc. - Open Access Plus (account 3341876)", "group_number", "3341876"),
        ("Member ID: 1CVK8820345               BIN 004336  PCN ADV  RxGrp RX8832", "group_number", "RX8832"),
        # The plan's number under its own name beside a state program's, and in a sentence.
        (
            "ProviderOne Client ID: 201548872WA\nCHPW ID: 7300915526\nTracking number: CH-PA-3317",
            "member_id",
            "7300915526",
        ),
        ("Beneficiary: C. Ashworth   MBI: 8CA3-DF6-VN42\nMedical record no.: 00731884", "member_id", "8CA3-DF6-VN42"),
        (
            "Insurance: Molina (Ohio Medicaid). Medicaid ID: 1092 3384 1175. Molina mbr # 700184432.",
            "member_id",
            "700184432",
        ),
    ],
)
def test_id_found(text: str, field: str, expected: str) -> None:
    assert fields_of(text)[field] == expected


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("Payer ID 62308  Payee: NORTHGATE IMAGING", "member_id"),
        ("3000 E. Pine Ave, Meridian, ID 83642", "member_id"),
        ("LAKESIDE INTERNAL MEDICINE GROUP  NPI 1508877213", "group_number"),
        ("SVC  DOS  CPT  CHG  PAID  ADJ\n01  06/18/25  74177  2,980.00  0.00  CO-15", "claim_number"),
        ("We reviewed the claim 3 times.", "claim_number"),
        ("See reference 12 in the policy.", "claim_number"),
        # A row with an empty cell does not line up with its heading.
        ("NAME  RIN  DCN  PROC\nZAVALA  384917726  93306", "claim_number"),
        ("Per Humana Military rep (call ref HM-5520931), request DENIED.", "claim_number"),
        ("Claim group: HSB-2501-44380 to -44408", "group_number"),
        ("Pt: Reyes, Joaquin  DOB 07/02/1981  MRN 00482913", "member_id"),
        ("Member: Ann Lee\nPlan: Choice", "member_id"),
        ("Patient Account: 7710048823", "group_number"),
        ("MBR MUST HAVE TRIAL OF GENERIC", "member_id"),
        ("Medicare contract ID H1234 applies.", "member_id"),
        ("Prior authorization is required for this request 2 times a year.", "claim_number"),
        ("Your request was received on the DATE shown.", "letter_date"),
        # A cell in the heading's column but not aligned with it is not under it.
        ("ICN  DOS  PROC  MOD\nA  04/11/24   G2083  1", "claim_number"),
        # Round 5: a provider's own IDs, a pharmacy's processor control number, a lower-case word, a lone "Policy".
        ("PAYEE: RIVER BEND CLINIC  NPI: 1467700213  STATE MEDICAID ID: 0455120", "member_id"),
        ("Provider: Lakeside Dialysis  Medicaid ID: 7712044", "member_id"),
        ("BIN: 610014  PCN: MEDDPRIME  Group: RX4410", "member_id"),
        ("Beneficiary (ID MBI-linked 3QX7CC1) was seen.", "member_id"),
        ("Claim  Status  Paid\nDenied  Yes  No", "claim_number"),
        ("The member ID is missing from the claim.", "member_id"),
        # A label after another cell, or a next line that is prose, gives no next-line value.
        ("Name  Member ID\nA12345 W123", "member_id"),
        ("Member ID:\n12 visits were approved.", "member_id"),
        ("DOS  PROC  GRP/CARC  RARC\n01/02/24  97110  CO-45  N130", "group_number"),
        ("Policy: Clinical Policy Bulletin 0388", "group_number"),
        # Round 11: an amount, a masked Social Security number, an empty cell in a row's first half.
        ("TOTAL PAID CLAIMS:           175.48", "claim_number"),
        ("Participant SSN: XXX-XX-6604", "member_id"),
        ("NAME  RIN  DCN  PROC  PAID\nZAVALA  384917726  93306  0.00", "claim_number"),
        # A group without digits only as a whole cell of capitals; a decision's kind without a number is no label.
        ("Account: MAPLEWOOD SCHOOL DISTRICT NO. 12 - OPEN ACCESS PLUS", "group_number"),
        ("Group: Cascade Timber Co. Employee Plan", "group_number"),
        ("Group: PPO", "group_number"),
        ("The appeal number will be sent to you.", "claim_number"),
        ("Your request reviewed on 03/04/2025 was denied.", "claim_number"),
        ("Patient number: see your card", "member_id"),
        # Round 12: a patient account, a form's OMB number, a prescriber's NPI, a telephone number and a barcode's
        # member tag are no IDs.
        ("Patient control no.: MPR-OP-5520193", "claim_number"),
        ("Form CMS-10124 (Exp. 12/31/2027)   OMB Approval No. 0938-0953", "claim_number"),
        ("Prescriber NPI on the request (1487720331) is not valid.", "claim_number"),
        ("If you have questions about this claim, call (800) 555-0144.", "claim_number"),
        ("||||| | ||| ||||| ||  PT-MBR-0225-00417", "member_id"),
        ("Your group NPI 1902887631 was on the claim.", "group_number"),
        # Round 13: a hospital's patient account with letters is the bill's number, not the employer's group.
        ("Facility: Valley Community Hospital\nAccount #: VCH-2407-55310", "group_number"),
        ("Notice ID: SPBM-NOD-0311-22871", "member_id"),
        # A practice's group NPI is no employer group; a hospital's record number is no plan's member ID.
        ("PAYEE: LAKESIDE INTERNAL MEDICINE GROUP     NPI 1508877213", "group_number"),
        ("Group NPI 1639284710   Tax ID 34-1992085", "group_number"),
    ],
)
def test_id_not_found(text: str, field: str) -> None:
    assert fields_of(text)[field] is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Participant: GUADALUPE R. TREVIÑO  Participant ID: ERS 4471\nPatient: MATEO TREVIÑO (dependent child)",
            "MATEO TREVIÑO",
        ),
        ("Member: ROSALIND K ACHTERBERG  Member ID: 8990431-01\nPatient: TOBIAS ACHTERBERG (Son)", "TOBIAS ACHTERBERG"),
        ("Beneficiary: MSgt (Ret.) Alvin Rutledge, USAF", "Alvin Rutledge"),
        ("Member .......... Nguyen, Bao Tran  ID: XEA907733612", "Nguyen, Bao Tran"),
        ("Injured employee: Armando Villaseñor  Claim no.: 06-441877-RT", "Armando Villaseñor"),
        ("RECIPIENT NAME  RIN  DCN\nZAVALA, EFRAIN  384917726  4A1022871100201", "ZAVALA, EFRAIN"),
        (
            "Aetna Life Insurance Company\nP.O. Box 14079\nLexington, KY 40512\n\nMarch 4, 2024\n\n"
            "KAREN M. DELACROIX\n418 Willet Lane",
            "KAREN M. DELACROIX",
        ),
        ("Plan letter\n\nDear Owen Stutzman,\n\nWe got your claims.", "Owen Stutzman"),
        ("Coverage decision\n\nHi Theo,\n\nGood news on your MRI.", "Theo"),
        (
            "Blue Shield - Member Portal\nMessage Center\nTo: Aaron Lindqvist\nFrom: UM\nSubject: Decision",
            "Aaron Lindqvist",
        ),
        # Round 3: "RE:" lines with the DOB or ID, parents' letters, IDs after a name, titles and ranks.
        ("RE: Kristen Hoekstra   DOB: 02/19/1979   Member ID: 91284450-02", "Kristen Hoekstra"),
        ("Dear Plan Member:\nRe: Reginald Thorpe, Member ID NCS0072281430 - Request for ZEPBOUND", "Reginald Thorpe"),
        ("DATE: 09/19/2023\nTO: Parent/Guardian of Jaylen R. Bostwick\nMEMBER #: 117-403-8829", "Jaylen R. Bostwick"),
        (
            "Horizon NJ Health\nNJ FamilyCare\n1700 American Blvd, Pennington, NJ 08534\n\nAugust 2, 2024\n\n"
            "Parent/Guardian of Sienna Marchetti-Obi\nMember ID: 3HZ00817442",
            "Sienna Marchetti-Obi",
        ),
        ("KAISER PERMANENTE\nMember Services\n\nPriya Ramaswamy\nMedical Record #: 11-004-88231", "Priya Ramaswamy"),
        ("May 20, 2025\n\nMs. Honoria Delgado-Paszkiewicz\nCustomer ID: U55283019 03", "Honoria Delgado-Paszkiewicz"),
        ("Beneficiary: SPC (Ret.) Terrence Boyd       DBN: 1003388214", "Terrence Boyd"),
        ("Beneficiary: SSgt (ret.) Reginald Oyelaran-Marsh     DoD Benefits No.: 1447", "Reginald Oyelaran-Marsh"),
        ("Member: Yesenia Morales, CIN 90442881A", "Yesenia Morales"),
        ("Dear Ms. Larsen,\n\nWe received the request for your daughter Avery to be admitted.", "Avery"),
        ("Hi Mrs. Abernethy-Soto,\n\nYour claim was denied.", "Abernethy-Soto"),
        # Round 5: a "Covered Person" label, a client or bare name column, a letter to a child's parent, "Patient:
        # Self" naming no one.
        ("Covered Person: Mr. Anselm Berquist\nCertificate No.: 1", "Anselm Berquist"),
        ("CLIENT NAME  CLIENT ID  TCN  DOS\nLUND, ASTRID  QA11029M  240110022  01/04/24", "LUND, ASTRID"),
        ("ICN  RECIP ID  NAME  DOS\n2024151003  908812L  PARK, MINA  02/06/24", "PARK, MINA"),
        ("Acme Kids Plan\n\nDear Parent/Guardian of Tobias Lind,\n\nWe reviewed the request.", "Tobias Lind"),
        ("To: the parent of Ines Carvalho (age 9)\nMember ID: 1", "Ines Carvalho"),
        ("Patient: Self    Provider: Lake Clinic\nSubscriber: Doran Vicks", "Doran Vicks"),
        # Round 12: a letter to the doctor names the patient in a sentence; a salutation's surname or a greeting's
        # first name is completed from the full name written elsewhere.
        (
            "Dear Dr. Haugen,\n\nYour office faxed us a request for your patient Delbert Voss, who has psoriasis.",
            "Delbert Voss",
        ),
        ("Dear Provider,\n\nWe processed your claim for services to our member Kayla Morrissey.", "Kayla Morrissey"),
        (
            "Priscilla Varga-Endicott\n88 Lippitt Ave\nCranston, RI 02910\n\nDear Ms. Varga-Endicott:",
            "Priscilla Varga-Endicott",
        ),
        ("Hello Jordan,\n\nA claim for Jordan Ekwueme was processed on 11/13/2024.", "Jordan Ekwueme"),
        ("Dear Reverend Ashby,\n\nThe claims for Martin Ashby were denied.", "Martin Ashby"),
        # Round 13: a fax cover's addressee is the practice; the member's address block below names the patient.
        (
            "FAX\nTo:        Northland Family Medicine - Helga Brynjolfsdottir, MD\n\nMedica\n401 Carlson "
            "Parkway\nMinnetonka, MN 55305\n\nFebruary 14, 2025\n\nKirsten Haugland-Ibe\n2207 E 5th St\nDuluth, "
            "MN 55812\n\nDear Ms. Haugland-Ibe:",
            "Kirsten Haugland-Ibe",
        ),
    ],
)
def test_patient_name_found(text: str, expected: str) -> None:
    assert fields_of(text)["patient_name"] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Dear Valued Member,\n\nWe reviewed the request.",
        "Dear Dr. Marsh,\n\nWe reviewed the bill.",
        "Hi team,\n\nPlease resubmit.",
        "RECIPIENT NAME  RIN  DCN\n384917726  4A1022871100201  93306",
        "Blue Shield - Member Portal\nMessage Center",
        "RE: Claim determination   DOB: 01/02/1980",
        "Your son's therapy was reviewed.",
        "Plan Office\nNorthern Region\n12 Main St\n\nDear Member,",
        "NAME  CODE  AMOUNT\nOffice visit  99213  120.00",
        "Dear Parent or Guardian,\n\nWe reviewed the request.",
    ],
)
def test_patient_name_not_found(text: str) -> None:
    assert fields_of(text)["patient_name"] is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Request received from: Dr. Owen Kastner, Cedar Psychiatric Group",
            "Dr. Owen Kastner, Cedar Psychiatric Group",
        ),
        ("Requesting: Loma Linda University Cancer Center", "Loma Linda University Cancer Center"),
        ("Who asked: Cascade Ketamine Clinic, Tacoma", "Cascade Ketamine Clinic, Tacoma"),
        ("Provider ........ Pacific Coast Sleep Lab LLC  NPI 1457780321", "Pacific Coast Sleep Lab LLC"),
        ("Provider who asked for the service: Acadiana Bone & Joint", "Acadiana Bone & Joint"),
        ("Reviewing physician: Camila Ostrander, MD\nSurgeon: Dr. Olivia Hensley", "Dr. Olivia Hensley"),
        ("TO: Severn River Neuropsychiatry, Attn: Dr. Owen Castellano", "Severn River Neuropsychiatry"),
        (
            "Date: 03/06/2025\nTo: Dr. Hana Dobrowski, Great Lakes Gastroenterology",
            "Dr. Hana Dobrowski, Great Lakes Gastroenterology",
        ),
        (
            "We reviewed a request for speech therapy for Mateo from Little Voices Speech Clinic, Pasadena.",
            "Little Voices Speech Clinic",
        ),
        ("We received 10 claims from Talk & Play Pediatric Speech.", "Talk & Play Pediatric Speech"),
        ("If you need the hospital, ask Dr. Kimura to send us the reason and we'll review it.", "Dr. Kimura"),
        ("TO: Oluwaseun Akande, MD - Crescent Ketamine & Wellness (Fax 404-555-0157)", "Oluwaseun Akande, MD"),
        ("To: Harbor Psychiatry (Attn: prior authorization)", "Harbor Psychiatry"),
        # Round 3: the requested provider first, referring ones after the addressee, more labels, facilities in prose.
        (
            "Requesting provider: Keziah Barnsley, MD (PCP)\nRequested provider: Emory IBD Center (not in network)",
            "Emory IBD Center (not in network)",
        ),
        (
            "To: Gulf Plains Rehabilitation Hospital, Attn: Case Management\nReferring facility: Memorial TMC",
            "Gulf Plains Rehabilitation Hospital",
        ),
        ("Referring facility: Memorial Hermann TMC\nClaim: 1", "Memorial Hermann TMC"),
        ("Fax to prescriber: (503) 555-0172\nPrescriber: Brent Halvorsen, DPM", "Brent Halvorsen, DPM"),
        ("Treating oncologist: Gabriela Szymanski, MD", "Gabriela Szymanski, MD"),
        ("Requesting agency: Garden State Home Health Services", "Garden State Home Health Services"),
        ("To: Lone Star Seating & Mobility   Fax: (210) 555-0161", "Lone Star Seating & Mobility"),
        ("You may get a bill from Mercy Hill Hospital. Please read this.", "Mercy Hill Hospital"),
        (
            "about your son's therapy with Little Steps Autism Center. This letter confirms it.",
            "Little Steps Autism Center",
        ),
        ("Your doctor, Dr. Lauren Whitacre at Boise Wellness Clinic, asked us to approve it.", "Dr. Lauren Whitacre"),
        # Round 5: a lab, supplier or service-provider label (a lab yields to the ordering clinician), a bare
        # "Ordering:", a "Claim from" reference line, a service line that ends in the practice.
        ("Provider of Service: Tidewater Sleep Laboratory, Norfolk, VA", "Tidewater Sleep Laboratory, Norfolk, VA"),
        ("LAB: ALDER GENOMICS LLC\nCPT 81415", "ALDER GENOMICS LLC"),
        ("Laboratory: Halvor Genetics, Inc.\nOrdering provider: Dr. Mina Castell, OB/GYN", "Dr. Mina Castell, OB/GYN"),
        ("Supplier: Prairie Oxygen & Respiratory Supply  NPI 1234567890", "Prairie Oxygen & Respiratory Supply"),
        ("Ordering: Ruth Amsel, MD\nMember: Ann Lee", "Ruth Amsel, MD"),
        ("RE: Claim from Cedar Hollow Psychiatry - ketamine troches", "Cedar Hollow Psychiatry"),
        ("Service: Hearing aids, binaural (V5261) - Copper Ridge Audiology\n\nDear Sam,", "Copper Ridge Audiology"),
        ("Re: Naltrexone 4.5 mg capsules - Bayview Compounding Pharmacy\n\nDear Sam,", "Bayview Compounding Pharmacy"),
        (
            "Service: Ketamine infusions (6), Lakeshore Ketamine Therapeutics, Tampa\n\nDear Sam,",
            "Lakeshore Ketamine Therapeutics",
        ),
    ],
)
def test_provider_found(text: str, expected: str) -> None:
    assert fields_of(text)["provider"] == expected


@pytest.mark.parametrize(
    "text",
    [
        "From: Blue Shield UM\nTo: Aaron Lindqvist-Baptiste\nSubject: Decision",
        "Reviewing physician: Camila Ostrander, MD",
        "This was reviewed by Dr. Caroline Achebe.",
        "Dr. Lena Ortiz, Board Certified in Psychiatry, made this decision.",
        "You can write to us at Humana Appeals Center, P.O. Box 14165.",
        "Call Member Services at the number on your card.",
        # Round 5: a service line that ends in a dose or in the plan's own unit, a lab value.
        "Service: Ketamine infusions, 6 sessions\n\nDear Sam,",
        "Re: Appeal - Aetna Appeals Center\n\nDear Sam,",
        "Re: Specialty drug request - Prime Therapeutics\n\nDear Sam,",
        "Lab: A1c 8.2% on 03/01/2025\nDecision: denied",
        "Fax to prescriber: (503) 555-0172",
    ],
)
def test_provider_not_found(text: str) -> None:
    assert fields_of(text)["provider"] is None


# State: an agency or a plan named for its state, then an address that is not a national insurer's or an agency's.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BLUE CROSS AND BLUE SHIELD OF NEBRASKA\nMedical Policy", "NE"),
        ("From: Carelon, on behalf of Anthem Blue Cross and Blue Shield (Ohio)", "OH"),
        ("Humana Healthy Horizons in Kentucky\nNOTICE OF ADVERSE BENEFIT DETERMINATION", "KY"),
        ("Plan: Wisconsin Municipal Workers Health Cooperative", "WI"),
        ("Pt: Tavares, Luis   NC Medicaid Direct (FFS)", "NC"),
        ("Public Employees Benefits Board - Washington State Health Care Authority", "WA"),
        ("Your insurance (Florida Blue, processed by Prime Therapeutics) rejected the claim.", "FL"),
        ("Requesting provider: Gulf Coast TMS & Psychiatry, Pensacola FL\nService requested: TMS", "FL"),
        ("requested by Coastal Neuromodulation Associates, Sarasota, FL.\n\nWhy did we deny it?", "FL"),
        ("Appeals: write to Highmark Medicare Appeals, P.O. Box 1068, Pittsburgh, PA 15230-1068.", "PA"),
        ("Write to Crescent Benefit Solutions, P.O. Box 7720, Mobile, AL 36670.", "AL"),
        ("Cigna\nP.O. Box 188011, Chattanooga, TN 37422\n\nAnn Lee\n12 Oak St\nAtlanta, GA 30301", "GA"),
        ("Blue Cross and Blue Shield of Kansas City\n\nHarold Lee\n4418 NE Antioch Rd\nKansas City, MO 64117", "MO"),
        # Round 5: a state or region after a plan's name, a listed payer's state plan, an upper-case state program.
        ("Plan: Humana Gold Plus (HMO) - Nevada\nClaim: 1", "NV"),
        ("Kaiser Permanente Senior Advantage (Southern California)\nDenial", "CA"),
        ("Plan: Ambetter Value Silver (Individual & Family, Tennessee)", "TN"),
        ("Re: Ortiz, Ana (Anthem HealthKeepers, VA) - order 7", "VA"),
        ("CareSource Ohio\nPharmacy Prior Authorization", "OH"),
        ("Blue Care Network of Michigan\nMember Services", "MI"),
        ("NC MEDICAID DIRECT - REMITTANCE", "NC"),
    ],
)
def test_state_found(text: str, expected: str) -> None:
    assert fields_of(text)["state"] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Write to Cigna National Appeals Unit, PO Box 188011, Chattanooga, TN 37422.",
        "Humana\nP.O. Box 14165\nLexington, KY 40512\n\nDear Member,",
        "Write to OPM, Health Insurance 1, 1900 E Street NW, Washington, DC 20415-3610.",
        "Orthodontic treatment - Dr. Ileana Moss, DDS, MS\nAmount submitted: $6,200.00",
        "Attending: Arturo Benavides, MD (Cardiology)",
        "after at least two adequate medication trials, OR\n  2. A need for rapid response",
        "Provider: Clinic, Jane Roe MD\nService: MRI",
        "Blue Cross and Blue Shield of Kansas City (Blue KC)\nPROVIDER REMITTANCE ADVICE",
        # Round 5: a credential in brackets after a comma.
        "Reviewer: (Jane Roe, MD)\nDecision: denied",
        "Referred by Dr. Ann Lee - Washington University Physicians\nDecision: denied",
    ],
)
def test_state_not_found(text: str) -> None:
    assert fields_of(text)["state"] is None


# External review: any route outside the plan (IRO, fair hearing, state regulator, QIO, OPM, Department of Labor).
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("If we do not change our decision, you may ask OPM to review it.", "ask OPM"),
        ("you may ask the Quality Improvement Organization (Livanta) for an immediate appeal", "ask the Quality"),
        (
            "You may contact the Vermont Department of Financial Regulation, Consumer Services.",
            "Department of Financial",
        ),
        ("how to ask for a Michigan Administrative Hearing after that", "Administrative Hearing"),
        ("You may contact the Employee Benefits Security Administration at 1-866-444-3272.", "Employee Benefits"),
        ("You can also call the California Insurance Commissioner.", "Insurance Commissioner"),
    ],
)
def test_external_review_found(text: str, expected: str) -> None:
    found = fields_of(text)["external_review"]
    assert found is not None and found.startswith(expected)


@pytest.mark.parametrize(
    "text",
    [
        "MBR ENROLLMENT ENDED 02/29 PER OPM ENROLLMENT RECORD (SF 2809).",
        "Office of Medical Services - Utilization Management and Quality Improvement Organization (UM/QIO)",
        "You have the right to appeal this decision within 180 days.",
        "Our reviewer works independently of the sales team.",
    ],
)
def test_external_review_not_found(text: str) -> None:
    assert fields_of(text)["external_review"] is None


# Payer: a fax sender or a vendor writing on behalf of the plan signs; a program yields to its contractor.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "FAX COVER SHEET - CONFIDENTIAL HEALTH INFORMATION\nTO: Clinic\nFROM: eviCore healthcare - Radiology",
            "eviCore healthcare",
        ),
        (
            "*** FAX ***\nFROM: Carolina Complete Health - Utilization Management\nTO: Imaging",
            "Carolina Complete Health",
        ),
        (
            "Evolent Specialty Services on behalf of Florida Blue\nRadiology Benefit Management",
            "Evolent Specialty Services",
        ),
        ("CarelonRx\non behalf of Anthem Blue Cross and Blue Shield (Colorado)", "CarelonRx"),
        ("TRICARE EAST REGION  |  Humana Military\nTRICARE EXPLANATION OF BENEFITS", "Humana Military"),
        ("TRICARE WEST REGION  |  TriWest Healthcare Alliance", "TriWest Healthcare Alliance"),
        ("NOTICE OF DENIAL OF MEDICAL COVERAGE (OR PAYMENT)\n\nA Humana physician reviewed it.", "Humana"),
        # Boundary: a person or a department as the sender leaves the listed payer.
        ("From: Shawna Pedersen, RN - Regence BlueShield of Idaho", "Regence BlueShield of Idaho"),
        ("Secure Message - Ambetter from Superior HealthPlan\nFrom: Claims Department", "Ambetter"),
        ("TRICARE Select\nYour claim was denied.", "TRICARE"),
        # A letter whose header names no payer: the organisation that signs it (not a person).
        (
            "Hi Benita,\n\nThe claim rejected.\n\nThank you,\nPresbyterian Pharmacy Services\n1-888-977-2333",
            "Presbyterian Pharmacy Services",
        ),
        (
            "Hi Jordan,\n\nThe claim was denied.\n\n- Bridgewell Plan Administrators, for the Saguaro Plan",
            "Bridgewell Plan Administrators",
        ),
        # A provider's own paper titled as such is no payer's letterhead; the payer it names is.
        ("NORTH MEMORIAL HEALTH - PATIENT BILLING\n\nWe billed your insurance, Medica, for your visit.", "Medica"),
        # Round 12: a union local's fund, a fax server's header above the payer's name.
        (
            "TRI-RIVER PLUMBERS & PIPEFITTERS LOCAL 412 HEALTH AND WELFARE FUND\nc/o Keystone Fund Administrators",
            "TRI-RIVER PLUMBERS & PIPEFITTERS LOCAL 412 HEALTH AND WELFARE FUND",
        ),
        # Round 13: a fax machine's name for the sender yields to the letterhead; a UM vendor that writes is the payer.
        (
            "Mar/18/2025 02:41PM  FROM: UHC APPEALS-GRIEVANCES 801-555-0143  TO: 16175550198  P.001/003\n\n"
            "UnitedHealthcare\nAppeals and Grievances Unit",
            "UnitedHealthcare",
        ),
        (
            "From: EVOLENT UM   Fax: 8005550107   To: 6165550143   02/25/2026 08:14   Page 1 of 1\n"
            "Priority Health  (utilization management by Evolent)",
            "Priority Health",
        ),
        ("Evolent\nSpecialty Utilization Management for Florida Blue\nP.O. Box 8470", "Evolent"),
    ],
)
def test_payer_found(text: str, expected: str) -> None:
    assert fields_of(text)["payer"] == expected


@pytest.mark.parametrize(
    "text",
    [
        "From: Pharmacy Prior Authorization Team\nTo: Ann Lee",
        "From: nurse@plan.example\nSubject: your request",
        "The Benefits Office has completed review of the claim submitted on behalf of your daughter.",
        # A salutation is no letterhead; a person who signs is no payer.
        "Hi Jordan,\n\nYour claim was denied.",
        "Hello Dana,\n\nYour claim was denied.\n\nSincerely,\nMarisol Ortega\nCase Manager",
        # An advocate's intake sheet, a forwarded email's rule line: no payer's letterhead.
        "CT HEALTH ADVOCATE - CASE INTAKE (walk-in)\nDate: 1/22/26\n\nClient said the bill was denied.",
        "-----Original Message-----\nFrom: Priya S. <ps@clinic.example>\nSubject: partial pay",
    ],
)
def test_payer_not_found(text: str) -> None:
    assert fields_of(text)["payer"] is None


# Reviewer: "Dr." marks a clinician without a credential; the specialty or a role may come first; the addressee and
# a care manager's nursing signature are not the reviewer.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Reviewer: Dr. Malcolm Iverson-Tate, Board Certified in Psychiatry", "Dr. Malcolm Iverson-Tate"),
        ("This decision was made by a psychiatrist, Dr. Adaeze Nwankwo-Ellis. Call us.", "Dr. Adaeze Nwankwo-Ellis"),
        ("Reviewed by: Dr. Imelda Castañeda-Roth, Geriatric Medicine.", "Dr. Imelda Castañeda-Roth"),
        ("Reviewer rationale (Dr. Anita Shah, Board Certified Diagnostic Radiology):", "Dr. Anita Shah"),
        ("Physician advisor: Lowell Okamura-Dean, MD, Board Certified", "Lowell Okamura-Dean, MD"),
        ("Call the reviewing psychiatrist, Gerald Fenstermacher, MD (Board Certified)", "Gerald Fenstermacher, MD"),
        ("The physician reviewer for this determination was Ruth Abernethy-Cole, MD, board", "Ruth Abernethy-Cole, MD"),
        ("Dr. Nadia Feliciano, Internal Medicine, made this decision.", "Dr. Nadia Feliciano"),
        ("A psychiatrist, Yvonne Castellano, MD, made this decision.", "Yvonne Castellano, MD"),
        ("Signed: Reginald Afolabi-Stone, MD, FACS, General Surgery", "Reginald Afolabi-Stone, MD, FACS"),
        ("From: Nurse Reviewer (J. Callahan, RN)", "J. Callahan, RN"),
        # The addressee is skipped for the signature below the letter.
        (
            "Hanna Lindqvist, MD\nOncology\n\nDear Dr. Lindqvist,\n\nDenied.\n\nSincerely,\n\nAlicia Brandt, MD\n",
            "Alicia Brandt, MD",
        ),
        ("Thanks,\nBrenda Culpepper, RN, CCM\nClinical Reviewer, Carelon", "Brenda Culpepper, RN"),
        # Round 5: a board-certified specialist named after the specialty, a name ahead of a medical director title.
        ("A board-certified neurologist, Dr. Ilse Marquardt, reviewed the records.", "Dr. Ilse Marquardt"),
        ("Dr. Okonjo, our medical director, looked at the notes again.", "Dr. Okonjo"),
        ("Sincerely,\nDr. Renata Voss, Medical Director", "Dr. Renata Voss"),
        ("Call participants: Dr. Hal Berg (Cigna Medical Director, Psychiatry)", "Dr. Hal Berg"),
        ("Sincerely,\nAnn Lee, RN\nReview Nurse, on behalf of\nTheo Marsh, MD, Medical Director", "Theo Marsh, MD"),
    ],
)
def test_reviewer_found(text: str, expected: str) -> None:
    assert fields_of(text)["reviewer"] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Ms. Jiwon Hwang-Pereira\n880 Linden Ct, Apt 3B\nSilver Spring, MD 20910\n",
        "Take care,\nMarisol\n\nMarisol Ferrante, RN, CCM\nCare Management | Independence Blue Cross",
        "Dear Dr. Bettencourt,\nWe denied it.\nLorenzo Bettencourt, MD\n",
        "Our reviewer looked at the records from Dr. Smith.",
        "This decision was made by a physician.",
        # Round 5: the member's own doctor reviewing, a director who is not a medical one.
        "Your doctor, Dr. Lee, reviewed the options with you.",
        "Sincerely,\nDr. Renata Voss, Director of Member Services",
    ],
)
def test_reviewer_not_found(text: str) -> None:
    assert fields_of(text)["reviewer"] is None


# Service dates: lists sharing a year are one value as written; more date labels and prose.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("for your visits on September 3, 10 and 17, 2025. We're sorry", "September 3, 10 and 17, 2025"),
        ("Dates: December 2, 9 and 16, 2024\nWhat was billed: 3 gel shots", "December 2, 9 and 16, 2024"),
        ("your cardiac rehab visits (Sessions on 5/6, 5/8, 5/13, 5/15/2024).", "5/6, 5/8, 5/13, 5/15/2024"),
        ("the claims for your visits on 1/8, 1/15 and 1/22. This office", "1/8, 1/15 and 1/22"),
        ("Date(s) of Service Requested: 02/03/2025 - 02/21/2025", "02/03/2025"),
        ("Dates billed to date: 07/22/2024 - 08/02/2024 (10 treatments)", "07/22/2024"),
        ("Transport date: 04/02/2025, Mercy Medical Center", "04/02/2025"),
        ("Date of specimen collection: 05/06/2024", "05/06/2024"),
        ("Claim reference: TVH24-154-00872, services of 06/05/2024 - 06/14/2024", "06/05/2024"),
        ("your claim for the laboratory tests of 14 April 2025 and", "14 April 2025"),
        ("Inpatient notification # CHC-IP-250403-118; admit 04/03/2025 16:22", "04/03/2025"),
        ("Services began 01/17/2025 after hospital discharge", "01/17/2025"),
        # Boundary: a list whose first date has its year is the first date; a full date after a year-less day stays.
        ("DOS: 12/09/24, 12/13/24", "12/09/24"),
        ("Dates of service: 1/8 and 1/15/2024", "1/8 and 1/15/2024"),
        # A month's days without a year; a range after "dates of service between/from"; infusions and appointments.
        ("the claims for your ketamine infusions on June 3, 5, 10 and 12 were turned down", "June 3, 5, 10 and 12"),
        ("laser therapy on 10 dates of service between 03/04/2025 and 04/10/2025 (claim 25-3318)", "03/04/2025"),
        ("Dates of service from 01/06/2025 to 01/31/2025 are not covered.", "01/06/2025"),
        ("We received the claim for your appointments on 2/11 and 2/18. They are not covered.", "2/11 and 2/18"),
        ("We cannot cover the Prolia injections on August 4, 2025.", "August 4, 2025"),
        # A column's own "Dates:" label after a gap; a concurrent review's dates reviewed.
        ("Claim ID: 24-311-07781-04    Dates: 10/28/2024 - 11/01/2024", "10/28/2024"),
        ("Auth #: 233050Y0172\nDates reviewed: 10/27/2023 - 10/30/2023", "10/27/2023"),
        # Boundary: a time after the day is not another day of a list.
        ("We cannot pay for your appointment on June 3 at 10:30 with Dr. Lee.", "June 3"),
        # A range of days on the service line, month first or day first; a sentence that starts with the date.
        ("Service: Room, board and personal care, January 1 - 31, 2025 (revenue code 0110)", "January 1 - 31, 2025"),
        (
            "Regarding: Your claim for hospital treatment in Boston, USA, 2 - 5 May 2025 (Eastern Center)",
            "2 - 5 May 2025",
        ),
        ("Dear Ms. Riviere,\n\nOn 09/16/2024 your pharmacy tried to fill the medicine above.", "09/16/2024"),
        # A date or range that opens a bracket after what was billed.
        ("I looked into why the bill for Karim's stay (11/27 to 12/22) came back unpaid.", "11/27"),
        ("the TMS claims from Pinewood (09/09/2024 - 10/04/2024, 20 sessions) came back unpaid", "09/09/2024"),
    ],
)
def test_service_date_list_found(text: str, expected: str) -> None:
    assert fields_of(text)["service_date"] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Dates of eligibility are listed in your handbook: see 5/6 and later.",
        "The plan covers 3, 10 and 17 visits a year.",
        "Dates: see the enclosed schedule",
        "Our services of the highest quality are listed.",
        "Please admit that the form was late.",
        "DOS: 13/45, 14/50",
        "Dates: February 30, 31 and 32, 2025",
        "Service: Home care, January 30 - 32, 2025",
        "Service: Home care, 31 - 33 May 2025",
        # The letter's own events in a sentence that starts with the date.
        "Dear Sam,\n\nOn 09/16/2024 we made a decision on your appeal.",
        "Dear Sam,\n\nOn 09/16/2024, your coverage ended.",
        # A bracketed date after evidence or the letter's own events.
        "The request is denied. Her most recent x-ray (07/10/2024) shows a curve of 32 degrees.",
        "The submitted stimulation test (10/08/2024) shows a peak above the cutoff.",
        "We explained this in our letter about the claim (03/04/2025).",
    ],
)
def test_service_date_list_not_found(text: str) -> None:
    assert fields_of(text)["service_date"] is None


# Service in prose and under claim labels: a possessive request, "the above claims for", "couldn't cover".
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Billed service: Revision total knee arthroplasty, all components",
            "Revision total knee arthroplasty, all components",
        ),
        ("What was billed: 3 gel shots in the left knee", "3 gel shots in the left knee"),
        (
            "The above claims for adaptive behavior treatment have been denied. Our records show",
            "adaptive behavior treatment",
        ),
        (
            "the outcome of Dr. Saperstein's request for intravenous immune globulin (IVIG) for Owen, before",
            "intravenous immune globulin (IVIG)",
        ),
        ("We couldn't cover your cardiac rehab visits at Lakeshore Heart", "cardiac rehab visits"),
    ],
)
def test_service_prose_found(text: str, expected: str) -> None:
    assert fields_of(text)["service"] == expected


@pytest.mark.parametrize(
    "text",
    [
        "The above claims for the member listed have been denied.",
        "Your doctor's request for more records was sent.",
        "We couldn't cover it.",
        "The provider billed services twice in one day.",
    ],
)
def test_service_prose_not_found(text: str) -> None:
    assert fields_of(text)["service"] is None


# Policy: a manual's chapter, a national coverage determination, a UM vendor's guideline, a plan's own "X policy".
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Under Medicare Benefit Policy Manual, Chapter 15, Section 50.4.2, the drug",
            "Medicare Benefit Policy Manual, Chapter 15, Section 50.4.2",
        ),
        ("(32 CFR 199.4(g); TRICARE Policy Manual, Chapter 7.)", "TRICARE Policy Manual, Chapter 7"),
        ("Medicare's National Coverage Determination 160.16 says", "National Coverage Determination 160.16"),
        (
            "Based on the eviCore Spine Imaging Guidelines, SP-1.1 (Low Back Pain)",
            "eviCore Spine Imaging Guidelines, SP-1.1",
        ),
        (
            "Under the Carelon Musculoskeletal guideline for Knee Arthroplasty, before",
            "Carelon Musculoskeletal guideline for Knee Arthroplasty",
        ),
        ("the compendia that our Off-Label Use policy relies on", "Off-Label Use policy"),
        (
            "Under the BCBSAZ Site of Care policy for specialty infusions, hospital",
            "BCBSAZ Site of Care policy for specialty infusions",
        ),
        ("Premera's Echocardiography policy does not support", "Echocardiography policy"),
        # Round 5: a numbered policy in any case, a policy named in brackets, a criteria set named for its subject.
        ("Under Lakeview Health medical policy 04.02.17, the test", "medical policy 04.02.17"),
        ("PER ACME COVERAGE POLICY MP-RAD-12, IMAGING IS", "COVERAGE POLICY MP-RAD-12"),
        ("See clinical policy #418 for details.", "clinical policy #418"),
        ("Our medical policy (Spinal Cord Stimulation) requires", "medical policy (Spinal Cord Stimulation)"),
        ("Acme's clinical criteria for Xolair require two trials.", "clinical criteria for Xolair"),
        (
            "We used the Medical Necessity Criteria for Deep Brain Stimulation.",
            "Medical Necessity Criteria for Deep Brain Stimulation",
        ),
    ],
)
def test_policy_found(text: str, expected: str) -> None:
    assert fields_of(text)["policy"] == expected


@pytest.mark.parametrize(
    "text",
    [
        "Please read our privacy policy.",
        "See the Member Manual for details.",
        "Carelon reviewed the request.",
        "The National Coverage Determination process is public.",
        "Our policy is to answer within 14 days.",
        # Round 5: a year is no policy number; criteria for a lower-case subject or a pronoun name no policy.
        "Our medical policy 2024 update added two tests.",
        "The clinical criteria for this were not met.",
    ],
)
def test_policy_not_found(text: str) -> None:
    assert fields_of(text)["policy"] is None


# A table's service column: the first denied row's cell, not a paid line above it; a blank line ends the table.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "LN  CPT  DESCRIPTION  BILLED  PAID  CARC\n1  63047  Lumbar laminectomy  $6,850.00  $2,912.40  --\n"
            "2  22867  Interlaminar stabilization device  $9,400.00  $0.00  CO-55",
            "Interlaminar stabilization device",
        ),
        ("LN  CPT  DESCRIPTION  BILLED\n1  63047  Lumbar laminectomy  $6,850.00", "Lumbar laminectomy"),
        (
            "LN  CPT  DESCRIPTION  BILLED  CARC\n1  63047  Lumbar laminectomy  $6,850.00  --\n\n"
            "2  22867  Stabilization device  $9,400.00  CO-55",
            "Lumbar laminectomy",
        ),
    ],
)
def test_service_column_found(text: str, expected: str) -> None:
    assert fields_of(text)["service"] == expected


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda words: words["heading_words"].append("Notice"), "heading_words.109: Value error, 'Notice' must be"),
        (lambda words: words["name_particles"].append("de"), "name_particles: Value error, 'de' is listed twice"),
        (lambda words: words["provider_words"].append("two  spaces"), "provider_words.46: Value error, 'two  sp"),
        (lambda words: words["payment_adjustment_carcs"].append(45), "payment_adjustment_carcs.5: Input should be"),
        (lambda words: words.pop("department_words"), "department_words: Field required"),
        (lambda words: words.update(extra_list=["x"]), "extra_list: Extra inputs are not permitted"),
        (lambda words: words.update(version=2), "version: Input should be 1"),
    ],
)
def test_field_vocabulary_is_checked_against_its_schema(tmp_path: Path, edit: Any, message: str) -> None:
    """The shipped data/fields.yaml passes its schema; each kind of bad edit fails with one line naming the list."""
    import yaml

    from denialparse.errors import DataFileError
    from denialparse.fieldwords import FieldVocabulary
    from denialparse.resources import DATA_DIR, read_validated, read_yaml

    shipped = read_validated(DATA_DIR / "fields.yaml", FieldVocabulary)
    assert len(shipped.heading_words) == 109 and "dept." in shipped.department_words
    words = read_yaml(DATA_DIR / "fields.yaml")
    edit(words)
    broken = tmp_path / "fields.yaml"
    broken.write_text(yaml.safe_dump(words), encoding="utf-8")
    with pytest.raises(DataFileError) as raised:
        read_validated(broken, FieldVocabulary)
    assert str(raised.value).startswith(f"fields.yaml: {message}")
    assert "\n" not in str(raised.value)


def test_word_lists_in_data_files_hold_only_words() -> None:
    """YAML reads a bare on, off, yes or no as a boolean: a word list holding one has lost that word."""
    from denialparse.resources import DATA_DIR, read_yaml

    def mixed_lists(node: Any, where: str) -> list[str]:
        if isinstance(node, dict):
            return [found for key, value in node.items() for found in mixed_lists(value, f"{where}.{key}")]
        if isinstance(node, list):
            if any(isinstance(item, str) for item in node) and any(isinstance(item, bool) for item in node):
                return [where]
            return [found for index, item in enumerate(node) for found in mixed_lists(item, f"{where}.{index}")]
        return []

    files = sorted(DATA_DIR.glob("*.yaml"))
    assert len(files) >= 10
    assert [where for path in files for where in mixed_lists(read_yaml(path), path.name)] == []
