"""Scans and gathers: ops where each output element reads a chosen set of input elements.

``Cumsum`` sums prefixes; its adjoint sums suffixes (a cumsum of the reversed gradient).
``Gather`` picks elements along one dimension by an index tensor; its adjoint is
``ScatterAdd``, which adds values back at those positions (repeated indices accumulate).
"""

from __future__ import annotations

import numpy as np

from tinygrad_edu.autograd.function import Function


class Cumsum(Function):
    """z_i = x_0 + x_1 + ... + x_i along ``dim`` (``reverse``: z_i = x_i + ... + x_{n-1}).

    dz_i/dx_j = 1 when j <= i (forward) or j >= i (reverse), else 0, so
    dL/dx_j = sum over i >= j of dL/dz_i: the reverse cumsum of the gradient.
    """

    @staticmethod
    def forward(ctx, x, *, dim, reverse=False):
        ctx.dim, ctx.reverse = dim, reverse
        if not reverse:
            return np.cumsum(x._data, axis=dim, dtype=x.dtype)
        return np.flip(np.cumsum(np.flip(x._data, dim), axis=dim, dtype=x.dtype), dim).copy()

    @staticmethod
    def backward(ctx, grad):
        return Cumsum.apply(grad, dim=ctx.dim, reverse=not ctx.reverse)

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: the op is linear, dz = cumsum(dx)."""
        return Cumsum.apply(tx, dim=ctx.dim, reverse=ctx.reverse)


class Gather(Function):
    """z[i][j] = x[index[i][j]][j] for dim = 0 (x[i][index[i][j]] for dim = 1, and so on).

    Each z element is one x element, so dL/dx = zeros like x with dL/dz added at the
    gathered positions: ``ScatterAdd`` (an x element gathered twice gets both gradients).
    """

    @staticmethod
    def forward(ctx, x, *, dim, index):
        ctx.dim, ctx.index = dim, index
        return np.take_along_axis(x._data, index, axis=dim)

    @staticmethod
    def backward(ctx, grad):
        return ScatterAdd.apply(grad, dim=ctx.dim, index=ctx.index, shape=ctx.input_shapes[0])

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dz = dx gathered at the same positions (the op is linear)."""
        return Gather.apply(tx, dim=ctx.dim, index=ctx.index)


class ScatterAdd(Function):
    """z = zeros(shape) with src[i][j] added at z[index[i][j]][j] (dim = 0; likewise others).

    ``src`` has ``index``'s shape. The adjoint of Gather, and Gather is its adjoint:
    dL/dsrc = gather(dL/dz, dim, index).
    """

    @staticmethod
    def forward(ctx, src, *, dim, index, shape):
        ctx.dim, ctx.index = dim, index
        out = np.zeros(shape, dtype=src.dtype)
        positions = list(np.indices(index.shape, sparse=True))
        positions[dim] = index
        np.add.at(out, tuple(positions), src._data)  # repeated positions accumulate
        return out

    @staticmethod
    def backward(ctx, grad):
        # Along the other dims, index (and src) may be shorter than z: read that corner.
        corner = tuple(
            slice(None) if k == ctx.dim else slice(0, n) for k, n in enumerate(ctx.index.shape)
        )
        return Gather.apply(grad[corner], dim=ctx.dim, index=ctx.index)

    @staticmethod
    def jvp(ctx, tsrc):
        """Forward mode: dz = scatter_add of dsrc (the op is linear)."""
        return ScatterAdd.apply(tsrc, dim=ctx.dim, index=ctx.index, shape=ctx.output.shape)
