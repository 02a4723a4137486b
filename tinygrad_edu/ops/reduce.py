"""Reductions: one output element summarises many input elements.

The backward of a reduction sends each output's gradient back to the elements it came from:
``sum`` copies it to all of them (reshape to keepdim form, then expand), ``amax``/``amin``
only to the extreme ones (shared evenly among ties), ``logsumexp`` in proportion to
softmax. Composite reductions (mean, var, std) are built from these in ``Tensor``.
"""

from __future__ import annotations

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops.movement import Expand
from tinygrad_edu.tensor import Tensor


def kept_shape(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> tuple[int, ...]:
    """The shape a reduction over ``axes`` has with keepdim=True (reduced axes become 1)."""
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _spread(grad: Tensor, shape: tuple[int, ...], axes: tuple[int, ...] | None) -> Tensor:
    """Put a reduced gradient back in keepdim form and copy it across the reduced axes.

    (A 0-d gradient of a sum over all axes broadcasts as it is: no reshape needed.)
    """
    if grad.ndim != len(shape) and grad.ndim != 0:
        grad = grad.reshape(kept_shape(shape, axes))
    return grad if grad.shape == shape else Expand.apply(grad, shape=shape)


class Sum(Function):
    """z = sum of x over ``axes``.   dz/dx_i = 1 for every element that was summed."""

    @staticmethod
    def forward(ctx, x, *, axes=None, keepdim=False):
        ctx.axes = axes
        return x._data.sum(axis=axes, keepdims=keepdim)

    @staticmethod
    def backward(ctx, grad):
        return _spread(grad, ctx.input_shapes[0], ctx.axes)

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dz = dx summed over the same axes."""
        return Sum.apply(tx, axes=ctx.axes, keepdim=True).reshape(ctx.output.shape)


class _Extreme(Function):
    """Shared by Amax and Amin: the gradient goes to the extreme elements, split evenly.

    Convention (as PyTorch's amax/amin and HIPS autograd): if k elements tie for the
    extreme, each receives 1/k of the gradient, so the total is conserved. A nan extreme
    ties with nothing (nan gradients, as amax's in PyTorch), unless ``nan_shared``: then the
    k nan elements share it (PyTorch's ``max()`` and ``min()`` of a whole tensor).
    """

    reduce = staticmethod(np.max)

    @staticmethod
    def forward(ctx, x, *, axes=None, keepdim=False, nan_shared=False):
        if x._data.size == 0 and (axes is None or any(x.shape[a] == 0 for a in axes)):
            raise RuntimeError(
                f"{type(ctx).__name__.lower()}(): cannot reduce over an empty dimension of a "
                f"tensor of shape {x.shape} (there is no identity for max and min)"
            )
        extreme = type(ctx).reduce(x._data, axis=axes, keepdims=True)
        hits = x._data == extreme
        if nan_shared and x.dtype.kind == "f" and np.isnan(extreme).any():
            hits = np.isnan(x._data)  # (nan_shared is used for whole-tensor reductions only)
        ctx.share = hits / np.sum(hits, axis=axes, keepdims=True, dtype=x.dtype)
        ctx.axes = axes
        return extreme if keepdim else extreme.reshape(_dropped_shape(x.shape, axes))

    @staticmethod
    def backward(ctx, grad):
        return _spread(grad, ctx.input_shapes[0], ctx.axes) * Tensor._make(ctx.share, False, None)

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dz = the mean of dx over the k extreme elements (1/k each)."""
        share = Tensor._make(ctx.share, False, None)
        return Sum.apply(tx * share, axes=ctx.axes, keepdim=True).reshape(ctx.output.shape)


class Amax(_Extreme):
    """z = max of x over ``axes``.   dz/dx_i = 1/k for the k elements equal to the max."""

    reduce = staticmethod(np.max)


class Amin(_Extreme):
    """z = min of x over ``axes``.   dz/dx_i = 1/k for the k elements equal to the min."""

    reduce = staticmethod(np.min)


def _dropped_shape(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> tuple[int, ...]:
    if axes is None:
        return ()
    return tuple(n for i, n in enumerate(shape) if i not in axes)


class LogSumExp(Function):
    """z = log(sum_i exp(x_i)) over ``axes``.   dz/dx_i = exp(x_i - z) = softmax(x)_i.

    Computed stably as m + log(sum exp(x - m)) with m the max over the same axes, so
    inputs of size 1e5 do not overflow.
    """

    saves_output = True

    @staticmethod
    def forward(ctx, x, *, axes=None, keepdim=False):
        m = np.max(x._data, axis=axes, keepdims=True, initial=-np.inf)  # empty: -inf
        m = np.where(np.isfinite(m), m, 0)  # all -inf (or an inf): leave the sum to decide
        out = m + np.log(np.sum(np.exp(x._data - m), axis=axes, keepdims=True))
        ctx.axes = axes
        ctx.save_for_backward(x)
        return out if keepdim else out.reshape(_dropped_shape(x.shape, axes))

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        kept = kept_shape(x.shape, ctx.axes)
        return grad.reshape(kept) * (x - ctx.output.reshape(kept)).exp()

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dz = sum of softmax(x) * dx over the same axes."""
        (x,) = ctx.inputs
        kept = kept_shape(x.shape, ctx.axes)
        softmax = (x - ctx.output.reshape(kept)).exp()
        return Sum.apply(tx * softmax, axes=ctx.axes, keepdim=True).reshape(ctx.output.shape)
