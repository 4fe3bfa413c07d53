"""Named random streams: ``(seed, replication, purpose) -> numpy.random.Generator``.

Every source of randomness draws from its own stream, derived with
``numpy.random.SeedSequence(seed, spawn_key=(replication, stable_id(purpose)))``.
Streams never depend on how many other streams exist or in which order they are
created, so changing one thing (another plan, an added disruption) leaves all other
draws untouched: common random numbers across plans, and identical results for any
number of worker processes. Never ``hash()`` (salted per process), never global state.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

import numpy as np


@lru_cache(maxsize=65536)
def stable_id(purpose: str) -> int:
    """A 64-bit integer derived from ``purpose`` that is the same in every process."""
    digest = hashlib.blake2b(purpose.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def stream(seed: int, replication: int, purpose: str) -> np.random.Generator:
    """The generator for one purpose (e.g. ``"demand/CELL-NMC"``) in one replication."""
    if seed < 0 or replication < 0:
        raise ValueError("seed and replication must be non-negative integers")
    sequence = np.random.SeedSequence(seed, spawn_key=(replication, stable_id(purpose)))
    return np.random.Generator(np.random.PCG64(sequence))
