"""A crafted model file must never kill the server: every mutation is refused or predicts.

Each test saves a real model, mutates one piece of it at a time (every array: the
training digits, labels, classes, and the search tree's index, node data and bounds;
every scalar of the schema; the archive's structure) and hands every mutated file to a
child process, which loads it as the page does (``model_from_bytes``), then predicts
and explains a digit with it. The child reports each file's outcome; the test fails if
it dies (a segfault is exit -11 / 139), if any file raises anything but a
``ModelFileError``, or if a refusal has no message.

Before the fix, the first mutation of a KDTree's index array (set to 10**12) killed the
child with SIGSEGV: ``persistence`` rebuilt the tree from the file and searched with it.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from digits_knn.datasets.uci import Split
from digits_knn.search.model import fit_model
from digits_knn.search.persistence import model_to_bytes

#: Each mutated file is loaded, then used as the page uses an uploaded model.
CHILD = r"""
import json, sys
from pathlib import Path
import numpy as np
from digits_knn.search.neighbors import explain
from digits_knn.search.persistence import ModelFileError, model_from_bytes

folder = Path(sys.argv[1])
probe = np.load(folder / "probe.npy")
for path in sorted(folder.glob("*.skops")):
    print(json.dumps({"start": path.name}), flush=True)
    try:
        model = model_from_bytes(path.read_bytes(), path.name)
    except ModelFileError as exc:
        outcome = {"file": path.name, "refused": str(exc)}
    except Exception as exc:
        outcome = {"file": path.name, "error": f"loading: {type(exc).__name__}: {exc}"}
    else:
        try:
            labels = model.predict(probe)
            label = explain(model, probe[0]).label
        except Exception as exc:
            outcome = {"file": path.name, "error": f"using: {type(exc).__name__}: {exc}"}
        else:
            predicted = [int(v) for v in labels] + [label]
            outcome = {"file": path.name, "predicted": predicted}
    print(json.dumps(outcome), flush=True)
"""


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


def array_mutations(array: np.ndarray) -> Iterator[tuple[str, bytes]]:
    """One array replaced by a damaged or hostile one, as a ``.npy`` file's bytes."""
    flat = array.reshape(-1).copy()
    if flat.dtype.fields is not None:  # a tree's node data: start, end, leaf, radius
        for field in flat.dtype.fields:
            for name, value in (("huge", 10**12), ("negative", -1), ("nan", np.nan)):
                changed = flat.copy()
                if changed[field].dtype.kind == "f" or not np.isnan(value):
                    changed[field][0] = value
                    changed[field][-1:] = value
                    yield f"{field}-{name}", _npy(changed.reshape(array.shape))
        yield "as-plain", _npy(np.zeros(array.shape, dtype=np.int64))
        return
    big = np.iinfo(flat.dtype).max if flat.dtype.kind in "iu" else 1e300
    for name, value in (("huge", 10**12), ("max", big), ("negative", -1)):
        changed = flat.astype(np.float64 if flat.dtype.kind == "f" else np.int64)
        if changed.size:
            changed[0] = value
        yield f"first-{name}", _npy(changed.reshape(array.shape))
        yield f"all-{name}", _npy(np.full(array.shape, value, dtype=changed.dtype))
    if flat.dtype.kind == "f":
        for name, value in (("nan", np.nan), ("inf", np.inf)):
            changed = flat.copy()
            if changed.size:
                changed[-1] = value
            yield f"one-{name}", _npy(changed.reshape(array.shape))
    raw = _npy(array)
    yield "cut-short", raw[: len(raw) - max(1, array.nbytes // 2)]
    yield "padded", raw + bytes(64)
    yield "header-garbage", b"\x93NUMPY\x01\x00" + bytes(range(256)) * 2
    yield "not-npy", b"hello"
    yield "flattened", _npy(flat)
    yield "transposed", _npy(np.atleast_2d(array).T.copy())
    yield "empty", _npy(np.zeros((0, *array.shape[1:]), dtype=array.dtype))
    yield (
        "extra-row",
        _npy(np.concatenate([np.atleast_1d(array), np.atleast_1d(array)[:1]])),
    )
    for dtype in ("int8", "float32", "bool", "complex128", "U3"):
        yield f"as-{dtype}", _npy(array.astype(dtype))
    yield "as-object", _npy(np.array([{"x": 1}] * max(1, flat.size), dtype=object))
    yield "structured", _npy(np.zeros(3, dtype=[("a", "i4"), ("b", "f8")]))


#: What a scalar of the schema (a JsonNode's content) is replaced with.
SCALARS = {
    "huge": "1000000000000",
    "negative": "-1",
    "zero": "0",
    "float": "2.5",
    "tiny": "1e-300",
    "big-float": "1e308",
    "nan": "NaN",
    "string": '"kd_tree"',
    "other-string": '"chebyshev"',
    "null": "null",
    "list": "[1, 2]",
    "dict": '{"a": 1}',
    "bool": "true",
    "garbage": "{{{",
}


def json_nodes(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every JsonNode (a scalar) in a schema."""
    if isinstance(node, dict):
        if node.get("__loader__") == "JsonNode":
            yield path
        for key, value in node.items():
            yield from json_nodes(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from json_nodes(value, (*path, i))


def _at(schema: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        schema = schema[key]
    return schema


def rewrite(data: bytes, replace: dict[str, bytes | None]) -> bytes:
    """The archive with some members replaced (None: removed)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for name in source.namelist():
            if name not in replace:
                target.writestr(name, source.read(name))
            elif replace[name] is not None:
                target.writestr(name, replace[name])  # type: ignore[arg-type]
    return out.getvalue()


def mutations(data: bytes) -> Iterator[tuple[str, bytes]]:
    """Every mutated copy of a saved model: its arrays, its scalars, its structure."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        schema = json.loads(archive.read("schema.json"))
        arrays = {
            name: np.load(io.BytesIO(archive.read(name)))
            for name in archive.namelist()
            if name.endswith(".npy")
        }
    for i, (member, array) in enumerate(sorted(arrays.items())):
        for how, raw in array_mutations(array):
            yield f"array{i}-{how}", rewrite(data, {member: raw})
        yield f"array{i}-missing", rewrite(data, {member: None})
    for j, path in enumerate(json_nodes(schema)):
        for how, text in SCALARS.items():
            changed = json.loads(json.dumps(schema))
            _at(changed, path)["content"] = text
            yield (
                f"scalar{j}-{how}",
                rewrite(data, {"schema.json": json.dumps(changed).encode()}),
            )
    fields = schema["content"]["content"]
    for field in list(fields):
        changed = json.loads(json.dumps(schema))
        del changed["content"]["content"][field]
        yield (
            f"without-{field}",
            rewrite(data, {"schema.json": json.dumps(changed).encode()}),
        )
    files = [f["file"] for f in fields.values() if isinstance(f, dict) and "file" in f]
    for field in ("_fit_X", "_y", "classes_"):
        for k, other in enumerate(files):
            changed = json.loads(json.dumps(schema))
            changed["content"]["content"][field]["file"] = other
            yield (
                f"{field}-points-to-{k}",
                rewrite(data, {"schema.json": json.dumps(changed).encode()}),
            )
    yield "no-schema", rewrite(data, {"schema.json": None})
    yield "schema-not-json", rewrite(data, {"schema.json": b"\x00\xff{"})
    yield "schema-a-list", rewrite(data, {"schema.json": b"[]"})
    deep = b'{"content": ' * 100_000 + b"{}" + b"}" * 100_000
    yield "schema-deep", rewrite(data, {"schema.json": deep})
    yield "truncated-archive", data[: len(data) // 2]
    yield "unknown-compression", _with_member_flags(data, method=99)
    yield "encrypted-members", _with_member_flags(data, flags=0x1)


def _with_member_flags(
    data: bytes, *, method: int | None = None, flags: int = 0
) -> bytes:
    """The archive with every member's compression method or flag bits changed in its
    headers (an unknown method, an 'encrypted' bit): zipfile refuses to read them."""
    raw = bytearray(data)
    for signature, method_at, flags_at in (
        (b"PK\x03\x04", 8, 6),
        (b"PK\x01\x02", 10, 8),
    ):
        start = raw.find(signature)
        while start != -1:
            if method is not None:
                raw[start + method_at : start + method_at + 2] = method.to_bytes(
                    2, "little"
                )
            old = int.from_bytes(raw[start + flags_at : start + flags_at + 2], "little")
            raw[start + flags_at : start + flags_at + 2] = (old | flags).to_bytes(
                2, "little"
            )
            start = raw.find(signature, start + 4)
    return bytes(raw)


@pytest.mark.parametrize("algorithm", ["kd_tree", "ball_tree", "brute"])
def test_no_mutated_model_file_kills_the_process(
    split: Split, tmp_path: Path, algorithm: str
) -> None:
    model = fit_model(split.X_train[:300], split.y_train[:300], algorithm=algorithm)
    data = model_to_bytes(model)
    names = []
    for name, mutated in mutations(data):
        (tmp_path / f"{name}.skops").write_bytes(mutated)
        names.append(f"{name}.skops")
    (tmp_path / "original.skops").write_bytes(data)
    np.save(tmp_path / "probe.npy", split.X_test[:5])
    assert len(names) > 300

    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    lines = [json.loads(line) for line in child.stdout.splitlines()]
    started = [line["start"] for line in lines if "start" in line]
    outcomes = {line["file"]: line for line in lines if "file" in line}
    assert child.returncode == 0, (
        f"the process died ({child.returncode}) on {started[-1] if started else '?'}:"
        f" {child.stderr[-2000:]}"
    )
    assert sorted(outcomes) == sorted([*names, "original.skops"])
    errors = {name: o["error"] for name, o in outcomes.items() if "error" in o}
    assert errors == {}
    assert all(o["refused"].strip() for o in outcomes.values() if "refused" in o)
    assert outcomes["original.skops"]["predicted"][:5] == list(
        model.predict(split.X_test[:5])
    )
    refused = [name for name, o in outcomes.items() if "refused" in o]
    # Hostile training data is refused, not used.
    assert any(name.startswith("array") for name in refused)
    assert any(name.startswith("scalar") for name in refused)
    # Every prediction that was made is a digit.
    for o in outcomes.values():
        assert all(0 <= v <= 9 for v in o.get("predicted", []))
