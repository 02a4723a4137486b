r"""Whole-network derivations: the digit classifier (784-128-40-10) and Iris (4-10-3).

The digit classifier uses the source's layout: X of shape (784, m), one column per
sample; W[l] of shape (out, in), b[l] of shape (out,), Z = W A + b[:, None]. The hidden
layers are ReLU and the output is a softmax over axis 0.

The Iris network takes one ROW per sample, X of shape (m, 4), with Z = X W + b and
W of shape (in, out); its softmax is over axis 1 (per row).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import numpy as np

from tinygrad_edu.derivations.layers import (
    dense_grads,
    leaky_relu_derivative,
    relu_gate,
    softmax,
    softmax_ce_delta,
    softmax_mse_delta,
    source_dense_grads,
    source_softmax_mse_delta,
)

MNIST_SIZES = (784, 128, 40, 10)
"""Layer widths of the source's digit classifier."""

SOURCE_PARAMETER_COUNT = 105_898
"""What the write-ups print for the digit classifier's parameter count (a slip)."""

Grads = tuple[list[np.ndarray], list[np.ndarray]]


def parameter_count(sizes: Sequence[int] = MNIST_SIZES) -> int:
    r"""Number of weights and biases of a dense network with these layer widths.

    Math: sum over layers of out*in + out. For 784-128-40-10:
    128*784+128 + 40*128+40 + 10*40+10 = 100,480 + 5,160 + 410 = 106,050.
    Source: prints 105,898 for the same sum, 152 short (``SOURCE_PARAMETER_COUNT``):
    let the framework count.
    """
    return sum(n_out * n_in + n_out for n_in, n_out in itertools.pairwise(sizes))


def mlp_forward(
    X: np.ndarray, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    r"""Forward pass: A0 = X, Z_l = W_l A_{l-1} + b_l, A_l = ReLU(Z_l), last A = softmax.

    Returns (Zs, As), with As[0] = X; the backward pass needs both.
    Source: ``Z = W X + b`` with ReLU hidden layers and a softmax output.
    """
    Zs, As = [], [X]
    for layer, (W, b) in enumerate(zip(weights, biases)):
        Z = W @ As[-1] + b[:, None]
        last = layer == len(weights) - 1
        Zs.append(Z)
        As.append(softmax(Z, axis=0) if last else np.maximum(Z, 0))
    return Zs, As


def mlp_backward(
    X: np.ndarray,
    Y: np.ndarray,
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray],
    loss: str = "mse",
) -> Grads:
    r"""Manual backward pass of the ReLU/softmax MLP; returns (dWs, dbs), layer by layer.

    Math, with per-sample errors delta_l (columns) for the mean loss J = (1/m) sum_i l_i:

        delta_L = m * J_softmax^T (2/N)(A_L - Y)       loss="mse", J = mean((Y - A_L)^2)
        delta_L = A_L - Y                              loss="ce",  J = -(1/m) sum Y log A_L
        dW_l = (1/m) delta_l A_{l-1}^T,   db_l = mean(delta_l, axis=1)
        delta_{l-1} = (W_l^T delta_l) * ReLU'(Z_{l-1})

    Source (``source_mlp_backward``): delta3 = A3 - Y for the MSE loss, and dW without
    the 1/m.
    """
    if loss not in ("mse", "ce"):
        raise ValueError(f"loss must be 'mse' or 'ce', got {loss!r}")
    Zs, As = mlp_forward(X, weights, biases)
    m = X.shape[1]
    delta = m * softmax_mse_delta(Zs[-1], Y, axis=0) if loss == "mse" else As[-1] - Y
    return _backward(delta, Zs, As, weights, dense_grads)


def source_mlp_backward(
    X: np.ndarray, Y: np.ndarray, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray]
) -> Grads:
    r"""ERRATUM. The source's manual backward pass of the MSE-trained classifier.

    Source: ``delta3 = A3 - Y``; ``dW3 = delta3 . A2^T``; ``db3 = 1/m sum delta3``;
    ``delta2 = (W3^T delta3) * ReLU'(Z2)``; and so on down. Both errata at once: the
    output delta is cross-entropy's, not MSE's, and every dW is m times too large
    relative to its db.
    """
    Zs, As = mlp_forward(X, weights, biases)
    delta = source_softmax_mse_delta(As[-1], Y)
    return _backward(delta, Zs, As, weights, source_dense_grads)


def _backward(
    delta: np.ndarray,
    Zs: list[np.ndarray],
    As: list[np.ndarray],
    weights: Sequence[np.ndarray],
    layer_grads: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
) -> Grads:
    """Walk from the output layer down, given the output layer's per-sample errors."""
    dWs, dbs = [], []
    for layer in range(len(weights) - 1, -1, -1):
        dW, db = layer_grads(delta, As[layer])
        dWs.insert(0, dW)
        dbs.insert(0, db)
        if layer > 0:
            delta = relu_gate(weights[layer], delta, Zs[layer - 1])
    return dWs, dbs


def iris_forward(
    X: np.ndarray,
    W1: np.ndarray,
    b1: np.ndarray,
    W2: np.ndarray,
    b2: np.ndarray,
    slope: float = 0.01,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Iris 4-10-3 forward pass, one row per sample: returns (Z1, A1, A2).

    Math: Z1 = X W1 + b1, A1 = LeakyReLU(Z1), Z2 = A1 W2 + b2, A2 = softmax(Z2) per row.
    Source: the same network (leaky ReLU slope 0.01, softmax output, optional biases).
    """
    Z1 = X @ W1 + b1
    A1 = np.where(Z1 > 0, Z1, slope * Z1)
    A2 = softmax(A1 @ W2 + b2, axis=1)
    return Z1, A1, A2


def iris_backward(
    X: np.ndarray,
    Y: np.ndarray,
    W1: np.ndarray,
    b1: np.ndarray,
    W2: np.ndarray,
    b2: np.ndarray,
    slope: float = 0.01,
) -> dict[str, np.ndarray]:
    r"""Manual backward of Iris 4-10-3 with the mean cross-entropy loss.

    Math (rows are samples, so the transposes sit on the other side than in the MLP):

        dZ2 = (A2 - Y) / m                     softmax + cross-entropy
        dW2 = A1^T dZ2,   db2 = sum_i dZ2_i
        dZ1 = (dZ2 W2^T) * LeakyReLU'(Z1)      slope 0.01 for Z1 <= 0
        dW1 = X^T dZ1,    db1 = sum_i dZ1_i

    Source: the same chain, with a leaky-ReLU derivative that overwrites Z1 in place
    (``layers.source_leaky_relu_derivative``); this version leaves Z1 intact.
    """
    Z1, A1, A2 = iris_forward(X, W1, b1, W2, b2, slope)
    dZ2 = softmax_ce_delta(A2, Y, axis=1)
    dZ1 = (dZ2 @ W2.T) * leaky_relu_derivative(Z1, slope)
    return {
        "W1": X.T @ dZ1,
        "b1": dZ1.sum(axis=0),
        "W2": A1.T @ dZ2,
        "b2": dZ2.sum(axis=0),
    }
