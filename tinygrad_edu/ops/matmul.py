"""Matrix product, with NumPy's rules for 1-D operands and batch broadcasting.

For Z = X @ Y with X (..., n, k) and Y (..., k, m):
    dL/dX = dL/dZ @ Y^T        (..., n, m) @ (..., m, k) -> (..., n, k)
    dL/dY = X^T @ dL/dZ        (..., k, n) @ (..., n, m) -> (..., k, m)
then summed over any batch axes that broadcasting added. A 1-D X is treated as a row
(1, k) and a 1-D Y as a column (k, 1); the added axis is removed again at the end.
"""

from __future__ import annotations

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops.broadcast import unbroadcast


class Matmul(Function):
    """Z = X @ Y.   dL/dX = dL/dZ @ Y^T,   dL/dY = X^T @ dL/dZ."""

    @staticmethod
    def forward(ctx, x, y):
        if x.ndim == 0 or y.ndim == 0:
            raise ValueError(
                f"matmul: both arguments need at least 1 dimension, got shapes {x.shape} and "
                f"{y.shape}"
            )
        kx, ky = x.shape[-1], y.shape[0] if y.ndim == 1 else y.shape[-2]
        if kx != ky:
            raise ValueError(
                f"matmul: shapes {x.shape} and {y.shape} are not aligned: {kx} != {ky}"
            )
        try:
            return np.matmul(x.data, y.data)
        except ValueError:
            raise ValueError(
                f"matmul: the batch dimensions of shapes {x.shape} and {y.shape} cannot be "
                "broadcast together"
            ) from None

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.inputs
        # View 1-D operands as matrices so one formula covers every case.
        x2 = x.unsqueeze(0) if x.ndim == 1 else x
        y2 = y.unsqueeze(-1) if y.ndim == 1 else y
        g2 = grad  # restore the removed axes: m (for a 1-D y) first, then n (for a 1-D x)
        if y.ndim == 1:
            g2 = g2.unsqueeze(-1)
        if x.ndim == 1:
            g2 = g2.unsqueeze(-2)
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = unbroadcast(g2 @ y2.transpose(-1, -2), x2.shape).reshape(x.shape)
        if ctx.needs_input_grad[1]:
            gy = unbroadcast(x2.transpose(-1, -2) @ g2, y2.shape).reshape(y.shape)
        return gx, gy
