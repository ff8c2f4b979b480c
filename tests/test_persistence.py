from __future__ import annotations

import io
import json
import os
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from numpy.testing import assert_array_equal
from sklearn.neighbors import KNeighborsClassifier

from digits_knn.datasets.uci import Split
from digits_knn.search import persistence, skops_archive
from digits_knn.search.model import fit_model
from digits_knn.search.persistence import (
    ModelFileError,
    UntrustedModelError,
    load_model,
    model_from_bytes,
    model_to_bytes,
    save_model,
)


@pytest.mark.parametrize("algorithm", ["auto", "ball_tree", "kd_tree", "brute"])
@pytest.mark.parametrize("p", [1, 2, 3])
def test_skops_round_trip(split: Split, tmp_path: Path, algorithm: str, p: int) -> None:
    model = fit_model(split.X_train, split.y_train, p=p, algorithm=algorithm)
    path = save_model(model, tmp_path / "model.skops")
    loaded = load_model(path)
    assert loaded.get_params() == model.get_params()
    assert_array_equal(loaded.predict(split.X_test), model.predict(split.X_test))


def test_pickle_round_trip_for_tutorial_parity(
    split: Split, tmp_path: Path, tutorial_model: KNeighborsClassifier
) -> None:
    path = save_model(tutorial_model, tmp_path / "model.pkl", format="pickle")
    with path.open("rb") as f:
        plain = pickle.load(f)  # the tutorial's own way of loading
    loaded = load_model(path, format="pickle")
    assert loaded.score(split.X_test, split.y_test) == plain.score(
        split.X_test, split.y_test
    )


def test_malicious_skops_file_is_refused(tmp_path: Path) -> None:
    """A file that smuggles in a callable (here os.system) is not loaded at all."""
    evil = KNeighborsClassifier(metric=os.system)
    evil.fit(np.zeros((2, 64)), [0, 1])
    path = tmp_path / "evil.skops"
    sio.dump(evil, path)
    with pytest.raises(UntrustedModelError, match="system") as info:
        load_model(path)
    assert any("system" in name for name in info.value.untrusted)


def test_pickle_is_not_the_default(split: Split, tmp_path: Path) -> None:
    """A pickle handed to the default loader is not unpickled, just refused."""
    path = tmp_path / "model.pkl"
    with path.open("wb") as f:
        pickle.dump(fit_model(split.X_train, split.y_train), f)
    with pytest.raises(ModelFileError, match="not a skops model file"):
        load_model(path)


def test_load_model_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="no such file"):
        load_model(tmp_path / "nothing.skops")


def test_load_model_corrupt_file(tmp_path: Path) -> None:
    path = tmp_path / "garbage.skops"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ModelFileError, match="not a skops model file"):
        load_model(path)


def test_load_model_wrong_number_of_features(tmp_path: Path) -> None:
    model = KNeighborsClassifier(n_neighbors=1).fit(np.eye(10), np.arange(10))
    path = save_model(model, tmp_path / "small.skops")
    with pytest.raises(ModelFileError, match="10 features"):
        load_model(path)


def test_load_model_unfitted(tmp_path: Path) -> None:
    path = save_model(KNeighborsClassifier(), tmp_path / "unfitted.skops")
    with pytest.raises(ModelFileError, match="never fitted"):
        load_model(path)


def test_save_model_missing_folder(tutorial_model: KNeighborsClassifier) -> None:
    with pytest.raises(ModelFileError, match="does not exist"):
        save_model(tutorial_model, "/nonexistent-folder/model.skops")


def test_unknown_format(tutorial_model: KNeighborsClassifier, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown model format"):
        save_model(tutorial_model, tmp_path / "m.joblib", format="joblib")


def test_an_upload_that_unpacks_too_big_is_not_opened(
    split: Split, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A skops file is a ZIP: a small upload may unpack to gigabytes. The page's own
    model passes; one padded past the limit is refused before any member is read."""
    model = fit_model(split.X_train, split.y_train)
    data = model_to_bytes(model)
    assert model_from_bytes(data, "model.skops").n_neighbors == model.n_neighbors
    monkeypatch.setattr(persistence, "MAX_MODEL_UNPACKED_BYTES", 2 * 2**20)
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("padding.bin", bytes(3 * 2**20))  # compresses to a few KB
    padded = buffer.getvalue()
    assert len(padded) < len(data) + 2**16
    opened: list[object] = []
    monkeypatch.setattr(skops_archive, "_read_fields", lambda *a: opened.append(a))
    with pytest.raises(ModelFileError, match="unpacks to 4 MB"):
        model_from_bytes(padded, "bomb.skops")
    assert opened == []


def test_a_tampered_tree_is_never_searched(split: Split) -> None:
    """The security review's file: a KD-tree model whose tree index array was set to
    10**12. Its tree used to be rebuilt from the file and searched (a segfault); now
    the file gives only its digits, labels and hyperparameters, and the tree is fitted
    anew, so the model predicts as the original did."""
    model = fit_model(split.X_train, split.y_train, algorithm="kd_tree")
    data = model_to_bytes(model)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        schema = json.loads(archive.read("schema.json"))
        members = {name: archive.read(name) for name in archive.namelist()}
    index_file = schema["content"]["content"]["_tree"]["content"]["content"][1]["file"]
    index = np.load(io.BytesIO(members[index_file]))
    assert index.dtype.kind == "i"
    assert len(index) == len(split.y_train)
    index[0] = 10**12
    buffer = io.BytesIO()
    np.save(buffer, index)
    members[index_file] = buffer.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    loaded = model_from_bytes(out.getvalue(), "tampered.skops")
    assert_array_equal(loaded.predict(split.X_test), model.predict(split.X_test))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("p", "1e308", "at most 100"),
        ("n_neighbors", "1000000000000", "larger than the training set"),
        ("algorithm", '"warp"', "unknown search algorithm"),
        ("metric", '"chebyshev"', "not a Minkowski distance"),
        ("p", "NaN", "its p is NaN"),
    ],
)
def test_a_tampered_hyperparameter_is_refused_with_its_reason(
    split: Split, field: str, value: str, message: str
) -> None:
    model = fit_model(split.X_train[:100], split.y_train[:100])
    data = model_to_bytes(model)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    schema = json.loads(members["schema.json"])
    schema["content"]["content"][field]["content"] = value
    members["schema.json"] = json.dumps(schema).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    with pytest.raises(ModelFileError, match=message):
        model_from_bytes(out.getvalue(), "tampered.skops")
