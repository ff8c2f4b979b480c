"""Every bad input the security tests try, by kind, with what became of it.

    .venv/bin/python benchmarks/bad_inputs.py               # print the table
    .venv/bin/python benchmarks/bad_inputs.py --write-docs  # and write docs/security.md

Model files: three saved models (kd_tree, ball_tree, brute) with every array, scalar and
structural piece mutated (``tests/test_model_file_fuzz.py``), loaded and used in a child
process as the page does. Pictures: bombs, fakes and damaged files through
``load_image``. Database locations and secrets files: through ``DrawingStore`` and
``config``. An outcome is "refused" (a message, nothing used), "used" (the input was
safe: a model that predicts, a picture that is read) or "died" (the process crashed:
never acceptable).
"""

from __future__ import annotations

import argparse
import io
import json
import struct
import subprocess
import sys
import tempfile
import zlib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from docblocks import write_block
from PIL import Image

from digits_knn.datasets.uci import load_split
from digits_knn.search.model import fit_model
from digits_knn.search.persistence import model_to_bytes
from tests.test_model_file_fuzz import CHILD, mutations

DOC = ROOT / "docs" / "security.md"


def model_kind(name: str) -> str:
    """The kind of a mutation, from its file name (see ``mutations``)."""
    name = name.removesuffix(".skops")
    if name.startswith("array"):
        how = name.split("-", 1)[1]
        if how in (
            "cut-short",
            "padded",
            "flattened",
            "transposed",
            "empty",
            "extra-row",
        ):
            return "model file: an array's shape or length"
        if how.startswith("as-") or how in ("structured", "header-garbage", "not-npy"):
            return "model file: an array's type or header (objects, pickles, garbage)"
        if how == "missing":
            return "model file: an array's file missing"
        if how.startswith(("idx_", "is_leaf", "radius")):
            return "model file: a search tree's node data (indices, bounds, radii)"
        return "model file: an array's values (10^12, max, -1, NaN, inf)"
    if name.startswith("scalar"):
        return "model file: a scalar (huge, negative, NaN, 1e308, text, list, garbage)"
    return "model file: the archive's structure (fields removed or swapped, schema)"


def model_files() -> Counter[tuple[str, str]]:
    split = load_split()
    tally: Counter[tuple[str, str]] = Counter()
    for algorithm in ("kd_tree", "ball_tree", "brute"):
        model = fit_model(split.X_train[:300], split.y_train[:300], algorithm=algorithm)
        with tempfile.TemporaryDirectory() as folder:
            names = []
            for name, data in mutations(model_to_bytes(model)):
                (Path(folder) / f"{name}.skops").write_bytes(data)
                names.append(f"{name}.skops")
            import numpy as np

            np.save(Path(folder) / "probe.npy", split.X_test[:5])
            child = subprocess.run(
                [sys.executable, "-c", CHILD, folder],
                capture_output=True,
                text=True,
                check=False,
            )
        outcomes = {}
        for line in child.stdout.splitlines():
            record = json.loads(line)
            if "file" in record:
                outcomes[record["file"]] = record
        for name in names:
            record = outcomes.get(name)
            outcome = (
                "died"
                if record is None
                else "refused"
                if "refused" in record
                else "used"
                if "predicted" in record
                else "error"
            )
            tally[(model_kind(name), outcome)] += 1
    return tally


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _declaring(width: int, height: int) -> bytes:
    small = _png(Image.new("L", (8, 8), 255))
    chunk = b"IHDR" + struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        small[:8]
        + struct.pack(">I", 13)
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
        + small[33:]
    )


def pictures() -> Counter[tuple[str, str]]:
    from digits_knn.features.images import ImageFileError, load_image

    cases = {
        "picture: a header declaring 9-400 megapixels (a bomb)": [
            _declaring(w, h) for w, h in ((3000, 3000), (8000, 5000), (20000, 20000))
        ],
        "picture: not a picture, empty, truncated": [
            b"not a picture",
            b"",
            _png(Image.new("RGB", (50, 50)))[:60],
            b"\x89PNG\r\n\x1a\n" + bytes(100),
        ],
        "picture: over 25 MB": [bytes(26 * 2**20)],
    }
    tally: Counter[tuple[str, str]] = Counter()
    for kind, inputs in cases.items():
        for data in inputs:
            try:
                load_image(data)
            except ImageFileError:
                tally[(kind, "refused")] += 1
            else:
                tally[(kind, "used")] += 1
    return tally


def settings() -> Counter[tuple[str, str]]:
    from digits_knn.drawings import config
    from digits_knn.drawings.config import ConfigError
    from digits_knn.drawings.database import StoreUnavailableError
    from digits_knn.drawings.store import DrawingStore
    from tests.test_security import BAD_URLS

    tally: Counter[tuple[str, str]] = Counter()
    kind = "database URL: malformed or unreachable (password never shown)"
    for url in BAD_URLS:
        try:
            DrawingStore(url, timeout=1)
        except StoreUnavailableError as exc:
            leaked = any(s in exc.detail for s in ("hunter2secret", "s3cr%zzet"))
            tally[(kind, "leaked" if leaked else "refused")] += 1
        else:
            tally[(kind, "used")] += 1
    kind = "secrets.toml: broken TOML, wrong types, unreadable"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "secrets.toml"
        for text in ('drawings_db = "unclosed\n', "drawings_db = 5\n", "= x\n", "\xff"):
            path.write_bytes(text.encode("latin-1"))
            try:
                config.drawings_location([Path(folder)])
            except ConfigError:
                tally[(kind, "refused")] += 1
            else:
                tally[(kind, "used")] += 1
    return tally


def table(tally: Counter[tuple[str, str]]) -> str:
    kinds = sorted({kind for kind, _ in tally}, key=lambda k: (k.split(":")[0], k))
    outcomes = ["refused", "used", "died", "error", "leaked"]
    shown = [o for o in outcomes if any(tally[(k, o)] for k in kinds)]
    lines = [
        "| input | tried | " + " | ".join(shown) + " |",
        "| --- | --- | " + " | ".join("---" for _ in shown) + " |",
    ]
    for kind in kinds:
        total = sum(tally[(kind, o)] for o in outcomes)
        cells = " | ".join(f"{tally[(kind, o)]:,}" for o in shown)
        lines.append(f"| {kind} | {total:,} | {cells} |")
    total = sum(tally.values())
    lines.append(
        f"| **all** | **{total:,}** | "
        + " | ".join(f"**{sum(tally[(k, o)] for k in kinds):,}**" for o in shown)
        + " |"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-docs", action="store_true", help=f"write {DOC.name}")
    args = parser.parse_args()
    tally = model_files() + pictures() + settings()
    text = table(tally)
    print(text)
    bad = sum(
        n for (_, outcome), n in tally.items() if outcome in ("died", "error", "leaked")
    )
    print(f"\n{sum(tally.values()):,} bad inputs, {bad} died, failed or leaked")
    if args.write_docs:
        write_block(DOC, "bad-inputs", text)


if __name__ == "__main__":
    main()
