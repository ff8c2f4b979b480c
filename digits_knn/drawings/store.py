"""The users' own drawings, kept in an SQLite file or a PostgreSQL database.

KNN "learns" by storing examples, so teaching the model a new way of writing a 7 is one
row here. Everyone on the same server shares one collection (a classroom teaching one
model, possibly through several app servers sharing one PostgreSQL database); each row
remembers the anonymous id of the browser session that added it, so a user can delete
their own rows (an admin any). The SQL is written once; :mod:`digits_knn.drawings.backends`
connects it to either database.

Durability: every change (one drawing, one delete, one whole import) is one transaction,
committed with the disk's acknowledgement (SQLite: WAL with ``synchronous=FULL``;
PostgreSQL: ``synchronous_commit``): when :meth:`add` returns, the row survives a killed
process. Writers from many threads and processes wait for each other's locks instead of
failing. Each change also bumps a version number in the database, which every app
server uses as the key of its model cache, so a change retrains each model once, not
once per user, and reaches every server at its next read.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from digits_knn.drawings.database import (
    Database,
    StoreError,
    StoreLimitError,
)
from digits_knn.drawings.exchange import (
    optdigits_csv,
    parse_optdigits_csv,
    png_zip,
)
from digits_knn.features.preprocessing import (
    BITMAP_SIZE,
    N_FEATURES,
    bitmap_to_features,
    counts_to_bitmap,
    unpack_bitmaps,
)
from digits_knn.plotting import bitmap_png

#: Most drawings a database keeps (drawn and imported): every change makes each app
#: server read them all again, so their number bounds that work.
MAX_STORED_DRAWINGS = 50_000
#: Most digits one browser session may import in all (counted in the database).
MAX_SESSION_IMPORTS = 20_000


@dataclass(frozen=True)
class StoredDrawing:
    """One row of the store, without its PNG.

    Attributes
    ----------
    id : int
    label : int in 0..9
    features : ndarray of shape (64,), int64 in 0..16
    bitmap : ndarray of shape (32, 32), bool
    created_at : float
        Seconds since the epoch.
    session_id : str
        Who added it (an anonymous browser-session id).
    origin : {"drawn", "imported"}
    """

    id: int
    label: int
    features: np.ndarray
    bitmap: np.ndarray
    created_at: float
    session_id: str
    origin: str


@dataclass(frozen=True)
class UserDigits:
    """Every stored drawing as training data, read in one transaction.

    The arrays are read-only: the page shares them between every session.

    Attributes
    ----------
    X : ndarray of shape (n, 64), uint8 in 0..16
    y : ndarray of shape (n,), int64 in 0..9
    bitmaps : ndarray of shape (n, 32, 32), bool
    """

    X: np.ndarray
    y: np.ndarray
    bitmaps: np.ndarray


def _unpack(packed: bytes) -> np.ndarray:
    """A stored bit-packed bitmap as a (32, 32) bool array."""
    return unpack_bitmaps(np.frombuffer(packed, dtype=np.uint8))


def _check_drawing(label: object, bitmap: np.ndarray) -> tuple[int, np.ndarray]:
    if isinstance(label, bool) or not isinstance(label, (int, np.integer)):
        raise StoreError(f"a label is a digit 0..9, not {label!r}")
    if not 0 <= int(label) <= 9:
        raise StoreError(f"a label is a digit 0..9, not {label}")
    bitmap = np.asarray(bitmap)
    if bitmap.shape != (BITMAP_SIZE, BITMAP_SIZE):
        raise StoreError(f"expected a 32x32 bitmap, got shape {bitmap.shape}")
    return int(label), bitmap.astype(bool)


class DrawingTable(Database):
    """The drawings' rows: add, read, count and delete them, as training digits too."""

    def add(
        self,
        label: int,
        bitmap: np.ndarray,
        *,
        session_id: str,
        png: bytes | None = None,
        uid: str | None = None,
    ) -> int:
        """Store one drawing; it is on disk when this returns.

        Parameters
        ----------
        label : int in 0..9
        bitmap : ndarray of shape (32, 32), bool
            The normalised drawing; its 8x8 counts are stored with it.
        session_id : str
            The anonymous id of the browser session adding it.
        png : bytes, optional
            The canvas as the user drew it.
        uid : str, optional
            A unique id for this drawing (default: a new UUID). Adding the same uid
            again stores nothing and returns the first row's id, so a retried request
            cannot duplicate a drawing.

        Returns
        -------
        int
            The row's id.

        Raises
        ------
        StoreError
            A label that is not a digit 0..9, or a bitmap that is not 32x32.
        StoreLimitError
            The store holds :data:`MAX_STORED_DRAWINGS` already.
        """
        label, bitmap = _check_drawing(label, bitmap)
        features = bitmap_to_features(bitmap).astype(np.uint8)
        uid = uid or uuid.uuid4().hex
        with self._connect() as conn, self._transaction(conn):
            self._check_room(conn, 1, session_id=session_id, imported=False)
            cursor = conn.execute(
                self._sql(
                    "INSERT INTO drawings (uid, label, features, bitmap, png, "
                    "created_at, session_id, origin) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, 'drawn') ON CONFLICT (uid) DO NOTHING"
                ),
                (
                    uid,
                    label,
                    features.tobytes(),
                    np.packbits(bitmap).tobytes(),
                    png,
                    time.time(),
                    session_id,
                ),
            )
            if cursor.rowcount:
                self._bump(conn)
            row = conn.execute(
                self._sql("SELECT id FROM drawings WHERE uid = ?"), (uid,)
            )
            return int(row.fetchone()[0])

    @staticmethod
    def _row(row: tuple[int, int, bytes, bytes, float, str, str]) -> StoredDrawing:
        id_, label, features, bitmap, created_at, session_id, origin = row
        return StoredDrawing(
            id=int(id_),
            label=int(label),
            features=np.frombuffer(features, dtype=np.uint8).astype(np.int64),
            bitmap=_unpack(bitmap),
            created_at=float(created_at),
            session_id=str(session_id),
            origin=str(origin),
        )

    def drawings(self, *, limit: int | None = None) -> list[StoredDrawing]:
        """The stored drawings, newest first (at most ``limit``)."""
        query = (
            "SELECT id, label, features, bitmap, created_at, session_id, origin "
            "FROM drawings ORDER BY id DESC"
        )
        params: tuple[int, ...] = ()
        if limit is not None:
            query += f" LIMIT {self.backend.param}"
            params = (int(limit),)
        with self._connect() as conn:
            return [self._row(row) for row in conn.execute(query, params)]

    def count(self) -> int:
        """How many drawings are stored."""
        with self._connect() as conn:
            return int(conn.execute("SELECT count(*) FROM drawings").fetchone()[0])

    def training_digits(self) -> UserDigits:
        """Every drawing as training data (read-only arrays), oldest first."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT label, features, bitmap FROM drawings ORDER BY id"
            ).fetchall()
        n = len(rows)
        X = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.uint8)
        packed = np.frombuffer(b"".join(r[2] for r in rows), dtype=np.uint8)
        digits = UserDigits(
            X=X.reshape(n, N_FEATURES),
            y=np.array([r[0] for r in rows], dtype=np.int64),
            bitmaps=unpack_bitmaps(packed.reshape(n, BITMAP_SIZE * BITMAP_SIZE // 8)),
        )
        for array in (digits.X, digits.y, digits.bitmaps):
            array.setflags(write=False)
        return digits

    def delete(
        self, ids: Sequence[int], *, session_id: str, admin: bool = False
    ) -> int:
        """Delete drawings: a session's own, or any with ``admin``; all or nothing.

        Returns
        -------
        int
            How many rows were deleted.

        Raises
        ------
        StoreError
            If any of ``ids`` was added by another session (and not ``admin``); then
            nothing is deleted. Ids that no longer exist are skipped.
        """
        ids = [int(i) for i in ids]
        if not ids:
            return 0
        marks = ",".join("?" * len(ids))
        with self._connect() as conn, self._transaction(conn):
            if not admin:
                others = conn.execute(
                    self._sql(
                        f"SELECT count(*) FROM drawings WHERE id IN ({marks}) "
                        "AND session_id != ?"
                    ),
                    (*ids, session_id),
                ).fetchone()[0]
                if others:
                    raise StoreError(
                        f"{others} of the selected drawings were added by someone "
                        "else; you can delete only your own (nothing was deleted)"
                    )
            deleted = conn.execute(
                self._sql(f"DELETE FROM drawings WHERE id IN ({marks})"), ids
            ).rowcount
            if deleted:
                self._bump(conn)
        return int(deleted)

    def _check_room(
        self, conn: Any, n: int, *, session_id: str, imported: bool
    ) -> None:
        """Refuse ``n`` more drawings past :data:`MAX_STORED_DRAWINGS`, or ``n`` more
        imported digits of one session past :data:`MAX_SESSION_IMPORTS`."""
        total = int(conn.execute("SELECT count(*) FROM drawings").fetchone()[0])
        if total + n > MAX_STORED_DRAWINGS:
            raise StoreLimitError(
                f"this server keeps at most {MAX_STORED_DRAWINGS:,} drawings and holds "
                f"{total:,}: nothing was added (an admin can delete some)"
            )
        if not imported:
            return
        mine = int(
            conn.execute(
                self._sql(
                    "SELECT count(*) FROM drawings WHERE session_id = ? "
                    "AND origin = 'imported'"
                ),
                (session_id,),
            ).fetchone()[0]
        )
        if mine + n > MAX_SESSION_IMPORTS:
            raise StoreLimitError(
                f"one visit may import at most {MAX_SESSION_IMPORTS:,} digits; this "
                f"one has imported {mine:,}: nothing was imported"
            )


class DrawingStore(DrawingTable):
    """The shared collection of user drawings: an SQLite file or a PostgreSQL database.

    One instance may be shared by threads (each piece of work opens its own
    connection); any number of processes, or app servers, may use the same database.

    Parameters
    ----------
    location : str or path
        A file path (SQLite; its folder is created if missing) or a
        ``postgresql://user:password@host:port/database`` URL. The tables are created
        if missing.
    timeout : float, default 60
        How long a writer waits for another's lock, and opening for a locked database
        or a server to answer (seconds).

    Raises
    ------
    StoreError
        A location that is neither a path nor a PostgreSQL URL, a folder that cannot be
        created, a server that cannot be reached or refuses the credentials, or a file
        that cannot be opened as this store.
    """

    def export_csv(self) -> str:
        """Every drawing in the UCI optdigits format: 64 counts and the label per line.

        Oldest first, no header, as in UCI's ``optdigits.tra``.
        """
        drawings = self.drawings()[::-1]
        return optdigits_csv(
            np.array([d.features for d in drawings]).reshape(-1, N_FEATURES),
            [d.label for d in drawings],
        )

    def export_zip(self) -> bytes:
        """Every drawing's canvas as a PNG, named ``<id>_label<digit>.png``, zipped.

        Imported digits have no canvas: their 32x32 bitmap is drawn instead.
        """
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT id, label, png, bitmap FROM drawings ORDER BY id"
            ).fetchall()
        return png_zip(
            (
                f"{id_:06d}_label{label}.png",
                bytes(png) if png is not None else bitmap_png(_unpack(bitmap), scale=4),
            )
            for id_, label, png, bitmap in rows
        )

    def import_csv(self, data: bytes | str, *, session_id: str) -> int:
        """Add the digits of a CSV in the UCI optdigits format; all or nothing.

        Parameters
        ----------
        data : bytes or str
            Lines of 64 integers 0..16 and a label 0..9, comma-separated (a header
            line of non-numbers is skipped; blank lines are ignored).
        session_id : str

        Returns
        -------
        int
            How many digits were added.

        Raises
        ------
        CsvImportError
            An empty or oversized file, a line with the wrong number of columns, text
            where a number belongs, a count outside 0..16 or a label outside 0..9: the
            message names the first bad line, and nothing is imported.
        StoreLimitError
            The store would pass :data:`MAX_STORED_DRAWINGS`, or this session its
            :data:`MAX_SESSION_IMPORTS`: nothing is imported.
        """
        features, labels = parse_optdigits_csv(data)
        bitmaps = counts_to_bitmap(features)
        now = time.time()
        with self._connect() as conn, self._transaction(conn):
            conn.execute(self.backend.serialize)
            self._check_room(conn, len(labels), session_id=session_id, imported=True)
            conn.cursor().executemany(
                self._sql(
                    "INSERT INTO drawings (uid, label, features, bitmap, png, "
                    "created_at, session_id, origin) "
                    "VALUES (?, ?, ?, ?, NULL, ?, ?, 'imported')"
                ),
                [
                    (
                        uuid.uuid4().hex,
                        int(label),
                        row.astype(np.uint8).tobytes(),
                        np.packbits(bitmap).tobytes(),
                        now,
                        session_id,
                    )
                    for row, label, bitmap in zip(
                        features, labels, bitmaps, strict=True
                    )
                ],
            )
            self._bump(conn)
        return len(labels)
