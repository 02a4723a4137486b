"""Inverse trigonometric functions: atan, asin, acos and the two-argument atan2.

(sin, cos and tanh are in elementwise.py; tan, sinh and cosh are compositions of exp, sin,
cos, so they need no op of their own.)
"""

from __future__ import annotations

import numpy as np

from tinygrad_edu.autograd.forward_ad import sum_tangents
from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops.broadcast import unbroadcast


class Atan(Function):
    """z = atan(x).   dz/dx = 1 / (1 + x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arctan(x._data)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (x * x + 1)

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dz = dx / (1 + x^2)."""
        (x,) = ctx.saved_tensors
        return tx / (x * x + 1)


class Asin(Function):
    """z = asin(x) for |x| <= 1.   dz/dx = 1 / sqrt(1 - x^2) (infinite at x = +-1)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arcsin(x._data)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / (1 - x * x).sqrt()

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dz = dx / sqrt(1 - x^2)."""
        (x,) = ctx.saved_tensors
        return tx / (1 - x * x).sqrt()


class Acos(Function):
    """z = acos(x) for |x| <= 1.   dz/dx = -1 / sqrt(1 - x^2)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.arccos(x._data)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return -grad / (1 - x * x).sqrt()

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dz = -dx / sqrt(1 - x^2)."""
        (x,) = ctx.saved_tensors
        return -tx / (1 - x * x).sqrt()


def _inverse_square_radius(y, x):
    """1 / (x^2 + y^2), taken as 0 at the origin (PyTorch's convention: the gradient of
    atan2 at (0, 0), where it is undefined, is 0 rather than nan)."""
    from tinygrad_edu.tensor import Tensor, where

    r2 = x * x + y * y
    origin = Tensor._make(r2._data == 0, False, None)
    return where(origin, 0.0, 1 / where(origin, 1.0, r2))


class Atan2(Function):
    """z = atan2(y, x), the angle of the point (x, y).

    dz/dy = x / (x^2 + y^2),   dz/dx = -y / (x^2 + y^2)   (undefined at the origin; taken
    as 0 there, as PyTorch does).
    """

    @staticmethod
    def forward(ctx, y, x):
        ctx.save_for_backward(y, x)
        return np.arctan2(y._data, x._data)

    @staticmethod
    def backward(ctx, grad):
        y, x = ctx.saved_tensors
        y_shape, x_shape = ctx.input_shapes
        scaled = grad * _inverse_square_radius(y, x)
        gy = unbroadcast(scaled * x, y_shape) if ctx.needs_input_grad[0] else None
        gx = unbroadcast(-scaled * y, x_shape) if ctx.needs_input_grad[1] else None
        return gy, gx

    @staticmethod
    def jvp(ctx, ty, tx):
        """Forward mode: dz = (x dy - y dx) / (x^2 + y^2)."""
        y, x = ctx.saved_tensors
        inv = _inverse_square_radius(y, x)
        return sum_tangents(
            ty * x * inv if ty is not None else None, -tx * y * inv if tx is not None else None
        )
