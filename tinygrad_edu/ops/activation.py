r"""Activation functions that need an op of their own (numerically stable forms, or a
derivative PyTorch defines differently from the composition).

    Erf         erf(x);  d/dx = 2/sqrt(pi) exp(-x^2)                 (for GELU)
    Softplus    log(1 + exp(b x)) / b, or x where b x > threshold;  d/dx = sigmoid(b x)
    LogSigmoid  log(sigmoid(x)) = min(x, 0) - log(1 + exp(-|x|));   d/dx = sigmoid(-x)
    ELU         x if x > 0 else a (exp(x) - 1);                    d/dx = 1 or a exp(x)
    Hardtanh    clamp(x, lo, hi);  d/dx = 1 strictly inside (lo, hi), 0 at and beyond the
                edges (PyTorch's hardtanh; its clamp passes the gradient at the edges)

GELU, SiLU and Mish are compositions of these and the elementwise ops (nn/functional_layers.py).
Each backward multiplies the incoming gradient by the derivative written with Tensor ops,
so gradients of gradients work.
"""

from __future__ import annotations

import math

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops.elementwise import masked
from tinygrad_edu.tensor import Tensor


def erf(x: np.ndarray) -> np.ndarray:
    """The error function, vectorised, accurate to about 1e-15 in float64 (NumPy has none).

    For |x| < 3 the series erf(x) = 2/sqrt(pi) exp(-x^2) sum_n 2^n x^(2n+1) / (2n+1)!!,
    whose terms are all positive (no cancellation); for |x| >= 3 erf = 1 - erfc with the
    continued fraction erfc(x) = exp(-x^2) / sqrt(pi) / (x + (1/2) / (x + 1 / (x + ...))).
    """
    a = np.abs(np.asarray(x, dtype=np.float64))
    out = np.empty_like(a)
    near = a < 3.0
    s = a[near]
    term, total, s2 = s.copy(), s.copy(), s * s
    for n in range(1, 80):  # 80 terms: the series' tail is below 1e-17 for |x| < 3
        term *= 2 * s2 / (2 * n + 1)
        total += term
    out[near] = 2 / math.sqrt(math.pi) * np.exp(-s2) * total
    b = a[~near]
    f = b.copy()
    for k in range(60, 0, -1):  # 60 levels of the continued fraction, evaluated bottom-up
        f = b + (k / 2) / f
    out[~near] = 1 - np.exp(-b * b) / (math.sqrt(math.pi) * f)
    return np.copysign(out, x)


class Erf(Function):
    """y = erf(x) = 2/sqrt(pi) int_0^x exp(-t^2) dt.   dy/dx = 2/sqrt(pi) exp(-x^2)."""

    @staticmethod
    def forward(ctx, x):
        return erf(x._data).astype(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.inputs
        return grad * ((x * x).neg().exp() * (2 / math.sqrt(math.pi)))

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dy = 2/sqrt(pi) exp(-x^2) dx."""
        (x,) = ctx.inputs
        return tx * ((x * x).neg().exp() * (2 / math.sqrt(math.pi)))


class Softplus(Function):
    """y = log(1 + exp(b x)) / b, and y = x where b x > threshold (as PyTorch).

    dy/dx = sigmoid(b x) on the smooth part, 1 on the linear part.
    """

    @staticmethod
    def forward(ctx, x, *, beta, threshold):
        ctx.beta, ctx.linear = beta, x._data * beta > threshold
        z = x._data * beta
        smooth = (np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))) / beta  # no overflow
        return np.where(ctx.linear, x._data, smooth).astype(x.dtype)

    @staticmethod
    def _slope(ctx) -> Tensor:
        (x,) = ctx.inputs
        smooth = masked((x * ctx.beta).sigmoid(), ~ctx.linear)
        return smooth + Tensor._make(ctx.linear.astype(x.dtype), False, None)

    @staticmethod
    def backward(ctx, grad):
        return grad * Softplus._slope(ctx)

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dy = sigmoid(b x) dx (dx on the linear part)."""
        return tx * Softplus._slope(ctx)


class LogSigmoid(Function):
    """y = log(sigmoid(x)) = min(x, 0) - log(1 + exp(-|x|)).   dy/dx = sigmoid(-x)."""

    @staticmethod
    def forward(ctx, x):
        return (np.minimum(x._data, 0) - np.log1p(np.exp(-np.abs(x._data)))).astype(x.dtype)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.inputs
        return grad * x.neg().sigmoid()

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dy = sigmoid(-x) dx."""
        (x,) = ctx.inputs
        return tx * x.neg().sigmoid()


class ELU(Function):
    """y = x where x > 0, else alpha (exp(x) - 1).   dy/dx = 1 where x > 0, else alpha exp(x).

    As PyTorch: at x = 0 the slope is alpha and its own derivative 0 (the curve is taken
    from x < 0 only); at nan the slope is 1.
    """

    @staticmethod
    def forward(ctx, x, *, alpha):
        ctx.alpha, ctx.positive = alpha, ~(x._data <= 0)
        negative = alpha * np.expm1(np.minimum(x._data, 0))
        return np.where(ctx.positive, x._data, negative).astype(x.dtype)

    @staticmethod
    def _slope(ctx) -> Tensor:
        from tinygrad_edu.tensor import where

        (x,) = ctx.inputs
        below = where(Tensor._make(x._data < 0, False, None), x, 0.0)
        curve = masked(below.exp() * ctx.alpha, ~ctx.positive)
        return curve + Tensor._make(ctx.positive.astype(x.dtype), False, None)

    @staticmethod
    def backward(ctx, grad):
        return grad * ELU._slope(ctx)

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dy = dx where x > 0, else alpha exp(x) dx."""
        return tx * ELU._slope(ctx)


class Hardtanh(Function):
    """y = min(max(x, lo), hi).   dy/dx = 1 where lo < x < hi, else 0 (PyTorch's hardtanh).

    "Inside" is "not at or beyond a bound", as in PyTorch: a nan passes its gradient on.
    """

    @staticmethod
    def forward(ctx, x, *, lo, hi):
        ctx.inside = ~((x._data <= lo) | (x._data >= hi))
        return np.clip(x._data, lo, hi)

    @staticmethod
    def backward(ctx, grad):
        return masked(grad, ctx.inside)

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dy = dx strictly inside (lo, hi), else 0."""
        return masked(tx, ctx.inside)
