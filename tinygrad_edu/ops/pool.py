r"""Max pooling: the largest value of each window (1-D and 2-D).

    y[n, c, i, j] = max_{p, q} xp[n, c, i*s + p*d, j*s + q*d]        xp: x padded with -inf

The maximum passes its input through unchanged, so its derivative is 1 with respect to
the winning element (the first one, in window order, when several tie) and 0 for the rest:

    dL/dx = Fold(onehot * g)

where onehot (N, C, *out, K) marks each window's winner and Fold (ops/conv.py) adds the
window gradients back into place (overlapping windows add up). The winner is a constant
of backward, so backward is linear in g and its own gradient is again a selection.
Average pooling needs no op of its own: it is ``Unfold`` then a mean (see nn/functional_cnn).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops.conv import Fold, Unfold, unfold
from tinygrad_edu.tensor import Tensor


class MaxPool(Function):
    """y = the maximum of each window of x (N, C, *S).   dL/dx = Fold(onehot(argmax) * g)."""

    fresh_grads = True

    @staticmethod
    def forward(ctx, x, *, kernel, stride, dilation, padding):
        best, winner = window_max(x._data, kernel, stride, dilation, padding)
        ctx.winner = winner
        ctx.args = {"kernel": kernel, "stride": stride, "dilation": dilation, "padding": padding}
        return best

    @staticmethod
    def onehot(ctx, dtype: np.dtype) -> Tensor:
        """(N, C, K, *out): 1 where a window's element is its maximum, else 0."""
        k = math.prod(ctx.args["kernel"])
        positions = np.arange(k).reshape(k, *[1] * (ctx.winner.ndim - 2))
        mask = ctx.winner[:, :, None] == positions
        return Tensor._make(mask.astype(dtype), False, None)

    @staticmethod
    def backward(ctx, grad):
        kernel = ctx.args["kernel"]
        picked = grad.unsqueeze(2) * MaxPool.onehot(ctx, grad.dtype)  # (N, C, K, *out)
        cols = picked.reshape(*grad.shape[:2], *kernel, *grad.shape[2:])  # Fold's layout
        size = ctx.input_shapes[0][2:]
        return Fold.apply(cols, size=size, **{k: v for k, v in ctx.args.items() if k != "kernel"})

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dy = dx at each window's maximum."""
        cols = Unfold.apply(tx, **ctx.args)  # (N, C, *K, *out)
        flat = cols.reshape(*tx.shape[:2], -1, *ctx.output.shape[2:])
        return (flat * MaxPool.onehot(ctx, tx.dtype)).sum(2)


def window_max(
    x: np.ndarray,
    kernel: tuple[int, ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    padding: tuple[tuple[int, int], ...],
) -> tuple[np.ndarray, np.ndarray]:
    """Each window's maximum (N, C, *out) and its position in the window, 0..K-1: the first
    maximum, or the first nan, as PyTorch picks.

    Each kernel position's elements are copied once into a contiguous (N, C, *out) array
    (4 of them for a 2x2 window); then a few elementwise passes over those find the maximum
    and its position, with no reduction along a short axis (slow in NumPy).
    """
    lowest = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min  # (integer inputs)
    windows = unfold(x, kernel, stride, dilation, padding, value=lowest)  # (N, C, *K, *out)
    views = [  # one contiguous array per kernel position, in window order
        np.ascontiguousarray(windows[(slice(None), slice(None), *offset)])
        for offset in itertools.product(*[range(k) for k in kernel])
    ]
    best = views[0].copy()
    for v in views[1:]:
        np.maximum(best, v, out=best)  # nan propagates, as in PyTorch
    # The first position holding the maximum: count the positions before it, i.e. how many
    # leading positions all differ from it (cheap boolean passes, no gather).
    winner = np.zeros(best.shape, dtype=np.intp)
    before = np.ones(best.shape, dtype=bool)
    for v in views[:-1]:
        before &= v != best
        winner += before
    nan = best != best
    if nan.any():  # a window with a nan: its first nan wins (nan != nan counted them all)
        for k in range(len(views) - 1, -1, -1):
            np.copyto(winner, k, where=nan & (views[k] != views[k]))
    low = best == lowest
    if any(lo or hi for lo, hi in padding) and low.any():
        # A window whose maximum equals the padding value (x = -inf there): PyTorch's windows
        # hold x's own elements only, so its first element of x wins, never the padding.
        ones = np.ones((1, 1, *x.shape[2:]), dtype=np.int8)
        real = unfold(ones, kernel, stride, dilation, padding, value=0)  # (1, 1, *K, *out)
        offsets = list(itertools.product(*[range(k) for k in kernel]))
        for k in range(len(views) - 1, -1, -1):
            inside = real[(0, 0, *offsets[k])] == 1
            np.copyto(winner, k, where=low & inside & (views[k] == best))
    return best, winner


def max_indices(
    x: np.ndarray,
    kernel: tuple[int, ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    padding: tuple[tuple[int, int], ...],
) -> np.ndarray:
    """PyTorch's ``return_indices``: each maximum's flat index into its (unpadded) plane."""
    winner = window_max(x, kernel, stride, dilation, padding)[1]
    offsets = np.unravel_index(winner, kernel)  # the position inside the window, per axis
    outs = winner.shape[2:]
    flat = np.zeros(winner.shape, dtype=np.int64)
    for axis, (k_off, size) in enumerate(zip(offsets, x.shape[2:])):
        start = np.arange(outs[axis]) * stride[axis] - padding[axis][0]
        start = start.reshape(-1, *[1] * (len(outs) - axis - 1))
        flat = flat * size + start + k_off * dilation[axis]
    return flat
