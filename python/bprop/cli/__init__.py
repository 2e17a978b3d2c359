"""The command line, ``python -m bprop train | evaluate | predict | gradcheck``:
the commands and their parser (``commands``), train's flags resolved once
(``train_plan``), what they share (``common``: the split rule, classes, the model
record) and ``train --distributed`` over MPI (``mpi``). ``--data`` values are read
through :class:`bprop.data.sources.DataSource`."""

from .commands import CliError, build_parser, distributed_failure, main

__all__ = ["main", "build_parser", "CliError", "distributed_failure"]
