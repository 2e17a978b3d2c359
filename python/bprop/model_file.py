"""Saving and loading trained networks as ``.npz`` files.

The file holds one array per weight matrix (``theta_0``, ``theta_1``, ...) and a
JSON metadata record. Loading never unpickles anything, so a file cannot run
code. Writes go to a temporary file in the same directory, are flushed to disk
and then renamed over the target: a crash mid-write leaves the old file intact.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from . import _checks

FORMAT = "bprop-model"
FORMAT_VERSION = 1
_META_KEY = "metadata_json"


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def save(path: str | os.PathLike, thetas: Any, **metadata: Any) -> Path:
    """Write ``thetas`` and metadata to ``path`` atomically.

    Parameters
    ----------
    path : str or path-like
        Target file (conventionally ``.npz``); replaced only once the new file
        is complete on disk.
    thetas : list of ndarray
    **metadata
        JSON-serialisable values (settings, ``class_names``, accuracy ...).
        ``layer_sizes``, ``dtype``, ``format`` and ``format_version`` are added.

    Returns
    -------
    pathlib.Path
    """
    t = _checks.check_thetas(thetas)
    reserved = {"format", "format_version", "layer_sizes", "dtype"} & set(metadata)
    if reserved:
        raise ValueError(f"metadata keys {sorted(reserved)} are set by bprop itself")
    meta = {"format": FORMAT, "format_version": FORMAT_VERSION,
            "layer_sizes": [t[0].shape[1] - 1] + [a.shape[0] for a in t],
            "dtype": str(t[0].dtype), **_jsonable(metadata)}
    try:
        text = json.dumps(meta, allow_nan=True)
    except TypeError as e:
        raise TypeError(f"metadata must be JSON-serialisable: {e}") from None
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            arrays = {f"theta_{l}": a for l, a in enumerate(t)}
            arrays[_META_KEY] = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
            np.savez(f, **arrays)  # type: ignore[arg-type]  # numeric arrays only: no pickles
            f.flush()
            os.fsync(f.fileno())
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


def load(path: str | os.PathLike) -> tuple[list[np.ndarray], dict[str, Any]]:
    """Read a model written by :func:`save`.

    Returns
    -------
    thetas : list of ndarray
    metadata : dict

    Raises
    ------
    ValueError
        When the file is corrupt, truncated, not a bprop model, or from a newer format.
    """
    path = Path(path)
    try:
        with open(path, "rb") as fh, np.load(fh, allow_pickle=False) as f:
            files = set(f.files)
            if _META_KEY not in files:
                raise ValueError(f"{path}: not a bprop model (no metadata record)")
            meta = json.loads(bytes(f[_META_KEY]).decode("utf-8"))
            n = sum(1 for k in files if k.startswith("theta_"))
            thetas = [f[f"theta_{l}"] for l in range(n)]
    except FileNotFoundError:
        raise
    except ValueError as e:
        if str(e).startswith(str(path)):
            raise
        raise ValueError(f"{path}: corrupt or not a bprop model ({e})") from None
    except (OSError, EOFError, KeyError, MemoryError, zipfile.BadZipFile, UnicodeDecodeError) as e:
        raise ValueError(f"{path}: corrupt or truncated model file ({type(e).__name__}: {e})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ValueError(f"{path}: not a bprop model")
    version = meta.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ValueError(f"{path}: model format version {version!r} is newer than this bprop "
                         f"reads ({FORMAT_VERSION}); upgrade bprop")
    try:
        thetas = _checks.check_thetas(thetas)
    except (ValueError, TypeError) as e:
        raise ValueError(f"{path}: invalid weights: {e}") from None
    sizes = [thetas[0].shape[1] - 1] + [a.shape[0] for a in thetas]
    if meta.get("layer_sizes") != sizes or meta.get("dtype") != str(thetas[0].dtype):
        raise ValueError(f"{path}: metadata (layer sizes {meta.get('layer_sizes')}, dtype "
                         f"{meta.get('dtype')}) does not match the weights ({sizes}, {thetas[0].dtype})")
    return thetas, meta
