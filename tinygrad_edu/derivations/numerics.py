r"""The Iris write-up's numerics: a softmax with ONE global max, and eps = the smallest
positive float. Both are errata; the tests find inputs where they break.

Its layout has one row per sample, so its softmax is along ``axis=1``.
"""

from __future__ import annotations

import numpy as np

SOURCE_EPS = float(np.finfo(np.float64).tiny)
"""The source's eps, "the smallest positive float": 2.2250738585072014e-308.

Why it protects nothing: ``1 + SOURCE_EPS == 1``; ``log(SOURCE_EPS)`` = -708.4, so a
log-loss term is capped at 708 instead of being infinite; a denominator ``x + SOURCE_EPS``
is still ~1e-308 when x underflows to 0, so the quotient can be ~1e+300 or inf.
(The smallest subnormal, 5e-324, behaves the same way: log(5e-324) = -744.4.)
"""


def source_softmax(Z: np.ndarray, axis: int = 1) -> np.ndarray:
    r"""ERRATUM. The source's softmax: subtract ONE maximum over the whole batch.

    Source: ``exps = np.exp(Z - np.max(Z)); exps / np.sum(exps, axis=1, keepdims=True)``.
    Mathematically the same as ``layers.softmax`` (any per-sample constant cancels), but
    numerically a sample whose logits all lie more than ~745 below the batch's global max
    underflows to a row of zeros, and 0/0 gives nan; rows ~700 below come out in
    subnormal numbers with only a few significant bits. The per-row max makes every
    row's largest exponent exp(0) = 1, so no row can vanish.
    """
    E = np.exp(Z - np.max(Z))
    with np.errstate(invalid="ignore"):
        return E / np.sum(E, axis=axis, keepdims=True)


def source_cross_entropy(A: np.ndarray, Y: np.ndarray, axis: int = 1) -> float:
    r"""ERRATUM (in the eps). Mean cross-entropy with the source's guard ``log(A + eps)``.

    Math: J = -(1/m) sum_i sum_k Y_ik log A_ik, which is +inf when a true class has
    probability 0. Source: ``-np.mean(np.sum(Y * np.log(A + eps), axis=1))`` with
    eps = ``SOURCE_EPS``: a true-class probability of 0 contributes log(eps) = -708.4, a
    finite but meaningless 708 (the true value, -log_softmax, may be 1000 or more), and
    the gradient through the guard, -Y / (A + eps), is -4.5e+307 there.
    """
    m = A.size // A.shape[axis]
    return float(-np.sum(Y * np.log(A + SOURCE_EPS)) / m)
