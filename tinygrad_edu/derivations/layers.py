r"""Local derivations: one layer or one loss at a time, in plain NumPy.

Layout, as in the source's digit classifier: a batch is a matrix with one **column per
sample** (Z of shape (units, m)), so the class axis of a softmax is ``axis=0``. Functions
that take ``axis`` also work with one row per sample (``axis=1``, the Iris layout).

Names starting with ``source_`` reproduce the write-ups' own formulas, errata included;
the others are the correct derivatives, which the tests check against the autograd tape.
"""

from __future__ import annotations

import numpy as np


def softmax(Z: np.ndarray, axis: int = 0) -> np.ndarray:
    r"""Softmax along ``axis``, shifted by each sample's own maximum.

    Math: A_j = exp(Z_j - c) / sum_k exp(Z_k - c) for any constant c per sample; taking
    c = max_k Z_k (per sample) makes the largest exponent exp(0) = 1, so no sample can
    overflow or underflow to an all-zero column.
    Source: ``exps = np.exp(Z - np.max(Z))`` with ONE global max over the whole batch
    (see ``numerics.source_softmax`` for what that breaks).
    """
    E = np.exp(Z - np.max(Z, axis=axis, keepdims=True))
    return E / np.sum(E, axis=axis, keepdims=True)


def softmax_mse_delta(Z: np.ndarray, Y: np.ndarray, axis: int = 0) -> np.ndarray:
    r"""dJ/dZ for J = mean((Y - softmax(Z))^2), the mean over all N = Y.size entries.

    Math: with A = softmax(Z) and G = dJ/dA = (2/N)(A - Y), the chain rule goes through
    the softmax Jacobian dA_i/dZ_j = A_i (delta_ij - A_j) of each sample:

        dJ/dZ = J_softmax^T G = A * (G - sum_k G_k A_k)          (sum along ``axis``)

    Source: ``delta3 = A3 - Y`` (``source_softmax_mse_delta``), which drops both the
    softmax Jacobian and the 2/N: that is the cross-entropy delta (times m), not MSE's.
    """
    A = softmax(Z, axis)
    G = 2.0 * (A - Y) / Y.size
    return A * (G - np.sum(G * A, axis=axis, keepdims=True))


def source_softmax_mse_delta(A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    r"""ERRATUM. The source's output error for softmax + MSE: ``delta3 = A3 - Y``.

    Source: ``delta3 = A3 - Y``. It is the gradient of softmax + CROSS-ENTROPY summed
    over the batch, not of the MSE the write-up trains with; the true delta is
    ``softmax_mse_delta`` = J_softmax^T (2/N)(A3 - Y). It is not even proportional to it
    (each entry is weighted by its own A * (...) factor), so no learning rate fixes it.
    """
    return A - Y


def softmax_ce_delta(A: np.ndarray, Y: np.ndarray, axis: int = 0) -> np.ndarray:
    r"""dJ/dZ for J = -(1/m) sum_i sum_k Y_ki log A_ki with A = softmax(Z), Y one-hot.

    Math: dJ/dA = -Y / (m A); through the softmax Jacobian, A * (dJ/dA - sum_k A_k dJ/dA_k)
    = (-Y + A sum_k Y_k) / m = (A - Y) / m, because each one-hot column sums to 1.
    Exact: the softmax Jacobian cancels the 1/A of the logarithm.
    Source: ``delta3 = A3 - Y`` (the same formula, with the 1/m moved into dW and db).
    """
    m = A.size // A.shape[axis]
    return (A - Y) / m


def relu_derivative(Z: np.ndarray) -> np.ndarray:
    r"""ReLU'(Z): 1 where Z > 0, else 0 (so ReLU'(0) = 0, as PyTorch).

    Source: "ReLU'(x) = 0 for x <= 0 and 1 for x > 0" (the same convention).
    """
    return (Z > 0).astype(Z.dtype)


def relu_gate(W_next: np.ndarray, delta_next: np.ndarray, Z: np.ndarray) -> np.ndarray:
    r"""Back through a dense layer and a ReLU: delta = (W_next^T delta_next) * ReLU'(Z).

    Math: Z_next = W_next relu(Z) + b, so dJ/drelu(Z) = W_next^T delta_next, and the ReLU
    lets it through only where Z > 0.
    Source: ``delta2 = (W3^T delta3) * ReLU'(Z2)``.
    """
    return (W_next.T @ delta_next) * relu_derivative(Z)


def leaky_relu_derivative(Z: np.ndarray, slope: float = 0.01) -> np.ndarray:
    r"""LeakyReLU'(Z): 1 where Z > 0, else ``slope`` (a NEW array; Z is left alone).

    Source: the same values, but written into Z itself
    (``source_leaky_relu_derivative``).
    """
    return np.where(Z > 0, 1.0, slope).astype(Z.dtype)


def source_leaky_relu_derivative(Z: np.ndarray, slope: float = 0.01) -> np.ndarray:
    r"""ERRATUM. The source's leaky-ReLU derivative, which overwrites its input.

    Source::

        def leaky_relu_derivative(x):
            x[x > 0] = 1
            x[x <= 0] = 0.01
            return x

    The values returned are right, but ``Z`` (the forward pass's pre-activation, kept
    for backward) is destroyed: afterwards it holds 1s and 0.01s. Anything that reads Z
    again gets the wrong numbers; calling the derivative a second time on the same Z
    returns 1 everywhere (0.01 > 0), so the negative side's slope silently becomes 1.
    """
    Z[Z > 0] = 1.0
    Z[Z <= 0] = slope
    return Z


def leaky_relu_gate(
    W_next: np.ndarray, delta_next: np.ndarray, Z: np.ndarray, slope: float = 0.01
) -> np.ndarray:
    r"""Back through a dense layer and a leaky ReLU: (W_next^T delta_next) * LeakyReLU'(Z).

    Math: as ``relu_gate``, with the negative side passing ``slope`` of the gradient.
    Source: the same product, using the in-place ``source_leaky_relu_derivative``.
    """
    return (W_next.T @ delta_next) * leaky_relu_derivative(Z, slope)


def dense_grads(delta: np.ndarray, A_prev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Gradients of a dense layer Z = W A_prev + b for the MEAN loss J = (1/m) sum_i l_i.

    ``delta`` holds the per-sample errors dl_i/dZ_i as columns (units, m); A_prev is
    (inputs, m). Math: dJ/dW = (1/m) delta A_prev^T and dJ/db = (1/m) sum_i delta_i =
    mean(delta, axis=1): W and b get the same 1/m.
    Source: ``dW = delta . A^T`` (no 1/m) and ``db = 1/m sum_i delta_i``
    (``source_dense_grads``).
    """
    m = delta.shape[1]
    return delta @ A_prev.T / m, np.mean(delta, axis=1)


def source_dense_grads(delta: np.ndarray, A_prev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""ERRATUM. The source's dense-layer gradients: 1/m on b but not on W.

    Source: ``dJ/dW3 = delta3 . A2^T``, ``dJ/db3 = 1/m sum_i delta3_i``. The weight
    gradient is that of the SUMMED loss, m times the mean loss's, while the bias gradient
    is the mean's: the two parameters effectively train with learning rates m apart.
    """
    return delta @ A_prev.T, np.mean(delta, axis=1)


def sigmoid_bce_delta(A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    r"""dL/dZ for L = -sum_i (y_i log a_i + (1 - y_i) log(1 - a_i)) with a = sigmoid(z).

    Math: dL/da = (a - y) / (a (1 - a)) and sigmoid'(z) = a (1 - a), which cancel:
    delta = a - y per sample (divide by m for the mean loss).
    Source: ``delta = A - Y`` (correct).
    """
    return A - Y


def linear_regression_grads(
    x: np.ndarray, y: np.ndarray, w: float, b: float
) -> tuple[float, float]:
    r"""dL/dw and dL/db for L = (1/n) sum_i (y_i - (w x_i + b))^2.

    Math: with r_i = y_i - yhat_i, dL/dyhat_i = -2 r_i / n; yhat_i = w x_i + b gives
    dL/dw = -(2/n) sum_i x_i r_i and dL/db = -(2/n) sum_i r_i.
    Source (SPEC §3): ``dL/dw = -2/n sum x (y - yhat)``, ``dL/db = -2/n sum (y - yhat)``
    (correct).
    """
    r = y - (w * x + b)
    n = x.size
    return float(-2.0 / n * np.sum(x * r)), float(-2.0 / n * np.sum(r))
