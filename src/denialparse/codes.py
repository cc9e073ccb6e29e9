"""Billing and remittance codes in a letter: CPT, HCPCS, ICD-10-CM, NDC, CARC (with group code) and RARC.

Linear-time regular expressions over the raw text; context decides ambiguous shapes. "M15" is a remark code
on a remittance line and a diagnosis only next to "diagnosis"/"Dx"/"ICD"; a five-digit number is a CPT code only
near a procedure/code cue or on a table row, never a ZIP code after a state. Meanings come from
``data/codes.yaml`` (verified rows only); an unknown code is still reported, without a meaning.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from typing import Any

from denialparse.datatypes import CodeMention, Document, Span
from denialparse.resources import DATA_DIR, read_yaml

_GROUP_CARC = re.compile(
    r"\b(CO|PR|OA|PI|CR)[ \t]?-[ \t]?([1-9]\d{0,2}|[A-DP-Z][0-9]{1,2})\b|\b(CO|PR|OA|PI)([1-9]\d{0,2})\b"
)
_BARE_CARC = re.compile(
    r"\b(?:CARC|(?:claim[ \t]+)?adjustment[ \t]+reason(?:[ \t]+code)?|denial[ \t]+code|reason[ \t]+code)s?"
    r"[ \t]*(?:#|no\.?)?[ \t]*:?[ \t]*([1-9]\d{0,2})\b",
    re.IGNORECASE,
)
RARC_SHAPE = r"(?:MA\d{2,3}|N\d{1,3}|M\d{1,3})"  # a remittance advice remark code
_RARC = re.compile(rf"\b({RARC_SHAPE})\b")
# A remark code's line, "M119  Missing/incomplete/invalid NDC": the code and its description, not a billed service.
REMARK_CODE_LINE = re.compile(rf"{RARC_SHAPE}[ \t]+[A-Z][a-z]")
_REMARK_CONTEXT = re.compile(r"remark|RARC|\bRA\b|remit|\bCARC\b|\b(?:CO|PR|OA|PI)[ \t]?-?[ \t]?\d", re.IGNORECASE)
_ICD = re.compile(r"\b([A-TV-Z]\d[0-9AB])(\.[0-9A-Z]{1,4})?(?![\w-])")
_DIAGNOSIS_CONTEXT = re.compile(r"diagnos|\bdx\b|\bICD|\bcondition", re.IGNORECASE)
# A code in brackets right after the condition it names, in a sentence: "for your prostate cancer (C61)", "multiple
# sclerosis (G35)", "adenocarcinoma of the prostate (C61)"; not "call your plan (H61)".
_NAMED_CONDITION = re.compile(
    r"(?i:cancer|disease|disorder|syndrome|depression|diabetes|fracture|infection|injury|pain|failure|obesity|apnea"
    r"|migraine|asthma|hypertension|neoplasm|tumou?r|[a-z]+(?:osis|itis|oma|emia|pathy|algia|ia))"
    r"(?:[ \t]+of[ \t]+(?:the[ \t]+)?[a-z]{3,20})?[ \t]+\([A-TV-Z]\d[0-9AB]\)\Z"
)
_HCPCS_SHAPE = r"[A-V]\d{4}"  # HCPCS Level II: a letter and four digits
_CPT_SHAPE = r"\d{4}[0-9FTU]"  # CPT: five digits, or four and F, T (category III) or U (PLA)
# Either, as a fragment for the other extractors' patterns (a code beside a description or a service's name).
BILLING_CODE = rf"(?:{_HCPCS_SHAPE}|{_CPT_SHAPE})"
_HCPCS = re.compile(rf"(?<![\w-])({_HCPCS_SHAPE})(?:-[A-Z0-9]{{2}})?(?![\w-])")
_CPT = re.compile(rf"(?<![\w$.,-])({_CPT_SHAPE})(?:-[A-Z0-9]{{2}})?(?![\w-]|\.\d|,\d)")
_CPT_CONTEXT = re.compile(
    r"\bCPT|HCPCS|procedure|\bcodes?\b|\bProc\b|billed|service|\bSvc\b|\bStudy\b|\btests?\b|requested", re.I
)
# Codes listed in brackets after a service, with units or a drug's HCPCS code beside them: "lumbar fusion (22558,
# 22612)", "29 sessions (90867, 90868)", "SBRT, 8 fractions (77373 x8)", "ketamine infusion (J3490, 96365)"; and
# codes paired by a slash anywhere: "TMS 90867/90868", "J7318 / 20610", "97110-GP / 97140". A bracket may end with
# words after the codes: "(77520, 77522, 77525, with simulation and planning)", "(96132, 96133; 12 hours)".
_MODIFIED_CODE = rf"{BILLING_CODE}(?:-[A-Z0-9]{{2}})?"
_LISTED_CODE = rf"(?:(?:CPT|HCPCS)[ \t]*:?[ \t]*)?{_MODIFIED_CODE}(?:[ \t]*x[ \t]*\d{{1,3}})?"
_CODE_LIST = re.compile(
    rf"\({_LISTED_CODE}(?:[ \t]*[,/;][ \t]*{_LISTED_CODE})*(?:[ \t]*[,;][^()\n]{{0,60}})?\)"
    rf"|(?<![\w/-]){_MODIFIED_CODE}[ \t]*/[ \t]*{_MODIFIED_CODE}(?:[ \t]*/[ \t]*{_MODIFIED_CODE})*(?![\w/-])"
)
_ZIP_BEFORE = re.compile(r"(?<![/-])\b[A-Z]{2}[ \t]*\Z")
# An address's, a phone extension's or a policy's number: "Suite 40012", "ext. 40988", "(CAM 20101)", "medical policy
# 91617", a mailing's presort line "******AUTO**5-DIGIT 44105".
_NOT_A_CODE_BEFORE = re.compile(
    r"(?:Box|Suite|Ste\.?|#|Unit|Floor|ext\.?|extension|polic(?:y|ies)|CAM|bulletin|guideline|\d-DIGIT)[ \t]*\Z",
    re.IGNORECASE,
)
# HCPCS level II H codes (behavioral health) run from H0001 to about H2040; an H number from H2100 up is a Medicare
# Advantage or Part D contract ("Humana Gold Plus H5619 (HMO)").
_MEDICARE_CONTRACT = re.compile(r"H(?:2[1-9]\d\d|[3-9]\d{3})")
# Category I CPT codes, all five digits, are numbered 00100-01999 (anesthesia) and 10004-99607 (surgery through
# medicine); category II, III and PLA codes end in F, T or U.
_CPT_RANGES = re.compile(r"00[1-9]\d\d|01\d{3}|(?!1000[0-3])[1-9]\d{4}|\d{4}[FTU]")
# State remittances print five-digit edit and EOB codes with leading zeros in the same rows as the billed code, after
# it; an anesthesia code (00100-01999) stands in the row's procedure column, with no code before it on the row.
_ANESTHESIA_CONTEXT = re.compile(r"an(?:a)?esthe|\bCPT", re.IGNORECASE)
_EDIT_CODE_LABEL = re.compile(r"\b(?:EOB|EDIT|ERR(?:OR)?|EXPLANATION)[ \t]*(?:CODES?)?[ \t]*:?[ \t]*$", re.IGNORECASE)
_CODE_EARLIER_ON_ROW = re.compile(rf"(?<![\w$.,/-]){BILLING_CODE}(?![\w-])")
# A range of consecutive CPT codes, as a surgery's code set is written: "49203-49205" bills 49203, 49204 and 49205.
# A longer range names a family of codes in a policy ("testing (CPT 96130-96139) beyond 8 units"), not what was billed.
_CODE_RANGE = re.compile(r"(?<![\w$.,/-])(\d{5})[ \t]*[-–][ \t]*(\d{5})(?![\w-])")
_LONGEST_RANGE = 4
_NDC = re.compile(r"(?<![\w-])(\d{4,5}-\d{3,4}-\d{1,2})(?![\w-])|\bNDC[ \t#:]*(\d{11})\b")
# A row with money, a date or an applied adjustment reason is a claim line: "92015  45.00  0.00  PR-204".
_MONEY_OR_DATE = re.compile(
    r"\$\s?\d|\d{1,2}/\d{1,2}/\d{2,4}|(?<![\w.])\d{1,3}(?:,\d{3})*\.\d\d(?![\w.])|\b(?:CO|PR|OA|PI)-\d"
)
_COLUMN_CODE = re.compile(rf"{BILLING_CODE}(?:-[A-Z0-9]{{2}})?")
# The gap between a table's cells as extracted text keeps it (a tab, or two spaces or more).
CELL_GAP = re.compile(r"[ \t]{2,}|\t")


def _cell_index(line: str, offset: int) -> int | None:
    """Which gap-separated cell of ``line`` starts at ``offset``, if one does."""
    starts = [0, *(gap.end() for gap in CELL_GAP.finditer(line))]
    return starts.index(offset) if offset in starts else None


def _in_code_column(text: str, start: int, row_start: int) -> bool:
    """Whether the code is a whole cell and the line above or below holds a billing code as the same cell: a table of
    codes ("77301  IMRT plan, including DVH  1  NOT APPROVED" under "77412  Radiation treatment delivery ...",
    "TCRAN MAG STIM TX SUBSEQ DELIV  90868  35 sessions" under "... W/MT  90867  1 session"). Cells, not character
    columns: extraction collapses the gaps."""
    row_end = text.find("\n", start)
    row = text[row_start : row_end if row_end != -1 else len(text)]
    index = _cell_index(row, start - row_start)
    cells = CELL_GAP.split(row.strip(" \t"))
    if index is None or (len(cells) < 3 and max(len(cell.split()) for cell in cells) < 3):
        return False  # a row with a description, units or a decision, not a list of numbers and names
    neighbours = []
    if row_start > 0:
        neighbours.append(text[text.rfind("\n", 0, row_start - 1) + 1 : row_start - 1])
    if row_end != -1:
        below_end = text.find("\n", row_end + 1)
        neighbours.append(text[row_end + 1 : below_end if below_end != -1 else len(text)])
    for line in neighbours:
        cells = CELL_GAP.split(line)  # an indented line's first cell is empty, as the row's own
        if index < len(cells) and _COLUMN_CODE.fullmatch(cells[index]):
            return True
    return False


@lru_cache(maxsize=1)
def _codes_file() -> dict[str, Any]:
    return dict(read_yaml(DATA_DIR / "codes.yaml"))


@lru_cache(maxsize=1)
def code_meanings() -> dict[str, dict[str, Any]]:
    """Verified meanings by system (carc, group, hcpcs, cpt, icd10)."""
    raw = _codes_file()
    return {system: raw.get(system, {}) for system in ("carc", "group", "hcpcs", "cpt", "icd10")}


@lru_cache(maxsize=1)
def _reference_heading() -> re.Pattern[str]:
    raw = _codes_file()
    words = "|".join(re.escape(w).replace(r"\ ", r"[ \t]+") for w in raw["reference_sections"])
    # A heading line, not a sentence: "Keep this letter for reference." opens no glossary.
    return re.compile(rf"^[^\n]{{0,80}}(?:{words})(?:[^\n]{{0,80}}[^.\n])?$", re.IGNORECASE | re.MULTILINE)


def _reference_sections(text: str) -> tuple[list[int], list[int]]:
    """Glossaries of codes that "may appear", from the heading to the next blank line: sorted, non-overlapping
    starts and ends, so that a lookup is a bisection."""
    starts: list[int] = []
    ends: list[int] = []
    for heading in _reference_heading().finditer(text):
        if ends and heading.start() < ends[-1]:
            continue  # inside the previous glossary
        end = text.find("\n\n", heading.end())
        starts.append(heading.start())
        ends.append(end if end != -1 else len(text))
    return starts, ends


def _in_sections(position: int, sections: tuple[list[int], list[int]]) -> bool:
    index = bisect.bisect_right(sections[0], position) - 1
    return index >= 0 and position < sections[1][index]


_LINE_REACH = 400


def _line_at(text: str, start: int, end: int) -> str:
    """The line around ``text[start:end]``, at most ``_LINE_REACH`` characters either side (a text without line
    breaks would otherwise make every code read all of it)."""
    reach_start = max(0, start - _LINE_REACH)
    line_start = text.rfind("\n", reach_start, start) + 1 or reach_start
    line_end = text.find("\n", end, end + _LINE_REACH)
    return text[line_start : line_end if line_end != -1 else min(len(text), end + _LINE_REACH)]


def _meaning(system: str, code: str) -> tuple[str | None, str | None]:
    table = code_meanings()
    if system == "carc":
        group, _, number = code.rpartition("-")
        entry = table["carc"].get(number)
        if entry is None:
            return None, None  # a group code alone does not say why the claim was denied
        group_entry = table["group"].get(group) if group else None
        parts = [entry["meaning"]] if entry else []
        if group_entry:
            parts.append(f"({group}: {group_entry['meaning']})")
        mark = entry["mark"] if entry else None
        return (" ".join(parts) or None), mark
    entry = table.get(system, {}).get(code)
    return (entry["meaning"], entry["mark"]) if entry else (None, None)


def extract_codes(document: Document, exclude: list[tuple[int, int]] | None = None) -> tuple[CodeMention, ...]:
    """Every code once (first mention), in order of appearance; ``exclude`` masks ID field spans."""
    text = document.text
    excluded = list(exclude or [])
    # The spans taken by codes already found: they never overlap one another, so sorted by start they are also
    # sorted by end, and the one starting last before ``end`` is the only one that can reach past ``start``.
    taken_starts: list[int] = []
    taken_ends: list[int] = []
    glossaries = _reference_sections(text)
    found: dict[tuple[str, str], CodeMention] = {}

    def overlaps(start: int, end: int) -> bool:
        before = bisect.bisect_left(taken_starts, end)
        if before and taken_ends[before - 1] > start:
            return True
        return any(start < m_end and m_start < end for m_start, m_end in excluded)

    def add(system: str, code: str, start: int, end: int, rule: str, *, shared_span: bool = False) -> None:
        """``shared_span``: one of several codes a single span stands for (a range), so the span may be taken."""
        if not shared_span and overlaps(start, end):
            return
        if system in ("carc", "rarc") and _in_sections(start, glossaries):
            return  # listed in a glossary, not applied
        key = (system, code)
        if key in found:
            return
        meaning, mark = _meaning(system, code)
        found[key] = CodeMention(
            system=system,
            code=code,
            meaning=meaning,
            mark=mark,
            span=Span(start, end, document.page_at(start)),
            rule=rule,
        )
        position = bisect.bisect_left(taken_starts, start)
        taken_starts.insert(position, start)
        taken_ends.insert(position, end)

    for match in _NDC.finditer(text):
        code = match.group(1) or match.group(2)
        add("ndc", code, match.start(), match.end(), "ndc-shape")
    for match in _GROUP_CARC.finditer(text):
        group = match.group(1) or match.group(3)
        number = match.group(2) or match.group(4)
        add("carc", f"{group}-{number}", match.start(), match.end(), "group-code")
    for match in _BARE_CARC.finditer(text):
        add("carc", match.group(1), match.start(1), match.end(1), "carc-label")
    for match in _ICD.finditer(text):
        code = match.group(1) + (match.group(2) or "")
        line = _line_at(text, match.start(), match.end())
        remark_line = bool(_REMARK_CONTEXT.search(line)) and not _DIAGNOSIS_CONTEXT.search(line)
        if match.group(2):  # a dotted code is a diagnosis on a remittance line too ("82306  E55.9  $58.00  CO-50")
            add("icd10", code, match.start(), match.end(), "icd-dotted")
        elif not remark_line and (
            _DIAGNOSIS_CONTEXT.search(line)
            or _NAMED_CONDITION.search(text, max(0, match.start() - 60), match.end() + 1)
        ):
            add("icd10", code, match.start(), match.end(), "icd-diagnosis-context")
    remark_cue = re.search(r"remark|RARC", text, re.IGNORECASE) is not None  # once per letter, not per code
    for match in _RARC.finditer(text):
        line = _line_at(text, match.start(), match.end())
        # N/MA codes need a remark cue somewhere in the letter; M codes (also ICD-10 shapes) on their own line.
        if _REMARK_CONTEXT.search(line) or (match.group(1).startswith(("N", "MA")) and remark_cue):
            add("rarc", match.group(1), match.start(), match.end(), "remark-context")
    for match in _HCPCS.finditer(text):
        if _MEDICARE_CONTRACT.fullmatch(match.group(1)):
            continue  # "Humana Gold Plus H5619 (HMO)": a Medicare plan's contract number
        add("hcpcs", match.group(1), match.start(1), match.end(1), "hcpcs-shape")
    code_lists = [(m.start(), m.end()) for m in _CODE_LIST.finditer(text)]  # in order, not overlapping
    list_starts = [start for start, _ in code_lists]
    for match in _CODE_RANGE.finditer(text):
        first, last = int(match.group(1)), int(match.group(2))
        line = _line_at(text, match.start(), match.end())
        if (
            0 < last - first <= _LONGEST_RANGE
            and match.group(1)[:3] == match.group(2)[:3]
            and _CPT_RANGES.fullmatch(match.group(1))
            and _CPT_CONTEXT.search(text[max(0, match.start() - 60) : match.start()] + line)
        ):
            for number in range(first, last + 1):
                add("cpt", f"{number:05d}", match.start(), match.end(), "cpt-range", shared_span=number > first)
    for match in _CPT.finditer(text):
        line = _line_at(text, match.start(), match.end())
        before = text[max(0, match.start() - 12) : match.start()]
        if _ZIP_BEFORE.search(before) or _NOT_A_CODE_BEFORE.search(before):
            continue
        if not _CPT_RANGES.fullmatch(match.group(1)):
            continue  # no CPT code is numbered so ("00018", "02263": a remittance's edit code)
        window = text[max(0, match.start() - 60) : match.start()]
        containing = bisect.bisect_right(list_starts, match.start()) - 1
        in_list = containing >= 0 and match.start() < code_lists[containing][1]
        row_start = text.rfind("\n", 0, match.start()) + 1
        if (
            match.group(1).isdigit()
            and match.group(1).startswith("0")
            and not in_list
            and not _ANESTHESIA_CONTEXT.search(window + line)
            and (
                _CODE_EARLIER_ON_ROW.search(text, row_start, match.start())
                or _EDIT_CODE_LABEL.search(text, row_start, match.start())
                or not text[row_start : match.start()].strip()
            )
        ):
            continue  # "E2603  RT  $318.00  DENY  01147, 00162", "EOB 00185: Procedure not a benefit": edit codes
        if (
            in_list
            or _CPT_CONTEXT.search(window)
            or _CPT_CONTEXT.search(line)
            or _MONEY_OR_DATE.search(line)
            or _in_code_column(text, match.start(1), row_start)
        ):
            add("cpt", match.group(1), match.start(1), match.end(1), "cpt-context")
    return tuple(sorted(found.values(), key=lambda mention: mention.span.start))
