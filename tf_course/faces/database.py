"""``FaceDatabase``: named face embeddings, nearest-match search, atomic JSON file.

Each name holds one or more embeddings (one per enrolled image); the distance of a query to a
name is the smallest L2 distance to its embeddings (with one embedding per name, as in the
course, exactly the course's ``np.linalg.norm(encoding - database[identity])``).

File format (JSON, written atomically with :func:`tf_course.atomic.write_json_atomic`)::

    {"format": "tf_course.faces.database", "version": 1, "embedding_size": 128,
     "people": {"younes": [[...128 floats...], ...], ...}}
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from tf_course.atomic import write_json_atomic
from tf_course.data.validate import DataError

FORMAT = "tf_course.faces.database"
VERSION = 1


class FaceDatabase:
    """Names -> embeddings (k, d), all of one embedding size ``d``.

    Behaves like the course's ``database`` dict for reading: ``db[name]`` (the (k, d) array),
    ``name in db``, ``len(db)``, iteration over names, ``items()``.
    """

    def __init__(self, embedding_size: int = 128) -> None:
        if int(embedding_size) < 1:
            raise ValueError(f"FaceDatabase: expected embedding_size >= 1, found {embedding_size}")
        self.embedding_size = int(embedding_size)
        self._people: dict[str, np.ndarray] = {}

    # ------------------------------------------------------------------ dict-like reading
    def __getitem__(self, name: str) -> np.ndarray:
        try:
            return self._people[name]
        except KeyError:
            raise KeyError(f"expected a name in the face database ({', '.join(self.names()) or 'empty'}), "
                           f"found {name!r}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._people

    def __len__(self) -> int:
        return len(self._people)

    def __iter__(self) -> Iterator[str]:
        return iter(self._people)

    def items(self) -> list[tuple[str, np.ndarray]]:
        """(name, embeddings (k, d)) pairs in enrolment order."""
        return list(self._people.items())

    def names(self) -> list[str]:
        """Enrolled names, in enrolment order."""
        return list(self._people)

    def list(self) -> dict[str, int]:
        """``{name: number of embeddings}``."""
        return {name: len(emb) for name, emb in self._people.items()}

    # ------------------------------------------------------------------ changes
    def _check(self, embeddings: Any, what: str) -> np.ndarray:
        array = np.asarray(embeddings, dtype=np.float32)
        if array.ndim == 1:
            array = array[np.newaxis]
        if array.ndim != 2 or array.shape[1] != self.embedding_size or array.shape[0] < 1:
            raise DataError(f"{what}: expected embeddings of size {self.embedding_size} (shape (k, "
                            f"{self.embedding_size}) or ({self.embedding_size},)), found shape {np.shape(embeddings)}")
        if not np.all(np.isfinite(array)):
            raise DataError(f"{what}: expected finite embeddings, found NaN or infinity")
        return array

    def add(self, name: str, embeddings: Any, replace: bool = False) -> None:
        """Enrol ``name`` with embeddings (d,) or (k, d); appended to its existing ones unless ``replace``."""
        if not isinstance(name, str) or not name.strip():
            raise ValueError(f"FaceDatabase.add: expected a non-empty name, found {name!r}")
        array = self._check(embeddings, f"FaceDatabase.add({name!r})")
        if name in self._people and not replace:
            array = np.concatenate([self._people[name], array])
        self._people[name] = array

    def remove(self, name: str) -> None:
        """Forget ``name``; KeyError listing the names if it is not enrolled."""
        self[name]  # noqa: B018 (raises the descriptive KeyError)
        del self._people[name]

    # ------------------------------------------------------------------ search
    def distance(self, encoding: Any, name: str) -> float:
        """Smallest L2 distance of ``encoding`` (d,) or (1, d) to ``name``'s embeddings."""
        query = self._check(encoding, "FaceDatabase.distance: the query")[0]
        return float(np.min(np.linalg.norm(self[name] - query, axis=1)))

    def distances(self, encoding: Any) -> dict[str, float]:
        """``{name: distance}`` for every enrolled name."""
        query = self._check(encoding, "FaceDatabase.distances: the query")[0]
        return {name: float(np.min(np.linalg.norm(emb - query, axis=1))) for name, emb in self._people.items()}

    def nearest(self, encoding: Any) -> tuple[float, str | None]:
        """``(distance, name)`` of the closest enrolled name; ``(inf, None)`` for an empty database.

        Ties go to the name enrolled first (the course's loop keeps the first strict minimum).
        """
        best, identity = float("inf"), None
        for name, dist in self.distances(encoding).items():
            if dist < best:
                best, identity = dist, name
        return best, identity

    # ------------------------------------------------------------------ files
    def to_json(self) -> dict[str, Any]:
        """The file's content (see the module docstring)."""
        return {"format": FORMAT, "version": VERSION, "embedding_size": self.embedding_size,
                "people": {name: emb.astype(float).tolist() for name, emb in self._people.items()}}

    def save(self, path: str | Path) -> Path:
        """Write the database to ``path`` atomically (readers see the old file or the new one)."""
        return write_json_atomic(path, self.to_json())

    @classmethod
    def load(cls, path: str | Path, embedding_size: int | None = None) -> FaceDatabase:
        """Read a database file.

        Args:
            path: a file written by :meth:`save`.
            embedding_size: if given, the size the caller's encoder produces; a file of another size
                is refused.

        Raises:
            FileNotFoundError: no file at ``path``.
            DataError: not a face database (corrupt or truncated JSON, another format), an embedding
                of the wrong size, or a different ``embedding_size`` than asked.
        """
        path = Path(path)
        if not path.is_file():
            raise FileNotFoundError(f"face database: expected a file, found nothing at {path}")
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DataError(f"{path}: expected a face database (JSON), found unreadable content ({exc})") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            found = data.get("format") if isinstance(data, dict) else type(data).__name__
            raise DataError(f"{path}: expected a face database (format {FORMAT!r}), found {found!r}")
        if data.get("version") != VERSION:
            raise DataError(f"{path}: expected face database version {VERSION}, found {data.get('version')!r}")
        size, people = data.get("embedding_size"), data.get("people")
        if not isinstance(size, int) or isinstance(size, bool) or size < 1 or not isinstance(people, dict):
            raise DataError(f"{path}: expected 'embedding_size' (int >= 1) and 'people' (object), "
                            f"found {size!r} and {type(people).__name__}")
        if embedding_size is not None and size != int(embedding_size):
            raise DataError(f"{path}: expected embeddings of size {embedding_size} (the encoder's), found {size}")
        db = cls(size)
        for name, embeddings in people.items():
            try:
                db.add(name, np.asarray(embeddings, dtype=np.float32))
            except (DataError, ValueError) as exc:
                raise DataError(f"{path}: person {name!r}: {exc}") from None
        return db
