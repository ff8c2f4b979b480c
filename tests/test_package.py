from __future__ import annotations

import subprocess
import sys

import pytest

import digits_knn


def test_every_public_name_resolves() -> None:
    assert sorted(digits_knn.__all__) == sorted(digits_knn._MODULE_OF)
    for name in digits_knn.__all__:
        assert getattr(digits_knn, name) is not None, name
    assert set(digits_knn.__all__) <= set(dir(digits_knn))


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="nope"):
        digits_knn.nope  # noqa: B018


def test_importing_the_package_does_not_import_sklearn() -> None:
    """The app draws its canvas before scikit-learn is loaded (first-canvas time)."""
    code = (
        "import sys, digits_knn, digits_knn.model, digits_knn.preprocessing, "
        "digits_knn.plotting, digits_knn.data, digits_knn.evaluation, digits_knn.novelty, "
        "digits_knn.persistence, digits_knn.store, digits_knn.selection; "
        "print(sorted(m for m in ('sklearn', 'matplotlib', 'skops') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
