"""Which runs a command reports on, and writing its output file safely.

Shared by the report, compare, export, plot, badge and card commands.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import ConfigError, DataError
from ..record import RunRecord


def select_records(store: Any, run_ids: list[str] | tuple[str, ...], project: str | None = None,
                   default_last: bool = True) -> list[RunRecord]:
    """Records for explicit ids (prefixes, ``last``) or every run of ``project`` (newest first).

    Unknown ids raise :class:`~carbontrail.errors.RunNotFoundError` listing the latest ids.
    """
    if run_ids and project:
        raise ConfigError("give run ids or --project, not both")
    if project:
        rows = store.list(project=project)
        if not rows:
            names = sorted({r["project"] for r in store.list(limit=200)})
            known = f"; projects in the store: {', '.join(names)}" if names else "; the store has no runs yet"
            raise ConfigError(f"no runs in project {project!r}{known}")
        return [store.get(r["id"]) for r in rows]
    if not run_ids:
        if not default_last:
            raise ConfigError("give at least one run id (see `carbontrail runs list`)")
        run_ids = ("last",)
    return [store.get(i) for i in run_ids]


def write_output(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` to ``path`` atomically (temp file + rename): nothing half-written on failure."""
    import tempfile

    target = Path(path)
    if target.is_dir():
        raise ConfigError(f"--out {target} is a folder; give a file name")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise ConfigError(f"cannot write {target}: {exc.strerror or exc}; choose a writable --out path") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file the user's usual mode
        os.replace(tmp, target)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise ConfigError(f"cannot write {target}: {exc.strerror or exc}; nothing was written") from None
    return target


def load_series(path: str | os.PathLike[str] | None) -> Any:
    """An intensity series from ``path`` (None when no path), for the best-start what-if."""
    if path is None:
        return None
    p = Path(path)
    if not p.is_file():
        raise DataError("intensity series file not found", str(p))
    from ..intensity.series import read_series

    return read_series(p)
