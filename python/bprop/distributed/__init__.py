"""Data-parallel backpropagation over MPI (needs mpi4py: ``pip install "bprop[mpi]"``).

Each process (rank) holds a shard of the samples. For the cost and gradient it
computes its partial sums with the C++ core (``sum_i w_i cost_i``, ``sum_i w_i``,
its sample count and ``Delta = sum_i w_i delta a^T``); :func:`ordered_sum` adds
every rank's sums **in rank order** and hands the total to every rank, so all
ranks hold the same bits and the result is deterministic for a given number of
ranks. The regularisation term is added once, with the global m. Every rank
then applies the same update, so the weights stay identical without being sent.

Errors never leave the other ranks waiting: a rank that fails inside a
collective evaluation tells the others, and every rank raises the same error
naming that rank. For failures elsewhere, end the job with ``comm.Abort``
(the command line does).

The parts: ``comm`` (the world, broadcast, collective errors, the ordered sum),
``shards`` (each rank's samples) and ``objective`` (J and its gradient over all
ranks).
"""

from .comm import (
    RankFailed,
    broadcast,
    collective_check,
    default_threads,
    global_share,
    ordered_sum,
    world,
)
from .objective import DistributedObjective, cost, cost_and_gradient
from .shards import load_shard, shard_range

__all__ = [
    "world",
    "shard_range",
    "load_shard",
    "broadcast",
    "cost_and_gradient",
    "cost",
    "collective_check",
    "default_threads",
    "global_share",
    "ordered_sum",
    "RankFailed",
    "DistributedObjective",
]
