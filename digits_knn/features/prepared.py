"""A drawing prepared once: the ink, its upright crop, the 32x32 bitmap, the 64 counts
and the shape features, shared by every part of the page that reads the drawing.

Every new stroke makes a new image. The prediction needs its bitmap (ink mask, specks
dropped, slant corrected, cropped, scaled); the digit check needs shape features of the
same upright crop; Finish my digit, the Map and Beyond KNN read the same drawing again.
:func:`prepare_drawing` does each step once per image, and :class:`Drawing` keeps the
results (the shape features computed on first use, then kept).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from digits_knn.features.ink import drop_specks, ink_mask
from digits_knn.features.preprocessing import (
    DrawingError,
    Part,
    bitmap_to_features,
    check_ink,
    crop_to_bitmap,
    deskew,
    ink_crop,
)


def image_digest(image: np.ndarray) -> str:
    """An exact key for an image: its shape, type and every byte (32 hex digits)."""
    digest = hashlib.blake2b(image.tobytes(), digest_size=16)
    digest.update(repr((image.shape, image.dtype.str)).encode())
    return digest.hexdigest()


@dataclass(frozen=True, eq=False)
class Drawing:
    """One drawing (or photo of a digit) prepared once. Read-only; safe to share.

    Attributes
    ----------
    image : ndarray of shape (h, w, 4), (h, w, 3) or (h, w), uint8
        As given (the canvas's RGBA).
    digest : str
        :func:`image_digest` of ``image``: the key of everything cached per drawing.
    ink : ndarray of shape (h, w), bool
        Which pixels are ink (:func:`digits_knn.features.ink.ink_mask`).
    clean : ndarray of shape (h, w), bool
        ``ink`` without specks.
    problem : DrawingError or None
        Why the drawing gives no bitmap (no ink, a dot, a page of ink); then
        ``bitmap`` and ``features`` are None.
    crop : ndarray of shape (rows, cols), bool, or None
        The upright (slant-corrected) ink's bounding box.
    bitmap : ndarray of shape (32, 32), bool, or None
        The UCI-like bitmap (:func:`digits_knn.features.preprocessing.canvas_to_bitmap`).
    features : ndarray of shape (64,), int64 in 0..16, or None
        The block counts of ``bitmap``.
    """

    image: np.ndarray
    digest: str
    ink: np.ndarray
    clean: np.ndarray
    problem: DrawingError | None
    crop: np.ndarray | None
    bitmap: np.ndarray | None
    features: np.ndarray | None
    _halves: dict[str, np.ndarray] = field(default_factory=dict, repr=False)

    @cached_property
    def shape(self) -> np.ndarray:
        """The shape features the digit check measures: ndarray of shape (280,).

        Raises
        ------
        DrawingError
            The drawing has no ink.
        """
        from digits_knn.features.shapes import crop_shape_features, shape_features

        if self.crop is not None:
            return crop_shape_features(self.crop)
        return shape_features(
            self.ink
        )  # no bitmap (a dot, say): the shape all the same

    def part_bitmap(self, part: Part) -> np.ndarray:
        """The bitmap of the drawing as only ``part`` of a digit ("upper", "lower",
        "left", "right"; "whole" is :attr:`bitmap`), from the same clean ink.

        Raises
        ------
        DrawingError
            As :func:`digits_knn.features.preprocessing.canvas_to_bitmap` with ``part``.
        """
        if part == "whole":
            if self.bitmap is None:
                assert self.problem is not None
                raise self.problem
            return self.bitmap
        if part not in self._halves:
            check_ink(self.ink)
            self._halves[part] = crop_to_bitmap(
                ink_crop(self.clean, max(self.ink.shape)), part=part
            )
        return self._halves[part]


def prepare_drawing(image: np.ndarray, digest: str | None = None) -> Drawing:
    """Prepare a drawing once: ink, clean ink, upright crop, bitmap, counts.

    Parameters
    ----------
    image : ndarray of shape (h, w, 4), (h, w, 3) or (h, w), uint8
    digest : str, optional
        :func:`image_digest` of ``image``, if the caller has it.

    Returns
    -------
    Drawing
        Its ``bitmap`` equals ``canvas_to_bitmap(image)`` and its ``shape``
        ``drawing_shape(image)``; a drawing that has none says why in ``problem``.

    Raises
    ------
    ValueError
        ``image`` is not a uint8 image array.
    """
    ink = ink_mask(image)
    clean = drop_specks(ink) if ink.any() else ink
    problem: DrawingError | None = None
    crop = bitmap = features = None
    try:
        check_ink(ink)
        crop = ink_crop(deskew(clean), max(ink.shape))
        bitmap = crop_to_bitmap(crop)
        features = bitmap_to_features(bitmap)
    except DrawingError as exc:
        problem = exc
    for array in (ink, clean, crop, bitmap, features):
        if array is not None:
            array.setflags(write=False)
    return Drawing(
        image=image,
        digest=digest or image_digest(image),
        ink=ink,
        clean=clean,
        problem=problem,
        crop=crop,
        bitmap=bitmap,
        features=features,
    )
