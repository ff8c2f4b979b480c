"""Sentences that compare models, sources or maps, built from the figures they compare.

The page's tables show rounded figures; a sentence beside a table must never claim a
win the table does not show. Every function here compares the figures **as shown**
(rounded as the table rounds them): two models whose accuracies both show as 98.3% are
"as accurate", whatever their fourth decimal says. ``tests/test_findings.py`` checks
each sentence against random tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

#: How the page's tables round: accuracies in percent with 2 decimals (Beyond KNN), 3
#: decimals as fractions (the Model view's sources), whole percents (the Map's line);
#: fit times in hundredths of a second; one prediction in tenths of a millisecond.
BEYOND_ACCURACY = "{:.2%}"
SOURCES_ACCURACY = "{:.3f}"
MAP_ACCURACY = "{:.0%}"
FIT_SECONDS = "{:.2f}"
PREDICT_MS = "{:.1f}"


def shown(value: float, fmt: str) -> float:
    """``value`` as the table shows it, read back: ``shown(0.98349, "{:.2%}")`` is
    0.9835."""
    text = fmt.format(value)
    if text.endswith("%"):
        return float(text[:-1]) / 100
    return float(text)


@dataclass(frozen=True)
class ModelFigures:
    """One model's row of Beyond KNN's table, as the sentences read it.

    Attributes
    ----------
    name : its name in the table
    n_train : training digits it learnt from
    fit_seconds : its fit, seconds
    predict_ms : one drawing's prediction, ms
    size_mb : its size, MB
    accuracy : dict of test set name to accuracy, 0..1
    """

    name: str
    n_train: int
    fit_seconds: float
    predict_ms: float
    size_mb: float
    accuracy: Mapping[str, float]


def _most_accurate(
    rows: Sequence[ModelFigures], test: str
) -> tuple[list[ModelFigures], float]:
    """The rows whose shown accuracy on ``test`` is the highest, and that accuracy."""
    top = max(shown(r.accuracy[test], BEYOND_ACCURACY) for r in rows)
    return [r for r in rows if shown(r.accuracy[test], BEYOND_ACCURACY) == top], top


def accuracy_finding(
    rows: Sequence[ModelFigures], knn: str, test: str, where: str
) -> str:
    """Which model is the most accurate on ``test`` (described as ``where``), and the
    KNN's figure beside it.

    Parameters
    ----------
    rows : the table's rows
    knn : the name of the row that is the KNN the text is about
    test : the accuracy column compared
    where : the test set in words ("on drawn digits of writers it never saw")
    """
    by = {r.name: r for r in rows}
    best, top = _most_accurate(rows, test)
    own = by[knn].accuracy[test]
    names = [r.name for r in best]
    if knn in names and len(names) == 1:
        others = [r for r in rows if r.name != knn]
        runner_up, _ = _most_accurate(others, test)
        return (
            f"{where.capitalize()} the {knn} is the most accurate here "
            f"({BEYOND_ACCURACY.format(own)}; next, the {runner_up[0].name} with "
            f"{BEYOND_ACCURACY.format(runner_up[0].accuracy[test])} on "
            f"{runner_up[0].n_train:,} digits)."
        )
    if knn in names:
        tied = " and the ".join(n for n in names if n != knn)
        return (
            f"{where.capitalize()} the {knn} and the {tied} are the most accurate "
            f"here, at {BEYOND_ACCURACY.format(top)}."
        )
    leaders = " and the ".join(f"**{n}**" for n in names)
    verb = "is" if len(names) == 1 else "are"
    return (
        f"{where.capitalize()} the {leaders} {verb} the most accurate here "
        f"({BEYOND_ACCURACY.format(top)} on {best[0].n_train:,} digits); the {knn} "
        f"scores {BEYOND_ACCURACY.format(own)}."
    )


def cost_findings(rows: Sequence[ModelFigures], knn: str) -> tuple[str, str]:
    """What the KNN's fit and its answers cost beside the others: two sentences.

    The first compares its fit with the slowest fit of a model that learns
    parameters (every row not named "KNN..."); the second its time for one drawing
    with the fastest row's and its memory.
    """
    by = {r.name: r for r in rows}
    own = by[knn]
    fitted = [r for r in rows if "KNN" not in r.name]
    fit = shown(own.fit_seconds, FIT_SECONDS)
    if fitted:
        slowest = max(fitted, key=lambda r: r.fit_seconds)
        theirs = shown(slowest.fit_seconds, FIT_SECONDS)
        than = (
            "quicker than"
            if fit < theirs
            else ("as long as" if fit == theirs else "longer than")
        )
        learning = (
            f"Its fit stores {own.n_train:,} digits and took "
            f"{FIT_SECONDS.format(own.fit_seconds)} s, {than} the {slowest.name}'s "
            f"{FIT_SECONDS.format(slowest.fit_seconds)} s on {slowest.n_train:,}."
        )
    else:
        learning = (
            f"Its fit stores {own.n_train:,} digits and took "
            f"{FIT_SECONDS.format(own.fit_seconds)} s."
        )
    others = [r for r in rows if r.name != knn]
    answer = shown(own.predict_ms, PREDICT_MS)
    fastest = min(others, key=lambda r: r.predict_ms) if others else own
    theirs_ms = shown(fastest.predict_ms, PREDICT_MS)
    if answer > theirs_ms:
        speed = (
            f"Every answer searches all its training digits: one drawing takes it "
            f"{PREDICT_MS.format(own.predict_ms)} ms, the {fastest.name} "
            f"{PREDICT_MS.format(fastest.predict_ms)} ms"
        )
    else:
        speed = (
            f"One drawing takes it {PREDICT_MS.format(own.predict_ms)} ms, no slower "
            f"than any model here"
        )
    return learning, f"{speed}; it keeps {own.size_mb:.1f} MB of digits in memory."


def sources_finding(
    rows: Mapping[str, Mapping[str, float]], baseline: str, collections: Sequence[str]
) -> str:
    """What more training data does to each test collection, from the Model view's
    table (one row per source, accuracies shown with 3 decimals).

    Parameters
    ----------
    rows : source label -> collection -> accuracy 0..1
    baseline : the label of the tutorial's source
    collections : the columns, in order
    """
    base = rows[baseline]
    parts = []
    for column in collections:
        best = max(shown(r[column], SOURCES_ACCURACY) for r in rows.values())
        leaders = [
            label
            for label, r in rows.items()
            if shown(r[column], SOURCES_ACCURACY) == best
        ]
        gain = best - shown(base[column], SOURCES_ACCURACY)
        if baseline in leaders:
            parts.append(f"{column}: the tutorial's scans alone are the best here")
        else:
            verb = "is" if len(leaders) == 1 else "are"
            parts.append(
                f"{column}: {' and '.join(leaders)} {verb} the best, "
                f"{gain * 100:+.1f} points over the tutorial's scans alone"
            )
    return "With the same k, p and votes. " + "; ".join(parts) + "."


def metric_finding(scores: Mapping[str, float], folds: int, sample: int) -> str:
    """KNN accuracy on the 64 raw counts against NCA's and PCA's 2 dimensions, in one
    line (the Map's), its comparisons as the whole percents it shows."""
    raw, nca, pca = (shown(scores[k], MAP_ACCURACY) for k in ("raw", "nca", "pca"))
    if nca > pca:
        maps = "NCA keeps more of what a KNN needs than PCA does"
    elif nca < pca:
        maps = "PCA keeps more of what a KNN needs than NCA does here"
    else:
        maps = "NCA and PCA keep as much of what a KNN needs"
    if raw > max(nca, pca):
        limit = ", yet 2 numbers cannot hold what 64 do"
    else:
        limit = ", and here 2 numbers do as well as 64"
    return (
        f"**The metric matters.** A KNN (k=7, distance votes) cross-validated on the "
        f"same {folds} writer-grouped folds of {sample:,} training digits is right "
        f"**{MAP_ACCURACY.format(scores['raw'])}** of the time on the 64 raw counts, "
        f"**{MAP_ACCURACY.format(scores['nca'])}** on NCA's 2 dimensions and "
        f"**{MAP_ACCURACY.format(scores['pca'])}** on PCA's: {maps}{limit}."
    )
