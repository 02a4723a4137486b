"""Small synthetic data sets used by the examples.

Each function returns NumPy arrays; wrap them with ``tinygrad_edu.from_numpy`` to train on
them. Everything random takes a ``seed``, so the same call always returns the same data.
"""

from __future__ import annotations

import numpy as np


def xor() -> tuple[np.ndarray, np.ndarray]:
    """The four XOR points: X float32 (4, 2) and y float32 (4, 1).

    y is 1 exactly when the two inputs differ. No straight line separates the ones from
    the zeros, so a network needs a hidden layer to fit it.
    """
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    y = np.array([[0], [1], [1], [0]], dtype=np.float32)
    return X, y


def linear_regression(n: int = 50, seed: int = 42) -> tuple[np.ndarray, np.ndarray]:
    """Noisy points on the line y = 3x + 2: x float64 (n,), y float64 (n,).

    x is ``linspace(0, 10, n)`` and the noise is normal with mean 0 and standard deviation
    2, drawn by ``np.random.RandomState(seed).normal(0, 2, n)``. That gives the same numbers
    as the source notebook's ``np.random.seed(42); np.random.normal(0, 2, 50)`` without
    touching NumPy's global random state. float64, as in the notebook, so the examples
    reproduce its figures.
    """
    x = np.linspace(0, 10, n)
    noise = np.random.RandomState(seed).normal(0, 2, n)
    return x, 3 * x + 2 + noise


def credit_approval(n: int = 10000, seed: int = 42) -> tuple[np.ndarray, np.ndarray]:
    """A stand-in "credit approval" set: X float32 (n, 4) and y float32 (n, 1).

    The 4 features are standard normal and the labels are 0 or 1 at random, independent of
    the features. There is nothing to learn, so a classifier should reach about 50%
    accuracy: the point of the example is the training loop and the optimizer state,
    not the score.
    """
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 4), dtype=np.float32)
    y = rng.integers(0, 2, size=(n, 1)).astype(np.float32)
    return X, y
