"""Field extraction: the facts a person needs first (who denied what, which IDs, which date), with spans.

Rules run over the raw letter text with linear-time regular expressions (no nested quantifiers), because
spaCy's blank tokenizer splits IDs such as ``UM-2024-0912-77731``. Each result records the rule that fired
and where, so the report can show its source.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import islice
from typing import Any

from denialparse.codes import BILLING_CODE, CELL_GAP, REMARK_CODE_LINE
from denialparse.datatypes import Document, ExtractedField, Span
from denialparse.resources import DATA_DIR, read_validated, read_yaml

# A label's separator; in a sentence the verb ("Your claim number is 2025031188120").
# A label may carry a note in brackets ("Medical Assistance ID (ACCESS card):") or itself sit in them ("DCN (Medicaid
# ID): 114027753"), but a bracket naming another ID is that ID's label, not a note on this one.
_SEP = (
    r"[ \t]*(?:\([A-Z]{2,5}\)|\([a-z]{2,12}\)"
    r"|\((?![^)\n]*\b(?:ID|Number|No)\b)[A-Z][A-Za-z]{1,15}(?:[ \t][A-Za-z]{2,15}){0,2}\)|\))?"
    r"[ \t]*\.{0,40}[ \t]*(?:[:#.*\-]|No\.?|Number|ID)?[ \t]*[:#]?[ \t]*"
    # A pipe table's cell border between the label and its value ("| Member ID     | 10583327   |").
    r"(?:\|[ \t]*)?"
    r"(?:(?:is|was)[ \t]+)?"
)
# An ID: letters, digits and - / . inside; one space-separated group that starts with a digit may follow
# ("U30092741 02", "XYK 990148725"); a following word such as "Group" does not. A portal's elided middle stays with
# its ends ("H7715 ... 4420839"): the first part alone would be a wrong ID.
_ID_VALUE = (
    r"([A-Z0-9][A-Z0-9\-/.]{1,29}[A-Z0-9](?: [0-9][A-Z0-9\-]{0,14}[A-Z0-9]){0,3}"
    r"(?:[ \t]?(?:\.{3}|…)[ \t]?[A-Z0-9]{2,15}\b)?)"
)
# A member ID as cards print it, in groups of digits ("Member ID: 9 48 711 03 5", "11 0739 2281"), or any ID.
_MEMBER_ID_VALUE = rf"(\d{{1,4}}(?: \d{{1,5}}){{2,5}}(?![\w/-])|{_ID_VALUE[1:-1]})"
MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
# Ordinals as people write them: "March 3rd, 2025", "the 3rd of March 2025".
_ORDINAL = r"(?:st|nd|rd|th)?"
DATE_PATTERN = (
    rf"(?:(?:{MONTHS})\.?[ \t]+\d{{1,2}}{_ORDINAL},?[ \t]+\d{{4}}"
    r"|\d{1,2}/\d{1,2}/\d{2,4}"
    # ISO dates, also with full stops or slashes as some letters write them ("2024.06.18", "2025/07/22").
    r"|\d{4}-\d{2}-\d{2}|\d{4}\.\d{2}\.\d{2}(?!\.?\d)|\d{4}/\d{2}/\d{2}"
    rf"|\d{{1,2}}{_ORDINAL}[ \t]+(?:of[ \t]+)?(?:{MONTHS})\.?,?[ \t]+\d{{4}}"
    # Hyphens as forms and mainframes print them: "14-NOV-2024", "03-04-25" (not inside an ID or an NDC).
    rf"|(?<![\w-])\d{{1,2}}-(?:(?:{MONTHS})|\d{{1,2}})-(?:\d{{4}}|\d{{2}})(?![\w-]))"
)
_DATE = re.compile(DATE_PATTERN, re.IGNORECASE)
# Month and day without a year, as short notices and fax headers write them ("DOS 03/18", "DATE: 05/21").
MONTH_DAY = r"\d{1,2}/\d{1,2}(?![/\d])"
# "Tue, Feb 20, 2024", "Mon 10/06/2025": a weekday ahead of the date.
_WEEKDAY = r"(?:(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)[a-z]{0,6}\.?,?[ \t]+)?"
_MONTH_NUMBER = {
    name: index
    for index, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}


def parse_date(text: str) -> date | None:
    """Parse one of the date shapes letters use; None when it is not a real calendar date."""
    text = text.strip().rstrip(".")
    try:
        if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{2,4})", text):
            year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
            return date(year, int(m[1]), int(m[2]))
        if m := re.fullmatch(r"(\d{4})([-./])(\d{2})\2(\d{2})", text):
            return date(int(m[1]), int(m[3]), int(m[4]))
        if m := re.fullmatch(r"([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})", text):
            month = _MONTH_NUMBER.get(m[1].lower())
            return date(int(m[3]), month, int(m[2])) if month else None
        if m := re.fullmatch(r"(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([A-Za-z]+)\.?,?\s+(\d{4})", text):
            month = _MONTH_NUMBER.get(m[2].lower())
            return date(int(m[3]), month, int(m[1])) if month else None
        if m := re.fullmatch(r"(\d{1,2})-(\d{1,2}|[A-Za-z]{3,9})-(\d{4}|\d{2})", text):
            year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
            if m[2].isdigit():
                return date(year, int(m[1]), int(m[2]))
            month = _MONTH_NUMBER.get(m[2].lower())
            return date(year, month, int(m[1])) if month else None
    except ValueError:
        return None
    return None


def is_date(text: str) -> bool:
    """A real calendar date, or a valid month/day when the letter leaves out the year."""
    if parse_date(text):
        return True
    month_day = re.fullmatch(r"(\d{1,2})/(\d{1,2})", text.strip())
    return month_day is not None and 1 <= int(month_day[1]) <= 12 and 1 <= int(month_day[2]) <= 31


@dataclass(frozen=True)
class _LabelledRule:
    """A value that follows one of several labels on the same line ("Member ID: W123")."""

    field: str
    labels: str
    value: str
    confidence: float

    def compile(self) -> re.Pattern[str]:
        return re.compile(rf"(?:{self.labels}){_SEP}{self.value}", re.IGNORECASE)

    def compile_parts(self) -> tuple[re.Pattern[str], re.Pattern[str]]:
        """Label and value apart, so that a long value never swallows the next label on its line."""
        return re.compile(rf"(?:{self.labels})", re.IGNORECASE), re.compile(rf"{_SEP}{self.value}", re.IGNORECASE)


_LABELLED_RULES = (
    _LabelledRule(
        "member_id",
        # First, the ID as a claim carried it ("Subscriber ID on claim:"): the shorter labels below would match its
        # start and leave no value. Also "ID submitted:", below.
        r"\b(?:(?:Subscriber|Member|Medicaid|Medicare)[ \t]+)?ID[ \t]+(?:on[ \t]+(?:the[ \t]+)?claim"
        r"|(?:as[ \t]+)?(?:submitted|reported|billed))(?=[ \t]*:)"
        r"|\bMember[ \t]+ID|\bMember[ \t]+(?:Number|No(?:\.|\b)|#)|\bSubscriber[ \t]+ID|\bMember[ \t]+Identification"
        r"(?:[ \t]+Number)?|\bID[ \t]+(?:Number|No(?:\.|\b))|\bID[ \t]*#|\b(?:Medicaid|Medicare)[ \t]+(?:ID|Number)"
        r"|\b(?:Medicaid|Medicare|Recipient|Beneficiary)[ \t]*(?:#|No\.)|\bDoD[ \t]+Benefits[ \t]+(?:#|No(?:\.|\b))"
        r"|\bEnrollee[ \t]+ID|\bPatient[ \t]+ID|\b(?:Medical[ \t]+Assistance|Client)[ \t]+ID"
        r"|\bIdentification[ \t]+(?:Number|No(?:\.|\b)|#)|\bMbr[ \t]+ID"
        r"|\bMember[ \t]+ID[ \t]+#"
        r"|\bEnrollee[ \t]+(?:Number|No(?:\.|\b)|#)|\bSubscriber[ \t]+(?:Number|No(?:\.|\b)|#)|\bRecipient[ \t]+ID"
        r"|\bBeneficiary[ \t]+ID|\bMBI\b|\bCIN\b|\bRIN\b"
        # A Medicare remittance's "MID 1FJ5NP3KD66" (the beneficiary's number; not a word "mid").
        r"|\b(?-i:MID)(?=[ \t]+[A-Z0-9]{8,}\b)"
        r"|\bCertificate[ \t]+(?:Number|No(?:\.|\b)|#)|\bCertificate(?=[ \t]*:)"
        # Medicaid recipient numbers: Alabama's and Indiana's "RID", Texas's nine-digit "PCN" (a pharmacy's processor
        # control number is short).
        r"|\bRID\b|\bPCN\b(?=[ \t]*:?[ \t]*\d{9}\b)"
        r"|\bAlternate[ \t]+ID|\bSponsor[ \t]+DBN|\bDoD[ \t]+Benefits[ \t]+Number|\bDBN\b|\bSSN\b"
        # Remittance and Blue plan abbreviations: "MBR: XDP441900377", "Contract #: XYK441095228", a "CLIENT ID" or
        # "RECIP ID" column, "ID Card #".
        r"|\b(?<!-)MBR(?:[ \t]*#|[ \t]+ID)?(?=[ \t]*[:#]?[ \t]*[A-Z]{0,4}-?\d)|\bContract(?:[ \t]*#)?(?=[ \t]*:)"
        r"|\b(?:Client|Recip)[ \t]+ID|\bID[ \t]+Card[ \t]*(?:#|Number|No(?:\.|\b))"
        # A plan's medical record number ("MRN: 00084412093", Kaiser's "Medical Record #:"), not a clinic's "(MRN 77)";
        # "MEMBER: XKC5500128847" when an ID, not a name, follows.
        r"|\bMRN(?=[ \t]*:)|\bMedical[ \t]+Record[ \t]+(?:#|Number|No(?:\.|\b))|\bMember(?=[ \t]*:[ \t]*[A-Z]{0,5}-?\d)"
        # "<Payer> ID:" or a bare "ID:" (or its dot leaders: "MassHealth ID ....... 100581290374"), but not the IDs of
        # claims, cases, disputes, messages, providers or taxes.
        r"|\b(?<!Claim )(?<!Case )(?<!Provider )(?<!Tax )(?<!Request )(?<!Group )(?<!Reference )(?<!Payer )"
        r"(?<!Employer )(?<!NPI )(?<!Auth )(?<!Plan )(?<!Contract )(?<!Order )(?<!Call )(?<!Message )(?<!Notice )"
        r"(?<!Transaction )(?<!Dispute )(?<!Appeal )(?<!Grievance )(?<!Review )(?<!Referral )(?<!Ticket )"
        r"(?<!Inquiry )(?<!Complaint )(?<!Episode )(?<!Event )(?<!Submission )(?<!Confirmation )(?<!Authorization )"
        r"ID(?=[ \t]*(?::|\.{3}))|\bMember[ \t]+PID(?=[ \t]*:)"
        # Oregon Medicaid's "Prime #: KT88412X".
        r"|\bPrime[ \t]*(?:#|ID|Number)",
        _MEMBER_ID_VALUE,
        0.95,
    ),
    _LabelledRule(
        "member_id",
        # An "ID" run into a line without a colon, read only when no member label above is found: a "Cohere ID
        # CH-8W2KQ7" on a fax's Re line is the vendor's case, and the "Member ID:" below it the member's.
        # "Andrea Castellanos     ID 97611023401".
        r"\b(?<=[ \t]{2})ID(?=[ \t]+[A-Z]{0,4}-?\d)"
        # "Cigna ID U60177315 01": a payer's ID label without a colon, when an ID with digits follows.
        # Not "Payer ID 62308", nor Idaho in "Meridian, ID 83642".
        # "member Gerald Yoder (ID CBC330981174)", "Payer: CareFirst BlueCross BlueShield (PPO) - ID HMW30081174".
        r"|\b(?<=\()ID(?=[ \t]+[A-Z]{0,4}-?\d[A-Z0-9-]{5})"  # not an agent's "(ID 40771)"
        r"|\b(?:(?<=[A-Za-z] )|(?<=[-–] ))(?<!Payer )(?<!Provider )(?<!Tax )(?<!NPI )(?<!Payee )(?<!Order )"
        r"(?<!Plan )(?<!Contract )ID(?=[ \t]+[A-Z]{0,4}-?\d)"
        r"|\b(?<=, )ID(?=[ \t]+[A-Z]{0,4}[ -]?\d)(?![ \t]+\d{5}(?:-\d{4})?(?![\w-]))",
        _MEMBER_ID_VALUE,
        0.9,
    ),
    _LabelledRule(
        "member_id",
        # Weaker, read only when no label above is found: a member's or patient's number under any name, as writers
        # never seen label it ("Patient number:", "Chart #:", "Health/medical record #:", "Tufts Health Plan ID:").
        r"\b(?:Member|Patient|Subscriber|Enrollee|Beneficiary|Recipient|Client|Insured|Participant|Chart"
        r"|(?:Health[ \t]*/[ \t]*)?(?:Medical|Health)[ \t]+record)[ \t]*(?:#|Numbers?|Nos?\.|No\b|ID)"
        # "KP medical record:  000114982736".
        r"|\b(?:Medical|Health)[ \t]+record(?=[ \t]*:)"
        r"|(?<=Health )Plan[ \t]+ID(?=[ \t]*:)|\bStudent[ \t]+ID(?:[ \t]+on[ \t]+(?:the[ \t]+)?plan)?(?=[ \t]*:)"
        # A policy number is the member's only when no member label is there ("Policy No.: SMH-44120-07" above
        # "Member ID: 4412007-02" is the employer's policy).
        r"|\bPolicy[ \t]+(?:ID|Number|No(?:\.|\b)|#)",
        _MEMBER_ID_VALUE,
        0.8,
    ),
    _LabelledRule(
        "group_number",
        # An employer's account with the plan ("Account: 3188450 - Harborview Hospitality Group"), not a patient's or
        # a spending account; "Claim group" numbers claims.
        # "Group/Plan:      49327-0000  Alliance Select" (before a bare "Group", which would leave "/Plan:").
        r"\bGroup[ \t]*/[ \t]*Plan(?=[ \t]*:)|"
        r"\b(?<!Claim )Group(?:[ \t]+(?:Number|No(?:\.|\b)|#|ID))?"
        # "Account #: 3209716" of digits only: a hospital's "Account #: SJV-2407-55310" is the patient's bill.
        r"|\b(?<!Patient )(?<!Spending )(?<!Savings )Account(?=[ \t]*:)"
        r"|\b(?<!Patient )Account[ \t]*#(?=[ \t]*:[ \t]*\d+(?![\w-]))"
        # A group policy with the insured's certificate: "Policy/Certificate: SNL-GH-775120 / 0044-19823"; a notice's
        # "GRP 0912077" (not a remittance's "GRP/CARC" column).
        r"|\bPolicy(?=[ \t]*/[ \t]*Certificate\b)|\bGRP(?:[ \t]*#)?(?=[ \t]*:?[ \t]*[A-Z]{0,4}\d)"
        # A pharmacy card's "RxGroup: RX5582" / "Rx Group #" / "RxGrp RX8832".
        r"|\bRx[ \t]?(?:Group|Grp)(?:[ \t]*(?:#|Number|No(?:\.|\b)|ID))?",
        _ID_VALUE,
        0.9,
    ),
    _LabelledRule(
        "group_number",
        # The employer named first and its number after it: "Group: Great Lakes Tooling Inc. (007731204)", "Account:
        # Rose City Credit Union (3337192)", "Group: ACME LOGISTICS INC 0719824", "Group: VA Hospitality Partners LLC  /
        # 0027731", "Account: Rivermark Medical Devices, Inc. - Open Access Plus (account 3341876)".
        r"\b(?<!Claim )(?:Group(?:[ \t]+(?:Number|No(?:\.|\b)|#|ID))?|(?<!Patient )Account)(?=[ \t]*:)",
        r"(?-i:[A-Z](?![^\n]*\b(?:NPI|TIN)\b)[^\n\d:]{2,80}?)"
        r"(?:[ \t]*\([ \t]*(?:(?i:account|ASO)[ \t]+)?|[ \t]+/?[ \t]*)"
        r"(\d[0-9A-Z-]{3,15})(?=\)|[ \t]*$|[ \t]{2})",
        0.85,
    ),
    _LabelledRule(
        "claim_number",
        # Not "Subscriber ID on claim:", whose value is the member's. "Claim (CCN):" carries its abbreviation.
        r"\bClaim[ \t]+(?:Ref(?:erence)?\.?[ \t]+(?:Number|No(?:\.|\b)|#)|Numbers?|No\(s\)\.?|No(?:\.|\b)|#s?|ID"
        r"|Reference)"
        r"|\b(?<!on )Claim(?:\(s\))?(?=[ \t]*(?:\([A-Z]{2,5}\)[ \t]*)?:)"
        r"|\bReference[ \t]+(?:Number|No(?:\.|\b)|#)|\bRef\.?[ \t]+No(?:\.|\b)"
        r"|\bOrder[ \t]*(?:#|Number|No(?:\.|\b)|ID)|\bAuth(?:orization)?[ \t]+request(?=[ \t]*[:#])"
        r"|\bRef(?:erence)?[ \t]*#|\bAuthorization[ \t]+(?:Number|No(?:\.|\b)|#|Request[ \t]+#)|\bAuth[ \t]*#"
        r"|\bCase[ \t]+(?:Number|No(?:\.|\b)|#|ID)|\bRequest[ \t]+(?:Number|No(?:\.|\b)|#|ID)"
        r"|\bTracking[ \t]+(?:Number|No(?:\.|\b)|#)"
        r"|\bDetermination[ \t]+(?:Number|#)|\bDocument[ \t]+Control[ \t]+Number|\bDCN"
        r"|\bReference(?=[ \t]*:)|\bClaims?[ \t]+(?:Numbers?|Nos?\.?)|\bAppeal[ \t]+(?:#|Number|No(?:\.|\b)|ID)"
        r"|\b(?:Reference|Authorization|Grievance)[ \t]+ID|\bGrievance[ \t]*(?:#|Number|No(?:\.|\b))"
        r"|\bAuthorization[ \t]+Request(?=[ \t]*[:#])|\bPA(?:[ \t]*(?:#|Number|No(?:\.|\b))|[ \t]+ID)"
        r"|\bPrior[ \t]+Authorization[ \t]+(?:#|Number|No(?:\.|\b)|ID)|\bCase(?=[ \t]*:)|\bTracking[ \t]+ID|\bICN\b"
        r"|\bCoverage[ \t]+Determination[ \t]+(?:#|Number|No(?:\.|\b)|ID)|\bUM[ \t]+(?:#|Number|No(?:\.|\b)|ID)"
        r"|\bCD[ \t]+(?:#|Number|No(?:\.|\b))|\bAuth(?:orization)?[ \t]+Ref(?:erence)?\b"
        # "Claim Control Nos.: 25-160-0091202 through ...", a transport's "Trip #:", an audit's "Audit #:", "Ref. W-1";
        # not a hospital's own "Patient control no.".
        r"|\b(?<!Patient )(?:Referral|Control)[ \t]*(?:#|Numbers?|Nos?\.)|\b(?:Trip|Audit)[ \t]*(?:#|Number|No\.|ID)"
        r"|\bRef\.(?=[ \t]*[A-Z]{0,5}-?\d)"
        # "Clm 25072E03315", "CLM# 24118-00376", "Order: SLP-MI-250129-4410" (not "Order: 72148 MRI lumbar spine").
        r"|\bClm[ \t]*#s?|\bOrder(?=[ \t]*:[ \t]*[A-Z0-9]*[A-Z-][A-Z0-9-]*\d)"
        # Without a colon or "#" only when an ID follows: "RE: Claim 24CCH0098812", "Ref 24-CM-004417", "order 24K-06".
        r"|\b(?:Claim|Clm|(?<!call )Ref|Reference|Order|Case|Request|Appeal)"
        r"(?=[ \t]+[A-Z]{0,5}(?:-[A-Z]{1,5}){0,2}-?\d[A-Z0-9-]{4,}(?![\w/]))"
        # "Tracking: MSK-GHP-240826-0092", "Ref: OBH-TMS-0402-23381", "Review #: HMK-25-188", "Claims: 2411-HS-330871".
        r"|\b(?:Tracking|(?<!call )Ref|Claims|Claim[ \t]+group)(?=[ \t]*:)|\bReview[ \t]+(?:#|Number|No(?:\.|\b)|ID)"
        # "Auth: RTC-ED-24-0206-3317", "Precertification #: 25-9913-0742", "Inpatient notification # CHC-IP-...", a
        # Medicaid remittance's "TCN" column.
        r"|\bAuth(?:orization)?(?=[ \t]*:)|\bPre-?cert(?:ification)?[ \t]*(?:#|Number|No(?:\.|\b))"
        r"|\bNotification[ \t]*(?:#|Number|No(?:\.|\b))|\bTCN\b"
        # A remittance table's bare "Claim" heading ("Claim  Svc Date  Service", the number in the cell below); an 835
        # print image's claim segment ("CLP*CG2518877120*4*...").
        r"|\bClaim(?=[ \t]{2,}[A-Z])|\bCLP(?=\*)",
        _ID_VALUE,
        0.9,
    ),
    _LabelledRule(
        "claim_number",
        # Any kind of decision record with a number, as writers never seen name them ("Referral ID:", "TAR/RAF
        # Number:", "PRIOR APPROVAL NUMBER:", "Appeal (redetermination) #:", "Our reference numbers:", "Confirmation
        # #:"): the first of these and the labels above is the letter's number for this decision. Not a form's "OMB
        # Approval No.".
        r"\b(?<!OMB )(?:(?:Prior[ \t]+)?Approval|Referral|Appeal|Redetermination|Reconsideration|Confirmation|TAR|RAF"
        r"|References?|Requests?|Reviews?|Decision|Determination|Episode|Event|Ticket|Transaction|Submission"
        r"|Inquiry|Complaint|Dispute|Certification|Service[ \t]+Request|Cases?|Notice|Treatment[ \t]+plan)"
        r"(?:/(?:TAR|RAF|Referral|Authorization|Auth|Consult))?(?:[ \t]*\([A-Za-z]{2,20}\))?"
        # "Appeal File #:", "Appeal case number:".
        r"(?:[ \t]+(?:File|Case|Tracking|Control))?[ \t]*(?:Numbers?|Nos?\.|No\b|#|ID)"
        # "Second-level appeal:    UMR-A2-25-0320-1148", "Outside referral request:  RR-NW-25-118804".
        r"|\b(?:First|Second|Third|Final|[1-3](?:st|nd|rd))-level[ \t]+appeal(?=[ \t]*:)"
        r"|\bReferral[ \t]+request(?=[ \t]*:)"
        # "Requests reviewed: QL-26-077140 and PA-26-077141".
        r"|\bRequests?[ \t]+reviewed(?=[ \t]*:)",
        _ID_VALUE,
        0.75,
    ),
    _LabelledRule(
        "claim_number",
        # Weakest: a call summary's "Call ID: 8841-2207-19" numbers the call, and the claims it is about come later.
        r"\bCall[ \t]*(?:Numbers?|Nos?\.|No\b|#|ID)",
        _ID_VALUE,
        0.7,
    ),
    _LabelledRule(
        "letter_date",
        r"\b(?:Date[ \t]+of[ \t]+(?:Notice|Letter|this[ \t]+(?:Notice|Letter)|Determination|Decision)"
        r"|Notice[ \t]+Date|Letter[ \t]+Date|Determination[ \t]+Date|Decision[ \t]+Date|Date[ \t]+Mailed"
        r"|(?:Notification|EOB|EOP)[ \t]+Date"
        r"|Mail(?:ing)?[ \t]+Date|Decided|Date[ \t]+Decided|Date[ \t]+of[ \t]+(?:Review|Appeal[ \t]+Decision)"
        # Statements and remittances are dated when they are processed, printed or paid; a review when it was done.
        # One space between the words: "CLAIM STATEMENT      Date Printed:" is a title, a column gap, then a label.
        r"|(?:Statement|Payment|Production|Run|Issue|Print|Remittance|RA|Check|Paid|Report|Review)[ \t]Date"
        # "Date we mailed this letter:", "Date we sent this notice:".
        r"|Date[ \t]+we[ \t]+(?:mailed|sent|issued)(?:[ \t]+(?:this|the|your)[ \t]+(?:letter|notice))?(?=[ \t]*:)"
        # "Date of the coverage determination notice:", a portal's "Posted 2024-10-03 09:14", a chat's "Session
        # started 02/25/2025 2:03 PM", a fax header's run-in "Sent 9/8/25 10:42 AM".
        r"|Date[ \t]+of[ \t]+(?:the[ \t]+|this[ \t]+|your[ \t]+)?(?:[A-Za-z-]+[ \t]+){0,3}(?:Notice|Letter)(?=[ \t]*:)"
        r"|Posted(?:[ \t]+on)?(?=[ \t]*:?[ \t]*\d)|Session[ \t]+started|(?<=[ \t]{2})Sent(?=[ \t]+\d{1,2}/)"
        r"|Date[ \t]+(?:Processed|Paid|Issued|Printed)|Processed(?:[ \t]+on)?(?=[ \t]*:)"
        # A heading's "Processed 09/09/2025", not a note's "(claim ..., processed 01/15/2025)".
        r"|(?-i:Processed|PROCESSED)(?=[ \t]+\d)"
        r"|Day[ \t]+of[ \t]+letter"
        # "Payment cycle: 09/06/2024", a portal's "Status as of 06/27/2024 09:14 ET".
        r"|(?:Payment[ \t]+)?Cycle[ \t]+Date|Payment[ \t]+Cycle(?=[ \t]*:)|Status[ \t]+as[ \t]+of"
        # "Issued: October 9, 2024", "Finalized: 06/04/2024", "Remit date:", "Check/EFT date:".
        r"|(?:Issued|Finalized|Dated|Mailed)(?:[ \t]+on)?(?=[ \t]*:)|Remit[ \t]+Date|Remit(?=[ \t]+\d)"
        r"|(?:Check|EFT)(?:[ \t]*/[ \t]*(?:EFT|Check))?[ \t]+Date"
        r"|Date/time(?:[ \t]+(?:of[ \t]+(?:call|message)|sent|faxed|transmitted))?"
        r"|Date[ \t]+of[ \t]+(?:call|message|conversation)|Date[ \t]+(?:sent|faxed|transmitted)"
        # When a portal page or an inquiry's answer was made: "Viewed: 05/14/2025 16:40 ET", "Inquiry submitted:".
        r"|(?:Viewed|Generated|Retrieved|Accessed)(?:[ \t]+on)?(?=[ \t]*:)|Inquiry[ \t]+(?:submitted|date)"
        # A portal page's print stamp: "Printed 01/09/2025 08:51".
        r"|(?:Printed|Mailed)(?:[ \t]+on)?(?=[ \t]*:?[ \t]+\d)"
        # A bare "Date:" (or an email's "Sent:") only as its own label, not the end of "Original denial date:".
        # So is a bilingual "Fecha / Date:" or a run-in "(member copy). Date: 08/20/2025.".
        r"|\b(?:(?<=\n)|(?<=^)|(?<=  )|(?<=/ )|(?<=\. ))(?:Date|Sent)(?=[ \t]*(?::|\.{3}))"
        # A run-on fax header: "PHONE: (800) 762-2382 DATE: 12/05/2023" (a label right after another field's number).
        r"|\b(?<=[0-9)] )DATE(?=[ \t]*:)"
        # A remittance header cell: "CYCLE 2417  DATE 04/29/24".
        r"|\b(?<=[A-Z0-9]  )DATE(?=[ \t]+\d))",
        rf"{_WEEKDAY}({DATE_PATTERN}|{MONTH_DAY})",
        0.95,
    ),
    _LabelledRule(
        "service",
        # Free text follows, so the label must end in a colon (or dot leaders): "medication trials you documented"
        # is prose. Labels that say what was asked for may follow other words on their line.
        r"\b(?<![Oo]f )(?<![Oo]f  )(?:Service(?:s|\(s\))?[ \t]+"
        r"(?:Requested|Denied|Description|asked[ \t]+for|appealed|billed|submitted|provided|rendered)"
        r"|Requested[ \t]+(?:Service(?:s|\(s\))?|Items?|Drug|Medication|Procedure|Treatment|Test|Exam|Study)"
        r"|Drug(?:\(s\)|s)?[ \t]+(?:Requested|Name)"
        r"|(?:Medication|Items?|Treatment|Procedure|Test|Equipment|Device|Exam|Study|Imaging|Therapy|Program|Supply"
        r"|Surgery)[ \t]+(?:Requested|submitted|billed)"
        # "Billed service: Revision total knee arthroplasty", "What was billed: 3 gel shots".
        r"|Description[ \t]+of[ \t]+Services?|What[ \t]+was[ \t]+(?:asked|requested|billed)(?:[ \t]+for)?"
        r"|Billed[ \t]+(?:Services?|Items?|Procedures?)"
        r"|What[ \t]+was[ \t]+ask"
        r"|(?:physician|doctor|provider)[ \t]+(?:requested|asked[ \t]+for)|Level[ \t]+of[ \t]+care[ \t]+requested"
        # One-word labels only where a label starts (line start, after a column gap or "; "): "Prior treatment:" and
        # "Member Services:" are other labels. "Order: 72148 MRI lumbar spine" names the ordered service.
        r"|\b(?:(?<![^\n])|(?<=[ \t]{2})|(?<=\t)|(?<=; ))"
        r"(?:Services?|Svc|Rx|Items?|Drug(?:\(s\)|s)?|Medication|Procedure"
        # "Test: Hereditary cancer panel", "Billed: 0775T Arthrodesis ...", "NOT APPROVED: Pembrolizumab every 3 weeks".
        r"|Treatment|Study|Requested|Equipment|Device|Admission|Exam|Order|Surgery|Test|Billed|Denied"
        r"|Not[ \t]+approved|Level[ \t]+of[ \t]+care))(?=[ \t]*(?::|\.{3}))",
        # The value may start on the next line when the label ends its line ("Service Requested:\n...").
        r"(?:[ \t]*\n[ \t]*)?([^\n]{3,160})",
        0.85,
    ),
    _LabelledRule(
        "service",
        # Weaker: a "Re:" line or "Request:" often names the service, but also the letter's own title; "Claim:"
        # is a number or the claimed service.
        # "Claim:" and "Request:" only where a label starts: "There were two problems with this claim:" ends a
        # sentence that introduces a list.
        r"\b(?:RE|Re|Regarding|(?:(?<![^\n])|(?<=[ \t]{2})|(?<=\t)|(?<=; )|(?<=\n[ \t])|(?<=\n[-*\u2022] ))"
        r"(?:Request(?:[ \t]*#)?|Claim))(?=[ \t]*:)",
        r"(?:[ \t]*\n[ \t]*)?([^\n]{3,160})",
        0.6,
    ),
    _LabelledRule(
        "service",
        # Weakest: an email's subject summarises ("Update on your Spravato request"); the body says it in full.
        r"\b(?<![^\n])Subject(?=[ \t]*:)",
        r"([^\n]{3,160})",
        0.45,
    ),
)


@dataclass(frozen=True)
class _Payer:
    name: str
    pattern: re.Pattern[str]
    plan_type: str | None = None
    national: bool = False  # its PO boxes and letterheads say nothing about the member's state
    program: bool = False  # a government program: a contractor named in the header is the payer


@lru_cache(maxsize=1)
def _payers() -> tuple[_Payer, ...]:
    raw = read_yaml(DATA_DIR / "payers.yaml")
    payers = []
    for entry in raw["payers"]:
        aliases = sorted(entry["aliases"], key=len, reverse=True)
        alternation = "|".join(re.escape(a) for a in aliases)
        pattern = re.compile(rf"(?<![A-Za-z])(?:{alternation})(?![A-Za-z])", re.IGNORECASE)
        national, program = bool(entry.get("national")), bool(entry.get("program"))
        payers.append(_Payer(entry["name"], pattern, entry.get("plan_type"), national, program))
    return tuple(payers)


@lru_cache(maxsize=2)
def _payer_scan(*, skip_programs: bool) -> tuple[tuple[_Payer, ...], re.Pattern[str]]:
    """All listed payers in one pattern, group ``k`` being payer ``k - 1``: one pass over the letter, not one per payer.

    Alternatives are tried in the list's order at each position, so the match is the earliest payer named, and on a
    tie the first in the list: what searching each payer's own pattern and keeping the earliest start gives.
    """
    payers = tuple(payer for payer in _payers() if not (skip_programs and payer.program))
    return payers, re.compile("|".join(f"({payer.pattern.pattern})" for payer in payers), re.IGNORECASE)


def _span(document: Document, start: int, end: int) -> Span:
    return Span(start=start, end=end, page=document.page_at(start))


def _found(document: Document, name: str, value: str, start: int, confidence: float, rule: str) -> ExtractedField:
    """A field whose value stands at ``start`` in the letter text."""
    return ExtractedField(name, value, _span(document, start, start + len(value)), confidence, rule)


# Another "Label:" on the same line ends a free-text value ("Drug: X   Quantity: 3"); "#60" is a count, not a label.
_NEXT_LABEL = re.compile(
    r"[ \t]{2,}|\t|[ \t](?=[A-Z][A-Za-z/#]{1,20}(?:[ \t][A-Za-z/#]{1,20}){0,2}[ \t]?(?::|#(?!\d)))"
)


# "RE: Request for coverage - ketamine ..." -> "ketamine ..."
_SERVICE_PREFIX = re.compile(
    # "RE: Claim for pembrolizumab (Keytruda) infusion" -> "pembrolizumab (Keytruda) infusion"
    # "RE: Request for upper eyelid blepharoplasty, bilateral" -> "upper eyelid blepharoplasty, bilateral"
    r"^(?:claim|request)[ \t]+for[ \t]+(?:(?:reimbursement|payment|coverage|approval)[ \t]+(?:for|of)[ \t]+)?"
    r"(?![A-Za-z ]{0,30}[-:–])"
    r"|^(?:(?:request(?:ed)?|denial|appeal|notice)[ \t]+(?:for|of)[ \t]+)?(?:(?:prior[ \t]+)?authorization|coverage"
    r"|pre-?certification|payment|services?)?[ \t]*(?:for|of)?[ \t]*[-:–][ \t]*",
    re.IGNORECASE,
)
# "(1) Ketamine troches; (2) psychotherapy": the first item of a numbered list.
_FIRST_ITEM = re.compile(r"^\(?\d{1,2}\)[ \t]*([^;\n]{1,160}?)(?=[ \t]*;|[ \t]*\(\d{1,2}\)|$)")
# A reference number, billing code or date ahead of the service: "Order #OSP-77120394 SKYRIZI ...",
# "24-03-SP-0915 - L4-S1 fusion", "95811 PSG w/ CPAP", "29827-RT Arthroscopic ...", "01/10/2024, acute ...".
_LEADING_REFERENCE = re.compile(
    r"^(?:(?i:Order|Ref(?:erence)?|Auth(?:orization)?|Claim|Request|Case)[ \t]*(?:#|No\.?|Number)?[ \t]*:?[ \t]*)?"
    rf"(?:#?[A-Z0-9-]{{0,20}}\d{{4}}[A-Z0-9-]{{0,20}}|{DATE_PATTERN})(?![A-Za-z0-9])[ \t]*,?[ \t]*(?:[-–:][ \t]*)?"
)
# A billing code in brackets at the end of a table cell: "Oral appliance, custom (E0486)".
_TRAILING_CODE = re.compile(r"[ \t]*\((?:CPT|HCPCS)?[ \t]*[A-Z]?\d{4}[0-9A-Z]?(?:-[A-Z0-9]{2})?\)$")


@lru_cache(maxsize=1)
def _vocabulary() -> dict[str, Any]:
    """The word lists of data/fields.yaml, checked against their schema (a bad file is one DataFileError line)."""
    from denialparse.fieldwords import FieldVocabulary

    return read_validated(DATA_DIR / "fields.yaml", FieldVocabulary).model_dump()


@dataclass(frozen=True)
class _ServiceWords:
    generic: frozenset[str]
    not_a_start: re.Pattern[str]
    payment_adjustments: frozenset[str]
    denied_row: re.Pattern[str]
    total_row: re.Pattern[str]


@lru_cache(maxsize=1)
def _service_words() -> _ServiceWords:
    raw = _vocabulary()

    def alternation(words: list[str]) -> str:
        return "|".join(re.escape(w).replace(r"\ ", r"[ \t]+") for w in sorted(words, key=len, reverse=True))

    return _ServiceWords(
        generic=frozenset(raw["generic_service_words"]),
        not_a_start=re.compile(rf"(?:{alternation(raw['not_a_service_start'])})\b", re.IGNORECASE),
        payment_adjustments=frozenset(str(code) for code in raw["payment_adjustment_carcs"]),
        denied_row=re.compile(rf"\b(?:{alternation(raw['denied_row_words'])})\b", re.IGNORECASE),
        total_row=re.compile(rf"(?:{alternation(raw['total_row_words'])})\b", re.IGNORECASE),
    )


@lru_cache(maxsize=1)
def specialty_in_a_name() -> re.Pattern[str]:
    """A kind of care written as part of a capitalised name, Title Case or capitals ("Golden Lotus Acupuncture",
    "KINETIC EDGE PHYSICAL THERAPY"): data/fields.yaml's specialty_services."""

    def capitalised(phrase: str) -> str:
        """Each word Title Case or capitals; words apart by spaces or tabs, a hyphen kept."""
        return r"[ \t]+".join(
            "-".join(f"(?:{re.escape(part.capitalize())}|{re.escape(part.upper())})" for part in word.split("-"))
            for word in phrase.split(" ")
        )

    phrases = sorted(_vocabulary()["specialty_services"], key=len, reverse=True)
    return re.compile(rf"\b(?:{'|'.join(capitalised(p) for p in phrases)})\b")


def specialty_service_words() -> frozenset[str]:
    """The words of the kinds of care practices are named for ("physical", "therapy"; data/fields.yaml)."""
    return frozenset(word for phrase in _vocabulary()["specialty_services"] for word in phrase.split())


def generic_service_words() -> frozenset[str]:
    """Words that name a kind of service, not which one (data/fields.yaml)."""
    return _service_words().generic


def _names_a_service(value: str) -> bool:
    """False for a value made only of process words ("Coverage determination") or naming a person or reference."""
    words = _service_words()
    return (
        value[:1].isalnum()
        # "00029", "01147", "CBH-MO-24-1108-09921": an edit code or a reference, not a service.
        and re.search(r"[A-Za-z]{2}", value) is not None
        and re.fullmatch(r"[A-Z0-9-]*\d{4}[A-Z0-9-]*", value) is None
        and not set(re.findall(r"[a-z-]+", value.lower())) <= words.generic
        and re.match(r"[A-Za-z #]{2,25}:", value) is None
        and words.not_a_start.match(value) is None
        and REMARK_CODE_LINE.match(value) is None
    )


def _clean_value(name: str, value: str) -> str:
    value = value.strip().rstrip(".,;")
    if name in _ID_FIELDS:
        # "Group: 21880-Lancaster Regional Medical Group": a name after the number is not part of it.
        value = _REPEATED_LABEL.sub("", re.sub(r"-[A-Z][a-z][A-Za-z]*$", "", value), count=1)
        value = _PRODUCT_AFTER.sub("", value)
    if name == "service":
        # After a leading reference, a column gap or a second label on the same line ends the value.
        value = _NEXT_LABEL.split(_LEADING_REFERENCE.sub("", value))[0]
        if item := _FIRST_ITEM.match(value):
            value = item.group(1)
        value = _SERVICE_PREFIX.sub("", value).strip(" :-").rstrip(".,;")
        # "What your doctor asked for: Dr. Park asked us to cover Mounjaro for prediabetes" -> "Mounjaro".
        prose = _SERVICE_PROSE.search(value)
        if prose and _names_a_service(prose.group(1).strip()):
            value = prose.group(1).strip()
        # A bracket the line break cut open ("ketamine infusion, 6 over 3 weeks (J3490,") is dropped with its start.
        if value.count("(") > value.count(")"):
            value = value[: value.rfind("(")].rstrip(" ,;:-")
    return value


_ID_FIELDS = ("member_id", "group_number", "claim_number")
# An amount ("TOTAL PAID CLAIMS: 175.48") or a masked Social Security number ("Participant SSN: XXX-XX-6604"): no
# number a member can quote.
_NOT_AN_ID = re.compile(r"\$?\d{1,3}(?:,\d{3})*\.\d{2}|X{3}-X{2}-\d{4}", re.IGNORECASE)
# The label's abbreviation repeated before the number: "Internal control number: ICN 25071-40089-310".
# So is a "Group" repeated in a paired value ("Plan / group:  Brookhaven Logistics, Inc. / Group 7724-001 (EPO)").
_REPEATED_LABEL = re.compile(r"(?:ICN|DCN|TCN|CCN|Group)[ \t]+(?=\d)")
# A plan product bracketed after the number: "7724-001 (EPO)".
_PRODUCT_AFTER = re.compile(r"[ \t]+\((?:EPO|PPO|HMO|POS|HDHP|PPO Plus|Open Access)\)$")
# Provider and tax numbers that can follow a label word by accident.
# A date label read as a value ("Claim: DOS 03/28/2025") is not an ID either.
_OTHER_ID = re.compile(r"(?:NPI|TIN|Tax[ \t]+ID|EIN|DEA|DOS|DOB)\b", re.IGNORECASE)


# A group code of capitals only, as pharmacy cards print it ("Group: MASSMTRX", "RXDPENG", "GLTJC-HW"); not a short
# plan word.
# It must be its whole cell: "Group: MASSMTRX" or "(Group RXDPENG)", not "Account: MAPLEWOOD SCHOOL DISTRICT".
_LETTERS_GROUP = re.compile(r"(?-i:[A-Z]{6,12}|(?=[A-Z-]{6,14}$)[A-Z]{2,10}-[A-Z]{2,10})")
_CELL_END = re.compile(r"[ \t]{2,}|[ \t]*(?:\n|$)|\)")


def _valid_value(field: str, value: str) -> bool:
    if len(value) < 2:
        return False
    if field == "service":
        return _names_a_service(value)  # "RE: Coverage determination" names the letter, not the service
    # "MEDICINE GROUP  NPI 1508877213": a provider's number, not the group's; "Dates of service on claim: 03/01/2024"
    # is a date, not a claim number.
    return (
        (any(ch.isdigit() for ch in value) or (field == "group_number" and _LETTERS_GROUP.fullmatch(value) is not None))
        and not _OTHER_ID.match(value)
        # "MBI-linked 7K22WX0": a lower-case word is prose, not the start of an ID.
        and (field not in _ID_FIELDS or re.match(r"[a-z]+(?:\s|$)", value) is None)
        and (field != "letter_date" or is_date(value))
        and (field not in _ID_FIELDS or not is_date(value))
        and (field not in _ID_FIELDS or _NOT_AN_ID.fullmatch(value) is None)
    )


_HEADING_CELL_START = re.compile(r"(?:[A-Za-z]{2,12} ){1,2}")
_LABEL_COLON = re.compile(r"^[ \t]*(?:\([A-Za-z]{2,8}\)[ \t]*)?[:#]+")
_TWO_LABELS = re.compile(r"[A-Za-z][A-Za-z /#().-]{0,45}[:#]?[ \t]{2,}[A-Za-z][A-Za-z /#().-]{0,45}[:#]?")


def _cells_below(text: str, start: int, end: int, rows: int = 1) -> Iterator[tuple[str, int, str]]:
    """Under a table heading cell ("RIN  DCN  SVC DATE"), the cell in the same column of each of the next rows.

    Text gaps are normalised to two spaces, so columns are counted in cells, not characters; yields the cell, where it
    starts and its whole row, and stops at a blank line.
    """
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    if line_end == -1 or line_end - line_start > 300:
        return  # no next row, or too long for a heading row (and a bound on the work per label)
    before, after = text[line_start:start], text[end:line_end]
    # The label may end a heading cell of a few words ("Original ICN  Adjustment ICN  DOS") and its colon ("Member
    # ID:  Case #:").
    cell_words = before[before.rfind("  ") + 2 :] if "  " in before else before
    after = _LABEL_COLON.sub("", after, count=1)
    if (cell_words and not _HEADING_CELL_START.fullmatch(cell_words)) or (after and not after.startswith("  ")):
        return  # the label is not a whole cell
    heading_row = text[line_start:line_end].strip()
    headings = len(CELL_GAP.split(heading_row))
    # Three cells make a heading row; two only when both are labels without digits ("Date:     Member number:").
    if headings < 2 or (headings == 2 and not _TWO_LABELS.fullmatch(heading_row)):
        return  # not a heading row
    column = len(CELL_GAP.split(before)) - 1 if before else 0
    left, right = start - line_start, end - line_start
    row_start = line_end + 1
    for _ in range(rows):
        row_end = text.find("\n", row_start)
        row = text[row_start : row_end if row_end != -1 else len(text)]
        if not row.strip():
            return
        starts = [0, *(gap.end() for gap in CELL_GAP.finditer(row))]
        cells = CELL_GAP.split(row)
        # A row whose last cell is empty ("... 96.12  96.12" under "... PAID  ADJ CODES") still lines up in its
        # first half.
        if len(cells) == headings or (len(cells) == headings - 1 and column < len(cells) // 2):
            yield cells[column], row_start + starts[column], row
        else:
            # An empty or extra cell shifts the count, so fall back on a fixed-width layout: the cell that starts or
            # ends in the same character column as the heading (left- or right-aligned), never one merely overlapping.
            under = [
                (cell, at)
                for cell, at in zip(cells, starts, strict=True)
                if cell and (at == left or at + len(cell) == right)
            ]
            if len(under) != 1:
                return
            yield under[0][0], row_start + under[0][1], row
        if row_end == -1:
            return
        row_start = row_end + 1


def _cell_below(text: str, start: int, end: int) -> tuple[str, int] | None:
    """The cell under a table heading cell in the next row (see `_cells_below`)."""
    below = next(_cells_below(text, start, end), None)
    return (below[0], below[1]) if below else None


# A line that names the provider or payee before an ID label ("Provider: HUDSON RIVER COUNSELING  MMIS ID: 04718822",
# "NPI: 1902447318  NC Medicaid ID: 8811204"): the ID is the provider's unless its label names the member.
_PROVIDER_LINE = re.compile(
    r"^[ \t]*(?:(?:Billing|Rendering|Servicing)[ \t]+)?(?:Provider|Payee|Facility|Pharmacy)(?:[ \t]+Name)?"
    r"[ \t]*\.{0,12}:"
    r"|\b(?:NPI|TIN|Tax[ \t]+ID)\b",
    re.IGNORECASE | re.MULTILINE,
)
_MEMBER_LABEL_WORDS = re.compile(
    r"Member|Subscriber|Patient|Recipient|Recip|Enrollee|Beneficiary|Client|Customer|Participant|Insured|MBR", re.I
)
# Labels joined by "/" ahead of values joined by " / " pair up in order ("Policy/Certificate: SNL-GH-775120 /
# 0044-19823", "Student ID/Member ID: W0471182 / 1019283746-00"); a single value after them serves every label.
_PAIRED_LABEL_END = re.compile(r"[A-Za-z#./ ]{0,30}?:")
_PAIRED_VALUE = re.compile(r"[ \t]*([^\n]{1,120}?)(?=[ \t]{2}|[ \t]*$)", re.MULTILINE)


# A label alone on its line with the ID alone on the next one ("Member ID:\nW184392771").
_NEXT_LINE_ID = re.compile(rf"[ \t]*[:#]?[ \t]*\n[ \t]*{_ID_VALUE}(?=[ \t]*(?:\n|$))", re.IGNORECASE)


def _near_line_start(text: str, at: int, reach: int = 200) -> int:
    """Where the line holding ``at`` starts, looking back at most ``reach`` characters (bounded work per label)."""
    floor = max(at - reach, 0)
    return max(text.rfind("\n", floor, at) + 1, floor)


def _paired_value(text: str, label: re.Match[str]) -> tuple[str, int] | None:
    """The value paired with ``label`` when its label cell joins several labels with "/" and its value has as many
    parts; None when the label stands alone."""
    line_start = _near_line_start(text, label.start())
    gap = text.rfind("  ", line_start, label.start())
    cell_start = gap + 2 if gap != -1 else line_start
    end = _PAIRED_LABEL_END.match(text, label.end())
    if end is None:
        return None
    cell = text[cell_start : end.end() - 1]
    if "/" not in cell or "  " in cell:
        return None
    index = text.count("/", cell_start, label.start())
    values = _PAIRED_VALUE.match(text, end.end())
    if values is None:
        return None
    parts = values.group(1).split(" / ")
    if len(parts) != cell.count("/") + 1:
        return None
    start = values.start(1) + sum(len(part) + 3 for part in parts[:index])
    return parts[index].strip(), start


_CELL_BELOW_FIELDS = frozenset({*_ID_FIELDS, "letter_date"})


def _labelled(document: Document, *, rule: _LabelledRule) -> ExtractedField | None:
    """The first label whose value is valid: on the label's line or, for a table's heading cell, under it."""
    return next(_labelled_all(document, rule=rule), None)


def _labelled_all(document: Document, *, rule: _LabelledRule) -> Iterator[ExtractedField]:
    """Every valid labelled value in text order (the first is :func:`_labelled`'s answer)."""
    text = document.text
    label_pattern, value_pattern = rule.compile_parts()
    for label in label_pattern.finditer(text):
        if (
            rule.field == "member_id"
            and not _MEMBER_LABEL_WORDS.search(label.group(0))
            and _PROVIDER_LINE.search(text, _near_line_start(text, label.start()), label.start())
        ):
            continue  # the provider's own number
        candidates: list[tuple[str, int, str]] = []
        paired = _paired_value(text, label) if rule.field in _ID_FIELDS else None
        if paired is not None:
            candidates.append((_clean_value(rule.field, paired[0]), paired[1], paired[0]))
        elif match := value_pattern.match(text, label.end()):
            candidates.append((_clean_value(rule.field, match.group(1)), match.start(1), match.group(1)))
        # A table heading's value sits in the cell under it ("DATE OF NOTICE    MEMBER ID" over "03/14/2025  W12...").
        if rule.field in _CELL_BELOW_FIELDS and (below := _cell_below(text, label.start(), label.end())):
            candidates.append((below[0], below[1], below[0]))
        if (
            rule.field in _ID_FIELDS
            and not text[_near_line_start(text, label.start()) : label.start()].strip()
            and (next_line := _NEXT_LINE_ID.match(text, label.end()))
        ):
            candidates.append((next_line.group(1), next_line.start(1), next_line.group(1)))
        for value, raw_start, raw in candidates:
            start = raw_start + max(raw.find(value), 0)
            # A group code of capitals only is read only as its whole cell.
            if _valid_value(rule.field, value) and (
                rule.field != "group_number"
                or _LETTERS_GROUP.fullmatch(value) is None
                or _CELL_END.match(text, start + len(value))
            ):
                yield _found(document, rule.field, value, start, rule.confidence, f"label:{rule.field}")
                break


# IDs told in sentences ("the member number on your card, TCS0087315, is the one this claim came in under; the claim
# itself is number 25-113-60042"): each number belongs to the nearest kind word before it in its sentence.
_PROSE_ID_KINDS = re.compile(
    r"\b(?:(?P<member_id>member(?:\s+identification)?\s+(?:ID|number|#)|(?:Medicaid|Medicare|student|subscriber|employee"
    r"|recipient|client)\s+(?:ID|number)(?:\s+number)?|ID\s+number|identification\s+number|insurance\s+card)"
    r"|(?P<group_number>group(?:\s+(?:number|#|ID))?)"
    r"|(?P<claim_number>claims?|case(?:\s+(?:number|ID))?|reference|review|request(?:\s+number)?|numbered"
    r"|authori[sz]ation\s+number|appeal(?:\s+number)?|grievance|file\s+number|tracking\s+number)"
    # A provider's, pharmacy's or telephone's number: "Prescriber NPI on the request (1487720331)", "BIN 610011".
    r"|(?P<other>NPI|TIN|EIN|DEA|PTAN|BIN|PCN|Tax\s+ID|Rx\s*#|phone|fax|call|TTY|DOB|ZIP))\b",
    re.IGNORECASE,
)
# A number a person can quote: letters, digits and hyphens with at least four digits, six characters or more; not a
# date, a telephone or ZIP+4 number, an amount or a code (those have their own shapes).
# A church plan's "CMB 7730412 00" keeps its prefix and suffix.
_PROSE_ID = re.compile(
    r"(?<![\w/.$-])(?:[A-Z]{2,4} \d{6,12}(?: \d{2})?(?![\w/-])"
    r"|(?=[A-Z0-9-]*\d(?:[A-Z-]*\d){3})[A-Z0-9][A-Z0-9-]{4,28}[A-Z0-9](?![\w/-]|\.\d))"
)
_NOT_A_PROSE_ID = re.compile(
    r"1?-?\d{3}-\d{3}-[A-Z0-9]{4}|\d{3}-\d{4}|\d{5}-\d{4}|[A-Z]?\d{4}[A-Z0-9]?|\d{4,5}-\d{3,4}-\d{1,2}"
    r"|(?:NPI|TIN|EIN|DEA|BIN|PCN|ICD|CPT|NDC|PO|RX|TTY|FAX|DOB|DOS) .*"
)
_OTHER_ID_WORD = re.compile(rf"\b{_OTHER_ID.pattern}", re.IGNORECASE)
_SENTENCE_BREAK = re.compile(r"[.;:!?](?:\s|$)|\n\s*\n")
_PROSE_ID_REACH = 80


def _id_in_prose(document: Document, *, field: str) -> ExtractedField | None:
    """The first number of ``field``'s kind told in a sentence, for letters that put no such ID on a label line."""
    text = document.text
    for token in islice(_PROSE_ID.finditer(text), MAX_CANDIDATES):
        value = token.group(0)
        if _NOT_A_PROSE_ID.fullmatch(value) or is_date(value):
            continue
        window_start = max(token.start() - _PROSE_ID_REACH, 0)
        breaks = list(_SENTENCE_BREAK.finditer(text, window_start, token.start()))
        if breaks:
            window_start = breaks[-1].end()
        kinds = list(_PROSE_ID_KINDS.finditer(text, window_start, token.start()))
        if not kinds or "  " in text[kinds[-1].end() : token.start()]:
            continue  # no kind word, or a table's heading (its cells are read by the label rules)
        if _OTHER_ID_WORD.search(text, max(token.start() - 40, window_start), token.start()):
            continue  # "Prescriber NPI on the request (1487720331)"
        if kinds[-1].lastgroup == field:
            return _found(document, field, value, token.start(), 0.6, f"prose:{field}")
    return None


_SERVICE_PROSE = re.compile(
    r"(?:\b(?:reviewed|received|denied|deny|declined?|processed|approve|cover)[ \t]+(?:(?:a|the|your|an)[ \t]+)?"
    # "We reviewed your doctor's request for ..."
    r"(?:(?:doctor|physician|provider|prescriber)['’]s[ \t]+)?"
    r"(?:(?:prior[ \t]+authorization|coverage|pre-?certification)[ \t]+)?(?:request|claim|claims)"
    r"(?:[ \t]+listed[ \t]+above)?[ \t]+for[ \t]+"
    # "We have denied payment for ...", "denied coverage of ..."
    r"|\b(?:denied|deny|declined?)[ \t]+(?:payment|coverage)[ \t]+(?:for|of)[ \t]+"
    r"|\b(?:cannot|can't|couldn't|could[ \t]+not|will[ \t]+not|won't|unable[ \t]+to|not|no[ \t]+longer)[ \t]+"
    r"(?:cover|approve|pay[ \t]+for)[ \t]+"
    # "asked us to approve ...", "requested approval of ..."
    r"|\basked[ \t]+(?:us[ \t]+)?to[ \t]+(?:approve|cover|pay[ \t]+for)[ \t]+"
    r"|\b(?:requested|asked[ \t]+for)[ \t]+(?:prior[ \t]+)?(?:approval|authorization|coverage)[ \t]+(?:of|for)[ \t]+"
    # "This letter is about the claim for ...", "writing about your recent prescriptions for ...", "Your request
    # for ... has been denied", "Coverage of ... will end".
    r"|\b(?:about|regarding|concerning)[ \t]+(?:the|your)[ \t]+(?:recent[ \t]+)?(?:claims?|requests?|prescriptions?)"
    r"[ \t]+for[ \t]+|\byour[ \t]+requests?[ \t]+for[ \t]+|^(?:coverage|payment)[ \t]+(?:of|for)[ \t]+"
    r"|(?<=[.!?] )(?:coverage|payment)[ \t]+(?:of|for)[ \t]+"
    # "Dr. Saperstein's request for ...", "The above claims for ... have been denied".
    r"|['’]s[ \t]+(?:prior[ \t]+authorization[ \t]+)?requests?[ \t]+for[ \t]+"
    r"|\b(?:above|enclosed)[ \t]+(?:claims?|requests?)[ \t]+for[ \t]+"
    # "the request from Dr. Yvette Boateng for ...", "the request Dr. Okafor sent us for ...", "claims from X for ...",
    # "the request submitted on your behalf for ..."
    r"|\b(?:requests?[ \t]+(?:from|by|that|Dr\.|your|submitted|made|sent|filed)|claims?[ \t]+(?:from|submitted))"
    r"(?:[^.\n]|(?<=Dr)\.|(?<=\b[A-Z])\.){0,60}?[ \t]for[ \t]+)"
    # "your claim for reimbursement for Stelara ..."
    r"(?:(?:reimbursement|payment|coverage)[ \t]+(?:for|of)[ \t]+)?"
    # The service ends at a clause word, punctuation, bracketed codes ("MRI (CPT 73721)") or a bracketed aside
    # ("(an injection of ...)"); a bracketed name stays ("Spravato (esketamine)").
    r"(?:(?:an?|the|your)[ \t]+)?([^.\n;:]{3,80}?)(?=[ \t]+(?:for|from|at|on|because|submitted"
    r"|received|which|that|dated|under|by|to|is|was|as|after|has|have|will|until|were|are)\b|[.,;\n]"
    r"|[ \t]*\([^()\n]{0,40}?\d|[ \t]*\((?:an?|the|which|i\.e\.|e\.g\.|also)[ \t]|$)",
    re.IGNORECASE | re.MULTILINE,
)
# "Determination: Inpatient admission NOT CERTIFIED."
_SERVICE_DECISION = re.compile(
    r"^[ \t]*(?:Determination|Decision|Outcome)[ \t]*:[ \t]*([A-Za-z][^.\n:/]{2,60}?)[ \t]+"
    r"(?:(?:is|was|are|were|has[ \t]+been|have[ \t]+been)[ \t]+)?"
    r"(?:not[ \t]+(?:certified|approved|covered|authori[sz]ed)|denied|non-?certified)\b",
    re.IGNORECASE | re.MULTILINE,
)
# The Medicare/Medicaid denial notice form: "We have denied the following:" / "We have DENIED the medical
# services/items listed below requested by you or your doctor:" with the service after the colon or on the next line.
_SERVICE_LISTED = re.compile(
    r"\b(?:(?:denied|not[ \t]+(?:approv|cover|pay)(?:ed|ing))[ \t]+(?:the[ \t]+)?(?:following"
    r"|(?:[A-Za-z/]{1,20}[ \t]+){0,3}(?:services?|items?|drugs?|care|services/items)[ \t]+(?:listed[ \t]+)?below)"
    # "We denied: Vertebral axial decompression ..."
    r"|(?<=We )(?:have[ \t]+)?denied(?=[ \t]*:))"
    r"[^\n:]{0,80}:[ \t]*\n?[ \t]*([^\n]{3,160})",
    re.IGNORECASE,
)
# A service named as the subject of a refusal: "Testosterone pellets are not covered under your plan."
_SERVICE_NOT_COVERED = re.compile(
    r"(?:^|(?<=[.!?:] ))[ \t]*([A-Z][^.\n;:!?]{2,60}?)[ \t]+(?:is|are)[ \t]+not[ \t]+"
    r"(?:covered|medically[ \t]+necessary|approved|payable|a[ \t]+covered[ \t]+(?:service|benefit))\b",
    re.MULTILINE,
)
# A claim note naming the billed service by its code: "Vitamin D testing (82306, 82652) was billed with ...",
# "Testosterone pellets (S0189) with insertion (11980) were billed ...", "The claim billed MRI (CPT 72158)".
_SERVICE_BILLED = re.compile(
    r"(?:(?:^|(?<=[.!?:] ))[ \t]*([A-Z][^.\n;:!?()]{2,60}?)[ \t]*"
    r"\((?:CPT|HCPCS)?[ \t]*[A-Z]?\d{4}[0-9A-Z]?[^()\n]{0,30}\)[^.\n]{0,80}?[ \t](?:was|were)[ \t]+billed\b"
    r"|\bclaim[ \t]+billed[ \t]+([^.\n;:()]{3,80}?)[ \t]*\((?:CPT|HCPCS)?[ \t]*[A-Z]?\d{4})",
    re.MULTILINE,
)
# A heading cell over a remittance's service column ("LINE  SERVICE  UNITS  STATUS").
_SERVICE_COLUMN = re.compile(
    r"\b(?:SERVICE(?:[ \t]+DESCRIPTION)?|DESCRIPTION(?:[ \t]+OF[ \t]+SERVICE)?|PROCEDURE[ \t]+DESCRIPTION)\b",
    re.IGNORECASE,
)
# A remittance/EOB row: a line that starts with a line number and a date (a range, or month/day alone) and
# carries an amount; its first text cell before the amounts names the service.
_TABLE_ROW = re.compile(
    rf"^[ \t]*(?:\d{{1,2}}[ \t]+)?(?:{DATE_PATTERN}|\d{{1,2}}/\d{{1,2}})(?:[ \t]*-[ \t]*(?:{DATE_PATTERN}))?[ \t]+"
    r"([^\n]{3,300})$",
    re.MULTILINE,
)
_AMOUNT = re.compile(r"\$[ \t]?\d[\d,]{0,12}(?:\.\d\d)?\b|\b\d[\d,]{0,12}\.\d\d\b")
# A remittance row that starts with its line number and billing code instead of a date ("Line 1   75574  CT
# angiography, heart/coronary  DENIED", "2   J9145   180   Daratumumab, 10 mg   $17,460.00"): the first text cell
# after the code names the service.
_CODE_ROW = re.compile(
    rf"^[ \t]*(?:(?:Line|LN|Ln)[ \t]*)?\d{{1,3}}[ \t]+{BILLING_CODE}(?:-?[A-Z0-9]{{2}})?[ \t]+([^\n]{{3,300}})$",
    re.MULTILINE,
)
# A billing code followed by its description on a claim line: "CPT 70553 MRI brain w/o & w/ contrast", "CPT 95886,
# 95913 (EMG/NCS)", "CPT 64721 carpal tunnel release, right; 01810 anesthesia".
_CODE_DESCRIPTION = re.compile(
    rf"\b(?:CPT|HCPCS)(?:[ \t]+codes?)?[ \t]*:?[ \t]+{BILLING_CODE}(?:-[A-Z0-9]{{2}})?"
    rf"(?:,[ \t]*{BILLING_CODE})*[ \t]+\(?([A-Za-z][^\n;()]{{2,60}}?)\)?(?=[ \t]*(?:;|\n|$)|[ \t]{{2}})",
)
_TABLE_ROWS = 20  # rows read under a heading
_LEADING_CODE = re.compile(r"^[A-Z]?\d{4}[0-9A-Z]?(?:-[A-Z0-9]{2})?[ \t]+")
_ROW_CARC = re.compile(r"\b(?:CO|PR|OA|PI|CR)[ \t]?-?[ \t]?(\d{1,3})\b")


def _row_denied(row: str) -> bool:
    """A row that says "denied" or carries a reason code other than a paid line's adjustments (CO-45, PR-2)."""
    words = _service_words()
    return bool(words.denied_row.search(row)) or any(
        code not in words.payment_adjustments for code in _ROW_CARC.findall(row)
    )


def _service_from_table(document: Document) -> ExtractedField | None:
    """The service on the first denied remittance row (else the first row): a paid office visit is not it."""
    return _service_in_rows(document, _TABLE_ROW, "table-row", 0.6, amount_required=True)


def _service_from_code_row(document: Document) -> ExtractedField | None:
    """The description on the first denied code-first remittance row (else the first such row)."""
    return _service_in_rows(document, _CODE_ROW, "code-row", 0.55, amount_required=False)


def _service_in_rows(
    document: Document, rows_pattern: re.Pattern[str], rule: str, confidence: float, *, amount_required: bool
) -> ExtractedField | None:
    """The first text cell of the first denied row ``rows_pattern`` finds (else of the first row).

    A row counts when it carries an amount, or (unless ``amount_required``) says it was denied; the cells before
    the amount are read, less billing codes; a code row's cell must also name a service.
    """
    words = _service_words()
    rows: list[tuple[bool, int, str]] = []
    for match in rows_pattern.finditer(document.text):
        rest = match.group(1)
        amount = _AMOUNT.search(rest)
        if amount is None and (amount_required or not words.denied_row.search(rest)):
            continue
        offset = 0
        for cell in re.split(r"[ \t]{2,}|\t|\$", rest[: amount.start()] if amount else rest):
            start = match.start(1) + rest.index(cell, offset)
            offset = start - match.start(1) + len(cell)
            value = _TRAILING_CODE.sub("", _LEADING_CODE.sub("", cell.strip()))
            if (
                re.search(r"[A-Za-z]{3}", value)
                and not words.total_row.match(value)
                and (amount_required or _names_a_service(value))
            ):
                rows.append((_row_denied(rest), document.text.index(value, start), value))
                break
    if not rows:
        return None
    _, start, value = next((row for row in rows if row[0]), rows[0])
    return _found(document, "service", value, start, confidence, rule)


def _service_code_description(document: Document) -> ExtractedField | None:
    """The description that follows a CPT/HCPCS code on a claim line."""
    for match in _CODE_DESCRIPTION.finditer(document.text):
        value = match.group(1).strip().rstrip(",")
        if _valid_value("service", value) and not _is_quantity(value):
            return _found(document, "service", value, match.start(1), 0.5, "code-description")
    return None


# A pharmacy claim's prescription line: "RX# 2410092  OZEMPIC 0.25-0.5MG/DOSE PEN  QTY 1.5  DS 28".
_RX_LINE = re.compile(
    r"\bRX[ \t]*#[ \t]*:?[ \t]*\d{4,12}[ \t]+([A-Za-z][^\n]{2,80}?)(?=[ \t]{2}|[ \t]+QTY\b|[ \t]*$)", re.I | re.M
)


def _service_rx_line(document: Document) -> ExtractedField | None:
    """The drug on a pharmacy claim's prescription-number line."""
    match = _RX_LINE.search(document.text)
    if match is None or not _valid_value("service", match.group(1)):
        return None
    return _found(document, "service", match.group(1), match.start(1), 0.55, "rx-line")


def _is_quantity(value: str) -> bool:
    """ "x 90 units", "x 8", "units 2": a quantity, not a description."""
    pattern = r"x[ \t]*\d+(?:[ \t]*units?)?|\d+[ \t]*units?|units?[ \t]*\d+"
    return re.fullmatch(pattern, value.strip(), re.IGNORECASE) is not None


def _service_listed(document: Document) -> ExtractedField | None:
    """The service after a notice form's "we have denied the following:" line."""
    match = _SERVICE_LISTED.search(document.text)
    if match is None:
        return None
    value = _clean_value("service", match.group(1))
    if not _valid_value("service", value):
        return None
    start = match.start(1) + max(match.group(1).find(value), 0)
    return _found(document, "service", value, start, 0.8, "denied-following")


def _service_under_heading(document: Document) -> ExtractedField | None:
    """The cell under a "SERVICE" / "DESCRIPTION" table heading, less its billing codes: the first denied row's, else
    the first row's (a paid line is not at issue)."""
    text = document.text
    for heading in _SERVICE_COLUMN.finditer(text):
        rows: list[tuple[bool, str, int]] = []
        for cell, cell_start, row in _cells_below(text, heading.start(), heading.end(), rows=_TABLE_ROWS):
            value = _TRAILING_CODE.sub("", _LEADING_CODE.sub("", cell.strip()))
            if re.search(r"[A-Za-z]{3}", value) and _valid_value("service", value) and value in text:
                rows.append((_row_denied(row), value, text.index(value, cell_start)))
        if rows:
            _, value, start = next((row for row in rows if row[0]), rows[0])
            return _found(document, "service", value, start, 0.6, "service-column")
    return None


def _service_not_covered(document: Document) -> ExtractedField | None:
    """ "Hearing aids are not covered." when nothing else names the service."""
    for match in _SERVICE_NOT_COVERED.finditer(document.text[:4000]):
        value = _TRAILING_CODE.sub("", match.group(1).strip())
        # A comma or a column gap means a clause or a table row ("Because of this, X is"), not a noun phrase.
        if not re.search(r",|[ \t]{2}", value) and _valid_value("service", value):
            return _found(document, "service", value, match.start(1), 0.4, "not-covered")
    return None


def _service_billed(document: Document) -> ExtractedField | None:
    """The service a claim note says was billed, named ahead of its billing code."""
    match = _SERVICE_BILLED.search(document.text)
    if match is None:
        return None
    group = match.lastindex or 0
    value = match.group(group).strip()
    if not _valid_value("service", value):
        return None
    return _found(document, "service", value, match.start(group), 0.55, "billed")


def _service_decision(document: Document) -> ExtractedField | None:
    match = _SERVICE_DECISION.search(document.text)
    if match is None or not _names_a_service(match.group(1)):
        return None
    return _found(document, "service", match.group(1), match.start(1), 0.6, "decision-line")


def _service_in_prose(document: Document) -> ExtractedField | None:
    """ "We reviewed a request for an MRI of the lower back ..." when no header names the service."""
    return next(_service_in_prose_all(document), None)


def _service_in_prose_all(document: Document, limit: int = 3000) -> Iterator[ExtractedField]:
    for match in _SERVICE_PROSE.finditer(document.text[:limit]):
        value = match.group(1).strip()
        if value and _names_a_service(value):
            yield ExtractedField("service", value, _span(document, *match.span(1)), 0.5, "prose")


# A date on a line of its own, or right-aligned after a column gap ("Chicago, IL  March 3, 2024"); a date after a
# label ("DOS: 10/02/2024") or inside a table row or a sentence is some other date.
# A message's date line may carry its time ("Tue, Feb 11, 2025  9:14 AM") or follow a bar ("Saved conversation  |
# Jan 14, 2026").
_CLOCK_TIME = r"(?:[ \t]+\d{1,2}:\d{2}(?:[ \t]*[AP]\.?M\.?)?(?:[ \t]+[A-Z]{2,3}T?\b)?)?"
_DATE_LINE = re.compile(
    rf"^(?:([^\n:#]{{0,120}}?[A-Za-z.,|])[ \t]{{2,}})?{_WEEKDAY}({DATE_PATTERN}){_CLOCK_TIME}[ \t]*$"
    # A flattened two-column letterhead: the date opens its line and the other column's words follow a gap
    # ("October 7, 2025          Member Services (800) 642-4168").
    rf"|^{_WEEKDAY}({DATE_PATTERN})[ \t]{{2,}}(?=[A-Za-z])(?!(?:Page|DOS|Date|Service|Paid|Admi)\b)",
    re.IGNORECASE | re.MULTILINE,
)
# Words before a right-aligned date that make it some other date ("DOB  01/02/1980", "Admitted  03/04/2024").
_OTHER_DATE_WORDS = re.compile(r"\b(?:DOB|DOS|birth|born|dates?|service|admi[a-z]{0,8}|paid|through|from|to)\b", re.I)


# A letter that dates itself in a sentence: "We mailed this letter on July 2, 2025.", "This notice was prepared on Dec.
# 9, 2025.", "I'm sending this on 19 November 2024", "Written January 13, 2026, by ...", an eMSN's "Delivered to your
# account: 11/05/2024", "Sent 2025-03-19 by mail".
_LETTER_SENT = re.compile(
    r"\b(?:(?:this|the)\s+(?:letter|notice|message|decision|e-?mail|determination)\s+(?:was|is|has\s+been)\s+"
    r"(?:sent|mailed|prepared|printed|issued|written|dated|delivered|posted|generated|faxed)(?:\s+to\s+you)?"
    r"|(?:we|I)(?:['’]m|\s+am|\s+are|['’]re)?\s+(?:mailed|sent|sending|mailing|issued|issuing|wrote|writing|faxed)"
    r"(?:\s+you)?\s+(?:this|the)(?:\s+(?:letter|notice|message|decision))?(?:\s+to\s+you)?(?:\s+today,?)?"
    r"|(?<![^\n])(?:Written|Sent|Mailed|Issued|Delivered\s+to\s+your\s+(?:account|portal|inbox)))"
    rf"(?:\s+on)?[ \t]*:?\s+({DATE_PATTERN})",
    re.IGNORECASE,
)


# An e-mail's header date ("From: ... / Sent: Friday, October 10, 2025 3:12 PM"): in a chain of forwarded messages
# the last header is the original message, the letter; a portal printout's own stamp ("Printed 06/02/2025") dates the
# printing, and the message header in it the letter.
_MESSAGE_FROM = re.compile(r"^[ \t]*From[ \t]*:", re.IGNORECASE | re.MULTILINE)
_MESSAGE_DATE = re.compile(
    rf"^[ \t]*(?:Sent|Date(?:[ \t]+sent)?|Received)[ \t]*:[ \t]*{_WEEKDAY}({DATE_PATTERN})",
    re.IGNORECASE | re.MULTILINE,
)
_PRINT_STAMP = re.compile(r"\bPrinted\b", re.IGNORECASE)


def _message_date(document: Document) -> ExtractedField | None:
    """The date of the innermost e-mail in a forwarded chain, or of the one message a printout holds."""
    text = document.text
    dates: list[re.Match[str]] = []
    for sender in _MESSAGE_FROM.finditer(text):
        header = _MESSAGE_DATE.search(text, sender.end(), min(len(text), sender.end() + 400))
        if header is not None and parse_date(header.group(1)) and (not dates or dates[-1].start(1) != header.start(1)):
            dates.append(header)
    if not dates or (len(dates) == 1 and not _PRINT_STAMP.search(text, 0, dates[0].start())):
        return None
    return _found(document, "letter_date", dates[-1].group(1), dates[-1].start(1), 0.9, "message-date")


def _letter_sent(document: Document) -> ExtractedField | None:
    """The date a letter's own sentence says it was sent, when no label or date line dates it."""
    for match in _LETTER_SENT.finditer(document.text):
        if parse_date(match.group(1)):
            return _found(document, "letter_date", match.group(1), match.start(1), 0.7, "letter-sent-sentence")
    return None


# A letter quoted by a provider's note or a summary: "Denial detail (from Humana letter dated 07/01/2024)".
# "CareFirst EOP dated 09/12/2024" (an explanation of benefits or payment, a remittance or statement likewise).
_LETTER_DATED = re.compile(
    # "Humana Military letter (EOB/denial) dated 6/24/2025", "the date of the EOB (it's dated 06/30/2025)".
    rf"\b(?:letter|notice|EOB|EOP|remittance|statement)\b[^.\n]{{0,30}}?\bdated[ \t]+({DATE_PATTERN})",
    re.IGNORECASE,
)


def _letter_dated(document: Document) -> ExtractedField | None:
    """The date of a quoted letter, when the text has no date line of its own."""
    match = _LETTER_DATED.search(document.text)
    if match is None or not parse_date(match.group(1)):
        return None
    return _found(document, "letter_date", match.group(1), match.start(1), 0.5, "letter-dated")


# An internal note is dated where its author signs it, on its last line: "- R. Ostrowski, PMHNP 2/6", "LP 4/12 14:05",
# "-- K. Yamamoto, MA, PA coordinator, 6/14". Not a form's revision or expiry stamp, nor a page footer.
_SIGNED_NOTE_DATE = re.compile(
    rf"[ \t]*(?:-{{1,2}}[ \t]*)?[A-Z][^\n\d]{{0,60}}?[ \t,]({DATE_PATTERN}|{MONTH_DAY})"
    r"(?:[ \t]+\d{1,2}:\d{2}(?:[ \t]*[AP]M)?)?[ \t]*",
    re.IGNORECASE,
)
_NOT_A_SIGNATURE = re.compile(r"\b(?:updated|revised|rev|effective|expires?|exp|approved|version|page|form)\b", re.I)


def _signed_note_date(document: Document) -> ExtractedField | None:
    """The date by the signature on a note's last line, when nothing above dates the note."""
    text = document.text.rstrip()
    start = text.rfind("\n") + 1
    match = _SIGNED_NOTE_DATE.fullmatch(text, start) if start > 0 and len(text) - start <= 80 else None
    if match is None or not is_date(match.group(1)):
        return None
    if _NOT_A_SIGNATURE.search(match.group(0)) or _OTHER_DATE_WORDS.search(match.group(0)):
        return None  # a stamp, or another date ("DOB 01/02/1980", "Admitted 03/04")
    return _found(document, "letter_date", match.group(1), match.start(1), 0.45, "signed-note")


def _table_row(text: str, line_start: int) -> bool:
    """Whether the line at ``line_start`` is a table row: it holds an amount or sits under a heading of dates or
    services ("DATE  SERVICE  CHARGE" over "04/02/24  Myocardial perfusion SPECT (78452)  $2,480.00")."""
    line_end = text.find("\n", line_start)
    heading_start = text.rfind("\n", 0, max(line_start - 1, 0)) + 1
    return bool(
        _AMOUNT.search(text, line_start, line_end if line_end != -1 else len(text))
        or _OTHER_DATE_WORDS.search(text, heading_start, line_start)
    )


def _first_date(document: Document) -> ExtractedField | None:
    """An unlabelled letter date: the first date standing alone on a line in the opening lines."""
    for match in _DATE_LINE.finditer(document.text[:1500]):
        group = 2 if match.group(2) else 3
        if group == 3 and _table_row(document.text, match.start()):
            continue
        if parse_date(match.group(group)) and not _OTHER_DATE_WORDS.search(match.group(1) or ""):
            return _found(document, "letter_date", match.group(group), match.start(group), 0.6, "date-line-in-header")
    return None


# "Molina Healthcare" + " of Ohio": the name continues with "of <Place>".
_OF_PLACE = re.compile(r"[ \t]+(?i:of)[ \t]+[A-Z][A-Za-z]{1,30}(?:[ \t][A-Z][A-Za-z]{1,30})?")

# A letterhead line naming an insurer not in the payer list ("Northwind Health Plan", "SENTINEL NATIONAL LIFE &
# HEALTH INSURANCE COMPANY", "Blue Cross Blue Shield of Arizona").
_LETTERHEAD = re.compile(
    r"^[ \t]*([A-Z][A-Za-z&'.,-]{0,40}(?:[ \t]+[A-Za-z&'.,-]{1,40}){0,6}?[ \t]+"
    r"(?i:Health[ \t]+Plans?|Health(?:care)?|Insurance(?:[ \t]+Company)?|Assurance|Benefits?[ \t]+Plan"
    r"|Medical[ \t]+Plan|Health[ \t]+Partners|HealthCare|Care[ \t]+Plan|Blue[ \t]+Shield|Blue[ \t]+Cross"
    r"|Health[ \t]+Alliance|Health[ \t]+Network|Benefit[ \t]+Administrators|Administrators"
    r"|Medicaid(?:[ \t]+[A-Za-z]+){0,3}"
    r"|Department[ \t]+of[ \t]+Health(?:care)?(?:[ \t]+(?:and|&)[ \t]+[A-Za-z]+(?:[ \t][A-Za-z]+){0,2})?|Rx)"
    r"(?:[ \t]+(?i:of)[ \t]+[A-Z][A-Za-z]{1,30}(?:[ \t][A-Z][A-Za-z]{1,30})?)?)[ \t]*(?:,?[ \t]+Inc\.?)?[ \t]*$",
    re.MULTILINE,
)


@lru_cache(maxsize=1)
def _heading_words() -> frozenset[str]:
    """Words of a document title, fax header or salutation: a line made only of them is not a letterhead."""
    return frozenset(_vocabulary()["heading_words"])


@lru_cache(maxsize=1)
def _not_a_sender_words() -> frozenset[str]:
    """Heading words and the parts of an organisation ("Utilization Management Department")."""
    return _heading_words() | frozenset(_vocabulary()["department_words"])


def _heading_line(text: str) -> tuple[int, int] | None:
    """The letterhead: the first short line of capitalised words that is not a document title or fax header."""
    offset = 0
    for line in text.split("\n")[:4]:
        stripped = line.strip()
        start = offset + line.find(stripped) if stripped else offset
        offset += len(line) + 1
        if not stripped or stripped.startswith("*"):
            continue
        # The whole line; else its first cell ("Allied Benefit Systems | Provider Self-Service | Claim Lookup", "PRAIRIE
        # LAKES PLAN SERVICES      REMITTANCE ADVICE") or its part before a dash ("NEW YORK STATE MEDICAID - eMedNY",
        # "MTM, Inc. - Non-Emergency Transportation for ..."). A name alone on the first line may be one word
        # ("AvMed", "AMERIBEN").
        line_words = {w.lower() for w in re.findall(r"[A-Za-z]+", stripped)}
        if start == 0 and line_words & _NOT_THE_PAYERS_PAPER:
            return None
        parts = [stripped]
        title = re.split(r"[ \t][-–][ \t]", stripped, maxsplit=1)[1:]
        if start == 0 and title and {w.lower() for w in re.findall(r"[A-Za-z]+", title[0])} & _PROVIDER_PAPER_TITLE:
            return None
        if start == 0 and not line_words & _NOT_A_PAYER_HEADING:
            # A column gap or a bar separates cells: the first cell stands for the line.
            first_cell = re.split(r"[ \t]*\|[ \t]*|[ \t]{2,}", stripped, maxsplit=1)[0]
            parts = [first_cell, re.split(r"[ \t][-–][ \t]", first_cell, maxsplit=1)[0]]
        for part in dict.fromkeys(parts):
            if _heading_name(part, alone=part == stripped and start == 0):
                return start, start + len(part)
    return None


# A first line with these words is a provider's own paper ("ORTHO CLINIC - PA FOLLOW-UP NOTE (internal)"): no part
# of it names the payer.
_NOT_A_PAYER_HEADING = frozenset(
    "clinic hospital note progress addendum internal office practice physicians associates center centre".split()
)
# A provider's own paper by its title ("TMS PROGRAM - PA STATUS NOTE", "NORTH MEMORIAL HEALTH - PATIENT BILLING"):
# a first line whose part after a dash has these words is no payer's letterhead.
_PROVIDER_PAPER_TITLE = frozenset("note billing statement notes intake inquiry".split())
# A first line from someone who is not the payer: an advocate's intake sheet ("CT HEALTH ADVOCATE - CASE INTAKE"), a
# phone's voicemail transcription, a chat transcript.
_NOT_THE_PAYERS_PAPER = frozenset("advocate advocacy navigator voicemail transcription transcript chat".split())


_UNION_LOCAL = re.compile(r"\b(?i:Local)[ \t]+\d{1,4}\b")


def _heading_name(part: str, *, alone: bool) -> bool:
    """Whether a letterhead line (or part) reads as an organisation's name: two to twelve capitalised words, or one
    such word alone on the first line, that are not all title words and hold no digit, colon or address."""
    words = re.findall(r"[A-Za-z&'.]+", part)
    # "Member Services - Coverage Decision", "INTERNAL NOTE - Behavioral Health Clinic": a title's first part.
    first_part = re.findall(r"[A-Za-z&'.]+", re.split(r"[ \t][-–][ \t]", part, maxsplit=1)[0])
    one_word_name = alone and len(words) == 1 and re.fullmatch(r"[A-Z]{4,}|[A-Z][a-z]+[A-Z][A-Za-z]+", part)
    return (
        (2 <= len(words) <= 12 or bool(one_word_name))
        # Not a salutation ("Hi Jordan,", "Dear Member") nor a rule of dashes ("-----Original Message-----").
        and part[:1].isalnum()
        # A union local's number is part of its fund's name ("PIPEFITTERS LOCAL 412 HEALTH AND WELFARE FUND").
        and not re.search(r"\d|:|@|\||\.com\b|^(?:Dear|Hi|Hello|Greetings)\b|,$", _UNION_LOCAL.sub("Local", part))
        and not {w.lower().strip(".") for w in first_part} <= _heading_words()
        and all(w[0].isupper() or w.lower() in ("of", "and", "the", "for", "&") for w in words)
        and not {w.lower().strip(".") for w in words} <= _heading_words()
    )


# A fax or memo sender ("FROM: eviCore healthcare - Radiology", "FROM: Navitus Prior Authorization Dept."); the name
# ends at a dash, a bracket, a comma or a column gap.
# A fax machine's transmission line: "FROM:" with a clock time or a page count ("02/25/2026 08:14  Page 1 of 1").
_FAX_FROM = re.compile(r"\bFROM[ \t]*:", re.IGNORECASE)
_FAX_STAMP = re.compile(r"\d{1,2}:\d\d|\bP\.?[ \t]?\d{3}\b|\bPage[ \t]+\d+[ \t]+of\b", re.IGNORECASE)


def _on_fax_transmission_line(text: str, at: int) -> bool:
    """Whether ``at`` follows the "FROM:" of a fax machine's transmission line."""
    line_start = _near_line_start(text, at, 300)
    line_end = text.find("\n", at)
    line = text[line_start : line_end if line_end != -1 else len(text)]
    return _FAX_FROM.search(text, line_start, at) is not None and _FAX_STAMP.search(line) is not None


_FAX_SENDER = re.compile(
    r"^(?:FROM|From)[ \t]*:[ \t]*([A-Za-z][^\n,(|]{1,70}?)"
    r"(?=[ \t]+[-–][ \t]|[ \t]*[,(|]|[ \t]{2}|[ \t]*$|[ \t]+on[ \t]+behalf)",
    re.MULTILINE,
)
# A vendor writing for the plan signs the letter: "Evolent Specialty Services on behalf of Florida Blue",
# "CarelonRx\non behalf of Anthem", "CVS Caremark Part D Services on behalf of the plan".
_VENDOR = re.compile(
    r"^[ \t]*([A-Z][A-Za-z0-9&'.]{0,30}(?:[ \t](?:[A-Z0-9][A-Za-z0-9&'.]{0,30}|of|and|for|&)){0,6})"
    r"[ \t]*[-–,]?(?:[ \t]+|[ \t]*\n[ \t]*)on[ \t]+behalf[ \t]+of\b",
    re.MULTILINE,
)
# An organisation's name has one of these ("eviCore healthcare", "CarelonRx"); a person's has none.
_ORGANISATION_NAME = re.compile(
    r"\b(?:Health|Healthcare|HealthCare|Benefits?|Management|Insurance|Plan|Care|Solutions|Services|Administrators"
    r"|Alliance|Dept\.?|Department)\b|Rx\b|[a-z](?:[A-Z]|Care|care)"
)


def _is_organisation(value: str) -> bool:
    """An organisation's name, not a department, a person or an email address."""
    words = {w.lower() for w in re.findall(r"[A-Za-z&'.]+", value)}
    return "@" not in value and _ORGANISATION_NAME.search(value) is not None and not words <= _not_a_sender_words()


def _organisation(text: str, pattern: re.Pattern[str]) -> tuple[int, int] | None:
    """The first organisation ``pattern`` names in the header."""
    for match in pattern.finditer(text[:800]):
        value = match.group(1).strip()
        if _is_organisation(value):
            return match.start(1), match.start(1) + len(value)
    return None


# A provider's own paper (a hospital's denial worksheet, a portal page) names the payer with a label: "Payer:
# CareFirst BlueCross BlueShield (PPO) - ID HMW30081174", "Insurer: Humana Gold Plus HMO   Plan ID: ...". The name
# ends at a bracket, a dash, a column gap or the line's end. Not "Health plan:", which a vendor's letter gives for
# the plan it reviews for (the vendor that signs is the payer).
_PAYER_LABEL = re.compile(
    r"^(?:[^\n]{0,80}?[ \t]{2})?(?:Payer|Insurer|Insurance[ \t]+(?:company|carrier))(?:[ \t]+name)?[ \t]*:[ \t]*"
    r"([A-Za-z][^\n(]{1,80}?)(?=[ \t]{2}|[ \t]+[-–][ \t]|[ \t]*\(|[ \t]*$)",
    re.IGNORECASE | re.MULTILINE,
)


# A letter whose header names no payer is signed by one: "Thank you,\nPresbyterian Pharmacy Services", "- Bridgewell
# Plan Administrators, for the Saguaro Community Credit Union Health Plan".
_SIGN_OFF = re.compile(
    r"^[ \t]*(?:(?:Sincerely|Thank[ \t]+you|Thanks|(?:Best|Kind|Warm)?[ \t]*[Rr]egards|Respectfully)[ \t]*,?[ \t]*\n"
    r"(?:[ \t]*\n)?[ \t]*|[-–—][ \t]*)([A-Z][A-Za-z0-9&'. ]{2,70}?)[ \t]*(?=,|\n|$)",
    re.MULTILINE,
)


def _signed_by(text: str) -> tuple[int, int, str] | None:
    """The organisation that signs the letter (the last one), when nothing in its header names the payer."""
    signed = None
    for match in _SIGN_OFF.finditer(text):
        if _is_organisation(match.group(1)):
            signed = (match.start(1), match.end(1), "signed-by")
    return signed


def _payer(document: Document) -> ExtractedField | None:
    """The payer a label names; else the payer named earliest: a listed payer (as written), an insurer-like
    letterhead line, a sender, a heading.

    A government program (TRICARE) yields to its contractor named in the header.
    """
    text = document.text
    labelled = _PAYER_LABEL.search(text, 0, 1500)
    if labelled:
        start, end = labelled.span(1)
        return ExtractedField("payer", labelled.group(1), _span(document, start, end), 0.85, "label:payer")
    best: tuple[int, int, str] | None = None
    contractor_named = _payer_scan(skip_programs=True)[1].search(text, 0, 400) is not None  # in the header
    payers, scan = _payer_scan(skip_programs=contractor_named)
    match = scan.search(text)
    while match and _on_fax_transmission_line(text, match.start()):
        # "Mar/18/2025 02:41PM  FROM: UHC APPEALS-GRIEVANCES ...  P.001/003": the fax machine's name for the sender;
        # the letterhead below names the payer as the letter writes it.
        line_end = text.find("\n", match.end())
        match = scan.search(text, line_end) if line_end != -1 else None
    if match and match.lastindex is not None:
        end = match.end()
        place = _OF_PLACE.match(text, end)
        if place and "\n" not in place.group(0):
            end = place.end()
        best = (match.start(), end, f"payer-list:{payers[match.lastindex - 1].name}")
    letterhead = _LETTERHEAD.search(text[:400])
    if letterhead and (best is None or letterhead.start(1) < best[0]):
        best = (letterhead.start(1), letterhead.end(1), "letterhead")
    sender = _organisation(text, _FAX_SENDER)
    if sender is not None and (best is None or sender[0] <= best[0]):
        best = (*sender, "sender")
    vendor = _organisation(text, _VENDOR)
    if vendor is not None:
        best = (*vendor, "on-behalf-of")
    heading = None if sender or vendor else _heading_line(text)
    if heading is not None and best is not None:
        # A listed payer on the heading's own line is the name to give: "TRICARE EAST REGION  |  Humana Military".
        line_end = text.find("\n", heading[1])
        if best[0] < (line_end if line_end != -1 else len(text)):
            heading = None
    if heading is not None and (best is None or heading[0] < best[0]) and (best is None or best[0] > heading[1]):
        best = (heading[0], heading[1], "heading")
    if best is None:
        best = _signed_by(text)
    if best is None:
        return None
    start, end, rule = best
    return ExtractedField(
        name="payer",
        value=text[start:end].strip(),
        span=_span(document, start, end),
        confidence=(0.9 if start < 600 else 0.7) if rule != "letterhead" else 0.6,
        rule=rule,
    )


_NAME_TOKEN = r"(?:[A-ZÀ-ÖØ-ÞĀ-Ž][A-Za-zÀ-ÖØ-öø-ž'’-]{1,40}|[A-Z]\.|[A-Z](?=[ \t][A-ZÀ-Þ]))"


@lru_cache(maxsize=1)
def _name_words() -> tuple[str, frozenset[str]]:
    """The title pattern ahead of a name and the words that are never part of one (data/fields.yaml)."""
    raw = _vocabulary()
    titles = "|".join(re.escape(t) for t in sorted(raw["name_titles"], key=len, reverse=True))
    return rf"(?:(?:{titles})\.?[ \t]+|\([Rr]et\.\)[ \t]+){{0,3}}", frozenset(raw["not_a_name"])


@lru_cache(maxsize=1)
def _patient_label() -> re.Pattern[str]:
    """A member/patient label; ``patient`` is set when the label names the patient rather than the subscriber."""
    return re.compile(
        r"(?:(?:\b(?P<patient>(?i:Patient|Patient's|Beneficiary|Dependent|Injured[ \t]+(?:employee|worker)|Claimant"
        # A child's, a nursing home resident's label.
        r"|Child|Resident"
        # "Parent(s) of: Ezra Delgado-Whitfield", "Parent/Guardian of: Tyrese Campbell"; a clinic's "Pt:".
        # A remittance's "PT: OKONKWO, GRACE" (not physical therapy's "PT: 12 visits").
        r"|Parent(?:\(s\)|s)?(?:[ \t]*/[ \t]*Guardian)?[ \t]+of)|Pt|PT(?=[ \t]*:[ \t]*[A-Z'-]{2,},))"
        r"|\b(?i:Member|Enrollee|Customer|Subscriber|Insured|Participant|Recipient|Cardholder|Covered[ \t]+Person"
        r"|Client|Enrollee's|Member's|MBR|Mbr)|\bName(?:[ \t]+of[ \t]+(?i:enrollee|member|patient))?)(?i:[ \t]+Name)?"
        # "Patient as submitted: LARSON, ERIK".
        r"(?i:[ \t]+(?:as[ \t]+)?(?:submitted|billed))?"
        # A colon, or dot leaders ("Member .......... Nguyen, Bao Tran").
        r"(?:[ \t]*:|[ \t]*\.{3,})|(?i:RE|Regarding|Concerning):[ \t]*(?i:Member|Patient|pt\b)(?:[ \t]*:)?"
        # "RE: Kristen Hoekstra   DOB: 02/19/1979", "Re: Reginald Thorpe, Member ID NCS0072281430": a name that the
        # member's DOB or ID follows.
        r"|(?i:RE|Re)[ \t]*:(?=[ \t]*[A-Z][^\n]{0,60}?(?:[ \t]{2,}|,[ \t]*)(?:DOB|Member|ID|[A-Z]{2,5}[ \t]+ID)\b)"
        # "(parent of member Zion Whitaker)", "(son of member Dorothy Pfeiffer)".
        r"|[-–(][ \t]*(?i:member|patient|(?:parent|son|daughter|mother|father|spouse|wife|husband|guardian|caregiver)"
        r"[ \t]+of(?:[ \t]+(?:member|patient))?)"
        # In prose after a reference: "Request #CBC-PA-25-0204-117, member Gerald Yoder (ID ...)", "Claim #CBC-24-1,
        # patient Ruth Ann Spangler, physical therapy".
        r"|\b(?<=[,;(] )(?:member|patient)(?=[ \t]+[A-Z][a-z]))[ \t]*"
        r"(?i:Parent/Guardian[ \t]+of[ \t]+|Parent[ \t]+or[ \t]+Guardian[ \t]+of:?[ \t]+)?"
        + _name_words()[0]
        + r"(?=[A-ZÀ-Þ])"
    )


_LAST_FIRST = re.compile(
    rf"({_NAME_TOKEN}(?:[ \t]{_NAME_TOKEN})?),[ \t]?({_NAME_TOKEN}(?:[ \t](?:{_NAME_TOKEN}|[A-Z](?![A-Za-z])))?)"
    r"(?![A-Za-z])"
)
_ORGANISATION_WORDS = frozenset(
    "management unit appeals grievances department services center centre office team program division clinic "
    "institute hospital associates group review utilization pharmacy benefits health plan company inc llc".split()
)
_PARENT_NOTE = re.compile(r"\b(?:parent|guardian)", re.IGNORECASE)
_EMAIL_HEADER = re.compile(r"^(?:From|Sent|Subject|Date):", re.MULTILINE)
_EMAIL_TO = re.compile(
    rf"^To:[ \t]*(?:(?:Mr|Mrs|Ms|Miss|Mx)\.?[ \t]+)?({_NAME_TOKEN}(?:[ \t]{_NAME_TOKEN}){{1,3}})[ \t]*$", re.MULTILINE
)


@lru_cache(maxsize=1)
def _first_last() -> re.Pattern[str]:
    """First and last names, with lower-case surname particles inside ("Dariela Montes de Oca")."""
    particles = "|".join(re.escape(p) for p in sorted(_vocabulary()["name_particles"], key=len, reverse=True))
    return re.compile(rf"({_NAME_TOKEN}(?:[ \t](?:(?:{particles})[ \t])?{_NAME_TOKEN}){{1,4}})")


# A letter's own "To:" line naming the member ("TO: Earline M. Woodfork", "To: Jolene Markowitz    Member ID: U70").
_PARENT_OF = r"(?i:(?:the[ \t]+)?Parent(?:[ \t]*/[ \t]*Guardian|[ \t]+or[ \t]+Guardian)?[ \t]+of)[ \t]+"
_TO_LINE = re.compile(rf"^(?i:To)[ \t]*:[ \t]*(?:{_PARENT_OF})?(?=[A-Z])", re.MULTILINE)
_ADDRESS_BLOCK = re.compile(
    rf"^[ \t]*(?:To the parent or guardian of:?[ \t]*\n[ \t]*|Parent/Guardian of[ \t]+)?"
    r"(?:(?:Mr|Mrs|Ms|Miss|Mx)\.?[ \t]+)?"
    rf"({_NAME_TOKEN}(?:[ \t]{_NAME_TOKEN}){{1,3}})[ \t]*(?:\(age[^)\n]*\))?[ \t]*\n"
    # The street, or the member's ID or record number under the name ("Priya Ramaswamy\nMedical Record #: 11-004").
    r"[ \t]*(?:\d|P\.?O\.?[ \t]+Box|Member|Apt|Unit|Medicaid|Medicare|Customer|Subscriber|Enrollee|Medical[ \t]+Record"
    r"|MRN|DOB|Date[ \t]+of[ \t]+Birth)",
    re.MULTILINE | re.IGNORECASE,
)
_DEAR_NAMED = re.compile(
    rf"\bDear[ \t]+(?:(?:Mr|Mrs|Ms|Miss|Mx)\.?[ \t]+({_NAME_TOKEN}(?:[ \t]{_NAME_TOKEN}){{0,3}})"
    # "Dear Parent/Guardian of Jacob Morales,": the child is the patient.
    rf"|(?:{_PARENT_OF})?({_NAME_TOKEN}(?:[ \t]{_NAME_TOKEN}){{1,3}}))[,:]"
)
# A letter to the doctor names the patient in a sentence: "for your patient Delbert Voss", "to our member Kayla
# Morrissey".
_PATIENT_IN_PROSE = re.compile(
    r"\b(?:your|our)[ \t]+(?:patient|member|enrollee|beneficiary|participant)(?:[ \t]*,)?[ \t]+(?=[A-Z])"
)
# A letter to a parent about their child: "the request for your daughter Avery", "your son Karim's stay".
_CHILD = re.compile(r"\b[Yy]our[ \t]+(?:son|daughter|child)[ \t]+([A-Z][a-z-]{1,30}(?:[ \t][A-Z][a-z-]{1,30})?)\b")
# An informal message to the member by first name: "Hi Theo,".
_GREETING = re.compile(
    rf"^(?:Hi|Hello)[ \t]+(?:(?:Mr|Mrs|Ms|Miss|Mx)\.?[ \t]+)?({_NAME_TOKEN})[ \t]*[,!]", re.MULTILINE
)
# A table heading over the patient's name ("RECIPIENT NAME  RIN  DCN").
_NAME_HEADING = re.compile(
    r"\b(?:(?:Patient|Member|Recipient|Beneficiary|Enrollee|Client)(?:[ \t]+Name)?|Name)\b", re.IGNORECASE
)
# Where a name ends: two spaces, a line end, or the start of a one- or two-word label ("Cigna ID:", "DOB:").
_NAME_END = re.compile(
    r"[ \t]{2,}|[ \t](?=(?:ID|DOB|Date|Group|Claim|Case|Plan|Phone|Provider|Request|Reference|Policy|Account"
    r"|Diagnosis|Dx"
    r"|Member|Medicaid|Medicare|Subscriber|Sex|Gender|Address|Age|Birth|Birthdate|Patient|Insured|Relationship)\b"
    r"[^\n:#]{0,14}[:#])"
)
_PROVIDER_LABEL = re.compile(
    r"\b(?:(?:Requesting|Ordering|Treating|Rendering|Servicing|Attending|Referring|Billing|Prescribing)[ \t]+"
    # "Treating oncologist:", "Requesting agency:"
    r"(?:Provider|Physician|Practitioner|Prescriber|Facility|Surgeon|Clinician|Doctor|Agency|[A-Za-z]{3,16}ist)"
    r"|Provider(?:[ \t]+Name)?"
    r"|Provider[ \t]+(?:who[ \t]+asked(?:[ \t]+for[ \t]+the[ \t]+service)?|billing)|Prescriber|Requested[ \t]+provider"
    # A reviewing physician is the plan's, not the member's.
    r"|(?<!Reviewing )(?<!Peer )(?<!Reviewer )Physician|Facility(?:[ \t]+Name)?|Requested[ \t]+by|Requestor"
    r"|Request(?:[ \t]+received)?[ \t]+from|Requesting|Who[ \t]+asked|Surgeon|PROV|Referred[ \t]+by|Ordered[ \t]+by"
    r"|(?:Your[ \t]+)?Doctor|Payee|Clinic"
    # "Provider of Service:", "LAB: GENOMIX DIAGNOSTICS LLC", "Supplier:", "Ordering:", "REQ BY:".
    r"|Provider[ \t]+of[ \t]+Service|Service[ \t]+Provider|(?:Performing[ \t]+)?Lab(?:oratory)?|Supplier|Vendor"
    r"|Ordering|Req[ \t]+By)"
    # A colon, or dot leaders ("Provider ........ Pacific Coast Sleep Lab", "PROVIDER...: RIVERTOWN").
    r"(?:[ \t]*\.{2,}[ \t]*:?|[ \t]*:)[ \t]*([^\n]{3,90})",
    re.IGNORECASE,
)
_PROVIDER_NAME = r"((?:Dr\.[ \t]+)?[A-Z][\w'’&.-]{0,40}(?:[ \t]+(?:[A-Z][\w'’&.-]{0,40}|of|and|for|&)){0,6})"
# "... requested by Coastal Neuromodulation Associates" / "the request from Liberty Fertility Partners" /
# "a request for speech therapy for Mateo from Little Voices Speech Clinic" / "10 claims from Talk & Play" /
# "your doctor, X".
_PROVIDER_PROSE = re.compile(
    r"\b(?:requested|submitted|ordered|prescribed|sent|referred)[ \t]+by[ \t]+"
    r"(?:your[ \t]+(?:doctor|provider),?[ \t]+)?"
    + _PROVIDER_NAME
    + r"|\b(?:[Rr]equest|[Cc]laims?)\b[^.\n]{0,120}?\bfrom[ \t]+"
    + _PROVIDER_NAME
    # "Your doctor, Dr. Lauren Whitacre at Boise Wellness Clinic, asked us to approve ..."
    + r"|\b[Yy]our[ \t]+(?:doctor|provider|physician|prescriber),[ \t]+"
    + _PROVIDER_NAME
)
# A provider notification's addressee: "To: Dr. Hana Dobrowski, Great Lakes Gastroenterology", "Fax to: ...".
_TO_LINE_END = re.compile(r"[ \t]+[-–|][ \t]+|[ \t]*\(")
_TO_PROVIDER = re.compile(r"^(?:TO|To|Fax[ \t]+to|Attn|ATTN)[ \t]*:[ \t]*([^\n]{3,120})", re.MULTILINE)
# Any other clinician the letter names ("ask Dr. Kimura to send us", "Dr. Amari's office"), outside a review line.
_DOCTOR = re.compile(r"\bDr\.?[ \t]+[A-Z][A-Za-z'’-]{1,40}(?:[ \t][A-Z][A-Za-z'’-]{1,40})?")
# A practice or facility the letter names where care was given or billed: "a bill from Mercy Hill Hospital", "therapy
# with Little Steps Autism Center", "treated at Texas Center for Proton Therapy", "filled through CVS Specialty".
# A service or reference line that ends in the practice after a comma or dash: "Service: Ketamine infusions (6), Ocean
# State Ketamine Therapeutics", "Re: Low-dose naltrexone (compounded) - Harbor Compounding Pharmacy".
_SERVICE_LINE_TAIL = re.compile(
    r"^[ \t]*(?i:Services?|Request|Re|Regarding|Drug|Item|Procedure|Claims?)(?:[ \t]+(?i:requested|billed|for))?"
    r"[ \t]*:([^\n]{3,200})$",
    re.MULTILINE,
)
_FACILITY_PROSE = re.compile(r"\b(?:at|from|with|through|provider)[ \t]+" + _PROVIDER_NAME)
_FACILITY_WORDS = frozenset(
    "clinic center centre hospital institute pharmacy specialty audiology imaging associates rehabilitation program "
    "practice specialists therapeutics wellness laboratory lab".split()
)


def _facility_name(value: str) -> str:
    """The name up to the end of its sentence: "Mercy Hill Hospital. Please" -> "Mercy Hill Hospital"."""
    tokens: list[str] = []
    for token in value.split():
        tokens.append(token)
        if token.endswith(".") and {t.casefold().strip(".,") for t in tokens} & _FACILITY_WORDS:
            break
    return " ".join(tokens).rstrip(".,")


# Names of the plan's own units and of places that give no care ("Appeals Center", "Member Services Center").
_NOT_A_FACILITY = frozenset("appeals appeal grievance grievances member customer call contact service review".split())
_REVIEW_BEFORE = re.compile(r"review|director|sincerely|signed", re.IGNORECASE)
_REVIEW_AFTER = re.compile(r"board[ \t]+certified|reviewer|medical[ \t]+director", re.IGNORECASE)
_DEAR_DOCTOR = re.compile(r"\bDear[ \t]+(Dr\.?[ \t]+[A-Z][A-Za-z'’-]{1,40}(?:[ \t][A-Z][A-Za-z'’-]{1,40})?)")
# Dates that share one year, as written: "December 2, 9 and 16, 2024", "5/6, 5/8, 5/13, 5/15/2024", "1/8, 1/15 and
# 1/22", "June 3, 5, 10 and 12". The first date alone has no year, so the list is the value.
_AND = r"(?:,?[ \t]+(?:and|&)[ \t]+|,[ \t]*)"
_DAY_RANGE = r"[ \t]*[-–][ \t]*"
# Several days of one month: a list ("June 3, 5 and 12, 2024", "09/08, 09/10 and 09/12/2025") or a range of days
# ("January 1 - 31, 2025", "2 - 5 May 2025").
_DATE_LIST = (
    rf"(?:(?:{MONTHS})\.?[ \t]+\d{{1,2}}(?:(?:,[ \t]*\d{{1,2}}){{0,8}}{_AND}|{_DAY_RANGE})\d{{1,2}}"
    r"(?:,?[ \t]+\d{4}|\b(?![,/:.]?\d))"
    rf"|\d{{1,2}}{_DAY_RANGE}\d{{1,2}}[ \t]+(?:{MONTHS})\.?,?[ \t]+\d{{4}}"
    rf"|\d{{1,2}}/\d{{1,2}}(?:,[ \t]*\d{{1,2}}/\d{{1,2}}(?![/\d])){{0,8}}{_AND}"
    rf"\d{{1,2}}/\d{{1,2}}(?:/\d{{2,4}})?(?![/\d]))"
)
_DATE_LIST_VALUE = re.compile(_DATE_LIST, re.IGNORECASE)
# A service date as letters write it: a list sharing a year, a full date, month/day, or a month and day ("June 3").
_SERVICE_DATE_SHAPES = rf"({_DATE_LIST}|{DATE_PATTERN}|{MONTH_DAY}|(?:{MONTHS})\.?[ \t]+\d{{1,2}}\b(?!,?[ \t]+\d))"
# A label may carry a note in brackets: "Date of service (specimen collected): 07/22/2024".
_SERVICE_DATE_VALUE = rf"(?:[ \t]*\([^()\n]{{1,40}}\))?[ \t]*\.{{0,20}}[ \t]*:?[ \t]*{_SERVICE_DATE_SHAPES}"
# Denied days come first: an inpatient review names the admission date too, but the denied days are at issue.
_DENIED_DAYS = re.compile(
    r"\b(?:(?:Days?|Dates?)[ \t]+(?:denied|not[ \t]+(?:approved|certified|covered|authori[sz]ed))"
    r"|Non-?certified[ \t]+days?)" + _SERVICE_DATE_VALUE,
    re.IGNORECASE,
)
# A split decision lists each range with its own verdict: "Days 07/10 - 07/11/2024: NOT APPROVED.", "Visits
# 11/25/2024 - 01/10/2025 (19 visits): not supported."
_DENIED_ON_ITS_LINE = re.compile(
    rf"^[ \t]*(?:[-*\u2022][ \t]*)?(?:Days?|Dates?|Visits?|Sessions?|Services?)[ \t]+{_SERVICE_DATE_SHAPES}"
    r"(?=[^\n]{0,40}?\b(?:denied|not[ \t]+(?:approved|certified|covered|supported|medically[ \t]+necessary"
    r"|authori[sz]ed)))",
    re.IGNORECASE | re.MULTILINE,
)
# An appeal's own request received is not the request for the care: "Reconsideration request received: ...".
_NOT_AFTER_AN_APPEAL = r"(?<!Appeal )(?<!Reconsideration )(?<!Redetermination )(?<!Grievance )"
_SERVICE_DATE = re.compile(
    r"\b(?:Date\(?s?\)?[ \t]+of[ \t]+(?:Service|Fill)|Service[ \t]+Date\(?s?\)?|DOS|Dates?[ \t]+of[ \t]+Request"
    r"|Request(?:ed)?[ \t]+Date|Date[ \t]+(?:Request(?:ed)?|Received)|Admission[ \t]+Date|Date[ \t]+of[ \t]+Admission"
    r"|Admit[ \t]+Date(?:/time)?|Dates?[ \t]+of[ \t]+(?:service|fill|stay)s?|Service[ \t]+period|Admission(?=[ \t]*:)"
    r"|Dates?[ \t]+billed"
    # When the request came in: "Request received: 01/12/2026", "Date request received:", a header's or a column's
    # "Received:" / "Received on:" / "RECEIVED     07/03/2024" (not an appeal's "Reconsideration request received:").
    rf"|(?:Date[ \t]+)?(?:PA[ \t]+)?{_NOT_AFTER_AN_APPEAL}Request[ \t]+received"
    r"|(?:(?<![^\n])|(?<=[ \t]{2}))Received(?:[ \t]+on)?(?=[ \t]*(?::|\.{2,})|[ \t]{2,}\d)"
    # "Date of care:", "Visit date:", "Date filled:", "Dates requested:", "Additional days requested:",
    # "Requested start date", "Admit: 06/02/2024  Disch: ...", "Admit/discharge: 03/18/2024 - 03/20/2024".
    r"|Dates?[ \t]+of[ \t]+(?:care|treatment|visit|procedure|surgery|purchase)|Date[ \t]+(?:filled|dispensed)"
    r"|(?:Visit|Procedure|Surgery|Fill|Treatment|Dispense|Purchase|(?:Requested[ \t]+)?Start)[ \t]+Date"
    r"|(?:Additional[ \t]+)?(?:Dates?|Days?)[ \t]+requested"
    r"|Admit(?:[ \t]*/[ \t]*Disch(?:arge)?)?(?=[ \t]*:)"
    # "Transport date:", "Date of specimen collection:", a line's or a column's own "Dates:" label.
    r"|(?:Transport|Collection|Delivery)[ \t]+Date"
    r"|Date[ \t]+of[ \t]+(?:specimen[ \t]+)?(?:collection|transport|delivery)"
    r"|(?:(?<![^\n])|(?<=[ \t]{2}))Dates(?=[ \t]*:)"
    # A concurrent review's "Dates reviewed: 10/27/2023 - 10/30/2023": the days at issue, not the admission (a
    # single "Date reviewed:" is when the reviewer looked).
    r"|Dates[ \t]+(?:reviewed|under[ \t]+review)"
    # A remittance's "FROM/THRU: 04/11/2024", "From - To Dates:".
    r"|From[ \t]*[/-][ \t]*(?:Thru|Through|To)(?:[ \t]+Dates?)?)"
    # "Dates of service on claim:", "Date of service for this request:", "Date(s) of Service Requested:", "Dates billed
    # to date:".
    # "dates of service between 03/04/2025 and 04/10/2025", "Dates of service from 01/06 to 01/31".
    r"(?:[ \t]+(?:on|for)[ \t]+(?:this[ \t]+|the[ \t]+)?(?:claim|request)|[ \t]+requested|[ \t]+to[ \t]+date"
    r"|[ \t]+(?:between|from))?" + _SERVICE_DATE_VALUE,
    re.IGNORECASE,
)
# In a sentence: "performed on", "treatments on", "starting August 5", "purchased on 4/18".
_SERVICE_DATE_PROSE = re.compile(
    r"\b(?:performed(?:[ \t]+by[ \t]+(?:[^.\n]|(?<=Dr)\.){1,60}?[ \t]+on)?|requested[ \t]+on"
    r"|received[ \t]+(?:your|the)[ \t]+request[ \t]+on|request[ \t]+we[ \t]+received(?:[ \t]+on)?"
    # "eviCore case R190023874, received 01/05/2026".
    r"|\bcase[ \t]+[A-Z0-9-]{5,},[ \t]+received(?:[ \t]+on)?"
    # "services of 06/05/2024", "the laboratory tests of 14 April 2025", "admit 04/03/2025", "Services began 01/17".
    r"|(?:treatments?|visits?|sessions?|infusions?|injections?|appointments?)(?:[ \t]+(?:was|were|is))?[ \t]+on"
    r"|\b\d{1,3}[ \t]+(?:treatments|visits|sessions)|given(?:[ \t]+on)?"
    # "Anterior cervical discectomy ..., scheduled 04/10/2024", "the order date of 10/02/2025".
    # Not a "discharge planned 03/20/2025", the end of a stay.
    r"|(?:scheduled|(?<!discharge )planned|pencill?ed[ \t]+in)(?:[ \t]+(?:for|on))?"
    r"|order[ \t]+date(?:[ \t]+(?:of|was|is))?"
    r"|(?:services|tests)[ \t]+of|\badmit|starting|beginning(?:[ \t]+on[ \t]+or[ \t]+after)?|began(?:[ \t]+on)?"
    # "filled 02/14/2025", "delivered 06/28/2024", "bought on 08/30/2025", "dispensed in clinic 1/16", "tried to refill
    # it on 02/06/2025", "your doctor gave you on 10/01/2025", "admitted to Willow Glen on 04/29/2024".
    r"|(?:filled|dispensed|administered|delivered|bought|purchased)"
    r"(?:[ \t\n]+(?:on|to[ \t]+you[ \t]+on|in[ \t]+(?:the[ \t]+)?(?:clinic|office)))?"
    r"|refill(?:ed)?(?:[ \t]+it)?[ \t]+on|gave[ \t]+you[ \t]+on"
    # The request's date: "received a request from Liberty Bell Home Health on 11/29/2023", "sent by X on ...".
    r"|\b(?:received[ \t]+(?:a|your|the)[ \t]+(?:request|claim)|sent[ \t]+by)[^.\n]{0,80}?[ \t]on"
    # "The request was received on October 4, 2024", "the pretreatment estimate received 04/29/2024", "requested
    # 9/24/24".
    # "the request for MRI Cervical Spine without contrast (CPT 72141) received 8/14/2024".
    r"|\brequest[ \t]+for[ \t][^.\n]{1,80}?[ \t]received(?:[ \t]+on)?"
    rf"|\b{_NOT_AFTER_AN_APPEAL}(?:request|estimate),?[ \t]+"
    r"(?:was[ \t]+)?received(?:[ \t]+on)?|\brequested(?=[ \t]+\d)"
    # "requested by Dr. Simone Achterberg of UW Health on January 7, 2026", "Dr. Wertheimer-Lui asked on May 28, 2024",
    # "The first request came to us on June 19, 2025".
    r"|\brequested[ \t]+by[ \t]+(?:[^.\n]|(?<=Dr)\.){1,100}?[ \t]on|\basked[ \t]+(?:us[ \t]+)?on"
    r"|\bcame[ \t]+to[ \t]+us[ \t]+on"
    r"|admitted(?:[ \t]+to[ \t]+[^.\n]{1,60}?)?[ \t]+on|for[ \t]+dates?)" + _SERVICE_DATE_VALUE,
    re.IGNORECASE,
)
# The date on a service label's line: "Service: Hyperbaric oxygen therapy, 20 sessions, 05/06/2024 - 05/31/2024".
_SERVICE_LINE_DATE = re.compile(
    r"^[ \t]*(?:Services?|Svc|Request|Procedure|Treatment|Level[ \t]+of[ \t]+care"
    # "Re: Claim for tonsillectomy, Riverside Surgery Center, 12/18", "Claim: MRI left shoulder, 08/12".
    r"|(?:Re|Regarding|Subject)(?=[ \t]*:[ \t]*(?:Your[ \t]+)?Claim[ \t]+for\b)|Claim(?=[ \t]*:[ \t]*[A-Za-z])"
    # An explanation of benefits' claim heading: "Claim 1   Provider: Bluegrass EMS          Date: 07/03/2024".
    r"|Claim[ \t]+\d{1,2}[ \t]{2,}[A-Za-z ]{1,20}(?=[ \t]*:))"
    r"(?:[ \t]+(?:requested|billed|submitted|denied))?[ \t]*:"
    rf"[^\n]{{0,200}}?(?<![\d/])({_DATE_LIST}|{DATE_PATTERN}|{MONTH_DAY})",
    re.IGNORECASE | re.MULTILINE,
)
# A remittance/EOB table row: a line that starts with a line number or a date and carries a code or an amount.
_TABLE_ROW_DATE = re.compile(
    rf"^[ \t]*(?:\d{{1,2}}[ \t]+)?({DATE_PATTERN}|{MONTH_DAY})[^\n]{{0,200}}(?:\$?\d+\.\d\d|\b\d{{5}}\b)",
    re.MULTILINE,
)
# A table whose service-date column is not the first: the date under a "SVC DATE" / "DOS" heading.
_DATE_COLUMN = re.compile(r"\b(?:SVC|Serv(?:ice)?)[ \t]+Date|\bDOS\b|\bDate[ \t]+of[ \t]+Service", re.IGNORECASE)
_POLICY = re.compile(
    r"(Clinical[ \t]+Policy[ \t]+Bulletin(?:[ \t]+\(CPB\))?[ \t]*(?:#|No\.?|Number)?[ \t]*\d{1,4}"
    r"|\bCPB[ \t]*#?[ \t]*\d{1,4}"
    # "Medical Policy I-43", "medical policy 07.01.88", "MEDICA COVERAGE POLICY MP-GT-031", "medical policy #621"
    # (not a year), "medical policy (CAM 20101)".
    r"|(?i:Medical|Coverage|Clinical|Pharmacy|Reimbursement|Drug)[ \t]+(?i:Coverage[ \t]+)?(?i:Policy|Guideline)"
    r"(?:[ \t]*(?:#|No\.?|Number)?[ \t]*:?[ \t]*(?!(?:19|20)\d\d\b)[A-Z0-9][A-Z0-9.\-]{1,20}\d"
    r"|[ \t]*\([A-Z][A-Za-z0-9 .&/-]{2,60}\))"
    # "clinical criteria for Rinvoq", "Medical Necessity Criteria for Transcranial Magnetic Stimulation".
    r"|(?i:clinical|medical[ \t]+necessity|coverage|drug)[ \t]+(?i:criteria)[ \t]+for[ \t]+"
    r"[A-Z][\w/-]{1,30}(?:[ \t]+(?:[A-Z][\w/-]{0,30}|in|of|for)){0,5}"
    r"|\bCP\.[A-Z]{2,5}\.\d{1,4}"
    r"|\b(?:LCD|NCD)[ \t]*#?[ \t]*L?\d[\d.]{1,8}"
    r"|InterQual(?:®)?(?:[ \t]+[A-Z][A-Za-z-]{0,40}){0,4}"
    r"|\bMCG(?:[ \t]+(?:Care[ \t]+Guidelines|Health))?(?:[ \t]+[A-Z]-?\d{1,4})?"
    r"|\bASAM[ \t]+Criteria|\bLOCUS\b|\bCALOCUS\b|\bLOCADTR(?:[ \t]+[\d.]+)?"
    r"|Local[ \t]+Coverage[ \t]+Determination(?:[ \t]+\(LCD\))?[ \t]+L\d{4,5}"
    r"|NCCN(?:[ \t]+(?:Compendium|Drugs[ \t]+(?:&|and)[ \t]+Biologics[ \t]+Compendium|Guidelines))"
    # A named policy: "UnitedHealthcare Behavioral Clinical Policy, Transcranial Magnetic Stimulation".
    r"|(?:[A-Z][\w.&-]{0,40}[ \t]+){0,4}(?:Medical|Clinical|Coverage|Drug|Pharmacy|Utilization)[ \t]+"
    r"(?:Coverage[ \t]+)?"
    r"(?:Policy|Criteria|Guidelines?|Appropriateness[ \t]+Guidelines)(?:(?:,|:|[ \t]for|[ \t]on)?[ \t]+[\"“]?[A-Z]"
    r"[\w/&()-]{0,40}(?:[ \t]+(?:[A-Z][\w/&()-]{0,40}|and|of|for|in|the|with|&)){0,8})?"
    r"|(?:[A-Z][\w.&-]{0,40}[ \t]+){1,5}Preferred[ \t]+Drug[ \t]+List)"
)
_POLICY_WORD = r"[A-Z][\w&/-]{0,30}"
# When no policy above is named: a manual's chapter, a national coverage determination, a UM vendor's guideline.
_POLICY_NAMED = re.compile(
    # "Medicare Benefit Policy Manual, Chapter 15, Section 50.4.2", "TRICARE Policy Manual, Chapter 7"; not a sentence's
    # first word ("Under Medicare Benefit Policy Manual ...").
    rf"((?:(?!(?:Under|Per|See|The|Our|In|By|Using)\b){_POLICY_WORD}[ \t]+){{1,4}}Manual,?[ \t]+(?:Chapter|Ch\.)[ \t]*"
    r"\d{1,3}(?:,?[ \t]+(?:Section|§)[ \t]*\d{1,3}(?:\.\d{1,3}){0,3})?"
    r"|National[ \t]+Coverage[ \t]+Determination(?:[ \t]+\(NCD\))?[ \t]+\d{1,3}(?:\.\d{1,3}){0,3}"
    # "eviCore Spine Imaging Guidelines, SP-1.1", "Carelon Musculoskeletal guideline for Knee Arthroplasty".
    rf"|\b(?:eviCore|Evolent|Carelon|Optum|Magellan|AIM)(?:[ \t]+(?:{_POLICY_WORD}|of|the)){{0,6}}[ \t]+[Gg]uidelines?"
    rf"(?:,[ \t]+[A-Z]{{1,4}}-\d{{1,3}}(?:\.\d{{1,3}})?|[ \t]+for(?:[ \t]+{_POLICY_WORD}){{1,5}})?)"
)
# A plan's own policy named in title case ahead of a lower-case "policy": "our Off-Label Drug Use policy",
# "Premera's Echocardiography policy", "BCBSM's Site of Care policy for specialty infusions".
_POLICY_OWN = re.compile(
    rf"\b(?:[Oo]ur|the|its|{_POLICY_WORD}['’]s)[ \t]+((?:{_POLICY_WORD}[ \t]+(?:(?:of|for)[ \t]+)?){{1,6}}policy"
    r"(?:[ \t]+for(?:[ \t]+[a-z][a-z-]{1,20}){1,3}(?=[.,;]))?)"
)
_CREDENTIALS = r"(?:M\.?D\.?|D\.?O\.?|MBBS|Ph\.?D\.?|PharmD|Pharm\.D\.|R\.?N\.?|NP|PA-C|DPT|DDS|DMD|LCSW|FACP|FAPA)"
# A clinician's name: "Dr." and two or three capitalised words ("Dr. Imelda Castañeda-Roth"), or the words and a
# credential ("Roberta Quinlan-Sayed, MD"). "Dr." alone marks a clinician, so no credential need follow it.
_CLINICIAN_WORD = r"(?:[A-Z]\.|[A-ZÀ-ÖØ-Þ][A-Za-zÀ-ÖØ-öø-ÿ'’-]{1,40})"
_CLINICIAN = (
    rf"(?:Dr\.[ \t]+{_CLINICIAN_WORD}(?:[ \t]{_CLINICIAN_WORD}){{1,3}}(?:,[ \t]+{_CREDENTIALS}(?![A-Za-z]))?"
    rf"|{_CLINICIAN_WORD}(?:[ \t]{_CLINICIAN_WORD}){{1,3}},?[ \t]+{_CREDENTIALS}(?:,[ \t]*[A-Z]{{2,6}})?)"
)
_REVIEWER = re.compile(
    r"(?i:Reviewed[ \t]+by|Reviewer|Medical[ \t]+Director|Physician[ \t]+(?:Reviewer|Advisor)|Peer[ \t]+Reviewer"
    r"|(?:decision|determination|denial)[ \t]+was[ \t]+(?:made|reviewed|signed)[ \t]+by|made[ \t]+this[ \t]+decision"
    r"|Clinical[ \t]+Reviewer|(?:Decision|Determination)[ \t]+made[ \t]+by|Signed(?=[ \t]*:)"
    r"|Clinical[ \t]+pharmacist(?=[ \t]*:)|reviewer[ \t]+for[ \t]+this[ \t]+(?:determination|decision|request)[ \t]+was"
    # "the reviewing psychiatrist, Gerald Fenstermacher, MD", "The reviewing physician was ...".
    r"|Pharmacist[ \t]+Reviewer|Reviewing[ \t]+[a-z]{3,20}(?:[ \t]+was)?"
    # "A board-certified child and adolescent psychiatrist, Dr. Lionel Baptiste, reviewed ...".
    r"|board[- ]certified)[ \t]*[:,]?[ \t]*"
    # The reviewer's specialty may come first: "made by a psychiatrist, Dr. ...", "Reviewer rationale (Dr. ...".
    r"(?:(?i:an?[ \t]+)?[a-z][a-z -]{0,40},[ \t]+|(?:[a-z]{1,12}[ \t]*)?\()?"
    rf"({_CLINICIAN})"
)
# The name ahead of the act: "Dr. Nadia Feliciano, Internal Medicine, made this decision."
# Or ahead of a reviewing title: "Dr. Akintola, our medical director,", "Dr. Amira Haddad, Medical Director",
# "Dr. Catherine Yablonski (Aetna Medical Director, ...)".
_DOCTOR_NAMED = rf"Dr\.[ \t]+{_CLINICIAN_WORD}(?:[ \t]{_CLINICIAN_WORD}){{0,3}}"
_REVIEWER_FIRST = re.compile(
    rf"({_CLINICIAN})(?:,[ \t]+[A-Z][A-Za-z &]{{1,40}})?,?[ \t]+(?:made|signed)[ \t]+this[ \t]+"
    r"(?:decision|determination)"
    rf"|({_CLINICIAN}|{_DOCTOR_NAMED})(?:,[ \t]+our|[ \t]*[,(](?:[ \t]*[A-Z][A-Za-z]{{1,20}}){{0,2}})[ \t]+"
    r"(?i:medical[ \t]+director|physician[ \t]+reviewer)\b"
)
_SIGNED_CLINICIAN = re.compile(
    r"^[ \t]*((?:Dr\.[ \t]+)?[A-Z][A-Za-z'’.-]{1,40}(?:[ \t][A-Z][A-Za-z'’.-]{1,40}){1,3},[ \t]+"
    + _CREDENTIALS
    # Not a city and state ("Silver Spring, MD 20910").
    + r")\b(?![ \t]+\d{5})",
    re.MULTILINE,
)
_NURSE = re.compile(r",[ \t]+(?:R\.?N\.?|NP)\b")
_ADDRESSEE_DOCTOR = re.compile(r"\bDear[ \t]+Dr\.?[ \t]+(?:[A-Z][A-Za-z'’-]{1,40}[ \t])?([A-Z][A-Za-z'’-]{1,40})")


@dataclass(frozen=True)
class _Clue:
    value: str
    pattern: re.Pattern[str]


@lru_cache(maxsize=1)
def _plan_clues() -> tuple[tuple[_Clue, ...], tuple[_Clue, ...], dict[str, str]]:
    raw = read_yaml(DATA_DIR / "plan_types.yaml")
    types = tuple(_Clue(e["type"], re.compile("|".join(e["patterns"]), re.IGNORECASE)) for e in raw["plan_types"])
    funding = tuple(_Clue(e["funding"], re.compile("|".join(e["patterns"]), re.IGNORECASE)) for e in raw["funding"])
    return types, funding, dict(raw["states"])


def _first_clue(
    document: Document, name: str, clues: tuple[_Clue, ...], confidence: float, end: int | None = None
) -> ExtractedField | None:
    """The first clue, in the data file's order, found in the text (up to ``end``)."""
    for clue in clues:
        match = clue.pattern.search(document.text, 0, len(document.text) if end is None else end)
        if match:
            return ExtractedField(
                name=name,
                value=clue.value,
                span=_span(document, match.start(), match.end()),
                confidence=confidence,
                rule=f"clue:{match.group(0)[:40]}",
            )
    return None


# The letterhead and reference lines, where a clue names the letter's own plan; further down the body may name other
# coverage in passing ("If you also have a Medicare Advantage plan, it may cover hearing aids").
_PLAN_HEADER_END = 400


def _plan_type(document: Document) -> ExtractedField | None:
    """A clue in the letter's header, else anywhere ("Medicare Advantage", "ERISA"); else a payer that almost always
    means one type."""
    found = _first_clue(document, "plan_type", _plan_clues()[0], 0.8, _PLAN_HEADER_END) or _first_clue(
        document, "plan_type", _plan_clues()[0], 0.8
    )
    if found is not None:
        return found
    head = document.text[:_PLAN_HEADER_END]
    for payer in _payers():
        match = payer.pattern.search(head)
        if payer.plan_type and match:
            return ExtractedField(
                "plan_type", payer.plan_type, _span(document, *match.span()), 0.5, f"payer:{payer.name}"
            )
    return None


def _plan_funding(document: Document) -> ExtractedField | None:
    return _first_clue(document, "plan_funding", _plan_clues()[1], 0.8)


@dataclass(frozen=True)
class _StatePatterns:
    by_name: re.Pattern[str]  # a state agency or program
    plan_named: re.Pattern[str]  # a plan named for its state, in the letter's header
    address: re.Pattern[str]  # "City, ST 12345", "Clinic, Tampa FL"; the last group is the state
    code_of: dict[str, str]  # state name (any case) -> code


# The letter's header: letterhead, addressee and the reference lines.
_HEADER_END = 600
# Codes that are also credentials ("Jane Roe, MD", "Ann Lee, PA", "Ileana Moss, DDS, MS"): a state only with a ZIP.
_CREDENTIAL_CODES = frozenset({"MD", "PA", "MS"})
# A federal agency's address (OPM, the Department of Labor, CMS in Washington, DC) is no member's state.
_FEDERAL_AGENCY = re.compile(
    r"\b(?:Personnel[ \t]+Management|OPM|Department[ \t]+of[ \t]+Labor|EBSA|Employee[ \t]+Benefits[ \t]+Security"
    r"|CMS|Centers[ \t]+for[ \t]+Medicare|Health[ \t]+and[ \t]+Human[ \t]+Services|HHS)\b",
    re.IGNORECASE,
)
# The text before an address that makes it the plan's own: an appeal instruction ("write to X, P.O. Box ...").
_PLAN_ADDRESS_WORDS = re.compile(r"\b(?:Box|write|writing|send|mail|appeals?|attn|grievances?)\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def _state_patterns() -> _StatePatterns:
    states = _plan_clues()[2]
    names = "|".join(sorted((re.escape(n) for n in states.values()), key=len, reverse=True))
    names = f"{names}|{names.upper()}"
    names = rf"(?:{names})(?![ \t]+City\b)"  # not "Kansas City", "Iowa City"
    codes = "|".join(states)
    by_name = re.compile(
        rf"\b(?:(?i:State|Commonwealth)[ \t]+(?i:of)[ \t]+({names})|({names})[ \t]+(?i:State[ \t]+)?(?i:Department"
        r"|Division|Office|Insurance|Medicaid|Health[ \t]+Care[ \t]+Authority|Bureau|Fair[ \t]+Hearing|Employees'?"
        r"|FamilyCare|Health[ \t]+Benefit)"
        rf"|(?i:Medicaid|Insurance[ \t]+Code|law)[ \t]+(?:of|in)[ \t]+({names})\b"
        rf"|\b({codes})[ \t]+(?:Medicaid|FamilyCare)\b)"
    )
    # "Blue Cross and Blue Shield of Nebraska", "Humana Healthy Horizons in Kentucky", "Anthem Blue Cross and Blue
    # Shield (Colorado)", "Devoted CORE 007 Florida (HMO)", a plan whose name starts with its state.
    # A state or region after a plan's name: "Humana Gold Plus (HMO) - Arizona", "(Northern California)",
    # "(Individual & Family, Georgia)", "(Anthem HealthKeepers, VA)" (not a credential such as MD or PA), a listed
    # payer's state plan ("CareSource Indiana", "AmeriHealth Caritas Louisiana", "Medical Mutual of Ohio").
    region = r"(?:(?:Northern|Southern|Eastern|Western|Central|North|South|East|West|Southeast|Southwest|Northeast"
    region += r"|Northwest)[ \t]+)?"
    payers = "|".join(payer.pattern.pattern for payer in _payers())
    credentials = "|".join(_CREDENTIAL_CODES)
    plan_named = re.compile(
        r"(?i:Health|Healthcare|Shield|BlueShield|Cross|BlueCross|Plans?|Horizons|Caritas|Network|Mutual|\(R\)|®)"
        rf"[ \t]+(?i:of|in)[ \t]+({names})\b|\({region}({names})\)|\b({names})[ \t]+\((?:HMO|PPO|EPO|POS|PFFS)"
        rf"|(?:^|Plan:)[ \t]*({names})[ \t]+(?=[A-Z]|[-–][ \t])|\b({names})[ \t]+(?=(?i:Blue|Health|Medicaid)\b)"
        rf"|[A-Za-z)][ \t]+[-–][ \t]+{region}({names})\b(?![ \t]+University)"
        rf"|,[ \t]+({names}|(?!{credentials})(?:{codes}))\)"
        rf"|(?i:{payers})[ \t]+({names})\b|\b({codes})[ \t]+(?i:Medicaid)\b",
        re.MULTILINE,
    )
    # With a ZIP any city; without one a capitalised city ("trials, OR" is a conjunction) followed by the line end,
    # a bracket, a full stop, a dash or a column gap ("Bethesda, MD (fax ...)"); after a comma the city's own comma
    # may be missing ("Gulf Coast TMS, Pensacola FL").
    city = r"(?<![A-Za-z])[A-Z][A-Za-z.'-]{1,25}(?:[ \t][A-Z][A-Za-z.'-]{1,25}){0,2}"
    state_end = r"(?=[ \t]*$|[ \t]*[()]|\.(?![A-Za-z0-9])|[ \t]+[-–][ \t]|[ \t]{2}|\t)"
    address = re.compile(
        rf"[A-Za-z][A-Za-z .'-]{{1,30}},[ \t]+({codes})[ \t]+\d{{5}}(?:-\d{{4}})?\b|{city},[ \t]+({codes}){state_end}"
        rf"|(?<=, ){city}[ \t]+({codes})(?:[ \t]+\d{{5}}(?:-\d{{4}})?\b|{state_end})",
        re.MULTILINE,
    )
    code_of = {name: code for code, name in states.items()} | {name.upper(): code for code, name in states.items()}
    return _StatePatterns(by_name, plan_named, address, code_of)


def _plan_address_counts(text: str, candidate: re.Match[str], letterhead_end: int) -> bool:
    """Whether an address can tell the member's state: not the own address of a national insurer or a federal agency.

    A PO box, a letterhead or an appeal instruction ("write to Cigna, P.O. Box ...") is the plan's address; a
    national insurer's is in another state than most of its members, a regional plan's is in theirs.
    """
    line_start = text.rfind("\n", 0, candidate.start()) + 1
    before = text[max(line_start, candidate.start() - 200) : candidate.start()]
    previous_start = text.rfind("\n", 0, max(line_start - 1, 0)) + 1
    in_letterhead = candidate.start() < letterhead_end
    if not in_letterhead and not _PLAN_ADDRESS_WORDS.search(text[previous_start : candidate.start()]):
        return True
    context = text[:letterhead_end] if in_letterhead else before
    return not _FEDERAL_AGENCY.search(context) and not any(
        payer.national and payer.pattern.search(context) for payer in _payers()
    )


def _state(document: Document) -> ExtractedField | None:
    """A state agency, program or state-named plan first; then the addressee's or provider's postal address.

    The plan's own address (letterhead, PO box, appeal address) counts only for a regional plan: a national
    insurer's PO box is in another state than its members.
    """
    patterns = _state_patterns()
    text = document.text
    match = patterns.by_name.search(text) or patterns.plan_named.search(text[:_HEADER_END])
    if match:
        name = next(g for g in match.groups() if g)
        start = match.start(match.lastindex or 0)
        code = patterns.code_of.get(name, name)
        return ExtractedField("state", code, _span(document, start, start + len(name)), 0.75, "state-name")
    letterhead_end = max(text.find("\n\n"), 0)

    def score(candidate: re.Match[str]) -> int:
        line_start = text.rfind("\n", 0, candidate.start()) + 1
        previous_start = text.rfind("\n", 0, max(line_start - 1, 0)) + 1
        previous = text[previous_start:line_start]
        points = 0
        if re.match(r"[ \t]*\d+[ \t]+[A-Za-z]", previous) and "box" not in previous.lower():
            points += 2  # a street line above: an addressee's address
        if candidate.start() < letterhead_end:
            points -= 1
        return points

    addresses = [
        m
        for m in patterns.address.finditer(text)
        if (m.group(m.lastindex or 0) not in _CREDENTIAL_CODES or m.group(0)[-1].isdigit())
        and _plan_address_counts(text, m, letterhead_end)
    ]
    if addresses:
        best = max(addresses, key=lambda m: (score(m), -m.start()))
        confidence = 0.6 if score(best) > 0 else 0.4
        group = best.lastindex or 0
        return _found(document, "state", best.group(group), best.start(group), confidence, "address")
    return None


def _last_first_name(last: str, first: str, stop_words: set[str]) -> bool:
    """Whether "LAST, FIRST" reads as a name: not "Ashton Pryce, UHC" (a capitals-only word after a name written in
    mixed case, unless a credential); a payer's word is a first name in a capitals-only name ("LUNDQVIST, OSCAR B")."""
    given = first.split()[0]
    if given.isupper() and not last.isupper() and given.casefold() not in provider_words():
        return False  # but "Abdullah Rahimi, MD" stays whole: the credential tells a provider from the member
    if last.isupper() and first.isupper():
        return given.casefold() not in _name_words()[1]
    return given.casefold() not in stop_words


def _name_at(text: str, position: int, stop_words: set[str]) -> str | None:
    """A person's name starting at ``position``: "Last, First M." or up to four capitalised words."""
    # A name is short: look no further than 200 characters, so that many labels on one long line stay linear.
    line_end = text.find("\n", position, position + 200)
    line = text[position : line_end if line_end != -1 else min(len(text), position + 200)]
    first_part = _NAME_END.split(line, maxsplit=1)[0]
    match = _LAST_FIRST.match(first_part)
    if match and _last_first_name(match.group(1), match.group(2), stop_words):
        tokens = match.group(0).split()
        while tokens and tokens[-1].casefold() in stop_words:
            tokens.pop()
        return " ".join(tokens)
    match = _first_last().match(first_part)
    tokens = match.group(1).split() if match else first_part.split()[:1]
    if len(tokens) == 1 and line_end != -1 and first_part.strip() == line.strip():
        # A name wrapped onto the next line ("Member name: Darnell\nWhitfield Medicaid ID: ...").
        following = text[line_end + 1 : line_end + 40].split()
        if following and re.fullmatch(_NAME_TOKEN, following[0]):
            tokens.append(following[0])
    while tokens and tokens[-1].strip(".,").casefold() in stop_words:
        tokens.pop()
    if len(tokens) < 2 or tokens[0].casefold() in stop_words:
        return None
    name = " ".join(tokens)
    # A generational suffix keeps its full stop ("Arturo Benavides Jr.").
    if tokens[-1] in ("Jr", "Sr") and first_part.startswith(f"{name}."):
        name += "."
    return name


def _folded_words(value: str) -> set[str]:
    """A name's words as the word lists hold them: case-folded, without a trailing full stop or comma."""
    return {word.casefold().strip(".,") for word in value.split()}


# Titles a salutation may use instead of Mr or Ms ("Dear Reverend Ashby").
_TITLE_WORD = re.compile(r"Reverend|Rev\.?|Pastor|Father|Sister|Brother|Rabbi|Judge|Professor|Prof\.?|Captain|Sgt\.?")


def _full_name(text: str, pattern: str, not_the_member: set[str]) -> re.Match[str] | None:
    """The first full name matching ``pattern`` (built around a surname or a first name) none of whose words names a
    payer, an organisation or a practice."""
    for match in islice(re.finditer(rf"(?<![\w-])(?!{_TITLE_WORD.pattern}[ \t]){pattern}", text), 50):
        if not _folded_words(match.group(0)) & not_the_member:
            return match
    return None


def _patient_name(document: Document) -> ExtractedField | None:
    """A name after a patient label (else a member label: the subscriber may be the parent), a name under a table
    heading, a child the letter to a parent names, the email addressee, the addressee block, then the salutation."""
    text = document.text
    stop_words = {w.casefold() for payer in _payers() for w in payer.name.split()} | _name_words()[1]
    labelled = []
    for match in _patient_label().finditer(text):
        value = _name_at(text, match.end(), stop_words)
        if value:
            labelled.append((match.group("patient") is not None, match.end(), value))
    if labelled:
        _, start, value = next((found for found in labelled if found[0]), labelled[0])
        return _found(document, "patient_name", value, start, 0.85, "label:patient")
    for heading in _NAME_HEADING.finditer(text):
        below = _cell_below(text, heading.start(), heading.end())
        if below and re.fullmatch(rf"{_NAME_TOKEN}(?:,?[ \t]{_NAME_TOKEN}){{1,3}}", below[0]):
            value, start = below
            return _found(document, "patient_name", value, start, 0.6, "name-column")
    child = _CHILD.search(text[:1500])
    if child and child.group(1).split()[0].casefold() not in stop_words:
        return _found(document, "patient_name", child.group(1), child.start(1), 0.5, "child")
    not_the_member = stop_words | _ORGANISATION_WORDS | provider_words()
    # Before the address block, which in a letter to the doctor is the practice's.
    for named in _PATIENT_IN_PROSE.finditer(text[:3000]):
        value = _name_at(text, named.end(), stop_words)
        if value and not _folded_words(value) & not_the_member:
            return _found(document, "patient_name", value, named.end(), 0.55, "patient-in-prose")
    if _EMAIL_HEADER.search(text[:600]):
        addressee = _EMAIL_TO.search(text[:600])
        if addressee and not _folded_words(addressee.group(1)) & not_the_member:
            return _found(document, "patient_name", addressee.group(1), addressee.start(1), 0.5, "email-to")
    for to_line in _TO_LINE.finditer(text[:900]):
        value = _name_at(text, to_line.end(), stop_words)
        line_end = text.find("\n", to_line.end())
        # The addressee's cell: "To: Lashonda Greer (parent/guardian)" is about her child; "To: Northland Family
        # Medicine - Helga Brynjolfsdottir, MD" is the practice.
        cell = CELL_GAP.split(text[to_line.end() : line_end if line_end != -1 else len(text)].strip())[0]
        after = cell[cell.find(value) + len(value) :] if value and value in cell else ""
        if not value or _PARENT_NOTE.search(after) or _folded_words(after) & (_ORGANISATION_WORDS | provider_words()):
            continue
        if not _folded_words(value) & not_the_member:
            start = to_line.end()
            return _found(document, "patient_name", value, start, 0.5, "to-line")
    letterhead_end = text.find("\n\n")
    for block in _ADDRESS_BLOCK.finditer(text[:900]):
        if block.start() < letterhead_end:
            continue  # the plan's own name and address ("NJ FamilyCare\n1700 American Blvd")
        if not {w.casefold() for w in block.group(1).split()} & (stop_words | _ORGANISATION_WORDS):
            return _found(document, "patient_name", block.group(1), block.start(1), 0.6, "address-block")
    for dear in _DEAR_NAMED.finditer(text):
        group = 1 if dear.group(1) else 2
        if not {w.casefold() for w in dear.group(group).split()} & (stop_words | _ORGANISATION_WORDS):
            # "Dear Ms. Varga-Endicott" or "Dear Reverend Ashby": the full name written elsewhere in the letter.
            surname = dear.group(group).split()[-1]
            if group == 1 or _TITLE_WORD.fullmatch(dear.group(group).split()[0]):
                full = _full_name(text, rf"(?:{_NAME_TOKEN}[ \t]){{1,2}}{re.escape(surname)}\b", not_the_member)
                if full is not None:
                    return _found(document, "patient_name", full.group(0), full.start(), 0.5, "salutation-named")
            return _found(document, "patient_name", dear.group(group), dear.start(group), 0.5, "salutation")
    greeting = _GREETING.search(text[:1500])
    if greeting and greeting.group(1).casefold() not in stop_words | _ORGANISATION_WORDS:
        # The full name written elsewhere: "Shanice Okafor-Lindqvist\nOscar member ID: ...\n\nHi Shanice,", "Hello
        # Jordan, A claim for Jordan Ekwueme was processed".
        full = _full_name(text, rf"{re.escape(greeting.group(1))}(?:[ \t]{_NAME_TOKEN}){{1,2}}\b", not_the_member)
        if full is not None:
            return _found(document, "patient_name", full.group(0), full.start(), 0.5, "greeting-named")
        return _found(document, "patient_name", greeting.group(1), greeting.start(1), 0.4, "greeting")
    return None


@lru_cache(maxsize=1)
def provider_words() -> frozenset[str]:
    """Words that mark a practice, a facility or a clinician (data/fields.yaml)."""
    return frozenset(_vocabulary()["provider_words"])


def _provider(document: Document) -> ExtractedField | None:
    """A provider label (a requested provider first, a referring one after the addressee), a provider
    notification's addressee, "requested by"/"request from" prose, the salutation to a doctor, a facility named in
    prose, then any doctor the letter names outside the reviewer's lines."""
    text = document.text
    labelled: list[tuple[float, re.Match[str], str]] = []
    for match in _PROVIDER_LABEL.finditer(text):
        value = _NEXT_LABEL.split(match.group(1).strip())[0].strip(" :-").rstrip(".,;")
        # Not a fax number ("Fax to prescriber: (503) 555-0172") nor the member.
        if re.search(r"[A-Za-z]{2}", value) and not value.lower().startswith(("you", "your", "the member")):
            # An out-of-network request names the provider at issue as "Requested provider"; a lab or supplier
            # yields to the clinician who ordered from it; a referring provider sent the member to the one at issue
            # and comes after the letter's addressee.
            label = match.group(0).lower()
            rank = 0.0 if label.startswith("requested provider") else 2.0 if label.startswith("referr") else 1.0
            if label.startswith(("lab", "performing lab", "supplier", "vendor")):
                if re.search(r"\d", value) or not value[:1].isupper():
                    continue  # a result ("Lab: A1c 8.2%"), not a laboratory's name
                rank = 1.5
            labelled.append((rank, match, value))
    first = min(labelled, key=lambda found: found[0], default=None)
    if first is not None and first[0] < 2:
        return _found(document, "provider", first[2], first[1].start(1), 0.8, "label:provider")
    for to_line in _TO_PROVIDER.finditer(text[:1500]):
        # "TO: Dr. Ann Lee, MD - Crescent Clinic (Fax 404-555-0157)": the addressee ends at a dash or a bracket; an
        # addressee with a fax number on its line is a provider's office ("To: Lone Star Seating   Fax: ...").
        value = _TO_LINE_END.split(_NEXT_LABEL.split(to_line.group(1))[0])[0].strip(" ,-")
        words = set(re.findall(r"[a-z-]+", to_line.group(1).lower()))
        if words & provider_words() or re.search(r"\bFax\b[ \t]*:", to_line.group(1)):
            return _found(document, "provider", value, to_line.start(1), 0.6, "to-line")
    if first is not None:
        return _found(document, "provider", first[2], first[1].start(1), 0.7, "label:provider")
    prose = _PROVIDER_PROSE.search(text[:3000])
    if prose:
        group = prose.lastindex or 0
        value = prose.group(group).strip().rstrip(".,;")
        return _found(document, "provider", value, prose.start(group), 0.5, "prose")
    salutation = _DEAR_DOCTOR.search(text)
    if salutation:
        return _found(document, "provider", salutation.group(1), salutation.start(1), 0.6, "salutation")
    not_a_provider = {w.casefold() for payer in _payers() for w in payer.name.split()} | _NOT_A_FACILITY
    for line in _SERVICE_LINE_TAIL.finditer(text[:2000]):
        # The practice, or the practice and then its city ("..., Serenity Ketamine Wellness, Tampa").
        for tail in re.split(r",[ \t]+|[ \t]+[-–][ \t]+", line.group(1))[:0:-1][:2]:
            tail = tail.strip().rstrip(".")
            words = _folded_words(tail)
            if (
                re.fullmatch(_PROVIDER_NAME, tail)
                and words & _FACILITY_WORDS
                and not words & _NOT_A_FACILITY
                and not any(payer.pattern.search(tail) for payer in _payers())
            ):
                start = line.start(1) + line.group(1).rfind(tail)
                return _found(document, "provider", tail, start, 0.45, "service-line")
    for facility in _FACILITY_PROSE.finditer(text[:3000]):
        value = _facility_name(facility.group(1))
        words = _folded_words(value)
        if words & _FACILITY_WORDS and not words & not_a_provider:
            return _found(document, "provider", value, facility.start(1), 0.45, "facility-named")
    for doctor in _DOCTOR.finditer(text):
        line_start = text.rfind("\n", 0, doctor.start()) + 1
        before = text[max(line_start, doctor.start() - 60) : doctor.start()]
        after = text[doctor.end() : doctor.end() + 30]
        if not _REVIEW_BEFORE.search(before) and not _REVIEW_AFTER.search(after):
            return _found(document, "provider", doctor.group(0), doctor.start(), 0.4, "doctor-named")
    return None


def _date_under_heading(document: Document) -> ExtractedField | None:
    """The date under a "SVC DATE" / "DOS" table heading, when the date is not the row's first cell."""
    for heading in _DATE_COLUMN.finditer(document.text):
        below = _cell_below(document.text, heading.start(), heading.end())
        if below and _DATE.fullmatch(below[0]) and parse_date(below[0]):
            value, start = below
            return _found(document, "service_date", value, start, 0.6, "date-column")
    return None


def _date_list(value: str) -> bool:
    """A list of dates sharing a year whose last (or only dated) item is a real date."""
    if not _DATE_LIST_VALUE.fullmatch(value):
        return False
    if "/" in value:
        return is_date(re.split(r",[ \t]*|[ \t]+(?:and|&)[ \t]+", value)[-1])
    if value[0].isdigit():  # "2 - 5 May 2025": the last day with the month and year
        return is_date(re.split(_DAY_RANGE, value, maxsplit=1)[1])
    day_year = re.search(r"(\d{1,2}),?[ \t]+(\d{4})$", value)
    if day_year is None:  # "June 3, 5 and 12": each day must exist in some year (any leap year will do)
        month = value.split()[0].rstrip(".")
        return all(parse_date(f"{month} {day}, 2024") for day in re.findall(r"\d{1,2}", value))
    return parse_date(f"{value.split()[0].rstrip('.')} {day_year[1]}, {day_year[2]}") is not None


def _service_date(document: Document) -> ExtractedField | None:
    """A labelled date of service; else the date on the service line, a table row or under a date heading."""
    return next(_service_date_all(document), None)


# The date of a request told in a sentence: "On July 8, 2025, your primary care doctor ... asked us to approve", "On
# the morning of 2025-04-09 your office faxed us a request", "your request of January 14, 2026", "the request Dr.
# Tamsin Abernathy sent us on 03/12/2025".
_IN_SENTENCE = r"(?:[^.\n]|(?<=Dr)\.|(?<=Mr)\.|(?<=Ms)\.|(?<=Mrs)\.)"
_REQUEST_DATE = re.compile(
    rf"(?:^|(?<=[.!?\n])[ \t]*|(?<=[.!?][ \t]))On[ \t]+(?:the[ \t]+(?:morning|afternoon|evening)[ \t]+of[ \t]+)?"
    rf"({DATE_PATTERN}),?(?=[ \t]+(?!(?i:we|I|our)\b){_IN_SENTENCE}{{0,90}}?"
    r"\b(?:asked|requested|sent|faxed|submitted|called|wrote)\b)"
    rf"|\brequests?[ \t]+(?:of|dated)[ \t]+({DATE_PATTERN})"
    rf"|\brequest(?:[ \t]+{_IN_SENTENCE}{{1,60}}?)?[ \t]+(?:sent|faxed|submitted|mailed)(?:[ \t]+(?:to[ \t]+)?us)?"
    rf"[ \t]+on[ \t]+({DATE_PATTERN})",
    re.IGNORECASE | re.MULTILINE,
)


def _request_dates(document: Document) -> Iterator[ExtractedField]:
    """Dates a sentence gives for the request (rule "request-date")."""
    for match in _REQUEST_DATE.finditer(document.text):
        group = next(index for index in (1, 2, 3) if match.group(index) is not None)
        if is_date(match.group(group)):
            yield _found(document, "service_date", match.group(group), match.start(group), 0.5, "request-date")


# The service-date rules in order: these patterns, then the remittance row and the date column, then a date "on"
# in a sentence about the care itself.
_SERVICE_DATE_PATTERNS = (
    (_DENIED_DAYS, 0.85, "label:denied-days"),
    (_DENIED_ON_ITS_LINE, 0.85, "label:denied-days"),
    (_SERVICE_DATE, 0.85, "label:dos"),
    (_SERVICE_LINE_DATE, 0.7, "service-line"),
    (_SERVICE_DATE_PROSE, 0.6, "prose"),
)
_SERVICE_DATE_RULES = (
    *dict.fromkeys(rule for _, _, rule in _SERVICE_DATE_PATTERNS),
    "table-row",
    "date-column",
    "care-on",
    "request-date",
)
# "colonoscopy with biopsy (CPT 45380) on 06/14/2024", "your visits on 1/8, 1/15 and 1/22", "a screening colonoscopy
# you had on 08/06/2024": a date after "on", read when the clause before it names the care (the words or a code).
# Also a date or range that opens a bracket after what was billed: "the bill for Karim's stay (11/27 to 12/22)"
# (after a test or an x-ray, a bracketed date is the evidence's: "the most recent x-ray (07/10/2024) shows").
_BILLED_CARE_WORDS = re.compile(r"\b(?:claims?|bills?|stay|visits?|sessions?|services|admission)\b", re.IGNORECASE)
_ON_DATE = re.compile(
    rf"\b(?:on(?:[ \t]+or[ \t]+after)?|between)[ \t]+{_WEEKDAY}(?:the[ \t]+dates?[ \t]+)?{_SERVICE_DATE_SHAPES}"
    rf"|\({_SERVICE_DATE_SHAPES}(?=[ \t]*(?:[-–,)]|to\b|through\b))",
    re.IGNORECASE,
)
_CARE_WORDS = re.compile(
    r"\b(?:claims?|bills?|visits?|sessions?|services?|surgery|procedure|scan|MRI|CT|x-?rays?|infusions?|injections?"
    r"|treatments?|therapy|stay|admission|tests?|screening|colonoscopy|fill(?:ed)?|prescription|delivered|fit(?:ted)?"
    r"|provided|performed|(?:you|he|she|they)[ \t]+(?:had|got|received)|requests?[ \t]+(?:submitted|from))\b"
    r"|\((?:CPT|HCPCS)?[ \t]*[A-Z]?\d{4,5}\b|\bstud(?:y|ies)\b|\b(?:CPT|HCPCS)[ \t]+[A-Z]?\d{4,5}\b",
    re.IGNORECASE,
)
# The letter's own events are not the care: "we made this decision on", "mailed on", "your appeal received on".
_NOT_CARE_WORDS = re.compile(
    r"\b(?:after|recommended|discharg\w*|decision|decided|determin\w*|reviewed|review|mailed|sent|dated|letter"
    r"|notice|appeal\w*|called|spoke|issued"
    r"|signed|effective|ends?|ended|terminat\w*|enroll\w*|deadline|processed|paid|approved|denied"
    r"|received[ \t]+(?:your|the)[ \t]+(?:appeal|letter|call))\b",
    re.IGNORECASE,
)


_MESSAGE_RECEIVED = re.compile(r"[ \t]*Received\b", re.IGNORECASE)
_TIME_AFTER = re.compile(r",?[ \t]+(?:at[ \t]+)?\d{1,2}:\d\d")


def _service_date_all(document: Document) -> Iterator[ExtractedField]:
    """Every date the service-date rules find, in the rules' order (the first is :func:`_service_date`'s answer)."""
    for pattern, confidence, rule in _SERVICE_DATE_PATTERNS:
        for match in pattern.finditer(document.text):
            value = match.group(1)
            if _MESSAGE_RECEIVED.match(match.group(0)) and _TIME_AFTER.match(document.text, match.end(1)):
                continue  # an e-mail header's "Received: 05/30/2025 4:47 PM", not the request
            if _service_date_value(value):
                yield _found(document, "service_date", value, match.start(1), confidence, rule)
    for found in (_table_row_date(document), _date_under_heading(document)):
        if found is not None:
            yield found
    yield from _care_dates_on(document)
    yield from _request_dates(document)


def _service_date_value(value: str) -> bool:
    """A date, a month and day ("June 3"), or a list of dates sharing a year."""
    return is_date(value) or re.fullmatch(rf"(?i:{MONTHS})\.?[ \t]+\d{{1,2}}", value) is not None or _date_list(value)


_CLAUSE_END = re.compile(r"[.;:!?\n]")


def _care_dates_on(document: Document) -> Iterator[ExtractedField]:
    """Dates after "on" whose clause names the care after any of the letter's own events, or opening a bracket after
    the billed care and none of them (rule "care-on"): the clause the date ends, or the one it starts when it starts a
    sentence."""
    text = document.text
    for match in _ON_DATE.finditer(text):
        group = 1 if match.group(1) is not None else 2
        value = match.group(group)
        if not _service_date_value(value):
            continue
        window = text[max(0, match.start() - 160) : match.start()]
        window = _CLAUSE_END.split(window)[-1]  # the clause the date ends
        if not window.strip():  # "On 09/16/2024 your pharmacy tried to fill ...": the clause the date starts
            window = _CLAUSE_END.split(text[match.end() : match.end() + 160], maxsplit=1)[0]
        if group == 1:
            # The event word nearest the date decides: "We processed the claims for infusions you received on ...".
            last_care = max((word.end() for word in _CARE_WORDS.finditer(window)), default=-1)
            last_other = max((word.end() for word in _NOT_CARE_WORDS.finditer(window)), default=-1)
            names_the_care = last_care > last_other
        else:  # a bracketed date: "our letter about the claim (03/04/2025)" is the letter's
            names_the_care = bool(_BILLED_CARE_WORDS.search(window)) and not _NOT_CARE_WORDS.search(window)
        if names_the_care:
            yield _found(document, "service_date", value, match.start(group), 0.45, "care-on")


def _table_row_date(document: Document) -> ExtractedField | None:
    """The date on the first denied remittance row, else on the first row: a paid line's date is not at issue."""
    text = document.text
    rows: list[tuple[bool, re.Match[str]]] = []
    for match in _TABLE_ROW_DATE.finditer(text):
        if is_date(match.group(1)):
            line_end = text.find("\n", match.end())
            rows.append((_row_denied(text[match.start() : line_end if line_end != -1 else len(text)]), match))
    if not rows:
        return None
    _, match = next((row for row in rows if row[0]), rows[0])
    return _found(document, "service_date", match.group(1), match.start(1), 0.6, "table-row")


def _policy(document: Document) -> ExtractedField | None:
    """A named policy or criteria set; else a manual, an NCD, a vendor's guideline or a plan's own "X policy"."""
    match = _POLICY.search(document.text) or _POLICY_NAMED.search(document.text) or _POLICY_OWN.search(document.text)
    if match:
        value = match.group(1).strip()
        return _found(document, "policy", value, match.start(1), 0.8, "policy")
    return None


def _signed_reviewer(document: Document) -> re.Match[str] | None:
    """A clinician's signature line, but not the addressee ("Dear Dr. Lindqvist") nor a nurse who does not review.

    A care manager's email signed "RN" reports the decision; a nurse counts when a review title follows the name.
    """
    text = document.text
    addressees = {match.group(1) for match in _ADDRESSEE_DOCTOR.finditer(text)}
    for match in _SIGNED_CLINICIAN.finditer(text):
        name = match.group(1)
        if any(re.search(rf"\b{re.escape(surname)}\b", name) for surname in addressees):
            continue
        if _NURSE.search(name) and not _REVIEW_AFTER.search(text, match.end(), match.end() + 80):
            continue
        return match
    return None


def _reviewer(document: Document) -> ExtractedField | None:
    """A labelled reviewer, a name ahead of "made this decision", else a clinician's signature."""
    text = document.text
    match = _REVIEWER.search(text) or _REVIEWER_FIRST.search(text) or _signed_reviewer(document)
    if match:
        group = match.lastindex or 1
        value = match.group(group).strip()
        return _found(document, "reviewer", value, match.start(group), 0.75, "reviewer")
    return None


# Where to send the appeal: the lines after "send your appeal to" / "Appeals Department", up to a city line.
_APPEAL_ADDRESS = re.compile(
    r"(?i:(?:send|mail|submit|fax)[ \t]+(?:your|the|a|any)?[ \t]*(?:written[ \t]+)?(?:appeal|request|grievance)s?"
    r"(?:[ \t]+(?:request|letter|in writing))?[ \t]+to|write[ \t]+(?:to[ \t]+)?(?:us[ \t]+)?(?:at|to)"
    r"|appeals?[ \t]+(?:mailing[ \t]+)?address|mail[ \t]+(?:it|them|your[ \t]+appeal)[ \t]+to)[ \t]*:?[ \t]*\n?[ \t]*"
    r"((?:[^\n]{2,80}\n[ \t]*){0,3}?[^\n]{0,60}[A-Za-z .'-]{2,30},[ \t]+[A-Z]{2}[ \t]+\d{5}(?:-\d{4})?)"
)
_APPEAL_FAX = re.compile(
    r"(?i:appeal|grievance|review)[^\n]{0,120}?(?i:fax)(?:[ \t]+(?:number|no\.?|#))?[ \t]*:?[ \t]*(?:at[ \t]+)?"
    r"((?:1[-. ])?\(?\d{3}\)?[-. ]?\d{3}[-. ]\d{4})"
)
# A route outside the plan: external review (IRO, Medicare IRE or QIO), a Medicaid fair or administrative hearing,
# the state insurance regulator, OPM for federal employees, the Department of Labor (EBSA) for employer plans.
_EXTERNAL_REVIEW = re.compile(
    r"external[ \t]+(?:review|appeal)|independent[ \t]+(?:review|medical[ \t]+review)|\bIRO\b|\bIRE\b|fair[ \t]+hearing"
    r"|state[ \t]+hearing|administrative[ \t]+hearing|Independent[ \t]+Review[ \t]+Entity"
    # The QIO and OPM as a route ("ask the Quality Improvement Organization", "ask OPM to review"), not a name in a
    # heading or a record ("UM/QIO", "per OPM enrollment record").
    r"|\b(?:ask|to|through|contact|call)[ \t]+(?:the[ \t]+)?(?:Quality[ \t]+Improvement[ \t]+Organization|QIO\b|OPM\b)"
    r"|\bOPM[ \t]+(?:to[ \t]+)?review"
    r"|(?:Department|Division|Bureau|Office)[ \t]+of[ \t]+(?:the[ \t]+)?(?:Insurance|Managed[ \t]+Health"
    r"|Financial[ \t]+(?:Regulation|Services)|Banking[ \t]+and[ \t]+Insurance)"
    r"|Insurance[ \t]+(?:Commissioner|Department)"
    r"|Office[ \t]+of[ \t]+Personnel[ \t]+Management|Department[ \t]+of[ \t]+Labor|\bEBSA\b"
    r"|Employee[ \t]+Benefits[ \t]+Security[ \t]+Administration",
    re.IGNORECASE,
)


def _appeal_address(document: Document) -> ExtractedField | None:
    match = _APPEAL_ADDRESS.search(document.text)
    if match is None:
        return None
    value = " / ".join(line.strip() for line in match.group(1).splitlines() if line.strip())
    return ExtractedField("appeal_address", value, _span(document, *match.span(1)), 0.7, "send-appeal-to")


def _appeal_fax(document: Document) -> ExtractedField | None:
    match = _APPEAL_FAX.search(document.text)
    if match is None:
        return None
    return _found(document, "appeal_fax", match.group(1), match.start(1), 0.75, "appeal-fax")


def _external_review(document: Document) -> ExtractedField | None:
    """Whether the letter mentions external review, a fair hearing or the state regulator (the first mention)."""
    match = _EXTERNAL_REVIEW.search(document.text)
    if match is None:
        return None
    return _found(document, "external_review", match.group(0), match.start(), 0.8, "external-review")


Extractor = Callable[[Document], ExtractedField | None]

# A government program's number for the member ("Medicaid CIN:", "ProviderOne Client ID", "Recipient Identification
# Number (RIN)", "State ID:", Oregon's "Client ID (Prime #)", a Medicare number or MBI), as against the plan's own
# member number ("Molina Member ID:", "Plan member #:", "Sunshine Health ID:"): a letter that gives both is answered
# with the plan's, as annotators read it (ANNOTATION_BRIEF.md).
_PROGRAM_ID_LABEL = re.compile(
    r"\b(?:Medicaid|Medicare|Medi-Cal|MassHealth|CIN|RIN|RID|MBI|MAID|Recipient|Recip|Beneficiary|State|ProviderOne"
    r"|Client|Prime|PCN|SSN|DBN|Sponsor)\b",
    re.IGNORECASE,
)
# A hospital's or clinic's own numbers for the patient ("Medical record no.: 00731884" beside an MBI).
_NOT_A_PLAN_ID_LABEL = re.compile(r"\b(?:record|chart|patient|account|control)\b", re.IGNORECASE)
_PLAN_MEMBER_LABEL = re.compile(r"\b(?:Member|Subscriber|Enrollee|Mbr|Health|Plan)\b", re.IGNORECASE)


def _label_cell(text: str, value_start: int) -> str:
    """The words just before the value: its label ("Medicaid CIN"), from the previous column gap, cell border or
    sentence ("... 1092 3384 1175. Molina mbr #"), without the colon or dot leaders."""
    line = text[_near_line_start(text, value_start) : value_start]
    cell = re.sub(r"[ \t.:#]*$", "", CELL_GAP.split(line.rstrip())[-1])
    return re.split(r"[.;|,:][ \t]", cell)[-1]


def _plan_member_id(document: Document, *, first: Extractor) -> ExtractedField | None:
    """The labelled member ID, the plan's own number rather than a government program's when the letter gives both."""
    found = first(document)
    if (
        found is None
        or found.span is None
        or not _PROGRAM_ID_LABEL.search(_label_cell(document.text, found.span.start))
    ):
        return found
    # Any other label of the strongest member rule names the plan's number ("CHPW ID:"); a weaker one must say so.
    member_rules = [rule for rule in _LABELLED_RULES if rule.field == "member_id"]
    for index, rule in enumerate(member_rules):
        for other in _labelled_all(document, rule=rule):
            if other.span is None or other.value == found.value:
                continue
            label = _label_cell(document.text, other.span.start)
            if (
                not _PROGRAM_ID_LABEL.search(label)
                and not _NOT_A_PLAN_ID_LABEL.search(label)
                and (index == 0 or _PLAN_MEMBER_LABEL.search(label))
            ):
                return other
    return found


def _first_in_text(document: Document, *, extractors: tuple[Extractor, ...]) -> ExtractedField | None:
    """The answer of several rules that comes first in the letter: a header's first decision number is the one the
    letter gives for this decision ("Redetermination number:" above "Internal Control Number:"), whichever rule
    reads its label."""
    found = [answer for extractor in extractors if (answer := extractor(document)) is not None]
    return min(found, key=lambda answer: answer.span.start if answer.span else 0, default=None)


def _extractors() -> dict[str, list[Extractor]]:
    by_field: dict[str, list[Extractor]] = {"payer": [_payer]}
    for rule in _LABELLED_RULES:
        by_field.setdefault(rule.field, []).append(functools.partial(_labelled, rule=rule))
    # A claim number: the first of the usual and the other decision labels, a call's own number only without either.
    usual, other, call = by_field["claim_number"]
    by_field["claim_number"] = [functools.partial(_first_in_text, extractors=(usual, other)), call]
    labelled_member, *weaker_member = by_field["member_id"]
    by_field["member_id"] = [functools.partial(_plan_member_id, first=labelled_member), *weaker_member]
    for field in _ID_FIELDS:
        by_field[field].append(functools.partial(_id_in_prose, field=field))
    by_field["letter_date"] = [
        _message_date,
        *by_field["letter_date"],
        _first_date,
        _letter_sent,
        _letter_dated,
        _signed_note_date,
    ]
    # Service: labelled lines, a notice form's list, a remittance row or column, a decision line, "Re:" lines, a
    # claim note's billed service, prose, a refusal's subject, and an email subject last.
    labelled, re_line, subject = by_field["service"]
    by_field["service"] = [
        labelled,
        _service_listed,
        _service_from_table,
        _service_under_heading,
        _service_decision,
        re_line,
        _service_billed,
        _service_in_prose,
        _service_not_covered,
        subject,
        _service_from_code_row,
        _service_code_description,
        _service_rx_line,
    ]
    by_field.update(
        plan_type=[_plan_type],
        plan_funding=[_plan_funding],
        state=[_state],
        patient_name=[_patient_name],
        provider=[_provider],
        service_date=[_service_date],
        policy=[_policy],
        reviewer=[_reviewer],
        appeal_address=[_appeal_address],
        appeal_fax=[_appeal_fax],
        external_review=[_external_review],
    )
    return by_field


FIELD_NAMES: tuple[str, ...] = (
    "payer",
    "plan_type",
    "plan_funding",
    "state",
    "patient_name",
    "member_id",
    "group_number",
    "claim_number",
    "letter_date",
    "service_date",
    "service",
    "provider",
    "policy",
    "reviewer",
    "appeal_address",
    "appeal_fax",
    "external_review",
)


def extract_fields(document: Document, *, learned: bool = True) -> dict[str, ExtractedField]:
    """Every known field, found or explicitly not found.

    With ``learned`` (and the shipped field rankers present), the service and service date are chosen by the
    rankers among every candidate the rules and generic patterns propose; without, by the rules alone.
    """
    result: dict[str, ExtractedField] = {}
    extractors = _extractors()
    ranker = None
    if learned:
        from denialparse.field_ranker import shipped_ranker  # imports this module: loaded on first use

        ranker = shipped_ranker()
    for name in FIELD_NAMES:
        if ranker is not None and name in ranker.scorers:
            continue  # chosen below among every candidate, the rules' answer included
        found = None
        for extractor in extractors.get(name, []):
            found = extractor(document)
            if found:
                break
        result[name] = found or ExtractedField(name=name, value=None, rule="not-found")
    if ranker is not None:
        from denialparse.field_ranker import KnownNames

        known = KnownNames.of(result)
        for name in ranker.scorers:
            result[name] = ranker.choose(document, name, result["letter_date"].value, known)
    return {name: result[name] for name in FIELD_NAMES}


@dataclass(frozen=True)
class RuleCandidate:
    """A value one service or service-date rule proposes, for a ranker to choose among.

    ``rank`` is the proposing rule's place in the rules' order for the field; ``first`` marks that rule's own
    answer (the rules return the first rule's ``first`` candidate), the others are its later matches.
    """

    found: ExtractedField
    rank: int
    first: bool


# A real letter has a few dozen candidates per field (the corpus at most 39); a text with thousands of dates or
# labels is an archive or an attack, and each rule stops proposing after this many.
MAX_CANDIDATES = 500


def rule_candidates(document: Document, name: str) -> list[RuleCandidate]:
    """Every candidate the rules for ``name`` ("service" or "service_date") find, not only the first."""
    if name == "service_date":
        return [
            RuleCandidate(found, _SERVICE_DATE_RULES.index(found.rule), index == 0)
            for index, found in enumerate(islice(_service_date_all(document), MAX_CANDIDATES))
        ]
    if name != "service":
        raise ValueError(f"no candidate rules for {name!r}")
    result: list[RuleCandidate] = []
    for rank, extractor in enumerate(_extractors()["service"]):
        # A labelled or prose rule's answer is the first of all its matches: one scan gives both.
        if isinstance(extractor, functools.partial):
            every = list(islice(_labelled_all(document, **extractor.keywords), MAX_CANDIDATES))
        elif extractor is _service_in_prose:
            every = list(islice(_service_in_prose_all(document), MAX_CANDIDATES))
        else:
            every = [found] if (found := extractor(document)) is not None else []
        result.extend(RuleCandidate(other, rank, index == 0) for index, other in enumerate(every))
    return result
