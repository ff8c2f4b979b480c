"""The README's commands and figures stay true (prose and code drift apart otherwise)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from digits_knn.cli import build_parser
from digits_knn.data import load_split
from digits_knn.evaluation import evaluate
from digits_knn.model import fit_model

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def readme_commands(prefix: str) -> list[list[str]]:
    commands = []
    for line in README.splitlines():
        line = line.split("#")[0].strip()
        if line.startswith(prefix):
            commands.append(shlex.split(line)[len(shlex.split(prefix)) :])
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
