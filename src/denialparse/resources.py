"""Where the project's shipped files live, in a source checkout and in an installed wheel.

The wheel carries ``templates/`` and ``models/`` inside the package (see pyproject); a checkout or editable
install finds them at the repository root.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from pydantic import BaseModel

ModelT = TypeVar("ModelT", bound="BaseModel")

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"
_REPO_ROOT = PACKAGE_DIR.parent.parent


def _first_existing(name: str) -> Path:
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else _REPO_ROOT / name


def templates_dir() -> Path:
    """The Jinja2 templates of the letters."""
    return _first_existing("templates")


def models_dir() -> Path:
    """The directory holding the shipped models."""
    return _first_existing("models")


DEFAULT_MODEL_NAME = "denial-reasons"


def default_model_dir() -> Path:
    return models_dir() / DEFAULT_MODEL_NAME


# The letters the draft stage writes (one Markdown template each in templates/) and the formats they come in.
LETTER_KINDS = ("appeal", "lmn", "external-review", "claim-file")
LETTER_FORMATS = ("md", "html", "docx", "pdf")


def read_yaml(path: Path) -> Any:
    """A shipped YAML data file, parsed by libyaml's safe loader when PyYAML has it (about ten times faster than
    the pure-Python one, which cost a cold `report` over 0.1 s)."""
    import yaml

    loader = yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)


def read_validated(path: Path, schema: type[ModelT]) -> ModelT:
    """A shipped YAML data file checked against its pydantic schema; any problem is one DataFileError line naming
    the file and the first bad entry."""
    import yaml
    from pydantic import ValidationError

    from denialparse.errors import DataFileError

    try:
        return schema.model_validate(read_yaml(path))
    except OSError as exc:
        raise DataFileError(f"{path.name}: cannot read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise DataFileError(f"{path.name}: invalid YAML ({str(exc).splitlines()[0]})") from None
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(part) for part in error["loc"])
        raise DataFileError(f"{path.name}: {where}: {error['msg']}") from None


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in 1 MB blocks (model files are checked against their recorded checksums)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
