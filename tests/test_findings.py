"""The page's sentences that compare models, sources and maps never claim what their
table does not show: checked on random tables, rounded as the page rounds them."""

from __future__ import annotations

import re

import numpy as np
import pytest

from digits_knn.beyond.findings import (
    BEYOND_ACCURACY,
    MAP_ACCURACY,
    SOURCES_ACCURACY,
    ModelFigures,
    accuracy_finding,
    cost_findings,
    metric_finding,
    shown,
    sources_finding,
)

NAMES = ("KNN", "the tutorial's KNN", "KNN on HOG", "SVM (RBF)", "random forest")
TESTS = ("drawn", "uci")
TRIALS = 400


def random_rows(rng: np.random.Generator) -> list[ModelFigures]:
    """A random table; accuracies often tie once rounded, as real ones do."""
    return [
        ModelFigures(
            name,
            int(rng.integers(1000, 90_000)),
            float(rng.choice([rng.uniform(0, 0.05), rng.uniform(0, 20)])),
            float(rng.uniform(0.05, 20)),
            float(rng.uniform(0, 50)),
            {t: float(rng.choice([0.98, 0.9801, rng.uniform(0.9, 1)])) for t in TESTS},
        )
        for name in NAMES
    ]


def test_shown_reads_a_figure_back_as_rounded() -> None:
    assert shown(0.98349, BEYOND_ACCURACY) == pytest.approx(0.9835)
    assert shown(0.98349, SOURCES_ACCURACY) == 0.983
    assert shown(0.986, MAP_ACCURACY) == 0.99


@pytest.mark.parametrize("seed", range(3))
def test_the_most_accurate_is_the_one_the_table_shows(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(TRIALS):
        rows = random_rows(rng)
        for test in TESTS:
            text = accuracy_finding(rows, "KNN", test, "on this set")
            top = max(shown(r.accuracy[test], BEYOND_ACCURACY) for r in rows)
            leaders = {
                r.name for r in rows if shown(r.accuracy[test], BEYOND_ACCURACY) == top
            }
            named = set(re.findall(r"\*\*(.+?)\*\*", text))
            if "KNN" in leaders and len(leaders) == 1:
                assert text.startswith("On this set the KNN is the most accurate"), text
            elif "KNN" in leaders:
                assert "are the most accurate" in text
                assert all(f"the {n}" in text for n in leaders), text
            else:
                assert named == leaders, text
                assert "KNN is the most" not in text
            # every percentage in the sentence is in the table, as the table shows it
            table = {BEYOND_ACCURACY.format(r.accuracy[test]) for r in rows}
            assert set(re.findall(r"\d+\.\d\d%", text)) <= table, text


@pytest.mark.parametrize("seed", range(3))
def test_cost_sentences_follow_the_times(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(TRIALS):
        rows = random_rows(rng)
        knn = rows[0]
        learning, answering = cost_findings(rows, "KNN")
        slowest = max(
            (r for r in rows if "KNN" not in r.name), key=lambda r: r.fit_seconds
        )
        ours, theirs = (round(r.fit_seconds, 2) for r in (knn, slowest))
        word = (
            "quicker than"
            if ours < theirs
            else "as long as"
            if ours == theirs
            else "longer than"
        )
        assert f", {word} the {slowest.name}'s" in learning, learning
        fastest = min(rows[1:], key=lambda r: r.predict_ms)
        if round(knn.predict_ms, 1) > round(fastest.predict_ms, 1):
            assert f"the {fastest.name} {fastest.predict_ms:.1f} ms" in answering
        else:
            assert "no slower than any model here" in answering


def test_sources_sentence_names_each_columns_best() -> None:
    rows = {
        "scans": {"UCI": 0.9694, "pen": 0.90},
        "scans + pen": {"UCI": 0.9721, "pen": 0.9761},
        "all": {"UCI": 0.9722, "pen": 0.9749},
    }
    text = sources_finding(rows, "scans", ["UCI", "pen"])
    # 0.9721 and 0.9722 both show as 0.972: a tie, both named; 0.972 - 0.969
    assert "UCI: scans + pen and all are the best, +0.3 points" in text
    assert "pen: scans + pen is the best, +7.6 points" in text  # 0.976 against 0.975
    rows["scans"]["UCI"] = 0.9724
    assert "UCI: the tutorial's scans alone are the best here" in sources_finding(
        rows, "scans", ["UCI", "pen"]
    )


@pytest.mark.parametrize(
    ("raw", "nca", "pca", "claims", "never"),
    [
        (0.97, 0.71, 0.52, ["NCA keeps more", "2 numbers cannot hold"], ["PCA keeps"]),
        (0.97, 0.514, 0.51, ["NCA and PCA keep as much"], ["NCA keeps more"]),
        (0.70, 0.71, 0.52, ["here 2 numbers do as well"], ["cannot hold"]),
        (0.97, 0.40, 0.52, ["PCA keeps more"], ["NCA keeps more"]),
    ],
)
def test_the_metric_line_follows_its_percentages(
    raw: float, nca: float, pca: float, claims: list[str], never: list[str]
) -> None:
    text = metric_finding({"raw": raw, "nca": nca, "pca": pca}, 5, 3000)
    for claim in claims:
        assert claim in text
    for claim in never:
        assert claim not in text
