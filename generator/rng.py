"""Counter-based random numbers: every draw is a pure function of (seed, stream, index).

Any attribute of any entity can be computed on its own, in any order and in any chunk,
without replaying a random stream. That is what makes a batch reproducible on its own and
lets the world be generated in bounded-memory chunks.
"""

from __future__ import annotations

import hashlib

import numpy as np

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_S30, _S27, _S31, _S11 = (np.uint64(n) for n in (30, 27, 31, 11))


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser, element-wise on uint64 (wrapping arithmetic)."""
    x = (x ^ (x >> _S30)) * _M1
    x = (x ^ (x >> _S27)) * _M2
    return x ^ (x >> _S31)


def _stream_key(seed: int, stream: str) -> np.ndarray:
    digest = hashlib.blake2b(f"{seed}:{stream}".encode(), digest_size=8).digest()
    return np.array([int.from_bytes(digest, "little")], dtype=np.uint64)


class Rand:
    """Draws keyed by a named stream and an integer index array."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._keys: dict[str, np.ndarray] = {}

    def bits(self, stream: str, idx: np.ndarray) -> np.ndarray:
        key = self._keys.get(stream)
        if key is None:
            key = self._keys[stream] = _stream_key(self.seed, stream)
        x = np.asarray(idx, dtype=np.int64).astype(np.uint64)
        return _mix(_mix(x * _GOLDEN + key) ^ key)

    def uniform(self, stream: str, idx: np.ndarray) -> np.ndarray:
        """Uniform floats in [0, 1)."""
        return (self.bits(stream, idx) >> _S11).astype(np.float64) * (1.0 / (1 << 53))

    def integers(self, stream: str, idx: np.ndarray, low: int, high: int) -> np.ndarray:
        """Integers in [low, high)."""
        return low + (self.uniform(stream, idx) * (high - low)).astype(np.int64)

    def normal(self, stream: str, idx: np.ndarray) -> np.ndarray:
        u1 = self.uniform(stream + "#n1", idx)
        u2 = self.uniform(stream + "#n2", idx)
        return np.sqrt(-2.0 * np.log1p(-u1)) * np.cos(2.0 * np.pi * u2)

    def lognormal(self, stream: str, idx: np.ndarray, median: float, sigma: float) -> np.ndarray:
        return median * np.exp(sigma * self.normal(stream, idx))

    def exponential(self, stream: str, idx: np.ndarray, mean: float) -> np.ndarray:
        return -mean * np.log1p(-self.uniform(stream, idx))

    def poisson(
        self, stream: str, idx: np.ndarray, lam: np.ndarray | float, cap: int
    ) -> np.ndarray:
        """Poisson counts by inverse transform, capped at ``cap``."""
        u = self.uniform(stream, idx)
        lam = np.broadcast_to(np.asarray(lam, dtype=np.float64), u.shape)
        p = np.exp(-lam)
        cdf = p.copy()
        k = np.zeros(u.shape, dtype=np.int64)
        for n in range(1, cap + 1):
            more = u > cdf
            k += more
            p = p * lam / n
            cdf = cdf + p
        return k

    def choice(self, stream: str, idx: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """Indices into ``weights`` drawn with those (unnormalised) weights."""
        cdf = np.cumsum(np.asarray(weights, dtype=np.float64))
        cdf /= cdf[-1]
        return np.minimum(
            np.searchsorted(cdf, self.uniform(stream, idx), side="right"), len(cdf) - 1
        )
