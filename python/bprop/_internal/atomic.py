"""One way to write a file so that it is never half-written.

The bytes go to a temporary file beside the target, are flushed to disk and
then renamed over it: a crash mid-write leaves the old file intact. The new
file gets the mode a plain ``open(path, "w")`` would give it: the mode of the
file it replaces, else 0666 less the umask (``mkstemp`` alone makes it 0600).
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import IO, Callable


def _umask() -> int:
    mask = os.umask(0)  # the only portable way to read it: set and restore
    os.umask(mask)
    return mask


def check_writable_directory(path: str | os.PathLike) -> Path:
    """The target's directory, or a clear error naming the user's path."""
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise FileNotFoundError(f"{target}: the directory {directory} does not exist")
    if target.is_dir():
        raise IsADirectoryError(f"{target} is a directory, not a file name")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise PermissionError(f"{target}: cannot write in the directory {directory}")
    return directory


def atomic_write(path: str | os.PathLike, write: Callable[[IO[bytes]], None]) -> Path:
    """Call ``write(f)`` on a temporary file, then rename it to ``path`` (to the
    file a symbolic link points at, so that the link stays a link)."""
    target = Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)
    directory = check_writable_directory(target)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass
    return target
