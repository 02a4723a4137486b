"""One seeded random number generator for the whole library, as ``torch.manual_seed``.

Everything random in tinygrad_edu (rand, randn, nn.init, Dropout, DataLoader shuffling)
draws from ``default_generator`` unless it is handed a ``Generator`` of its own, so one
``manual_seed(0)`` at the top of a script makes the run reproducible.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class Generator:
    """A NumPy ``Generator`` with PyTorch's ``manual_seed`` / ``seed`` methods."""

    def __init__(self, device: str = "cpu") -> None:
        self.rng = np.random.default_rng()
        self._seed: int | None = None

    def manual_seed(self, seed: int) -> Generator:
        """Restart the stream from ``seed``; returns self so calls can be chained."""
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
            raise TypeError(f"manual_seed expected an int, got {type(seed).__name__}")
        self._seed = int(seed)
        self.rng = np.random.default_rng(int(seed) & 0xFFFF_FFFF_FFFF_FFFF)
        return self

    def initial_seed(self) -> int | None:
        return self._seed


default_generator = Generator()


def manual_seed(seed: int) -> Generator:
    """Seed the library-wide generator (``tinygrad_edu.manual_seed(0)``)."""
    return default_generator.manual_seed(seed)


class RngHook:
    """``tinygrad_edu.compile`` puts a function in ``hook`` while it captures a step: every
    draw then goes through what it returns for the generator (see capture/trace.py's
    RecordingRNG). None the rest of the time: one check per draw."""

    hook: Any = None


def rng(generator: Generator | None = None) -> np.random.Generator:
    """The NumPy generator to draw from: the given one, else the library-wide one."""
    generator = generator or default_generator
    if RngHook.hook is not None:
        return RngHook.hook(generator)
    return generator.rng
