"""Softmax and log-softmax: fused ops, each with a one-line backward.

Both subtract the per-row maximum before exponentiating (softmax(x) = softmax(x - c) for
any constant c), so inputs of size 1e5 give finite results; the maximum of an empty row is
taken as -inf (``initial=``), so an empty input gives an empty output. Composing them from
exp, sum and div would give the same gradients with more graph nodes; the tests check that.
"""

from __future__ import annotations

import numpy as np

from tinygrad_edu.autograd.function import Function


class Softmax(Function):
    """s = exp(x) / sum(exp(x)) along ``dim``.

    Jacobian ds_i/dx_j = s_i (delta_ij - s_j), so dL/dx = s * (g - sum(g * s)) along dim.
    """

    saves_output = True

    @staticmethod
    def forward(ctx, x, *, dim):
        ctx.dim = dim
        e = np.exp(x._data - x._data.max(axis=dim, keepdims=True, initial=-np.inf))
        return e / e.sum(axis=dim, keepdims=True)

    @staticmethod
    def backward(ctx, grad):
        s = ctx.output
        return s * (grad - (grad * s).sum(dim=ctx.dim, keepdim=True))

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: ds = s * (dx - sum(s * dx)) along dim (the Jacobian is symmetric)."""
        s = ctx.output
        return s * (tx - (tx * s).sum(dim=ctx.dim, keepdim=True))


class LogSoftmax(Function):
    """y = x - log(sum(exp(x))) along ``dim``.

    dy_i/dx_j = delta_ij - softmax(x)_j, so dL/dx = g - exp(y) * sum(g) along dim.
    """

    saves_output = True

    @staticmethod
    def forward(ctx, x, *, dim):
        ctx.dim = dim
        shifted = x._data - x._data.max(axis=dim, keepdims=True, initial=-np.inf)
        return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))

    @staticmethod
    def backward(ctx, grad):
        return grad - ctx.output.exp() * grad.sum(dim=ctx.dim, keepdim=True)

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dy = dx - sum(softmax(x) * dx) along dim."""
        return tx - (ctx.output.exp() * tx).sum(dim=ctx.dim, keepdim=True)
