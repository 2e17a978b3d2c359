"""One way to write a file so that it is never half-written.

The bytes go to a temporary file beside the target, are flushed to disk and
then renamed over it: a crash mid-write leaves the old file intact. The new
file gets the mode a plain ``open(path, "w")`` would give it: the mode of the
file it replaces, else 0666 less the umask (``mkstemp`` alone makes it 0600).

The temporary file is ``.NAME.PID-HOST-RANDOM.tmp``: the writer's process id
and a tag of its host name. A writer killed mid-write (SIGKILL, power loss)
leaves it behind; the next write or load of the same target removes such
files of processes of this host that are no longer alive, and never one whose
process still runs (or that another host wrote).

Only a regular file (or a symbolic link to one) is ever replaced: a FIFO, a
device, a socket or a directory at the target's name is refused, before the
write and again right before the rename, since the rename would put a plain
file in its place (``/dev/null`` replaced by a file, for one).
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import socket
import stat
import tempfile
from pathlib import Path
from typing import IO, Callable

_TEMP_TAIL = re.compile(r"(\d+)-([0-9a-f]{8})-[a-z0-9_]+\.tmp")  # after ".NAME."


def _umask() -> int:
    mask = os.umask(0)  # the only portable way to read it: set and restore
    os.umask(mask)
    return mask


def _host_tag() -> str:
    return hashlib.sha256(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:8]


def temp_prefix(target: str | os.PathLike, pid: int | None = None) -> str:
    """The start of a temporary file's name for ``target``, written by ``pid``
    (default: this process) on this host."""
    return f".{Path(target).name}.{os.getpid() if pid is None else pid}-{_host_tag()}-"


def _pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (when unsure: yes)."""
    if pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: another user's live process
        return True
    return True


def _resolved(path: str | os.PathLike) -> Path:
    """The file a write goes to: a symbolic link's target, so that the link stays a link."""
    return Path(os.path.realpath(path)) if os.path.islink(path) else Path(path)


_SPECIAL_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def special_file_kind(path: str | os.PathLike) -> str | None:
    """What is at ``path`` (after symbolic links) when it is there and is not a
    regular file: "a directory", "a FIFO (named pipe)", "a character device",
    ...; None for a regular file or nothing (or what cannot be looked at)."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISREG(mode):
        return None
    return next((kind for is_kind, kind in _SPECIAL_KINDS if is_kind(mode)), "not a regular file")


def _refuse_special(path: str | os.PathLike) -> None:
    """Raise when a save to ``path`` would replace something that is not a
    regular file (a symbolic link is followed: a link to a regular file is fine)."""
    kind = special_file_kind(path)
    if kind is None:
        return
    shown = f"{path} (a link to {os.path.realpath(path)})" if os.path.islink(path) else f"{path}"
    if kind == "a directory":
        raise IsADirectoryError(f"{shown} is a directory, not a file name")
    # (no errno: atomic_write passes it on as it is, not as a failed write)
    raise FileExistsError(
        f"{shown} is {kind}, not a regular file; a save replaces the file at "
        f"its name, so it writes only to a regular file (or a new name)"
    )


def remove_stale_temp_files(path: str | os.PathLike) -> list[Path]:
    """Remove the temporary files of ``path`` left by dead writers of this host.

    Only files named as :func:`atomic_write` names them, whose process id is
    not alive, are removed; those of live processes (this one included),
    of other hosts, and any other file stay. Errors are ignored (a directory
    one may read but not write). Returns the files removed.
    """
    target = _resolved(path)
    directory = target.parent if str(target.parent) else Path(".")
    start, host, me = f".{target.name}.", _host_tag(), os.getpid()
    removed: list[Path] = []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in entries:
        if not entry.name.startswith(start):
            continue
        m = _TEMP_TAIL.fullmatch(entry.name[len(start) :])
        if m is None or m.group(2) != host:
            continue
        pid = int(m.group(1))
        if pid == me or _pid_alive(pid):
            continue
        try:
            if entry.is_file(follow_symlinks=False):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
        except OSError:
            pass
    return removed


def _cannot_write(target: Path, directory: Path, e: OSError, what: str) -> OSError:
    """``e`` said of the user's path, not of a hidden temporary file."""
    kind = PermissionError if e.errno in (errno.EACCES, errno.EPERM, errno.EROFS) else OSError
    if isinstance(e, kind):
        kind = type(e)
    error = kind(f"{target}: {what} in the directory {directory} ({e.strerror or e})")
    error.errno = e.errno
    return error


def check_writable_directory(path: str | os.PathLike) -> Path:
    """The target's directory, or a clear error naming the user's path.

    The check creates and removes a temporary file there, as a save would, so
    that directories one cannot write in for any reason (``/proc``, ``/sys``,
    a read-only mount, a full disk's quota) fail here and not after training.
    A target that is there and is not a regular file (a directory, FIFO,
    device or socket) is refused as :func:`atomic_write` refuses it.
    """
    target = Path(path)
    written = _resolved(target)  # a symbolic link's file: where a save writes
    directory = written.parent if str(written.parent) else Path(".")
    if not directory.is_dir():
        raise FileNotFoundError(f"{target}: the directory {directory} does not exist")
    _refuse_special(target)
    if not os.access(directory, os.W_OK | os.X_OK):
        raise PermissionError(f"{target}: cannot write in the directory {directory}")
    try:
        fd, probe = tempfile.mkstemp(prefix=temp_prefix(written), suffix=".tmp", dir=directory)
    except OSError as e:
        raise _cannot_write(target, directory, e, "cannot create a file") from None
    os.close(fd)
    Path(probe).unlink(missing_ok=True)
    return directory


def atomic_write(path: str | os.PathLike, write: Callable[[IO[bytes]], None]) -> Path:
    """Call ``write(f)`` on a temporary file, then rename it to ``path`` (to the
    file a symbolic link points at, so that the link stays a link). Errors of
    the file system name ``path``; stale temporary files of ``path`` left by
    dead writers are removed first. A ``path`` that is there and is not a
    regular file (a directory, FIFO, device or socket) raises
    ``IsADirectoryError`` or ``FileExistsError``, checked before the write and
    again before the rename, and is left as it was."""
    target = _resolved(path)
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise FileNotFoundError(f"{target}: the directory {directory} does not exist")
    _refuse_special(path)
    remove_stale_temp_files(target)
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        mode = 0o666 & ~_umask()
    try:
        fd, tmp = tempfile.mkstemp(prefix=temp_prefix(target), suffix=".tmp", dir=directory)
    except OSError as e:
        raise _cannot_write(target, directory, e, "cannot create a file") from None
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        _refuse_special(path)  # again: something else may have taken the name meanwhile
        os.replace(tmp, target)
    except BaseException as e:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(e, OSError) and e.errno is not None:
            raise _cannot_write(target, directory, e, "writing the file failed") from e
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
