"""``python -m bprop``: the command line (see bprop.cli)."""

import sys

from .cli import main

sys.exit(main())
