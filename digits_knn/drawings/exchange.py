"""The drawings' exchange formats: UCI optdigits CSV lines, PNG pictures, a ZIP of them.

No database here (that is :mod:`digits_knn.drawings.store`): these functions turn arrays into
files and files into checked arrays, and refuse anything else with a message that names
the line.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable

import numpy as np
from PIL import Image

from digits_knn.features.preprocessing import MAX_COUNT, N_FEATURES

#: Largest CSV :func:`parse_optdigits_csv` reads (bytes): about 60,000 digits.
MAX_IMPORT_BYTES = 10 * 1024 * 1024
#: A cell is a whole number written with the ASCII digits 0-9 (at most three of them),
#: with spaces or tabs around it at most: no sign, no ``1_0``, ``1e1``, ``0x1``, no
#: Unicode digits or superscripts (``²`` passes :meth:`str.isdigit` but not ``int``).
_WHOLE_NUMBER = re.compile(r"[ \t]*([0-9]{1,3})[ \t]*")
_NEGATIVE = re.compile(r"[ \t]*-0*[1-9][0-9]{0,2}[ \t]*")


class CsvImportError(ValueError):
    """A CSV that cannot be imported, with a message naming the first bad line."""


def _whole_number(cell: str) -> int | None:
    """The cell's value if it is a plain whole number (see ``_WHOLE_NUMBER``), else None."""
    match = _WHOLE_NUMBER.fullmatch(cell)
    return int(match.group(1)) if match else None


def _decode(data: bytes | str) -> str:
    size = len(data)
    if size > MAX_IMPORT_BYTES:
        raise CsvImportError(
            f"the file is {size / 2**20:.1f} MB; at most "
            f"{MAX_IMPORT_BYTES // 2**20} MB can be imported at once"
        )
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvImportError(
            "the file is not a text CSV (it is not UTF-8 text)"
        ) from None


def _check_line(line: int, cells: list[str], *, labelled: bool = True) -> list[int]:
    """One line's values (64 counts, then the label if ``labelled``), or CsvImportError
    naming the line and the first bad cell."""
    n_columns = N_FEATURES + 1 if labelled else N_FEATURES
    if len(cells) == 1 and cells[0].count(";") == n_columns - 1:
        raise CsvImportError(
            f"line {line} is separated by semicolons; the optdigits format separates "
            f"the {n_columns} values by commas"
        )
    if len(cells) != n_columns:
        needed = (
            "64 block counts, then the label" if labelled else "the 64 block counts"
        )
        raise CsvImportError(
            f"line {line} has {len(cells)} columns; each line needs {n_columns}: "
            f"{needed}"
        )
    values: list[int] = []
    for column, cell in enumerate(cells, start=1):
        value = _whole_number(cell)
        if value is None and _NEGATIVE.fullmatch(cell):
            what = "block count" if column <= N_FEATURES else "label"
            raise CsvImportError(
                f"line {line}, column {column}: {what} {cell.strip()} is below 0"
            )
        if value is None:
            shown = cell if len(cell) <= 20 else cell[:20] + "…"
            raise CsvImportError(
                f"line {line}, column {column}: {shown!r} is not a whole number "
                "written with the digits 0-9"
            )
        if column <= N_FEATURES and value > MAX_COUNT:
            raise CsvImportError(
                f"line {line}, column {column}: block count {value} is outside "
                f"0..{MAX_COUNT}"
            )
        if column > N_FEATURES and value > 9:
            raise CsvImportError(f"line {line}: label {value} is not a digit 0..9")
        values.append(value)
    return values


def _read_rows(
    data: bytes | str, *, labelled: bool
) -> tuple[list[list[int]], list[str] | None]:
    """The checked rows of a CSV, and its header line's cells (None if it has none).

    A first non-blank line of the right width without any number is the header.
    """
    reader = csv.reader(io.StringIO(_decode(data), newline=""), strict=True)
    width = N_FEATURES + 1 if labelled else N_FEATURES
    rows: list[list[int]] = []
    header: list[str] | None = None
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            looks_like_header = len(cells) == width and all(
                _whole_number(c) is None and not _NEGATIVE.fullmatch(c) for c in cells
            )
            if not rows and header is None and looks_like_header:
                header = cells
                continue
            rows.append(_check_line(reader.line_num, cells, labelled=labelled))
    except csv.Error as exc:
        raise CsvImportError(
            f"line {reader.line_num} is not a CSV line ({exc})"
        ) from None
    if not rows:
        raise CsvImportError("the file holds no digits")
    return rows, header


def parse_counts_csv(data: bytes | str) -> tuple[np.ndarray, list[str] | None]:
    """Read and check a CSV of digits as 64 block counts per line (no label).

    The same rules as :func:`parse_optdigits_csv`, with 64 columns instead of 65.

    Returns
    -------
    features : ndarray of shape (n, 64), int64 in 0..16
    header : list of 64 str, or None
        The header line's cells, if the file had one.

    Raises
    ------
    CsvImportError
        As :func:`parse_optdigits_csv`, naming the first bad line.

    Examples
    --------
    >>> X, header = parse_counts_csv(",".join(["3"] * 64) + "\\n")
    >>> X.shape, header
    ((1, 64), None)
    """
    rows, header = _read_rows(data, labelled=False)
    return np.array(rows, dtype=np.int64), header


def parse_optdigits_csv(data: bytes | str) -> tuple[np.ndarray, np.ndarray]:
    """Read and check a CSV of UCI optdigits lines (64 counts 0..16, then a label 0..9).

    Parameters
    ----------
    data : bytes or str
        UTF-8 text (a byte-order mark is allowed), comma-separated, at most
        :data:`MAX_IMPORT_BYTES`. Blank lines are ignored; a first line of 65 cells
        without any number is taken as a header and skipped. Line ends may be LF or CRLF.

    Returns
    -------
    features : ndarray of shape (n, 64), int64 in 0..16
    labels : ndarray of shape (n,), int64 in 0..9

    Raises
    ------
    CsvImportError
        An empty or oversized file, text that is not UTF-8 or not CSV, a line with the
        wrong number of columns, a cell that is not a plain whole number, a count
        outside 0..16 or a label outside 0..9: the message names the first bad line.

    Examples
    --------
    >>> X, y = parse_optdigits_csv(",".join(["0"] * 64) + ",7\\n")
    >>> X.shape, y.tolist()
    ((1, 64), [7])
    """
    rows, _ = _read_rows(data, labelled=True)
    array = np.array(rows, dtype=np.int64)
    return array[:, :N_FEATURES], array[:, N_FEATURES]


def optdigits_csv(features: np.ndarray, labels: Iterable[int]) -> str:
    """Digits as UCI optdigits lines: 64 counts and the label, no header.

    Parameters
    ----------
    features : ndarray of shape (n, 64), integers 0..16
    labels : iterable of n ints 0..9

    Examples
    --------
    >>> optdigits_csv(np.zeros((1, 64), dtype=int), [7]).count(",")
    64
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row, label in zip(np.asarray(features).tolist(), labels, strict=True):
        writer.writerow([*row, int(label)])
    return out.getvalue()


def encode_png(image: np.ndarray) -> bytes:
    """An RGBA/RGB/grey uint8 image (a canvas) as PNG bytes."""
    out = io.BytesIO()
    Image.fromarray(np.asarray(image, dtype=np.uint8)).save(out, format="PNG")
    return out.getvalue()


def png_zip(pictures: Iterable[tuple[str, bytes]]) -> bytes:
    """PNG files, given as (name, bytes), in one deflated ZIP archive."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, png in pictures:
            archive.writestr(name, png)
    return out.getvalue()
