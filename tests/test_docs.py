"""The README stays true: every command documented, the two set-up commands exist, CI runs the test one."""

from __future__ import annotations

import re
from pathlib import Path

from denialparse import cli
from denialparse.errors import ALL_ERRORS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_every_command_is_documented() -> None:
    for command in cli.iter_commands():
        assert f"denialparse {command}" in README, command


def test_every_exit_code_is_documented() -> None:
    table = {int(code) for code in re.findall(r"^\| (\d+) \|", README, re.MULTILINE)}
    assert {error.exit_code for error in ALL_ERRORS} | {0, 2, cli.INTERNAL_ERROR_EXIT} <= table


def test_setup_commands_and_ci() -> None:
    assert "make demo" in README and "make test" in README
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^demo:", makefile, re.MULTILINE) and re.search(r"^test:", makefile, re.MULTILINE)
    example = re.search(r"^EXAMPLE \?= (\S+)", makefile, re.MULTILINE)
    assert example and (ROOT / example.group(1)).is_file()
    assert "make test" in (ROOT / ".ci" / "run").read_text()
