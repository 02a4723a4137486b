"""Movement ops: they rearrange, select or repeat elements without doing arithmetic.

Their gradients move the incoming gradient back to where each element came from:
reshape undoes the reshape, permute applies the inverse permutation, expand sums over the
copies it made, indexing adds into a zero tensor at the indexed places, cat splits.
"""

from __future__ import annotations

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops.broadcast import unbroadcast
from tinygrad_edu.tensor import Tensor


class Reshape(Function):
    """z = x with a new shape (same elements, same order).   dL/dx = reshape(dL/dz, x.shape)."""

    is_view = True

    @staticmethod
    def forward(ctx, x, *, shape):
        try:
            return x._data.reshape(shape)
        except ValueError:
            raise ValueError(
                f"reshape: cannot reshape a tensor of shape {x.shape} ({x._data.size} elements) "
                f"into shape {tuple(shape)}"
            ) from None

    @staticmethod
    def backward(ctx, grad):
        return grad.reshape(ctx.input_shapes[0])

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dz = dx with z's shape."""
        return tx.reshape(ctx.output.shape)


class Permute(Function):
    """z = x with its axes reordered by ``dims``.   dL/dx = dL/dz permuted by the inverse."""

    is_view = True

    @staticmethod
    def forward(ctx, x, *, dims):
        ctx.dims = dims
        return x._data.transpose(dims)

    @staticmethod
    def backward(ctx, grad):
        inverse = sorted(range(len(ctx.dims)), key=ctx.dims.__getitem__)
        return Permute.apply(grad, dims=tuple(inverse))

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dz = dx permuted by the same ``dims``."""
        return Permute.apply(tx, dims=ctx.dims)


class Expand(Function):
    """z = x broadcast to ``shape`` (copies along size-1 and new leading axes).

    dL/dx = dL/dz summed over the copies: ``unbroadcast``.
    """

    is_view = True

    @staticmethod
    def forward(ctx, x, *, shape):
        try:
            return np.broadcast_to(x._data, shape)
        except ValueError:
            raise ValueError(
                f"expand: the shape {x.shape} cannot be expanded to {tuple(shape)} (only size-1 "
                "dimensions can be expanded, and new dimensions go in front)"
            ) from None

    @staticmethod
    def backward(ctx, grad):
        return unbroadcast(grad, ctx.input_shapes[0])

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dz = dx broadcast to z's shape (the same copies)."""
        return Expand.apply(tx, shape=ctx.output.shape)


class GetItem(Function):
    """z = x[index].   dL/dx = zeros like x, with dL/dz added in at the indexed places.

    Adding (not assigning) matters: ``x[[0, 0]]`` uses x[0] twice, so it gets both
    gradients. That is ``IndexAdd`` below.
    """

    is_view = True  # for basic indexing (ints, slices); an index array makes a copy

    @staticmethod
    def forward(ctx, x, *, index):
        ctx.index = index
        parts = index if isinstance(index, tuple) else (index,)
        if not any(p is Ellipsis for p in parts):
            parts = (*parts, Ellipsis)  # a[0] of a vector is then a 0-d view, not a copy
        try:
            return x._data[parts]
        except IndexError as e:
            raise IndexError(
                f"index {index!r} is invalid for a tensor of shape {x.shape}: {e}"
            ) from None

    @staticmethod
    def backward(ctx, grad):
        return IndexAdd.apply(grad, index=ctx.index, shape=ctx.input_shapes[0])

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dz = dx[index]."""
        return GetItem.apply(tx, index=ctx.index)


class IndexAdd(Function):
    """z = zeros(shape) with g added at ``index`` (np.add.at: repeated indices accumulate).

    The adjoint of indexing, and indexing is its adjoint:  dL/dg = (dL/dz)[index].
    """

    @staticmethod
    def forward(ctx, g, *, index, shape):
        ctx.index = index
        out = np.zeros(shape, dtype=g.dtype)
        if _has_integer_array(index):
            np.add.at(out, index, g._data)  # integer arrays may repeat an element
        else:
            out[index] = g._data  # slices, ints and boolean masks never repeat one
        return out

    @staticmethod
    def backward(ctx, grad):
        return grad[ctx.index]

    @staticmethod
    def jvp(ctx, tg):
        """Forward mode: dz = zeros(shape) with dg added at ``index`` (the op is linear)."""
        return IndexAdd.apply(tg, index=ctx.index, shape=ctx.output.shape)


class SetItem(Function):
    """z = x with z[index] = v (``x[index] = v`` recorded; v broadcast to the indexed part).

    dL/dx = dL/dz with zeros at ``index`` (those values of x were overwritten),
    dL/dv = (dL/dz)[index], summed back to v's shape.
    """

    @staticmethod
    def forward(ctx, x, v, *, index):
        ctx.index = index
        out = x._data.copy()
        out[index] = v._data
        return out

    @staticmethod
    def backward(ctx, grad):
        gx = gv = None
        if ctx.needs_input_grad[0]:
            keep = np.ones(grad.shape, dtype=bool)
            keep[ctx.index] = False
            gx = grad.where(Tensor._make(keep, False, None), 0.0)
        if ctx.needs_input_grad[1]:
            gv = unbroadcast(grad[ctx.index], ctx.input_shapes[1])
        return gx, gv

    @staticmethod
    def jvp(ctx, tx, tv):
        """Forward mode: dz = dx with dz[index] = dv (a missing tangent counts as 0)."""
        x_shape, v_shape = ctx.input_shapes
        dtype = ctx.output.dtype
        dx = tx if tx is not None else Tensor._make(np.zeros(x_shape, dtype), False, None)
        dv = tv if tv is not None else Tensor._make(np.zeros(v_shape, dtype), False, None)
        return SetItem.apply(dx, dv, index=ctx.index)


def _has_integer_array(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return any(isinstance(p, np.ndarray) and p.dtype != np.bool_ for p in parts)


class Cat(Function):
    """z = the inputs joined along ``dim``.   dL/dx_k = the slice of dL/dz that x_k filled."""

    @staticmethod
    def forward(ctx, *tensors, dim=0):
        ctx.dim = dim
        ctx.sizes = [t.shape[dim] for t in tensors]
        return np.concatenate([t._data for t in tensors], axis=dim)

    @staticmethod
    def backward(ctx, grad):
        grads = []
        start = 0
        prefix = (slice(None),) * ctx.dim
        for size, needed in zip(ctx.sizes, ctx.needs_input_grad):
            grads.append(grad[(*prefix, slice(start, start + size))] if needed else None)
            start += size
        return tuple(grads)

    @staticmethod
    def jvp(ctx, *tangents):
        """Forward mode: dz = the tangents joined along ``dim`` (zeros for inputs without one)."""
        parts = [
            t if t is not None else Tensor._make(np.zeros(x.shape, x.dtype), False, None)
            for t, x in zip(tangents, ctx.inputs)
        ]
        return Cat.apply(*parts, dim=ctx.dim)
