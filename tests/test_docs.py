"""The README's commands and figures stay true (prose and code drift apart otherwise)."""

from __future__ import annotations

import re
import shlex
import sys
from pathlib import Path

import pytest

from digits_knn.commands.cli import build_parser
from digits_knn.datasets.uci import load_split
from digits_knn.search.model import fit_model
from digits_knn.tuning.evaluation import evaluate

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def readme_commands(prefix: str) -> list[list[str]]:
    """Every command of README.md and docs/cli.md that starts with ``prefix``: a code
    line, or a command in backticks."""
    commands = []
    text = README + (ROOT / "docs" / "cli.md").read_text().split("## Every command")[0]
    for line in text.splitlines():
        candidates = re.findall(rf"`({re.escape(prefix)}[^`]*)`", line)
        code = line.split("#")[0].strip()
        if code.startswith(prefix):
            candidates.append(code)
        for command in candidates:
            if command.rstrip().endswith(" ARGS"):  # the placeholder, not a command
                continue
            commands.append(shlex.split(command)[len(shlex.split(prefix)) :])
    assert len(commands) >= 10, commands
    return commands


def test_quick_start_has_the_two_commands() -> None:
    quick_start = README.split("## Quick start")[1].split("##")[0]
    runs = re.findall(r"^python3 run\.py (\w+)", quick_start, flags=re.MULTILINE)
    assert runs[-1] == "test"
    assert len(runs) == 2


def test_ci_runs_the_readme_test_command() -> None:
    assert "python3 run.py test" in (ROOT / ".ci" / "run").read_text()


@pytest.mark.parametrize(
    "argv", readme_commands("python3 run.py cli"), ids=lambda a: " ".join(a)
)
def test_readme_cli_commands_parse(argv: list[str]) -> None:
    args = build_parser().parse_args(argv)
    assert callable(args.func)


def test_readme_accuracy_is_the_real_one() -> None:
    split = load_split()
    model = fit_model(split.X_train, split.y_train)
    accuracy = evaluate(model, split.X_test, split.y_test).accuracy
    assert f"test accuracy {accuracy:.4f}" in README


def table_shapes(text: str) -> list[tuple[int, int, list[int]]]:
    """Each Markdown table of ``text``: (line of its header, cells in the header, cells
    in the delimiter row and in each body row)."""

    def cells(line: str) -> int:
        inner = line.strip().removeprefix("|").removesuffix("|")
        return len(re.split(r"(?<!\\)\|", inner))

    lines = text.splitlines()
    delimiter = re.compile(r"\|?( *:?-{3,}:? *\|)+( *:?-{3,}:? *)?")
    tables = []
    for i in range(1, len(lines)):
        if lines[i - 1].lstrip().startswith("|") and delimiter.fullmatch(lines[i]):
            body = [cells(lines[i])]
            for row in lines[i + 1 :]:
                if not row.lstrip().startswith("|"):
                    break
                body.append(cells(row))
            tables.append((i, cells(lines[i - 1]), body))
    return tables


def test_table_shapes_finds_a_delimiter_row_one_cell_too_long() -> None:
    good = "| a | b |\n| --- | --- |\n| 1 | 2 |\n"
    bad = "| a | b |\n| --- | --- | --- |\n| 1 | 2 |\n"
    assert table_shapes(good) == [(1, 2, [2, 2])]
    assert table_shapes(bad) == [(1, 2, [3, 2])]


@pytest.mark.parametrize(
    "path", [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))], ids=str
)
def test_every_markdown_table_has_as_many_cells_as_its_header(path: Path) -> None:
    # GitHub draws a table only when its delimiter row has exactly as many cells as
    # its header, and drops a row's extra cells: one "--- |" too many and the whole
    # table shows as lines of pipes.
    tables = table_shapes(path.read_text())
    wrong = [(i + 1, n, rows) for i, n, rows in tables if set(rows) != {n}]
    assert not wrong, f"{path.name}: (line, header cells, row cells) {wrong}"


PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BEGIN = re.compile(r"<!-- begin ([\w-]+): ((?:benchmarks|scripts)/[\w/]+\.py) -->")


def marked_blocks(path: Path) -> list[tuple[str, str, str]]:
    """(name, script, body) of every marked block of ``path``."""
    text = path.read_text()
    blocks = []
    for name, script in BEGIN.findall(text):
        assert text.count(f"<!-- end {name} -->") == 1, f"{path.name}: {name}"
        body = text.split(f"{script} -->\n", 1)[1].split(f"<!-- end {name} -->")[0]
        blocks.append((name, script, body))
    return blocks


def test_every_marked_block_in_the_docs_is_closed_and_names_its_writer() -> None:
    """Figures in README.md and docs/ are written by the benchmark that measures them,
    between ``<!-- begin NAME: benchmarks/SCRIPT.py -->`` and ``<!-- end NAME -->``,
    under the date and the machine."""
    found = 0
    for path in PAGES:
        for name, script, body in marked_blocks(path):
            found += 1
            assert (ROOT / script).is_file(), f"{path.name}: {script} does not exist"
            if script.startswith("benchmarks/"):
                assert body.startswith("_Measured "), (
                    f"{path.name}: {name} never written"
                )
    assert found >= 7
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert ".streamlit/secrets.toml" in ignored


def test_the_command_lines_help_in_the_docs_is_the_real_one() -> None:
    """docs/cli.md holds every command's --help as the command line prints it."""
    sys.path[:0] = [str(ROOT / "scripts"), str(ROOT / "benchmarks")]
    try:
        from write_cli_docs import cli_docs
    finally:
        del sys.path[:2]
    (block,) = [b for n, _, b in marked_blocks(ROOT / "docs" / "cli.md") if n == "help"]
    assert block.rstrip() == cli_docs().rstrip(), (
        "the command line's --help changed: run scripts/write_cli_docs.py"
    )


def test_the_readme_is_a_front_door() -> None:
    """Short, and every page it points to exists (as does every page docs/ links to)."""
    assert len(README.splitlines()) <= 200
    for path in PAGES:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", path.read_text()):
            assert (path.parent / target).exists(), f"{path.name} links to {target}"
