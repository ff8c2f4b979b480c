"""Reading a picture file: PNG, JPEG, BMP or GIF, its size checked from its header before
anything is decoded (a decompression bomb is refused), photos turned upright, large
ones shrunk to a working size."""

from __future__ import annotations

import io
import os
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

#: Largest image :func:`load_image` decodes (pixels), checked from the header before
#: anything is decoded. Pillow's own guard warns at about 89 million; a 170 KB PNG
#: declaring 40 million took 2 s and 345 MB to decode. 8 million (32 MB as RGBA) bounds
#: what one upload costs the server; a larger photo can be cropped around the digit.
MAX_IMAGE_PIXELS = 8_000_000


#: Largest file :func:`load_image` reads (bytes).
MAX_FILE_BYTES = 25 * 1024 * 1024


#: The picture formats :func:`load_image` opens (Pillow would try every one it knows).
IMAGE_FORMATS = ("PNG", "JPEG", "BMP", "GIF")


#: Images are shrunk to at most this side before they are processed: a digit needs no
#: more, and a 12 MP photo would make every step slow.
WORKING_SIZE = 1024


class ImageFileError(ValueError):
    """An image file that cannot be read: missing, not an image, truncated, too large."""


def load_image(source: str | os.PathLike[str] | bytes) -> np.ndarray:
    """Read a PNG, JPEG, BMP or GIF file (or its bytes) as an RGBA array.

    The EXIF orientation of photos is applied; an animated GIF gives its first frame;
    images larger than 1024 pixels on a side are shrunk to that.

    Parameters
    ----------
    source : path or bytes

    Returns
    -------
    ndarray of shape (h, w, 4), uint8

    Raises
    ------
    ImageFileError
        A missing file, a file that is not an image, a truncated or corrupt image, a file
        over 25 MB or an image over 8 million pixels (a decompression bomb), refused
        from its header before anything is decoded.
    """
    if isinstance(source, bytes):
        data = source
        name = "the uploaded file"
    else:
        name = os.fspath(source)
        try:
            if os.path.getsize(name) > MAX_FILE_BYTES:
                raise ImageFileError(
                    f"{name} is larger than {MAX_FILE_BYTES // 2**20} MB; "
                    "use a smaller picture of the digit."
                )
            with open(name, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            raise ImageFileError(f"{name}: no such file") from None
        except IsADirectoryError:
            raise ImageFileError(f"{name} is a directory, not an image") from None
        except PermissionError:
            raise ImageFileError(f"{name}: permission denied") from None
    if len(data) > MAX_FILE_BYTES:
        raise ImageFileError(
            f"{name} is larger than {MAX_FILE_BYTES // 2**20} MB; "
            "use a smaller picture of the digit."
        )
    if not data:
        raise ImageFileError(f"{name} is empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=IMAGE_FORMATS) as im:
                width, height = im.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise ImageFileError(
                        f"{name} is {width}x{height} pixels, more than the "
                        f"{MAX_IMAGE_PIXELS // 1_000_000} megapixels allowed: crop "
                        "it around the digit or take a smaller picture."
                    )
                im.draft("RGB", (WORKING_SIZE, WORKING_SIZE))  # JPEG: decode smaller
                im.load()
                frame = ImageOps.exif_transpose(im)
                frame.thumbnail((WORKING_SIZE, WORKING_SIZE))
                rgba = frame.convert("RGBA")
    except ImageFileError:
        raise
    except UnidentifiedImageError:
        raise ImageFileError(
            f"{name} is not an image this app reads (PNG, JPEG, BMP or GIF)"
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageFileError(f"{name} is too large: {exc}") from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageFileError(f"{name} is truncated or corrupt ({exc})") from None
    return np.asarray(rgba, dtype=np.uint8)
