"""Matrix product, with NumPy's rules for 1-D operands and batch broadcasting.

For Z = X @ Y with X (..., n, k) and Y (..., k, m):
    dL/dX = dL/dZ @ Y^T        (..., n, m) @ (..., m, k) -> (..., n, k)
    dL/dY = X^T @ dL/dZ        (..., k, n) @ (..., n, m) -> (..., k, m)
then summed over any batch axes that broadcasting added. A 1-D X is treated as a row
(1, k) and a 1-D Y as a column (k, 1); the added axis is removed again at the end.
"""

from __future__ import annotations

import numpy as np

from tinygrad_edu.autograd.forward_ad import sum_tangents
from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops.broadcast import unbroadcast


def _matmul_error(x: tuple[int, ...], y: tuple[int, ...]) -> str:
    """Why NumPy refused to multiply arrays of shapes x and y, in words."""
    if not x or not y:
        return f"matmul: both arguments need at least 1 dimension, got shapes {x} and {y}"
    kx, ky = x[-1], y[0] if len(y) == 1 else y[-2]
    if kx != ky:
        return f"matmul: shapes {x} and {y} are not aligned: {kx} != {ky}"
    return f"matmul: the batch dimensions of shapes {x} and {y} cannot be broadcast together"


class Matmul(Function):
    """Z = X @ Y.   dL/dX = dL/dZ @ Y^T,   dL/dY = X^T @ dL/dZ."""

    fresh_grads = True  # both gradients are new matrix products

    @staticmethod
    def forward(ctx, x, y):
        needs = ctx.needs_input_grad
        if True in needs:  # keep only what each gradient reads: Y for dL/dX, X for dL/dY
            ctx.save_for_backward(x if needs[1] else None, y if needs[0] else None)
        try:
            return np.matmul(x._data, y._data)
        except ValueError:
            raise ValueError(_matmul_error(x.shape, y.shape)) from None

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        x_shape, y_shape = ctx.input_shapes
        # View 1-D operands as matrices so one formula covers every case.
        x2_shape = (1, *x_shape) if len(x_shape) == 1 else x_shape
        y2_shape = (*y_shape, 1) if len(y_shape) == 1 else y_shape
        g2 = grad  # restore the removed axes: m (for a 1-D y) first, then n (for a 1-D x)
        if len(y_shape) == 1:
            g2 = g2.unsqueeze(-1)
        if len(x_shape) == 1:
            g2 = g2.unsqueeze(-2)
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = unbroadcast(g2 @ y.reshape(y2_shape).transpose(-1, -2), x2_shape)
            gx = gx.reshape(x_shape) if len(x_shape) == 1 else gx
        if ctx.needs_input_grad[1]:
            gy = unbroadcast(x.reshape(x2_shape).transpose(-1, -2) @ g2, y2_shape)
            gy = gy.reshape(y_shape) if len(y_shape) == 1 else gy
        return gx, gy

    @staticmethod
    def jvp(ctx, tx, ty):
        """Forward mode: dZ = dX @ Y + X @ dY."""
        x, y = ctx.inputs
        return sum_tangents(tx @ y if tx is not None else None, x @ ty if ty is not None else None)


class Linear(Function):
    """z = x W^T + b: PyTorch's ``F.linear`` as one node (x: (..., in), W: (out, in), b: (out,)).

    With g = dL/dz and the leading axes of x and g flattened into one batch axis:
        dL/dx = g W,      dL/dW = g^T x,      dL/db = sum of g over the batch axis.
    The same gradients as transpose, matmul and add composed (the tests check that), from
    one node instead of three, and dL/dW comes out in W's own memory layout. ``bias`` may
    be left out or None; x, W and b must share one dtype (``F.linear`` sees to that).
    """

    fresh_grads = True  # all three gradients are new arrays (two products and a sum)

    @staticmethod
    def forward(ctx, x, weight, bias=None):
        w, b = weight._data, None if bias is None else bias._data
        if w.ndim != 2 or x._data.ndim == 0 or x._data.shape[-1] != w.shape[1]:
            raise ValueError(
                f"linear: input of shape {x.shape} does not fit weight of shape {weight.shape} "
                "(expected input (..., in_features) and weight (out_features, in_features))"
            )
        if b is not None and b.shape != w.shape[:1]:
            raise ValueError(
                f"linear: bias of shape {b.shape} does not fit weight of shape {w.shape} "
                f"(expected ({w.shape[0]},))"
            )
        if x._data.dtype != w.dtype or (b is not None and b.dtype != w.dtype):
            dtypes = [t.dtype for t in (x, weight, bias) if t is not None]
            raise TypeError(f"linear: input, weight and bias must share a dtype, got {dtypes}")
        needs = ctx.needs_input_grad
        if True in needs:  # keep only what each gradient reads: W for dL/dx, x for dL/dW
            ctx.save_for_backward(x if needs[1] else None, weight if needs[0] else None)
            ctx.weight_shape = w.shape
        out = np.matmul(x._data, w.T)
        if b is not None:
            out += b
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.saved_tensors
        needs = ctx.needs_input_grad
        gx = grad @ weight if needs[0] else None
        if grad.ndim != 2:  # fold the leading axes into one batch axis
            out_features, in_features = ctx.weight_shape
            grad = grad.reshape(-1, out_features)
            x = x.reshape(-1, in_features) if x is not None else None
        gw = grad.T @ x if needs[1] else None
        gb = grad.sum(0) if len(needs) == 3 and needs[2] else None
        return (gx, gw, gb)[: len(needs)]

    @staticmethod
    def jvp(ctx, tx, tw, tb=None):
        """Forward mode: dz = dx W^T + x dW^T + db."""
        x, weight = ctx.inputs[0], ctx.inputs[1]
        dz_x = tx @ weight.T if tx is not None else None
        dz_w = x @ tw.T if tw is not None else None
        return sum_tangents(dz_x, dz_w, tb)
