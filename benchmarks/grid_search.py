"""This project's grid-search engine against GridSearchCV, in one run (not a test).

    .venv/bin/python benchmarks/grid_search.py [--repeats 3] [--skip-large]

On the tutorial's training split, 5-fold stratified cross-validation:
- the tutorial's grid: k in 2..18 step 2, p in 1, 2, 3 (27 candidates);
- a grid 10 times larger: k in 1..45, p in 1, 2, 3, uniform and distance weights
  (270 candidates).
GridSearchCV runs as the tutorial runs it, with ``n_jobs=-1``; the engine with its
defaults (``n_jobs=-1``, threads). Each time is the median of ``--repeats`` runs; the
ratio is GridSearchCV's median over the engine's. Also printed: whether both find the
same best parameters, and the largest difference of a mean CV accuracy.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from digits_knn.datasets.uci import load_split
from digits_knn.tuning.grids import tutorial_param_grid
from digits_knn.tuning.selection import SearchResult, grid_search, grid_search_sklearn

GRIDS: dict[str, dict[str, Any]] = {
    "tutorial grid (27 candidates)": tutorial_param_grid(),
    "10x larger grid (270 candidates)": {
        "n_neighbors": np.arange(1, 46),
        "p": [1, 2, 3],
        "weights": ["uniform", "distance"],
    },
}


def timed(run: Callable[[], SearchResult], repeats: int) -> tuple[float, SearchResult]:
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    assert result is not None
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-large", action="store_true", help="tutorial grid only")
    parser.add_argument(
        "--write-docs", action="store_true", help="write docs/grid-search.md's table"
    )
    args = parser.parse_args()
    rows = [
        "| grid | GridSearchCV(n_jobs=-1) | digits_knn engine | speed-up | same best "
        "parameters | largest mean-score difference |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    split = load_split()
    X, y = split.X_train, split.y_train
    grid_search(X, y, {"n_neighbors": [1], "p": [1]})  # imports, thread pool
    for name, grid in GRIDS.items():
        if args.skip_large and "larger" in name:
            continue
        repeats = args.repeats if "tutorial" in name else 1
        fast_time, fast = timed(lambda g=grid: grid_search(X, y, g), args.repeats)
        ref_time, ref = timed(lambda g=grid: grid_search_sklearn(X, y, g), repeats)
        diff = np.abs(
            fast.cv_results["mean_test_score"] - ref.cv_results["mean_test_score"]
        )
        print(name)
        print(f"  GridSearchCV(n_jobs=-1)  {ref_time:7.2f} s  (median of {repeats})")
        print(
            f"  digits_knn engine        {fast_time:7.2f} s  (median of {args.repeats})"
        )
        print(f"  speed-up                 {ref_time / fast_time:7.1f}x")
        print(
            f"  same best parameters: {fast.best_params == ref.best_params} "
            f"({fast.best_params}); largest mean-score difference {diff.max():.4f} "
            f"({int((diff > 0).sum())} of {len(diff)} candidates differ, through "
            "neighbours at equal distance)"
        )
        rows.append(
            f"| {name} | {ref_time:.2f} s | {fast_time:.2f} s | "
            f"**{ref_time / fast_time:.1f}x** | {fast.best_params == ref.best_params} "
            f"({fast.best_params}) | {diff.max():.4f} ({int((diff > 0).sum())} of "
            f"{len(diff)} differ) |"
        )
    if args.write_docs:
        from docblocks import write_block

        command = "benchmarks/grid_search.py" + (
            f" --repeats {args.repeats}" if args.repeats != 3 else ""
        )
        write_block(
            ROOT / "docs" / "grid-search.md",
            "grid-search",
            f"`{command}` (5 folds, medians):\n\n" + "\n".join(rows),
        )


if __name__ == "__main__":
    main()
