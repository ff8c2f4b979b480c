"""The README's "how well and how fast": figures measured here, and read from the
blocks the other benchmarks wrote into docs/.

    .venv/bin/python benchmarks/summary.py [--write-docs]

Measured in this run (about a minute): the tutorial's KNN on its test split, and the
drawing view's model (the page's training data, k=7, distance votes) on each
collection of writers it never saw, as the Model view scores them. Read from docs/:
the stroke's latency and the cold start (``benchmarks/latency.py``'s block), the
people one server holds (``benchmarks/capacity.py``'s), the best other model
(``benchmarks/comparison.py``'s) and the completion (``benchmarks/completion.py``'s).
Each row links to its page. ``--write-docs`` writes the table into README.md.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from docblocks import write_block

from digits_knn.datasets.training import (
    DEFAULT_SOURCE,
    DRAWN_TEST,
    MNIST_TEST,
    UCI_TEST,
    UJI_TEST,
    load_training_set,
)
from digits_knn.datasets.uci import load_split
from digits_knn.search.model import DRAWING_N_NEIGHBORS, DRAWING_WEIGHTS, fit_model
from digits_knn.search.neighbors import fit_index
from digits_knn.tuning.evaluation import (
    evaluate,
    held_out_neighbors,
    held_out_scores,
)

README = ROOT / "README.md"
DOCS = ROOT / "docs"


def block(page: str, name: str) -> str:
    """The text of a marked block of ``docs/page``."""
    text = (DOCS / page).read_text()
    return text.split(f"<!-- begin {name}: ", 1)[1].split(f"<!-- end {name} -->")[0]


def row(text: str, start: str) -> list[str]:
    """The cells of the Markdown table row of ``text`` that starts with ``| start``."""
    for line in text.splitlines():
        if line.strip().startswith(f"| {start}"):
            return [c.strip() for c in line.strip().strip("|").split("|")]
    raise KeyError(f"no row {start!r}")


def accuracies() -> tuple[float, dict[str, float]]:
    """The tutorial's KNN on its split; the drawing model on each collection."""
    split = load_split()
    tutorial = evaluate(
        fit_model(split.X_train, split.y_train), split.X_test, split.y_test
    )
    training = load_training_set(DEFAULT_SOURCE)
    index = fit_index(training.X_train, training.y_train, p=2, folds=training.folds)
    tests = training.tests
    neighbors = held_out_neighbors(index, tests, DRAWING_N_NEIGHBORS)
    scores = held_out_scores(
        index,
        tests,
        neighbors,
        n_neighbors=DRAWING_N_NEIGHBORS,
        weights=DRAWING_WEIGHTS,
    )
    return tutorial.accuracy, {name: s.accuracy for name, s in scores.items()}


def summary() -> str:
    tutorial, drawing = accuracies()
    latency = block("speed.md", "latency")
    capacity = block("speed.md", "capacity")
    comparison = block("comparing.md", "comparison")
    completion = block("finishing.md", "completion")
    ratio = row(latency, "stroke -> Prediction, ratio")[1].split(";")[0]
    medians = row(latency, "stroke -> Prediction, mouse-up")[1]
    cold = row(latency, "cold start")[1].split(" (")[0]
    people = [
        line for line in capacity.splitlines() if re.match(r"\| \d+ \|", line.strip())
    ]
    largest = [c.strip() for c in people[-1].strip().strip("|").split("|")]
    page_table = comparison.split("**The page's data**", 1)[1]
    best = max(
        (
            row(page_table, name)
            for name in ("SVM (RBF)", "KNN on HOG", "random forest")
        ),
        key=lambda cells: float(cells[3].rstrip("%")),
    )
    knn = row(page_table, "KNN |")
    finish = row(completion, "lower | UCI test scans")
    finished = re.sub(r"\*|\s*\(.*\)", "", finish[2])
    lines = [
        "| question | answer (measured) | more |",
        "| --- | --- | --- |",
        f"| the tutorial's KNN (k=20) on its test split | {tutorial:.1%} | [CLI](docs/cli.md) |",
        "| the app's model on writers it never saw: UCI scans / pen digits / MNIST / "
        "UJI's tablet | "
        + " / ".join(
            f"{drawing[t]:.1%}" for t in (UCI_TEST, DRAWN_TEST, MNIST_TEST, UJI_TEST)
        )
        + " | [training data](docs/training-data.md) |",
        f"| the KNN against the best other model, pen digits of unseen writers | KNN "
        f"{knn[3]}, {best[0]} {best[3]} | [comparing](docs/comparing.md) |",
        f"| finishing the lower half of a scan, RMSE per block count | {finished} "
        f"(ridge {finish[6]}) | [finishing](docs/finishing.md) |",
        f"| a stroke to its prediction, bare canvas / app (ratio) | {medians} ({ratio}) "
        "| [speed](docs/speed.md) |",
        f"| `streamlit run` to the first prediction | {cold} | [speed](docs/speed.md) |",
        f"| people drawing at once on one server process, p95 in the browser | "
        f"{largest[0]}: {largest[2].split(' / ')[1]} | [deployment](docs/deployment.md) |",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-docs", action="store_true", help="write README.md")
    args = parser.parse_args()
    text = summary()
    print(text)
    if args.write_docs:
        write_block(README, "summary", text)


if __name__ == "__main__":
    main()
