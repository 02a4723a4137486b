"""Shared helpers of the derivation tests: the tape side of every comparison, and
Hypothesis strategies for batches in the source's layouts.

The tape side is always computed by tinygrad_edu's autograd (``autograd.grad`` over a
forward pass written with Tensor ops), never by the manual formula it is compared with.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_edu import Tensor, autograd

RTOL = 1e-10


def tape_grads(loss_fn: Callable[..., Tensor], *arrays: np.ndarray) -> list[np.ndarray]:
    """d loss_fn(*arrays) / d arrays, from the autograd tape (float64 leaves)."""
    leaves = [Tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]
    return [g._data for g in autograd.grad(loss_fn(*leaves), leaves)]


def rel_err(manual: np.ndarray, tape: np.ndarray, scale: float = 0.0) -> float:
    """max |manual - tape| / max(max |tape|, scale); inf if that denominator is 0 and
    manual differs from tape. ``scale`` lets a whole network's gradients share one size,
    so an entry that is exactly 0 on the tape and 1e-17 by hand does not count as wrong."""
    manual, tape = np.asarray(manual, dtype=np.float64), np.asarray(tape, dtype=np.float64)
    assert manual.shape == tape.shape, (manual.shape, tape.shape)
    err = np.max(np.abs(manual - tape), initial=0.0)
    size = max(np.max(np.abs(tape), initial=0.0), scale)
    if err == 0.0:
        return 0.0
    return float(err / size) if size > 0 else float("inf")


def assert_close(
    manual: np.ndarray, tape: np.ndarray, rtol: float = RTOL, scale: float = 0.0
) -> None:
    """The manual derivation equals the tape to ``rtol``, relative to the tape's max."""
    err = rel_err(manual, tape, scale)
    assert err <= rtol, f"relative error {err:.3e}"


def assert_all_close(manual: list[np.ndarray], tape: list[np.ndarray]) -> None:
    """A network's gradients, each relative to the largest entry of ALL of them."""
    assert len(manual) == len(tape)
    # The floor: when every tape gradient is exactly 0 (all-zero weights and inputs), sums of
    # O(1) terms such as 1/3 - 1 + 1/3 + 1/3 leave ~1e-17 by hand, which is no error. A wrong
    # formula still fails whenever any gradient is above 1e-6.
    scale = max(1e-6, *(np.max(np.abs(g), initial=0.0) for g in tape))
    for mine, theirs in zip(manual, tape):
        assert_close(mine, theirs, scale=scale)


def values(lo: float = -3.0, hi: float = 3.0) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False)


def matrices(rows: int, cols: int, lo: float = -3.0, hi: float = 3.0) -> st.SearchStrategy:
    return hnp.arrays(np.float64, (rows, cols), elements=values(lo, hi))


@st.composite
def one_hot(draw: st.DrawFn, classes: int, m: int, axis: int = 0) -> np.ndarray:
    """One-hot labels: (classes, m) with axis=0 (columns are samples) or (m, classes)."""
    labels = draw(hnp.arrays(np.int64, (m,), elements=st.integers(0, classes - 1)))
    Y = np.eye(classes)[labels]
    return Y.T.copy() if axis == 0 else Y
