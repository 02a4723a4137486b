"""Fused loss ops: where composing a loss from primitives would be unstable at the edges.

Binary cross-entropy of a probability x against a target y,

    l(x, y) = -( y * log(x) + (1 - y) * log(1 - x) ),

reaches log(0) = -inf when x is exactly 0 or 1. PyTorch clamps each log at -100 so the
loss stays finite, and clamps the x(1 - x) in the derivative's denominator at 1e-12.
Composed from log and clamp, the gradient at x = 0 would be 0/0 = nan (clamp's zero
gradient meets log's 1/x), so this op has its own backward. The tests check it against
the composed form inside (0, 1).

SmoothL1Loss and HuberLoss are one node each (as PyTorch's SmoothL1LossBackward0 and
HuberLossBackward0), with the reduction inside.
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


class _ClampedSlopeLoss(Function):
    """Shared backward of SmoothL1Loss and HuberLoss: losses whose slope in d = x - y is
    ``clamp(d, -w, w)`` times a constant (``ctx.scale``, which also holds 1/n for 'mean').

    The backward is written with clamp, a differentiable op, so the second derivative
    (the constant inside |d| < w, 0 outside) needs no code of its own.
    """

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        gx = (x - y).clamp(-ctx.width, ctx.width) * (grad * ctx.scale)
        return gx, -gx if ctx.needs_input_grad[1] else None

    @staticmethod
    def jvp(ctx, tx, ty):
        """Forward mode: dl_i = scale · clamp(d_i, -w, w) · (dx_i - dy_i), then reduced."""
        x, y = ctx.saved_tensors
        d_diff = sum_tangents(tx, -ty if ty is not None else None)
        dl = (x - y).clamp(-ctx.width, ctx.width) * d_diff * ctx.scale
        return dl if ctx.reduction == "none" else dl.sum()


def _reduce_loss(ctx: Function, loss: np.ndarray, reduction: str, dtype: np.dtype) -> np.ndarray:
    """Sum, average or keep the elementwise losses; sets the 1/n of 'mean' into ctx.scale."""
    ctx.reduction = reduction
    if reduction == "none":
        return loss
    if reduction == "mean":
        ctx.scale /= max(loss.size, 1)
        with np.errstate(invalid="ignore"):  # the mean of no elements is nan, as in PyTorch
            return np.asarray(loss.sum() / loss.size, dtype=dtype)
    return np.asarray(loss.sum(), dtype=dtype)


class SmoothL1Loss(_ClampedSlopeLoss):
    """l_i = 0.5 d_i² / β  if |d_i| < β,  else |d_i| - 0.5 β,   with d = x - y and β > 0;
    then averaged over all n elements ('mean'), summed ('sum') or kept ('none').

    dl_i/dx_i = clamp(d_i, -β, β) / β = -dl_i/dy_i        (divided by n for 'mean')
    d²l_i/dx_i² = 1/β where |d_i| < β, else 0

    Quadratic near zero, so the gradient shrinks with the error; linear beyond β, so the
    gradient is at most 1 in size and an outlier pulls no harder than any large error.
    """

    @staticmethod
    def forward(ctx, x, y, *, beta=1.0, reduction="mean"):
        ctx.save_for_backward(x, y)
        ctx.width, ctx.scale = beta, 1.0 / beta
        d = x._data - y._data
        z = np.abs(d)
        loss = np.where(z < beta, 0.5 * d * d / beta, z - 0.5 * beta).astype(d.dtype, copy=False)
        return _reduce_loss(ctx, loss, reduction, d.dtype)


class HuberLoss(_ClampedSlopeLoss):
    """l_i = 0.5 d_i²  if |d_i| < δ,  else δ (|d_i| - 0.5 δ),   with d = x - y and δ > 0;
    then averaged over all n elements ('mean'), summed ('sum') or kept ('none').

    dl_i/dx_i = clamp(d_i, -δ, δ) = -dl_i/dy_i        (divided by n for 'mean')
    d²l_i/dx_i² = 1 where |d_i| < δ, else 0

    The same shape as SmoothL1Loss, scaled: huber(d; δ) = δ · smooth_l1(d; β = δ). Squared
    error for small errors, δ times the absolute error (less δ²/2) for large ones.
    """

    @staticmethod
    def forward(ctx, x, y, *, delta=1.0, reduction="mean"):
        ctx.save_for_backward(x, y)
        ctx.width, ctx.scale = delta, 1.0
        d = x._data - y._data
        z = np.abs(d)
        loss = np.where(z < delta, 0.5 * d * d, delta * (z - 0.5 * delta)).astype(
            d.dtype, copy=False
        )
        return _reduce_loss(ctx, loss, reduction, d.dtype)
