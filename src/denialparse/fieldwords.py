"""The schema of data/fields.yaml: the word lists the field extractor reads, so that a bad edit fails at load time
with one line naming the list and the word, not later as a silently wrong extraction."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict


def _word(value: str) -> str:
    """A word or phrase: no leading, trailing or doubled whitespace, no line break, not empty."""
    if not value or value != value.strip() or re.search(r"\s{2,}|[\n\r\t]", value):
        raise ValueError(f"{value!r} is not a word or a phrase (empty, or stray whitespace)")
    return value


def _lower(value: str) -> str:
    if value != value.lower():
        raise ValueError(f"{value!r} must be lower-case (the list is matched against lower-cased text)")
    return value


def _unique(values: list[str]) -> list[str]:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{value!r} is listed twice")
        seen.add(value)
    return values


def _carc_number(value: str) -> str:
    if not re.fullmatch(r"[0-9]{1,3}|[A-Z][0-9]{1,2}", value):
        raise ValueError(f'{value!r} is not a claim adjustment reason code number (quote it: "45")')
    return value


Word = Annotated[str, AfterValidator(_word)]
LowerWord = Annotated[Word, AfterValidator(_lower)]
Words = Annotated[list[LowerWord], AfterValidator(_unique)]


class FieldVocabulary(BaseModel):
    """data/fields.yaml; the comments in the file say what each list is for."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: Literal[1]
    specialty_services: Words
    generic_service_words: Words
    not_a_service_start: Words
    payment_adjustment_carcs: Annotated[list[Annotated[str, AfterValidator(_carc_number)]], AfterValidator(_unique)]
    denied_row_words: Words
    total_row_words: Words
    name_titles: Annotated[list[Word], AfterValidator(_unique)]  # matched case-sensitively: "COL" and "Col"
    not_a_name: Words
    provider_words: Words
    name_particles: Words
    heading_words: Words
    department_words: Words
