r"""The update rules of the source material, one step each, as pure NumPy functions.

Each takes the parameter, its gradient and the optimizer's state, and returns the new
parameter and state (nothing is modified in place), so a test can run it side by side
with ``tinygrad_edu.optim`` and compare step by step.
"""

from __future__ import annotations

import numpy as np


def adam_update(
    theta: np.ndarray,
    g: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    t: int,
    lr: float = 1e-3,
    beta1: float = 0.9,
    beta2: float = 0.999,
    eps: float = 1e-8,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""One step of Adam, Algorithm 1 of Kingma & Ba (t counts from 1); returns (theta, m, v).

    Math::

        m_t = beta1 m_{t-1} + (1 - beta1) g_t
        v_t = beta2 v_{t-1} + (1 - beta2) g_t^2
        mhat = m_t / (1 - beta1^t),   vhat = v_t / (1 - beta2^t)     (bias correction)
        theta_t = theta_{t-1} - lr mhat / (sqrt(vhat) + eps)

    m and v start at 0, so without the correction the first averages are too small by
    exactly (1 - beta^t). At t = 1, mhat = g and vhat = g^2: the first step is
    lr g / (|g| + eps), about lr sign(g).
    Source: ``m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; mhat = m/(1-b1^t);
    vhat = v/(1-b2^t); theta -= alpha * mhat / (sqrt(vhat) + eps)`` (correct; the
    digit classifier uses beta2 = 0.99, the paper 0.999).
    """
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return theta - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def source_momentum_update(
    theta: np.ndarray, g: np.ndarray, v: np.ndarray, lr: float, beta: float = 0.9
) -> tuple[np.ndarray, np.ndarray]:
    r"""The XOR write-up's momentum: v = beta v + lr g; theta = theta - v. Returns (theta, v).

    Math: v_t = sum_i beta^(t-i) lr_i g_i carries the learning rate inside. PyTorch's
    SGD(momentum=beta) keeps b_t = sum_i beta^(t-i) g_i and steps lr_t b_t, which is the
    same while lr is constant; after an lr change they differ (PyTorch rescales the whole
    history with the new lr).
    Source (SPEC §2): ``v = beta v + lr * grad; theta -= v`` (beta 0.9).
    """
    v = beta * v + lr * g
    return theta - v, v


def ema_momentum_update(
    theta: np.ndarray, g: np.ndarray, v: np.ndarray, lr: float, beta: float = 0.9
) -> tuple[np.ndarray, np.ndarray]:
    r"""The notebook's momentum: v = beta v + (1 - beta) g; theta = theta - lr v.

    Math: v_t = (1 - beta) sum_i beta^(t-i) g_i, so this is PyTorch's
    SGD(momentum=beta, dampening=0) with learning rate lr (1 - beta).
    Source (SPEC §3): ``v = beta v + (1-beta) g, theta -= lr v``.
    """
    v = beta * v + (1 - beta) * g
    return theta - lr * v, v


def source_rmsprop_update(
    theta: np.ndarray, g: np.ndarray, v: np.ndarray, lr: float, beta2: float = 0.999
) -> tuple[np.ndarray, np.ndarray]:
    r"""The write-ups' RMSProp: v = beta2 v + (1 - beta2) g^2; theta -= lr g / sqrt(v).

    Math: a running mean of g^2 rescales each coordinate's step; there is no bias
    correction (the first step is lr g / (sqrt(1 - beta2) |g|)) and no eps, so a
    coordinate whose gradient has always been 0 computes 0/0 = nan. PyTorch's
    RMSprop(alpha=beta2) adds eps (1e-8) outside the square root; with eps = 0 it is
    this rule.
    Source (SPEC §2): ``v = b2 v + (1-b2) g^2; theta -= lr g / sqrt(v)``.
    """
    v = beta2 * v + (1 - beta2) * g * g
    with np.errstate(invalid="ignore", divide="ignore"):
        return theta - lr * g / np.sqrt(v), v
