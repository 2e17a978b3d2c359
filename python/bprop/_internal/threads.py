"""Thread-count policy shared by every compute call.

``num_threads=None`` uses the module default: the value given to
:func:`set_num_threads`, else OpenMP's own default (``OMP_NUM_THREADS`` when
set, otherwise all cores). ``-1`` means all cores; ``0`` is an error. bprop
never changes OpenMP's global setting: that belongs to the user.
"""

from __future__ import annotations

import numbers

from .. import _core
from .checks import shown

_default: int | None = None


def _check(num_threads: object, name: str = "num_threads") -> int:
    if isinstance(num_threads, bool) or not isinstance(num_threads, numbers.Integral):
        raise TypeError(f"{name} must be an int (or None), got {shown(num_threads)}")
    n = int(num_threads)
    if n == 0:
        raise ValueError(f"{name}=0 is not allowed: give a positive count, or -1 for all cores")
    if n < -1:
        raise ValueError(f"{name} must be a positive count or -1 (all cores), got {n}")
    limit = max_threads()
    if n > limit:  # OpenMP runtimes crash or abort when asked for tens of thousands
        raise ValueError(
            f"{name}={n} is far more than this machine's {_core.num_procs()} "
            f"cores; use at most {limit} (or -1 for all cores)"
        )
    return n


def max_threads() -> int:
    """The most threads a call may ask for: 16 per core, and at least 64."""
    return max(64, 16 * _core.num_procs())


def resolve_num_threads(num_threads: int | None, name: str = "num_threads") -> int:
    """The thread count a call will use, as a positive int; errors say ``name``
    (the command line passes its flag)."""
    if num_threads is None:  # OMP_NUM_THREADS too is held to max_threads()
        n = _default if _default is not None else min(_core.default_num_threads(), max_threads())
    else:
        n = _check(num_threads, name)
    return _core.num_procs() if n == -1 else n


def set_num_threads(num_threads: int | None) -> None:
    """Set the default thread count of every bprop call.

    Parameters
    ----------
    num_threads : int or None
        A positive count, ``-1`` for all cores, or ``None`` to return to
        OpenMP's default (``OMP_NUM_THREADS`` or all cores).

    Raises
    ------
    TypeError
        When ``num_threads`` is not an int or None.
    ValueError
        When ``num_threads`` is 0, below -1, or far more than the machine's cores
        (above 16 per core and 64).

    See Also
    --------
    get_num_threads : the count now in effect.

    Notes
    -----
    Results are bit-identical for every thread count; only the speed changes.
    OpenMP's own global setting is never changed.

    Examples
    --------
    >>> import bprop
    >>> bprop.set_num_threads(2)
    >>> bprop.get_num_threads()
    2
    >>> bprop.set_num_threads(-1)                       # all cores
    >>> bprop.get_num_threads() == bprop.build_info()["num_procs"]
    True
    >>> bprop.set_num_threads(None)                     # back to OpenMP's default
    """
    global _default
    _default = None if num_threads is None else _check(num_threads)


def get_num_threads() -> int:
    """The thread count a call with ``num_threads=None`` uses now.

    Returns
    -------
    int
        The count given to :func:`set_num_threads` (``-1`` resolved to the
        number of cores), else OpenMP's default: ``OMP_NUM_THREADS`` when set,
        otherwise all cores (capped at 16 per core and 64).

    Examples
    --------
    >>> import bprop
    >>> bprop.get_num_threads() >= 1
    True
    >>> bprop.set_num_threads(1)
    >>> bprop.get_num_threads()
    1
    >>> bprop.set_num_threads(None)
    """
    return resolve_num_threads(None)
