"""The reference in docs/ against the code: every configuration key of the schema
is described, every error reason and attempt outcome is listed, and nothing in
the repository sends a reader outside it."""

from __future__ import annotations

import re
import subprocess
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import pytest
from pydantic import BaseModel

from modelrouter.api.status import CODES
from modelrouter.config.schema import Config
from modelrouter.errors import RouterError
from modelrouter.outcomes import Outcome

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

# -- configuration keys ------------------------------------------------------------
#
# A key's path is written as in docs/configuration.md: `section.key` for a nested
# model, `models[].key` for an entry of a list, and `strategies.<name>.key` for a
# value of a map, whatever word stands between the angle brackets (normalised
# here to `*`). The paths are taken from the code span (backticks) that starts a
# table row, and from headings that are one code span (the sections: `## `cache``).


def _models_in(tp: Any) -> Iterator[tuple[str, type[BaseModel]]]:
    """The BaseModel types a field's annotation holds, each with the path suffix
    that reaches it: "" (the model itself, or one member of a union), "[]" (the
    entries of a list) or ".*" (the values of a map)."""
    origin = get_origin(tp)
    if origin is Annotated:
        yield from _models_in(get_args(tp)[0])
    elif isinstance(tp, type) and issubclass(tp, BaseModel):
        yield "", tp
    elif origin in (Union, types.UnionType):
        for arg in get_args(tp):
            yield from _models_in(arg)
    elif origin in (list, tuple, set, frozenset):
        for _, model in _models_in(get_args(tp)[0]):
            yield "[]", model
    elif origin is dict:
        for _, model in _models_in(get_args(tp)[1]):
            yield ".*", model


def schema_paths(model: type[BaseModel] = Config, prefix: str = "") -> set[str]:
    """Every key path of the schema, the nested sections as well as the leaves."""
    paths: set[str] = set()
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        paths.add(path)
        for suffix, nested in _models_in(field.annotation):
            paths |= schema_paths(nested, f"{path}{suffix}.")
    return paths


def documented_paths() -> set[str]:
    """The key paths that start a table row of docs/configuration.md, or make up
    a heading."""
    text = (DOCS / "configuration.md").read_text()
    rows = re.findall(r"^\|\s*`([^`]+)`\s*\|", text, flags=re.MULTILINE)
    headings = re.findall(r"^#{2,6}\s+`([^`]+)`\s*$", text, flags=re.MULTILINE)
    return {re.sub(r"<[^>]+>", "*", path) for path in rows + headings}


def test_the_schema_walk_sees_every_kind_of_nesting() -> None:
    paths = schema_paths()
    # A guard on the walk itself: nested models, lists, maps, unions and optionals.
    for path in (
        "server.address",
        "models[].pricing.input_per_mtok",
        "models[].deployments[].weight",
        "models[].simulate.reply",
        "strategies.*.weights.quality",
        "strategies.*.chain",
        "strategies.*.requirements.include_models",
        "budgets.models.*.daily_usd",
    ):
        assert path in paths, path


def test_every_configuration_key_is_in_the_reference() -> None:
    missing = sorted(schema_paths() - documented_paths())
    assert not missing, f"docs/configuration.md has no table row for: {missing}"


def test_the_reference_names_no_key_the_schema_lacks() -> None:
    unknown = sorted(documented_paths() - schema_paths())
    assert not unknown, f"docs/configuration.md describes keys the schema does not have: {unknown}"


# -- errors and outcomes ------------------------------------------------------------


def _router_errors() -> list[type[RouterError]]:
    found, todo = [], [RouterError]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            found.append(sub)
            todo.append(sub)
    return found


def test_every_error_reason_and_code_is_in_the_errors_table() -> None:
    text = (DOCS / "api.md").read_text()
    table = text.split("## Errors", 1)[1].split("\n## ", 1)[0]
    for cls in _router_errors():
        assert f"`{cls.reason}`" in table, cls.reason
        assert f"`{CODES[cls].name}`" in table, (cls.reason, CODES[cls].name)
    assert "`INTERNAL`" in table


def test_every_attempt_outcome_is_in_the_outcomes_table() -> None:
    text = (DOCS / "api.md").read_text()
    table = text.split("## Attempt outcomes", 1)[1]
    outcomes = [v for k, v in vars(Outcome).items() if k.isupper() and isinstance(v, str)]
    assert len(outcomes) > 10
    for outcome in outcomes:
        assert re.search(rf"^\| `{outcome}` \|", table, flags=re.MULTILINE), outcome


def test_every_metric_is_in_the_operations_reference() -> None:
    source = (ROOT / "server" / "modelrouter" / "metrics.py").read_text()
    names = set(re.findall(r'"(modelrouter_[a-z_]+)"', source))
    assert len(names) > 10
    text = (DOCS / "operations.md").read_text()
    # Counters are exposed with a _total suffix, histograms as _bucket, _sum and _count.
    missing = sorted(n for n in names if not re.search(rf"`{n}(_total)?`", text))
    assert not missing, f"docs/operations.md does not list: {missing}"


# -- nothing points outside the repository ----------------------------------------------

# Built from pieces, so that this file does not hold what it looks for.
OUTSIDE = ("../" + "shared/", "shared/" + "design/")


def repository_files() -> list[Path]:
    """The tracked files, and the new ones not ignored (about to be committed)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    paths = [ROOT / name for name in dict.fromkeys(listed.split("\0")) if name]
    return [p for p in paths if p.is_file()]


def _text(path: Path) -> str | None:
    data = path.read_bytes()
    if b"\0" in data:
        return None
    try:
        return data.decode()
    except UnicodeDecodeError:
        return None


def test_the_repository_lists_its_files() -> None:
    names = {p.relative_to(ROOT).as_posix() for p in repository_files()}
    assert {"README.md", "docs/README.md", "protos/modelrouter/v1/router.proto"} <= names


def test_no_file_points_outside_the_repository() -> None:
    offenders = []
    for path in repository_files():
        text = _text(path)
        if text is None:
            continue
        for n, line in enumerate(text.splitlines(), 1):
            if any(needle in line for needle in OUTSIDE):
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


FENCE = re.compile(r"^(```|~~~).*?^\1", flags=re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", flags=re.MULTILINE)
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def markdown_links(text: str) -> list[str]:
    """The targets of the inline and reference links, outside code."""
    prose = INLINE_CODE.sub("", FENCE.sub("", text))
    return LINK.findall(prose) + REFERENCE.findall(prose)


def slug(heading: str) -> str:
    """A heading's anchor, as GitHub makes it."""
    text = re.sub(r"[`*_]|\[|\]\([^)]*\)", "", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    text = FENCE.sub("", path.read_text())
    return {slug(h) for h in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", text, flags=re.MULTILINE)}


@pytest.mark.parametrize(
    ("target", "expected"),
    [("docs/api.md#errors", True), ("https://google.aip.dev/193", False), ("#limits", False)],
)
def test_markdown_links_are_found(target: str, expected: bool) -> None:
    text = f"See [this]({target}), `[not](../code)`, and\n\n```\n[nor](../fenced)\n```\n"
    links = markdown_links(text)
    assert links == [target]
    assert (not SCHEME.match(target) and not target.startswith("#")) == expected


def test_every_markdown_link_stays_in_the_repository_and_resolves() -> None:
    problems = []
    for path in repository_files():
        if path.suffix.lower() != ".md":
            continue
        where = path.relative_to(ROOT)
        for target in markdown_links(path.read_text()):
            if SCHEME.match(target):  # https:, mailto:, ...
                continue
            file_part, _, anchor = target.partition("#")
            if not file_part:
                resolved = path
            elif file_part.startswith("/"):
                resolved = (ROOT / file_part.lstrip("/")).resolve()
            else:
                resolved = (path.parent / file_part).resolve()
            if not resolved.is_relative_to(ROOT):
                problems.append(f"{where}: {target} points outside the repository")
            elif not resolved.exists():
                problems.append(f"{where}: {target} does not exist")
            elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
                problems.append(f"{where}: {target}: no heading #{anchor} in {resolved.relative_to(ROOT)}")
    assert not problems, "\n".join(problems)
