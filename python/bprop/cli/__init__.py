"""The command line, ``python -m bprop train | evaluate | predict | gradcheck``:
the commands and their parser (``commands``), what they share (``common``:
data sets, the split rule, classes, the model record) and ``train
--distributed`` over MPI (``mpi``)."""

from .commands import CliError, build_parser, distributed_failure, main

__all__ = ["main", "build_parser", "CliError", "distributed_failure"]
