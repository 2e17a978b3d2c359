"""Saving and loading trained networks as ``.npz`` files.

The file holds one array per weight matrix (``theta_0``, ``theta_1``, ...) and a
JSON metadata record. Loading never unpickles anything, so a file cannot run
code. Writes go to a temporary file in the same directory, are flushed to disk
and then renamed over the target: a crash mid-write leaves the old file intact.
A writer killed mid-write leaves its temporary file (``.NAME.PID-HOST-*.tmp``);
the next save or load of that file removes the ones whose process is gone.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from ._internal import checks
from ._internal.atomic import atomic_write, remove_stale_temp_files, special_file_kind
from .network import Network, network_kind
from .params import layer_sizes

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


def save(
    path: str | os.PathLike,
    thetas: Any,
    *,
    activation: Any = None,
    output: str | None = None,
    **metadata: Any,
) -> Path:
    """Write a network and metadata to ``path`` atomically.

    The file records what is needed to use the network: its weights, its
    hidden activation(s) and its output layer.

    Parameters
    ----------
    path : str or path-like
        Target file (conventionally ``.npz``); replaced only once the new file
        is complete on disk. A file replaced keeps its permission bits; a new
        one gets the usual ones (0666 less the umask). Temporary files of this
        target left by writers that were killed (and are no longer running)
        are removed. Only a regular file is replaced (a symbolic link to one:
        the file it points at); a directory, FIFO, device or socket at
        ``path`` is refused and left as it is.
    thetas : Network or list of ndarray
        A :class:`bprop.Network` (what :func:`bprop.train` returns) carries
        its activation and output; a plain list needs both given.
    activation : str or list of str, optional
    output : {"logistic", "softmax", "identity"}, optional
        The network's kind, as in :func:`bprop.cost`; default: the Network's.
    **metadata
        JSON-serialisable values (settings, ``class_names``, accuracy ...).
        ``layer_sizes``, ``dtype``, ``format`` and ``format_version`` are added.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ValueError
        When ``thetas`` is a plain list and ``activation`` or ``output`` is
        not given: a model file that forgets its kind would later be run as
        the wrong network.
    IsADirectoryError, FileExistsError
        When ``path`` is a directory, or a FIFO, device or socket: the save
        would replace it with a regular file.
    TypeError
        When a metadata value is not JSON-serialisable.

    Examples
    --------
    >>> import os, tempfile, bprop
    >>> net = bprop.Network(bprop.initialize([64, 25, 10], seed=0))
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = os.path.join(folder.name, "model.npz")
    >>> bprop.save(path, net, class_names=[str(k) for k in range(10)]).name
    'model.npz'
    >>> loaded, meta = bprop.load(path)
    >>> loaded
    Network([(25, 65), (10, 26)], activation='sigmoid', output='logistic')
    >>> meta["layer_sizes"], meta["class_names"][:3]
    ([64, 25, 10], ['0', '1', '2'])
    >>> folder.cleanup()
    """
    missing = [
        name
        for name, given in (("activation", activation), ("output", output))
        if given is None and not hasattr(thetas, name)
    ]
    if missing:
        raise ValueError(
            f"say which network this is: bprop.save(path, thetas, "
            f"{', '.join(f'{n}=...' for n in missing)}) (e.g. activation='sigmoid', "
            f"output='logistic'), or save the Network that bprop.train returns"
        )
    for name, given in (("activation", activation), ("output", output)):
        own = getattr(thetas, name, None)
        if given is not None and own is not None and given != own:
            raise ValueError(
                f"{name}={checks.shown(given)} contradicts the Network's own {name} "
                f"{checks.shown(own)}: "
                f"the file would run it as another network"
            )
    activation, output = network_kind(thetas, activation, output)
    t = checks.check_thetas(thetas)
    checks.check_output(output, t[-1].shape[0])
    checks.check_activations(activation, len(t) - 1)
    reserved = {"format", "format_version", "layer_sizes", "dtype"} & set(metadata)
    if reserved:
        raise ValueError(f"metadata keys {sorted(reserved)} are set by bprop itself")
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "layer_sizes": layer_sizes(t),
        "dtype": str(t[0].dtype),
        **_jsonable(metadata),
        "activation": _jsonable(activation),
        "output": output,
    }
    try:
        text = json.dumps(meta, allow_nan=True)
    except TypeError as e:
        raise TypeError(f"metadata must be JSON-serialisable: {e}") from None
    arrays = {f"theta_{l}": a for l, a in enumerate(t)}
    arrays[_META_KEY] = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    # numeric arrays only: no pickles
    return atomic_write(path, lambda f: np.savez(f, **arrays))  # type: ignore[arg-type]


def looks_like_model(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a zip archive holding a model's metadata record, as
    :func:`save` writes it (read from the archive's directory alone: a quick
    test, not the full check of :func:`load`)."""
    try:
        with zipfile.ZipFile(path) as z:
            return f"{_META_KEY}.npy" in z.namelist()
    except (OSError, zipfile.BadZipFile, ValueError):
        return False


def load(path: str | os.PathLike) -> tuple[Network, dict[str, Any]]:
    """Read a model written by :func:`save`.

    Loading never unpickles: the file holds numeric arrays and a JSON record.

    Parameters
    ----------
    path : str or path-like
        A file written by :func:`save` (or ``train --save``).

    Returns
    -------
    thetas : Network
        The weights, with the file's ``activation`` and ``output`` (files of
        format 1 that did not record them hold sigmoid/logistic networks).
    metadata : dict

    Raises
    ------
    ValueError
        When the file is corrupt, truncated, not a bprop model, or from a newer
        format, or when ``path`` is a directory, FIFO, device or socket.
    FileNotFoundError, PermissionError
        When there is no such file, or it may not be read.

    Notes
    -----
    Like :func:`save`, removes temporary files of ``path`` left by writers
    that were killed mid-write and are no longer running.

    Examples
    --------
    >>> import os, tempfile, bprop
    >>> folder = tempfile.TemporaryDirectory()
    >>> path = os.path.join(folder.name, "relu.npz")
    >>> _ = bprop.save(path, bprop.initialize([4, 3, 2], seed=0), activation="relu",
    ...                output="softmax")
    >>> net, meta = bprop.load(path)
    >>> net.activation, net.output, meta["dtype"]
    ('relu', 'softmax', 'float64')
    >>> folder.cleanup()
    """
    path = Path(path)
    kind = special_file_kind(path)  # (opening a FIFO would wait for a writer forever)
    if kind is not None:
        raise ValueError(f"{path} is {kind}, not a model file")
    remove_stale_temp_files(path)  # of writes of this file killed mid-way
    try:
        with open(path, "rb") as fh:
            magic = fh.read(4)
            if not magic:
                raise ValueError(f"{path}: the file is empty (truncated model file?)")
            if magic != b"PK\x03\x04":  # every .npz is a zip archive
                raise ValueError(
                    f"{path}: not a bprop model (a model file is an .npz archive "
                    f"written by bprop.save or train --save)"
                )
            fh.seek(0)
            with np.load(fh, allow_pickle=False) as f:
                files = set(f.files)
                if _META_KEY not in files:
                    raise ValueError(f"{path}: not a bprop model (no metadata record)")
                meta = json.loads(bytes(f[_META_KEY]).decode("utf-8"))
                n = sum(1 for k in files if k.startswith("theta_"))
                thetas = [f[f"theta_{l}"] for l in range(n)]
    except (FileNotFoundError, PermissionError):  # not there, or not ours to read: not corrupt
        raise
    except ValueError as e:
        if str(e).startswith(str(path)):
            raise
        if "pickle" in str(e):  # never pass on numpy's hint to load pickles
            raise ValueError(
                f"{path}: not a bprop model (it holds Python objects, which bprop never loads)"
            ) from None
        raise ValueError(f"{path}: corrupt or not a bprop model ({e})") from None
    except (OSError, EOFError, KeyError, MemoryError, zipfile.BadZipFile, UnicodeDecodeError) as e:
        raise ValueError(
            f"{path}: corrupt or truncated model file ({type(e).__name__}: {e})"
        ) from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ValueError(f"{path}: not a bprop model")
    version = meta.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ValueError(
            f"{path}: model format version {version!r} is newer than this bprop "
            f"reads ({FORMAT_VERSION}); upgrade bprop"
        )
    try:
        thetas = checks.check_thetas(thetas)
    except (ValueError, TypeError) as e:
        raise ValueError(f"{path}: invalid weights: {e}") from None
    sizes = layer_sizes(thetas)
    if meta.get("layer_sizes") != sizes or meta.get("dtype") != str(thetas[0].dtype):
        raise ValueError(
            f"{path}: metadata (layer sizes {meta.get('layer_sizes')}, dtype "
            f"{meta.get('dtype')}) does not match the weights ({sizes}, {thetas[0].dtype})"
        )
    meta.setdefault("activation", "sigmoid")
    meta.setdefault("output", "logistic")
    try:
        checks.check_output(meta["output"], thetas[-1].shape[0])
        checks.check_activations(meta["activation"], len(thetas) - 1)
    except (ValueError, TypeError) as e:
        raise ValueError(f"{path}: invalid network kind: {e}") from None
    return Network(thetas, meta["activation"], meta["output"]), meta
