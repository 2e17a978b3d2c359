"""Where a warning points: at the user's line, not at bprop's.

``warnings.warn(..., stacklevel=user_stacklevel())`` names the first caller
outside the bprop package, however many of bprop's own functions lie between
(``fit`` -> ``_fit`` -> ``train``, ``fit`` -> ``_fit_multilabel`` -> ``_fit``
...), as Python 3.12's ``skip_file_prefixes`` does (bprop supports 3.9).
"""

from __future__ import annotations

import os
import sys
from types import FrameType

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def user_stacklevel() -> int:
    """The ``stacklevel`` for a ``warnings.warn`` called by this function's
    caller that points at the first frame outside the bprop package."""
    frame: FrameType | None = sys._getframe(1)  # the function that warns: stacklevel 1
    level = 1
    while frame is not None and frame.f_code.co_filename.startswith(_PACKAGE):
        frame = frame.f_back
        level += 1
    return level
