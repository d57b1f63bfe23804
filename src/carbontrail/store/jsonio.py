"""JSON run records: atomic writes, a fallback file when the store is unwritable."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from ..errors import DataError
from ..record import RunRecord


def atomic_write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` to ``path`` via a temp file in the same folder and a rename.

    Nothing half-written is ever left at ``path``. Raises OSError.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return target


def write_record(record: RunRecord, path: str | os.PathLike[str]) -> Path:
    """The full run record as indented JSON at ``path``."""
    return atomic_write_text(path, json.dumps(record.to_dict(), indent=2, default=str) + "\n")


def read_record(path: str | os.PathLike[str]) -> RunRecord:
    """A run record written by :func:`write_record` (or a fallback file)."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(f"not valid JSON ({exc.msg})", str(p), exc.lineno, exc.colno) from None
    if not isinstance(data, dict) or "id" not in data or "started_at" not in data:
        raise DataError("not a carbontrail run record (no id/started_at)", str(p))
    return RunRecord.from_dict(data)


def fallback_dirs(data_home: Path) -> list[Path]:
    return [Path(data_home) / "fallback", Path(tempfile.gettempdir()) / "carbontrail-fallback"]


def write_fallback(record: RunRecord, data_home: Path) -> Path:
    """Write the record where it can be written: ``<home>/fallback`` then the temp dir."""
    last: OSError | None = None
    for d in fallback_dirs(data_home):
        try:
            return write_record(record, d / f"run-{record.id}.json")
        except OSError as exc:
            last = exc
    assert last is not None
    raise last
