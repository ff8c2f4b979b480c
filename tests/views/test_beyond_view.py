"""Beyond KNN: the table of six models, each fitted model's answer for the drawing,
and sentences that say what the table shows."""

from __future__ import annotations

import re

from streamlit.testing.v1 import AppTest

from tests.conftest import STROKE_DIGITS, draw_strokes
from tests.views.apptest import start

MODELS = [
    "KNN",
    "the tutorial's KNN",
    "KNN on HOG",
    "SVM (RBF)",
    "random forest",
    "logistic regression",
]
FITTED = MODELS[2:]
# The comparison's models learn from small samples in these tests (tests/views/conftest).


def table(at: AppTest) -> list[dict[str, object]]:
    (frame,) = at.table
    rows: list[dict[str, object]] = frame.value.to_dict("records")
    return rows


def test_the_table_and_every_models_answer_for_a_drawn_4() -> None:
    at = start(draw_strokes(STROKE_DIGITS[4]), view="beyond")
    rows = table(at)
    assert [r["model"] for r in rows] == MODELS
    samples = ["3,000", "2,000", "1,500", "2,000", "2,000"]
    assert [r["training digits"] for r in rows][1:] == samples
    uci = [str(r["UCI test split"]) for r in rows]
    assert all(u.endswith("%") and 75 < float(u[:-1]) <= 100 for u in uci), uci
    answers = {m.label: m.value for m in at.metric if m.label != "Prediction"}
    assert set(answers) == {"KNN (the sidebar's)", *FITTED}
    assert answers["KNN (the sidebar's)"] == "4"
    assert sum(v == "4" for v in answers.values()) >= 4
    text = " ".join(m.value for m in at.markdown)
    # the sentences name the model the table shows as the most accurate
    for column, where in [
        ("drawn digits, unseen writers", "On drawn digits of writers it never saw"),
        ("UCI test split", "On the tutorial's test scans"),
    ]:
        shown = {str(r["model"]): float(str(r[column])[:-1]) for r in rows}
        top = max(shown.values())
        (sentence,) = re.findall(rf"{where}[^.]*(?:\.\d+[^.]*)*\.", text)
        for model, accuracy in shown.items():
            named = f"**{model}**" in sentence or f"the {model} is" in sentence
            if named:
                assert accuracy == top, (sentence, shown)
    assert "What it costs" in text


def test_the_knn_row_follows_the_sidebar() -> None:
    at = start(None, view="beyond")
    assert str(table(at)[0]["setup"]).startswith("k=7, p=2, distance votes; learns ")
    at.slider(key="n_neighbors").set_value(3).run()
    assert str(table(at)[0]["setup"]).startswith("k=3, p=2, distance votes; learns ")
    assert any("Draw a digit above" in i.value for i in at.info)
