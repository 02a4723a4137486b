"""Elementwise ops: each output element depends on the matching input element(s) only.

For a binary op z = f(x, y) with broadcasting, the chain rule gives dL/dx = dL/dz * df/dx
elementwise, then ``unbroadcast`` sums it back to x's shape. Undefined derivatives follow
PyTorch: relu'(0) = 0, abs'(0) = 0, and at a tie of maximum/minimum each side gets half.
"""

from __future__ import annotations

import numpy as np

from tinygrad_edu.autograd.forward_ad import sum_tangents
from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops.broadcast import unbroadcast
from tinygrad_edu.tensor import Tensor


def _const(array: np.ndarray) -> Tensor:
    """Wrap a NumPy array that backward treats as a constant (a mask, a sign, a weight)."""
    return Tensor._make(array, False, None)


def masked(grad: Tensor, mask: np.ndarray) -> Tensor:
    """``grad`` where ``mask`` is True, 0 elsewhere (the gate of relu, clamp, where).

    Computed as ``grad * mask`` (True counts 1, False 0): on a mask with no pattern that is
    about 15x faster than ``np.where``, whose branches the CPU cannot predict. The one
    difference: an inf or nan gradient arriving at a closed gate gives nan (0 * inf), where
    PyTorch's gates give 0.
    """
    return Mul.apply(grad, _const(mask))


# ------------------------------------------------------------------------- binary ops
class Add(Function):
    """z = x + y.   dz/dx = 1,  dz/dy = 1."""

    @staticmethod
    def forward(ctx, x, y):
        return np.add(x._data, y._data)

    @staticmethod
    def backward(ctx, grad):
        x_shape, y_shape = ctx.input_shapes
        return unbroadcast(grad, x_shape), unbroadcast(grad, y_shape)

    @staticmethod
    def jvp(ctx, tx, ty):
        """Forward mode: dz = dx + dy."""
        return sum_tangents(tx, ty)


class Sub(Function):
    """z = x - y.   dz/dx = 1,  dz/dy = -1."""

    @staticmethod
    def forward(ctx, x, y):
        return np.subtract(x._data, y._data)

    @staticmethod
    def backward(ctx, grad):
        x_shape, y_shape = ctx.input_shapes
        gy = unbroadcast(-grad, y_shape) if ctx.needs_input_grad[1] else None
        return unbroadcast(grad, x_shape), gy

    @staticmethod
    def jvp(ctx, tx, ty):
        """Forward mode: dz = dx - dy."""
        return sum_tangents(tx, -ty if ty is not None else None)


class Mul(Function):
    """z = x * y.   dz/dx = y,  dz/dy = x."""

    @staticmethod
    def forward(ctx, x, y):
        # Keep only what each gradient needs: x for dL/dy, y for dL/dx.
        ctx.save_for_backward(
            x if ctx.needs_input_grad[1] else None, y if ctx.needs_input_grad[0] else None
        )
        return np.multiply(x._data, y._data)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        x_shape, y_shape = ctx.input_shapes
        gx = unbroadcast(grad * y, x_shape) if ctx.needs_input_grad[0] else None
        gy = unbroadcast(grad * x, y_shape) if ctx.needs_input_grad[1] else None
        return gx, gy

    @staticmethod
    def jvp(ctx, tx, ty):
        """Forward mode: dz = y dx + x dy."""
        x, y = ctx.inputs
        return sum_tangents(tx * y if tx is not None else None, x * ty if ty is not None else None)


class Div(Function):
    """z = x / y.   dz/dx = 1/y,  dz/dy = -x/y^2, computed as -(x/y)/y (as PyTorch: y*y
    would overflow first, and would leave an inf where broadcasting empties the result)."""

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x if ctx.needs_input_grad[1] else None, y)
        return np.true_divide(x._data, y._data)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        x_shape, y_shape = ctx.input_shapes
        gx = unbroadcast(grad / y, x_shape) if ctx.needs_input_grad[0] else None
        gy = unbroadcast(-grad * ((x / y) / y), y_shape) if ctx.needs_input_grad[1] else None
        return gx, gy

    @staticmethod
    def jvp(ctx, tx, ty):
        """Forward mode: dz = dx / y - x dy / y^2."""
        x, y = ctx.inputs
        dz_x = tx / y if tx is not None else None
        dz_y = -ty * ((x / y) / y) if ty is not None else None
        return sum_tangents(dz_x, dz_y)


class Pow(Function):
    """z = x ** y.   dz/dx = y * x^(y-1),  dz/dy = x^y * log(x).

    At the points where these formulas meet 0 * inf, PyTorch's conventions: dz/dx = 0 where
    y = 0 (x^0 is constant, even at x = 0), and dz/dy = 0 where x = 0 and y >= 0.
    """

    saves_output = True

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        if x.dtype.kind in "iu" and np.any(y._data < 0):  # (NumPy refuses these)
            return _integer_power(x._data, y._data)
        if x.dtype.kind == "b" and y.dtype.kind == "b":  # (NumPy would give int8)
            return x._data | ~y._data  # x ** y for booleans: 1 unless x = 0 and y = 1
        return np.power(x._data, y._data)

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_tensors
        gx = gy = None
        if ctx.needs_input_grad[0]:
            gx = unbroadcast(grad * _dz_dx(x, y), x.shape)
        if ctx.needs_input_grad[1]:
            gy = unbroadcast(grad * _dz_dy(x, y, ctx.output), y.shape)
        return gx, gy

    @staticmethod
    def jvp(ctx, tx, ty):
        """Forward mode: dz = y x^(y-1) dx + x^y log(x) dy  (with the same conventions)."""
        x, y = ctx.inputs
        dz_x = tx * _dz_dx(x, y) if tx is not None else None
        dz_y = ty * _dz_dy(x, y, ctx.output) if ty is not None else None
        return sum_tangents(dz_x, dz_y)


def _integer_power(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """x ** y for integer tensors, negative exponents included, as PyTorch computes it:
    the integer part of 1 / x^|y|, which is 1 for x = 1, +-1 for x = -1 and otherwise 0."""
    x, y = np.broadcast_arrays(x, y)
    out = np.power(x, np.maximum(y, 0))
    odd = (y % 2).astype(bool)
    small = np.where(x == 1, 1, np.where(x == -1, np.where(odd, -1, 1), 0)).astype(out.dtype)
    return np.where(y < 0, small, out)


def _dz_dx(x: Tensor, y: Tensor) -> Tensor:
    """y x^(y-1), taken as 0 where y = 0 and x is 0 or nan.

    Written so that no branch meets 0 * inf in the second derivative either: where y = 0
    it is computed as y / x (the same value, 0, and the same d/dy = 1/x, but d/dx = -y/x^2
    = 0 even for a tiny x, where x^(y-2) overflows). Each branch sees x = 1 wherever it is
    not taken: a branch's backward runs on every element, and 0 * inf there would be nan."""
    zero = _const(np.zeros((), dtype=x.dtype))
    one = _const(np.ones((), dtype=x.dtype))
    y_zero = y._data == 0
    undefined = y_zero & ((x._data == 0) | np.isnan(x._data))
    power = y * Where.apply(_const(y_zero), one, x) ** (y - 1)
    ratio = y / Where.apply(_const(y_zero & ~undefined), x, one)
    return Where.apply(_const(undefined), zero, Where.apply(_const(y_zero), ratio, power))


def _dz_dy(x: Tensor, y: Tensor, z: Tensor) -> Tensor:
    """x^y log(x), taken as 0 where x = 0 and y >= 0."""
    zero = _const(np.zeros((), dtype=x.dtype))
    one = _const(np.ones((), dtype=x.dtype))
    at_zero = x._data == 0
    safe_x = Where.apply(_const(at_zero & (y._data >= 0)), one, x)  # log(1) = 0 there
    return Where.apply(_const(at_zero & (y._data >= 0)), zero, z * Log.apply(safe_x))


class Maximum(Function):
    """z = max(x, y) elementwise.   dz/dx = 0 where x < y, 1/2 where x = y, else 1 (and the
    same for y): as PyTorch, where a nan (z = nan) passes the whole gradient to both."""

    @staticmethod
    def forward(ctx, x, y):
        ties = x._data == y._data
        ctx.weight_x = _tie_weights(x._data < y._data, ties, x.dtype)
        ctx.weight_y = _tie_weights(x._data > y._data, ties, x.dtype)
        return np.maximum(x._data, y._data)

    @staticmethod
    def backward(ctx, grad):
        return _split_between(ctx, grad)

    @staticmethod
    def jvp(ctx, tx, ty):
        """Forward mode: dz = wx dx + wy dy, with the weights of the gradient (see above)."""
        return _blend(ctx, tx, ty)


class Minimum(Function):
    """z = min(x, y) elementwise.   dz/dx = 0 where x > y, 1/2 where x = y, else 1 (and the
    same for y): as PyTorch, where a nan (z = nan) passes the whole gradient to both."""

    @staticmethod
    def forward(ctx, x, y):
        ties = x._data == y._data
        ctx.weight_x = _tie_weights(x._data > y._data, ties, x.dtype)
        ctx.weight_y = _tie_weights(x._data < y._data, ties, x.dtype)
        return np.minimum(x._data, y._data)

    @staticmethod
    def backward(ctx, grad):
        return _split_between(ctx, grad)

    @staticmethod
    def jvp(ctx, tx, ty):
        """Forward mode: dz = wx dx + wy dy, with the weights of the gradient (see above)."""
        return _blend(ctx, tx, ty)


def _tie_weights(loses: np.ndarray, ties: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """The share of the gradient that goes to one side: 0 where it loses, 1/2 at a tie,
    else 1 (it wins, or a nan is involved)."""
    dtype = dtype if dtype.kind == "f" else np.dtype(np.float64)  # (ints have no gradient)
    return 1 - loses.astype(dtype) - 0.5 * ties.astype(dtype)


def _split_between(ctx: Function, grad: Tensor) -> tuple[Tensor, Tensor]:
    x_shape, y_shape = ctx.input_shapes
    wx, wy = _const(ctx.weight_x), _const(ctx.weight_y)
    return unbroadcast(grad * wx, x_shape), unbroadcast(grad * wy, y_shape)


def _blend(ctx: Function, tx: Tensor | None, ty: Tensor | None) -> Tensor | None:
    """Forward mode of maximum / minimum: wx dx + wy dy, the shares that go to x and y."""
    dz_x = tx * _const(ctx.weight_x) if tx is not None else None
    dz_y = ty * _const(ctx.weight_y) if ty is not None else None
    return sum_tangents(dz_x, dz_y)


class Where(Function):
    """z = x where cond else y.   dz/dx = cond,  dz/dy = not cond  (cond has no gradient)."""

    @staticmethod
    def forward(ctx, cond, x, y):
        ctx.save_for_backward(cond)
        return np.where(cond._data, x._data, y._data)

    @staticmethod
    def backward(ctx, grad):
        (cond,) = ctx.saved_tensors
        _, x_shape, y_shape = ctx.input_shapes
        gx = unbroadcast(masked(grad, cond._data), x_shape) if ctx.needs_input_grad[1] else None
        gy = unbroadcast(masked(grad, ~cond._data), y_shape) if ctx.needs_input_grad[2] else None
        return None, gx, gy

    @staticmethod
    def jvp(ctx, tcond, tx, ty):
        """Forward mode: dz = dx where cond else dy."""
        cond = ctx.inputs[0]
        dz_x = masked(tx, cond._data) if tx is not None else None
        dz_y = masked(ty, ~cond._data) if ty is not None else None
        return sum_tangents(dz_x, dz_y)


# -------------------------------------------------------------------------- unary ops
class Neg(Function):
    """z = -x.   dz/dx = -1."""

    @staticmethod
    def forward(ctx, x):
        return np.negative(x._data)

    @staticmethod
    def backward(ctx, grad):
        return -grad

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dz = -dx."""
        return -tx


class Exp(Function):
    """z = exp(x).   dz/dx = exp(x) = z."""

    saves_output = True

    @staticmethod
    def forward(ctx, x):
        return np.exp(x._data)

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.output

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dz = exp(x) dx = z dx."""
        return tx * ctx.output


class Log(Function):
    """z = log(x)  (natural log).   dz/dx = 1/x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(x._data)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad / x

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dz = dx / x."""
        (x,) = ctx.saved_tensors
        return tx / x


class Sqrt(Function):
    """z = sqrt(x).   dz/dx = 1 / (2 sqrt(x)) = 1 / (2z)."""

    saves_output = True

    @staticmethod
    def forward(ctx, x):
        return np.sqrt(x._data)

    @staticmethod
    def backward(ctx, grad):
        return grad / (2 * ctx.output)

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dz = dx / (2z)."""
        return tx / (2 * ctx.output)


class Abs(Function):
    """z = |x|.   dz/dx = sign(x), with abs'(0) = 0 and, as PyTorch's sign, 0 at nan."""

    @staticmethod
    def forward(ctx, x):
        ctx.sign = np.subtract(x._data > 0, x._data < 0, dtype=x.dtype)
        return np.abs(x._data)

    @staticmethod
    def backward(ctx, grad):
        return grad * _const(ctx.sign)

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dz = sign(x) dx."""
        return tx * _const(ctx.sign)


class Sin(Function):
    """z = sin(x).   dz/dx = cos(x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x._data)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x.cos()

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dz = cos(x) dx."""
        (x,) = ctx.saved_tensors
        return tx * x.cos()


class Cos(Function):
    """z = cos(x).   dz/dx = -sin(x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.cos(x._data)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return -grad * x.sin()

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dz = -sin(x) dx."""
        (x,) = ctx.saved_tensors
        return -tx * x.sin()


class Tanh(Function):
    """z = tanh(x).   dz/dx = 1 - tanh(x)^2 = 1 - z^2."""

    saves_output = True

    @staticmethod
    def forward(ctx, x):
        return np.tanh(x._data)

    @staticmethod
    def backward(ctx, grad):
        z = ctx.output
        return grad * (1 - z * z)

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dz = (1 - z^2) dx."""
        z = ctx.output
        return tx * (1 - z * z)


class Sigmoid(Function):
    """z = 1 / (1 + exp(-x)).   dz/dx = z (1 - z).

    Computed as exp(-|x|) based halves so that no exp overflows for large |x|.
    """

    saves_output = True

    @staticmethod
    def forward(ctx, x):
        e = np.exp(-np.abs(x._data))
        return np.where(x._data >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)

    @staticmethod
    def backward(ctx, grad):
        z = ctx.output
        return grad * z * (1 - z)

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dz = z (1 - z) dx."""
        z = ctx.output
        return tx * z * (1 - z)


class Relu(Function):
    """z = max(x, 0).   dz/dx = 1 where x > 0, else 0 (relu'(0) = 0, as PyTorch; at nan 1)."""

    @staticmethod
    def forward(ctx, x):
        out = np.maximum(x._data, 0)
        ctx.positive = out != 0  # x > 0, and (as PyTorch) nan: its gradient passes
        return out

    @staticmethod
    def backward(ctx, grad):
        return masked(grad, ctx.positive)

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dz = dx where x > 0, else 0."""
        return masked(tx, ctx.positive)


class LeakyRelu(Function):
    """z = x where x > 0 else slope * x.   dz/dx = 1 where x > 0, else slope."""

    @staticmethod
    def forward(ctx, x, *, negative_slope=0.01):
        ctx.positive = x._data > 0
        ctx.slope = negative_slope
        return np.where(ctx.positive, x._data, x._data * negative_slope)

    @staticmethod
    def backward(ctx, grad):
        return Where.apply(_const(ctx.positive), grad, grad * ctx.slope)

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dz = dx where x > 0, else slope * dx."""
        return Where.apply(_const(ctx.positive), tx, tx * ctx.slope)


class Clamp(Function):
    """z = min(max(x, lo), hi).   dz/dx = 1 where lo <= x <= hi, else 0 (as PyTorch)."""

    @staticmethod
    def forward(ctx, x, *, min=None, max=None):
        inside = np.ones(x.shape, dtype=bool)
        if min is not None:
            inside &= x._data >= min
        if max is not None:
            inside &= x._data <= max
        ctx.inside = inside
        return np.clip(x._data, min, max)

    @staticmethod
    def backward(ctx, grad):
        return masked(grad, ctx.inside)

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dz = dx where lo <= x <= hi, else 0."""
        return masked(tx, ctx.inside)


class Cast(Function):
    """z = x converted to another floating dtype.   dz/dx = 1 (cast the gradient back)."""

    @staticmethod
    def forward(ctx, x, *, dtype):
        ctx.input_dtype = x.dtype
        return x._data.astype(dtype)

    @staticmethod
    def backward(ctx, grad):
        return Cast.apply(grad, dtype=ctx.input_dtype)

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dz = dx converted to z's dtype."""
        return Cast.apply(tx, dtype=ctx.output.dtype)


class Copy(Function):
    """z = src broadcast to x's shape and cast to x's dtype (``x.copy_(src)``, ``fill_``).

    x's old values are forgotten:  dL/dx = 0,  dL/dsrc = dL/dz summed back to src's shape.
    """

    @staticmethod
    def forward(ctx, x, src):
        return np.broadcast_to(src._data, x.shape).astype(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        gx = _const(np.zeros(grad.shape, grad.dtype)) if ctx.needs_input_grad[0] else None
        gsrc = unbroadcast(grad, ctx.input_shapes[1]) if ctx.needs_input_grad[1] else None
        return gx, gsrc

    @staticmethod
    def jvp(ctx, tx, tsrc):
        """Forward mode: dz = dsrc broadcast to x's shape and cast to its dtype (dx is lost)."""
        if tsrc is None:
            return None  # the output does not depend on x's old values
        return Cast.apply(tsrc, dtype=ctx.output.dtype)  # propagate broadcasts it


class Clone(Function):
    """z = a copy of x.   dz/dx = 1."""

    @staticmethod
    def forward(ctx, x):
        return x._data.copy()

    @staticmethod
    def backward(ctx, grad):
        return grad

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dz = a copy of dx."""
        return Clone.apply(tx)
