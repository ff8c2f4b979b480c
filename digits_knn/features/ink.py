"""Which pixels of a picture are ink: grey levels composited on white, Otsu's
threshold between ink and paper, and the specks dropped."""

from __future__ import annotations

import numpy as np

#: Ink components smaller than this fraction of the largest one are specks (dust, noise in
#: a photo, a stray tap on the canvas) and do not count for the bounding box.
MIN_COMPONENT_FRACTION = 0.05


#: Minimum difference (grey levels, 0..255) between ink and paper in a photo.
MIN_CONTRAST = 48.0


def to_grey(image: np.ndarray) -> np.ndarray:
    """RGBA / RGB / grey uint8 image to grey levels 0..255 (float), composited on white."""
    image = np.asarray(image)
    if image.dtype != np.uint8:
        raise ValueError(f"expected a uint8 image, got dtype {image.dtype}")
    if image.ndim == 2:
        return image.astype(np.float64)
    if image.ndim != 3 or image.shape[2] not in (3, 4):
        raise ValueError(
            f"expected an image of shape (h, w), (h, w, 3) or (h, w, 4), got {image.shape}"
        )
    rgb = image[..., :3].astype(np.float64)
    grey = rgb @ np.array([0.299, 0.587, 0.114])
    if image.shape[2] == 4:
        # A transparent pixel is background: the canvas's default background is
        # transparent black, which must not read as ink.
        alpha = image[..., 3].astype(np.float64) / 255.0
        grey = alpha * grey + (1.0 - alpha) * 255.0
    return grey


def otsu_threshold(grey: np.ndarray) -> tuple[float, float]:
    """Otsu's threshold of a grey image and the gap between the two class means."""
    hist = np.bincount(np.clip(grey, 0, 255).astype(np.int64).ravel(), minlength=256)
    levels = np.arange(256, dtype=np.float64)
    weight_dark = np.cumsum(hist).astype(np.float64)
    weight_light = weight_dark[-1] - weight_dark
    sum_dark = np.cumsum(hist * levels)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_dark = sum_dark / weight_dark
        mean_light = (sum_dark[-1] - sum_dark) / weight_light
        between = weight_dark * weight_light * (mean_dark - mean_light) ** 2
    between = np.nan_to_num(between, nan=-1.0)
    t = int(np.argmax(between))
    if between[t] <= 0:
        return float(levels[-1]), 0.0
    return t + 0.5, float(mean_light[t] - mean_dark[t])


def ink_mask(image: np.ndarray) -> np.ndarray:
    """Which pixels of an image are ink (dark on a light or transparent background).

    Parameters
    ----------
    image : ndarray of shape (h, w, 4), (h, w, 3) or (h, w), uint8

    Returns
    -------
    ndarray of shape (h, w), bool
    """
    grey = to_grey(image)
    lo, hi = float(grey.min()), float(grey.max())
    if hi - lo < MIN_CONTRAST:
        # One colour all over: blank paper, or a canvas painted full.
        return np.full(grey.shape, lo < 128.0)
    threshold, gap = otsu_threshold(grey)
    if gap < MIN_CONTRAST:
        return np.zeros(grey.shape, dtype=bool)
    return grey < threshold


def drop_specks(mask: np.ndarray) -> np.ndarray:
    """The ink without specks: components under 5% of the largest one are dropped."""
    from scipy import ndimage  # slow import: see digits_knn/__init__

    labels, n = ndimage.label(mask, structure=np.ones((3, 3)))
    if n <= 1:
        return mask
    sizes = np.bincount(labels.ravel())[1:]
    keep = np.flatnonzero(sizes >= MIN_COMPONENT_FRACTION * sizes.max()) + 1
    return np.isin(labels, keep)
