"""Fused loss ops: where composing a loss from primitives would be unstable at the edges.

Binary cross-entropy of a probability x against a target y,

    l(x, y) = -( y * log(x) + (1 - y) * log(1 - x) ),

reaches log(0) = -inf when x is exactly 0 or 1. PyTorch clamps each log at -100 so the
loss stays finite, and clamps the x(1 - x) in the derivative's denominator at 1e-12.
Composed from log and clamp, the gradient at x = 0 would be 0/0 = nan (clamp's zero
gradient meets log's 1/x), so this op has its own backward. The tests check it against
the composed form inside (0, 1).
"""

from __future__ import annotations

import numpy as np

from tinygrad_edu.autograd.forward_ad import sum_tangents
from tinygrad_edu.autograd.function import Function
from tinygrad_edu.tensor import Tensor

LOG_FLOOR = -100.0  # PyTorch's clamp of log(x) and log(1 - x) in binary_cross_entropy
# PyTorch's floor of x(1 - x) in binary_cross_entropy's derivative: 1e-12 as a C float,
# which is 1e-12 * (1 - 4e-9); kept exactly so the float64 gradients at x = 0 or 1 agree.
EPSILON = float(np.float32(1e-12))


class BinaryCrossEntropy(Function):
    """l = -( y * max(log x, -100) + (1 - y) * max(log(1 - x), -100) ), elementwise.

    dl/dx = -y/x + (1 - y)/(1 - x) = (x - y) / (x (1 - x)),  taken as (x - y) / max(x(1-x), 1e-12)
    dl/dy = max(log(1 - x), -100) - max(log x, -100)

    (the derivative of the clamped forward; PyTorch's target gradient leaves these logs
    unclamped, so at x = 0 or 1 it is infinite where ours is +-100.)
    """

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        with np.errstate(divide="ignore"):
            log_x = np.maximum(np.log(x._data), LOG_FLOOR)
            log_1mx = np.maximum(np.log1p(-x._data), LOG_FLOOR)
        return -(y._data * log_x + (1 - y._data) * log_1mx)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = grad * (x - y) / (x * (1 - x)).clamp(min=EPSILON)
        if ctx.needs_input_grad[1]:
            with np.errstate(divide="ignore"):
                gy = grad * ((1 - x).log().clamp(min=LOG_FLOOR) - x.log().clamp(min=LOG_FLOOR))
        return gx, gy

    @staticmethod
    def jvp(ctx, tx, ty):
        """Forward mode: dl = (x - y) / max(x(1-x), 1e-12) dx + (max(log(1-x), -100) -
        max(log x, -100)) dy."""
        x, y = ctx.saved_tensors
        dl_x = dl_y = None
        if tx is not None:
            dl_x = tx * (x - y) / (x * (1 - x)).clamp(min=EPSILON)
        if ty is not None:
            with np.errstate(divide="ignore"):
                dl_y = ty * ((1 - x).log().clamp(min=LOG_FLOOR) - x.log().clamp(min=LOG_FLOOR))
        return sum_tangents(dl_x, dl_y)


class MSELoss(Function):
    """l = sum((x - y)^2) / n over all elements: n = their number ('mean') or 1 ('sum').

    dl/dx = 2 (x - y) / n,      dl/dy = -2 (x - y) / n.
    One node instead of four (sub, mul, sum, div); x and y have the same shape.
    """

    @staticmethod
    def forward(ctx, x, y, *, reduction="mean"):
        if x.shape != y.shape or x._data.size == 0:
            raise ValueError(f"MSELoss: needs equal non-empty shapes, got {x.shape} and {y.shape}")
        ctx.save_for_backward(x, y)
        diff = x._data - y._data
        n = diff.size if reduction == "mean" else 1
        ctx.scale = 2.0 / n
        return (diff * diff).sum() / n

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        gx = (x - y) * (grad * ctx.scale)
        return gx, -gx if ctx.needs_input_grad[1] else None

    @staticmethod
    def jvp(ctx, tx, ty):
        """Forward mode: dl = sum(2 (x - y) (dx - dy)) / n."""
        x, y = ctx.inputs
        d_diff = sum_tangents(tx, -ty if ty is not None else None)
        return ((x - y) * d_diff).sum() * ctx.scale


class PickedNLL(Function):
    """l = -sum_n x[n, y_n] / n_rows ('mean') or without the division ('sum'), for x (rows, C).

    dl/dx[n, c] = -1/n_rows (or -1) where c = y_n, else 0: a scaled one-hot of the targets.
    The unweighted negative log-likelihood with no ignored rows, as one node (``nll_loss``
    composes the general case from indexing, mul and sum).
    """

    @staticmethod
    def forward(ctx, x, *, classes, reduction="mean"):
        rows = np.arange(x.shape[0])
        ctx.scale = -1.0 / x.shape[0] if reduction == "mean" else -1.0
        ctx.onehot = np.zeros(x.shape, dtype=x.dtype)
        ctx.onehot[rows, classes] = 1
        return x._data[rows, classes].sum() * ctx.scale

    @staticmethod
    def backward(ctx, grad):
        return Tensor._make(ctx.onehot, False, None) * (grad * ctx.scale)

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dl = -sum_n dx[n, y_n] / n_rows (or without the division)."""
        return (Tensor._make(ctx.onehot, False, None) * tx).sum() * ctx.scale


class Softplus(Function):
    """z = log(1 + exp(x)), computed as logaddexp(0, x) (no overflow for large x).

    dz/dx = sigmoid(x), itself an op, so the second derivative sigmoid(x)(1 - sigmoid(x))
    is right everywhere, and nothing is nan at x = +-inf. (binary_cross_entropy_with_logits
    uses softplus(-x) = -log sigmoid(x).)
    """

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.logaddexp(0, x._data)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.sigmoid()

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dz = sigmoid(x) dx."""
        (x,) = ctx.saved_tensors
        return tx * x.sigmoid()
