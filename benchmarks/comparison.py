"""Beyond KNN on the tutorial's data and on the page's: both tables, and how far apart.

    .venv/bin/python benchmarks/comparison.py                # print
    .venv/bin/python benchmarks/comparison.py --write-docs   # and write docs/comparing.md

Runs what ``python -m digits_knn compare --source uci`` and ``compare`` (the page's
data, ``uci+drawn+mnist``) run, in one process, and prints the two tables and, per
model, its accuracy on the tutorial's UCI test split with each source: a model that
learns from the page's 85,000 digits (its sample holding all 1,437 of the tutorial's
training scans) should read the scans within 0.02 of one that learns from the scans
alone (issue 36's target).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from docblocks import write_block

from digits_knn.beyond.compare import comparison_tests, fit_contenders
from digits_knn.beyond.scores import score_contenders
from digits_knn.commands.compare import table
from digits_knn.datasets.training import DEFAULT_SOURCE, UCI_TEST, load_training_set
from digits_knn.search.model import DRAWING_N_NEIGHBORS, DRAWING_WEIGHTS

DOC = ROOT / "docs" / "comparing.md"
#: Issue 36: a model on the page's data reads the tutorial's scans within this of the
#: same model on the scans alone.
WITHIN = 0.02


def scores_of(source: str) -> list[dict[str, Any]]:
    """``compare --source source --json``'s rows."""
    training = load_training_set(source)
    contenders = fit_contenders(
        training, n_neighbors=DRAWING_N_NEIGHBORS, weights=DRAWING_WEIGHTS
    )
    return [
        s.as_dict() for s in score_contenders(contenders, comparison_tests(training))
    ]


def gaps(tutorial: list[dict[str, Any]], page: list[dict[str, Any]]) -> str:
    """Each model's UCI-split accuracy with both sources, as a Markdown table."""
    lines = [
        "| model | tutorial's data (`--source uci`) | page's data | difference "
        f"| within {WITHIN} |",
        "| --- | ---: | ---: | ---: | --- |",
    ]
    page_by = {r["model"]: r for r in page}
    for row in tutorial:
        a = row["accuracy"][UCI_TEST]
        b = page_by[row["model"]]["accuracy"][UCI_TEST]
        ok = "yes" if abs(b - a) <= WITHIN + 1e-9 else "**no**"
        lines.append(
            f"| {row['model']} | {a:.1%} | {b:.1%} | {(b - a) * 100:+.1f} points | {ok} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-docs", action="store_true", help=f"write {DOC.name}")
    args = parser.parse_args()
    started = time.perf_counter()
    tutorial = scores_of("uci")
    page = scores_of(DEFAULT_SOURCE)
    text = (
        "**The tutorial's data** (`python -m digits_knn compare --source uci`): every "
        "model learns from the tutorial's 1,437 training scans.\n\n"
        + table(tutorial)
        + "\n\n**The page's data** (`python -m digits_knn compare`): "
        f"{DEFAULT_SOURCE}, the costly models on a sample holding all the "
        "tutorial's scans.\n\n"
        + table(page)
        + "\n\n**The tutorial's test scans, by training data:**\n\n"
        + gaps(tutorial, page)
    )
    print(text)
    print(f"\n({time.perf_counter() - started:.0f} s)")
    if args.write_docs:
        write_block(DOC, "comparison", text)


if __name__ == "__main__":
    main()
