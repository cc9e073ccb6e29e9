"""The denial-reason taxonomy, read from its one data file (``data/taxonomy.yaml``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from denialparse.errors import DataFileError
from denialparse.resources import DATA_DIR, read_yaml

TAXONOMY_FILE = DATA_DIR / "taxonomy.yaml"


class LabelDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z_]*$")
    name: str
    definition: str
    examples: list[str] = Field(min_length=1)
    not_this: list[str] = []


class Taxonomy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    labels: list[LabelDefinition] = Field(min_length=2)

    @field_validator("labels")
    @classmethod
    def _unique(cls, labels: list[LabelDefinition]) -> list[LabelDefinition]:
        ids = [label.id for label in labels]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate label ids: {', '.join(duplicates)}")
        return labels

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(label.id for label in self.labels)

    def name_of(self, label: str) -> str:
        for definition in self.labels:
            if definition.id == label:
                return definition.name
        return label.replace("_", " ")


@lru_cache(maxsize=4)
def load_taxonomy(path: Path = TAXONOMY_FILE) -> Taxonomy:
    """Load and validate the taxonomy; a broken file raises DataFileError naming the problem."""
    try:
        return Taxonomy.model_validate(read_yaml(path))
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        first = str(exc).splitlines()[0]
        raise DataFileError(f"{path.name}: invalid taxonomy: {first}") from None
