"""The README and docs/ name only what exists.

Every relative link in README.md, docs/*.md and terraform/README.md points at a file that
exists (and at a heading of it, when the link names one); every `make <target>` they name is
a target of the Makefile, and every `NAME=value` given on such a line is a variable the
Makefile, the dbt profiles or the code reads; every `warehouse …` and `lakegen …` command
they name is a subcommand of the installed command, and each `--option` given after it is
one of that subcommand's options (as its `--help` lists them); every path of the repository
named in inline code (`warehouse/ci/errors.py`, `macros/landing/`) exists. Links and
commands are read
from the Markdown only: fenced code blocks and inline code for commands, the text outside
code for links.
"""

from __future__ import annotations

import re
import shlex
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path

import pytest


def _root() -> Path:
    for folder in Path(__file__).resolve().parents:
        if (folder / "Makefile").is_file() and (folder / "dbt_project.yml").is_file():
            return folder
    raise RuntimeError("no repository root above this test")


ROOT = _root()
DOCS = sorted([ROOT / "README.md", ROOT / "terraform" / "README.md", *(ROOT / "docs").glob("*.md")])
FENCE = re.compile(r"^(```|~~~)")
INLINE_CODE = re.compile(r"(`+)(.+?)\1")
LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
# a command in command position: at the start (after variable assignments), after a shell
# operator, or as .venv/bin/<command>; not a word of a sentence in a diagram
START = r"(?:^(?:[A-Z][A-Z0-9_]*=\S*\s+)*|[;&|(]\s*|\.venv/bin/)"
MAKE = re.compile(START + r"make\s+(?:-\S+\s+)*([a-z][a-z0-9-]*)")
COMMAND = re.compile(START + r"(warehouse|lakegen)\s+([a-z][a-z-]*)")
ASSIGNMENT = re.compile(r"^([A-Z][A-Z0-9_]*)=")
# a shell comment in a code block: what follows is prose, not a command
COMMENT = re.compile(r"(^|\s)#.*$")


@dataclass(frozen=True)
class Code:
    """A piece of code in a Markdown file: a line of a fenced block or an inline span."""

    doc: Path
    line: int
    text: str

    def where(self) -> str:
        return f"{self.doc.relative_to(ROOT)}:{self.line}"


def _split(doc: Path) -> tuple[list[tuple[int, str]], list[Code]]:
    """The lines of prose (inline code blanked out) and the pieces of code of a file."""
    prose: list[tuple[int, str]] = []
    code: list[Code] = []
    fenced = False
    for number, line in enumerate(doc.read_text().splitlines(), start=1):
        if FENCE.match(line.strip()):
            fenced = not fenced
            continue
        if fenced:
            text = COMMENT.sub("", line).strip()
            if text:
                code.append(Code(doc, number, text))
            continue
        code.extend(Code(doc, number, m.group(2).strip()) for m in INLINE_CODE.finditer(line))
        prose.append((number, INLINE_CODE.sub("", line)))
    return prose, code


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = unicodedata.normalize("NFC", text.replace("`", "").strip().lower())
    text = "".join(c for c in text if c in "-_ " or unicodedata.category(c)[0] in "LN")
    return text.replace(" ", "-")


@cache
def anchors(doc: Path) -> frozenset[str]:
    seen: dict[str, int] = {}
    found = set()
    fenced = False
    for line in doc.read_text().splitlines():
        if FENCE.match(line.strip()):
            fenced = not fenced
            continue
        heading = None if fenced else HEADING.match(line)
        if heading:
            base = slug(heading.group(2))
            n = seen.get(base, 0)
            seen[base] = n + 1
            found.add(base if n == 0 else f"{base}-{n}")
    return frozenset(found)


def _shown(path: Path) -> str:
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name


def broken_links(doc: Path) -> Iterator[str]:
    prose, _ = _split(doc)
    # a link's text may run over two lines: read the prose whole, count lines back
    numbers = [number for number, line in prose for _ in range(len(line) + 1)]
    text = "\n".join(line for _, line in prose)
    for match in LINK.finditer(text):
        number = numbers[match.start()]
        target = match.group(1)
        if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
            continue
        path, _, fragment = target.partition("#")
        resolved = (doc.parent / path).resolve() if path else doc
        where = f"{_shown(doc)}:{number}: {target}"
        if not resolved.exists():
            yield f"{where}: no such file"
        elif fragment and resolved.suffix == ".md" and fragment not in anchors(resolved):
            yield f"{where}: no heading #{fragment} in {_shown(resolved)}"


def test_slug_follows_github():
    assert slug("When `warehouse run` builds nothing") == "when-warehouse-run-builds-nothing"
    assert slug("Full mode and air-gapped mode") == "full-mode-and-air-gapped-mode"
    assert slug("The benchmark: `make bench-warehouse`") == "the-benchmark-make-bench-warehouse"
    assert slug("Figures (2-core machine shared)") == "figures-2-core-machine-shared"


def test_the_docs_are_found():
    names = {doc.relative_to(ROOT).as_posix() for doc in DOCS}
    assert {"README.md", "docs/README.md", "docs/ci.md", "docs/data-quality.md"} <= names


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.relative_to(ROOT).as_posix())
def test_relative_links_resolve(doc: Path):
    assert list(broken_links(doc)) == []


def test_a_broken_link_is_reported(tmp_path: Path):
    (tmp_path / "other.md").write_text("# Other\n\n## A heading\n")
    probe = tmp_path / "probe.md"
    probe.write_text(
        "# Probe\n\n[a](other.md#no-such-heading) [b](missing.md) [c](#probe) [d, over\n"
        "two lines](gone.md) `[e](in-code.md)` [g](other.md#a-heading)\n\n"
        "```\n[f](in-a-block.md)\n```\n"
    )
    assert [line.split(": ", 1)[1] for line in broken_links(probe)] == [
        "other.md#no-such-heading: no heading #no-such-heading in other.md",
        "missing.md: no such file",
        "gone.md: no such file",
    ]


def _make_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text()
    return set(re.findall(r"^([a-z][a-z0-9-]*):", text, flags=re.MULTILINE))


@cache
def _known_names() -> str:
    """Everything that may read a variable given on a `make` line: the Makefile, the dbt
    profiles, the shell scripts and the Python code."""
    texts = [(ROOT / "Makefile").read_text(), (ROOT / "profiles.yml").read_text()]
    skip = {".venv", "dbt_packages", "target", "logs", "lake", "bench", "node_modules"}
    for pattern in ("*.py", "*.sh"):
        for path in ROOT.rglob(pattern):
            parts = set(path.relative_to(ROOT).parts)
            if not parts & skip and not any(p.startswith(".venv") for p in parts):
                texts.append(path.read_text(errors="replace"))
    return "\n".join(texts)


def _code() -> list[Code]:
    return [piece for doc in DOCS for piece in _split(doc)[1]]


def test_every_make_target_named_exists():
    targets = _make_targets()
    missing = []
    for piece in _code():
        for match in MAKE.finditer(piece.text):
            if match.group(1) not in targets:
                missing.append(f"{piece.where()}: make {match.group(1)}")
    assert missing == []


def test_every_variable_on_a_make_line_is_read():
    known = _known_names()
    unknown = []
    for piece in _code():
        if not MAKE.search(piece.text):
            continue
        for word in piece.text.split():
            assignment = ASSIGNMENT.match(word)
            if assignment and not re.search(rf"\b{assignment.group(1)}\b", known):
                unknown.append(f"{piece.where()}: {assignment.group(1)}")
    assert unknown == []


# --- the paths ---------------------------------------------------------------------------

# the folders whose paths the docs name; generated outputs (target/, lake/, published/) are not
# among them
TRACKED = (
    ".ci",
    ".github",
    "analyses",
    "docs",
    "generator",
    "macros",
    "models",
    "offline",
    "scripts",
    "seeds",
    "snapshots",
    "terraform",
    "tests",
    "warehouse",
    # the packages before the move: a doc naming them is flagged (they are gone)
    "dashboard",
    "pipeline",
    "warehouse_checks",
    "warehouse_ci",
)
# what a run writes inside those folders
GENERATED = ("offline/target", "offline/logs", "offline/dbt_packages")
REPO_PATH = re.compile(r"[\w.-]+(?:/[\w.-]+)+/?|[\w.-]+/")


def _on_disk(path: str) -> Path:
    return ROOT / path


def missing_paths(doc: Path) -> Iterator[str]:
    fenced = False
    for number, line in enumerate(doc.read_text().splitlines(), start=1):
        if FENCE.match(line.strip()):
            fenced = not fenced
            continue
        if fenced:
            continue
        for match in INLINE_CODE.finditer(line):
            path = match.group(2).strip()
            if not REPO_PATH.fullmatch(path) or path.split("/")[0] not in TRACKED:
                continue
            if path.startswith(GENERATED):
                continue
            if not _on_disk(path).exists() and not (doc.parent / path).exists():
                yield f"{_shown(doc)}:{number}: {path}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda d: d.relative_to(ROOT).as_posix())
def test_every_path_named_exists(doc: Path):
    assert list(missing_paths(doc)) == []


def test_a_missing_path_is_reported(tmp_path: Path):
    probe = tmp_path / "probe.md"
    probe.write_text(
        "`macros/landing/` `macros/nowhere.sql` `target/x.json` `offline/target/x.html` `a b/c`\n"
    )
    assert list(missing_paths(probe)) == ["probe.md:1: macros/nowhere.sql"]


# --- the commands ------------------------------------------------------------------------


def _entry_point(name: str) -> Callable[[list[str]], int]:
    (found,) = [e for e in entry_points(group="console_scripts") if e.name == name]
    main: Callable[[list[str]], int] = found.load()
    return main


def _words(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:  # an unbalanced quote in an excerpt: its words are enough
        return text.split()


def _named_commands() -> dict[tuple[str, ...], dict[str, set[str]]]:
    """(command, subcommand[, check]) -> {option: places named}, from every piece of code."""
    named: dict[tuple[str, ...], dict[str, set[str]]] = {}
    for piece in _code():
        for match in COMMAND.finditer(piece.text):
            key: tuple[str, ...] = (match.group(1), match.group(2))
            words = _words(piece.text[match.start(1) :])
            # `warehouse plan|env|diff` names a family: only its first word is a command
            rest = words[2:] if len(words) > 1 and words[1] == match.group(2) else []
            if key == ("warehouse", "check") and rest and re.fullmatch(r"[a-z][a-z-]*", rest[0]):
                key, rest = (*key, rest[0]), rest[1:]
            options = named.setdefault(key, {})
            options.setdefault("", set()).add(piece.where())
            for word in rest:
                if word in {"|", "||", "&&", ";", "\\"} or word.startswith(("$(", "#")):
                    break
                if word.startswith("--"):
                    options.setdefault(word.split("=", 1)[0], set()).add(piece.where())
    return named


NAMED = _named_commands()


def _help(command: tuple[str, ...], capfd: pytest.CaptureFixture[str]) -> str:
    main = _entry_point(command[0])
    capfd.readouterr()
    with pytest.raises(SystemExit) as done:
        main([*command[1:], "--help"])
    out, err = capfd.readouterr()
    assert done.value.code in (0, None), f"{' '.join(command)} --help failed:\n{out}{err}"
    return out + err


@pytest.mark.parametrize(
    "command",
    [key for key in sorted(NAMED)],
    ids=" ".join,
)
def test_every_command_named_exists_with_its_options(command, capfd):
    text = _help(command, capfd)
    options = set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", text))
    missing = {
        option: sorted(places)
        for option, places in NAMED[command].items()
        if option and option not in options
    }
    assert missing == {}


def test_the_commands_are_found():
    assert ("warehouse", "run") in NAMED
    assert ("lakegen", "generate") in NAMED
    assert "--full-tests" in NAMED["warehouse", "run"]
