"""The clinical hazard log (docs/safety/hazard-log.md) cannot drift from the suite: every
hazard has every DCB0129 field and names tests that exist."""

from __future__ import annotations

import ast
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parent.parent
LOG = ROOT / "docs" / "safety" / "hazard-log.md"
FIELDS = (
    "Hazard",
    "Cause",
    "Effect",
    "Severity",
    "Likelihood before controls",
    "Risk before controls",
    "Controls",
    "Tests",
    "Residual risk",
)
SEVERITIES = {"Minor", "Significant", "Considerable", "Major", "Catastrophic"}
_ENTRY = re.compile(r"^## (H\d+) (.+)$", re.MULTILINE)
_FIELD = re.compile(r"^- \*\*([^*]+)\*\*:", re.MULTILINE)
_NODE = re.compile(r"^  - `(tests/[^`:]+\.py)::([A-Za-z_0-9]+)(\[[^`]*\])?`$", re.MULTILINE)


def _entries() -> dict[str, str]:
    text = LOG.read_text()
    found = list(_ENTRY.finditer(text))
    return {
        match.group(1): text[match.end() : found[i + 1].start() if i + 1 < len(found) else None]
        for i, match in enumerate(found)
    }


def _test_names(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    }


def test_every_hazard_has_every_field_in_order_and_a_known_severity() -> None:
    ids = _ENTRY.findall(LOG.read_text())
    assert len({hazard for hazard, _ in ids}) == len(ids), "each hazard id once"
    # The nine of issue 18, and those the project controlled before the log began.
    assert {f"H{n}" for n in range(1, 16)} <= {hazard for hazard, _ in ids}
    for hazard, body in _entries().items():
        assert tuple(_FIELD.findall(body)) == FIELDS, hazard
        severity = re.search(r"^- \*\*Severity\*\*: (\w+)", body, re.MULTILINE)
        assert severity is not None, hazard
        assert severity.group(1) in SEVERITIES, hazard


def test_every_test_the_log_names_exists() -> None:
    missing = []
    for hazard, body in _entries().items():
        nodes = _NODE.findall(body)
        assert nodes, f"{hazard} names no test"
        for path, name, _ in nodes:
            file = ROOT / path
            if not file.exists() or name not in _test_names(file):
                missing.append(f"{hazard}: {path}::{name}")
    assert missing == []


def test_the_checker_would_see_a_missing_test() -> None:
    """The check above would pass on an empty log: show it reads node ids as written."""
    line = "  - `tests/test_hazard_log.py::test_no_such_test[a]`"
    [(path, name, params)] = _NODE.findall(line)
    assert (path, params) == ("tests/test_hazard_log.py", "[a]")
    assert name not in _test_names(ROOT / path)
