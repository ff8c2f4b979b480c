"""Generate ``digits_knn/_data/mnist_drawn.npz``: MNIST through the drawing's path.

Source: the MNIST database (Y. LeCun, C. Cortes, C. J. C. Burges), the four original IDX
files in ``../shared/data/mnist/``: 60,000 training digits and 10,000 test digits by
other writers, licensed Creative Commons Attribution-Share Alike 3.0. The file this
script writes is derived from MNIST and is shared under the same licence (CC BY-SA 3.0).

Each digit (white ink on black, 28x28) is inverted and enlarged to a 280x280 canvas
(:func:`digits_knn.datasets.corpora.mnist_canvas`), then normalised by the path a user's drawing
takes (:func:`digits_knn.features.preprocessing.canvas_to_bitmap`) and counted in 4x4 blocks.
What ships: the 64 counts, the 32x32 bitmaps bit-packed, the labels; training and test
digits apart.

Usage::

    python scripts/make_mnist.py [../shared/data/mnist]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from digits_knn.datasets.corpora import draw_mnist, read_idx, reduce_all
from digits_knn.features.preprocessing import bitmap_to_features

DEFAULT_SOURCE = ROOT.parent / "shared" / "data" / "mnist"
TARGET = ROOT / "digits_knn" / "_data" / "mnist_drawn.npz"
FILES = {
    "": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test_": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else DEFAULT_SOURCE
    arrays = {}
    for prefix, (images_file, labels_file) in FILES.items():
        images = read_idx(folder / images_file)
        bitmaps = reduce_all(list(images), draw_mnist)
        arrays[f"{prefix}features"] = bitmap_to_features(bitmaps).astype(np.uint8)
        arrays[f"{prefix}packed"] = np.packbits(
            bitmaps.reshape(len(bitmaps), -1), axis=1
        )
        arrays[f"{prefix}labels"] = read_idx(folder / labels_file)
    np.savez_compressed(TARGET, **arrays)
    print(f"wrote {TARGET} ({TARGET.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
