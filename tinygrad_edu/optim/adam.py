r"""Adam (Kingma & Ba, arXiv:1412.6980, Algorithm 1), as ``torch.optim.Adam``.

For each parameter θ whose gradient g is not None (γ = ``lr``, read again at every step,
λ = ``weight_decay``; t is this parameter's own step count, and m, v start at 0)::

    t = t + 1
    d = -g if maximize else g
    d = d + λ·θ                          if λ != 0   (L2 decay, folded into the gradient)
    θ = θ·(1 - γ·λ)                      instead, if decoupled_weight_decay (AdamW)
    m = β1·m + (1 - β1)·d                moving average of the gradient
    v = β2·v + (1 - β2)·d²               moving average of the squared gradient
    m̂ = m / (1 - β1^t)                   bias corrections: m and v start at 0, so early
    v̂ = v / (1 - β2^t)                   averages are too small by exactly these factors
    v_max = max(v_max, v)                if amsgrad; v̂ then uses v_max instead of v
    θ = θ - γ·m̂ / (sqrt(v̂) + ε)

This is the paper's Algorithm 1 exactly; ε is added *after* the square root and after the
bias correction. The code computes the same thing in PyTorch's arrangement:
``denom = sqrt(v) / sqrt(1 - β2^t) + ε`` and ``θ = θ - (γ / (1 - β1^t))·m / denom``.

At t = 1, m̂ = d and v̂ = d², so the first step is γ·d/(|d| + ε) ≈ γ·sign(d) for every
element, whatever the gradient's scale.

A parameter without a gradient is skipped, and its t does not advance, so t (and the bias
corrections) can differ between parameters. The state, created at a parameter's first
step, is ``step`` (a 0-d float32 Tensor), ``exp_avg`` (m), ``exp_avg_sq`` (v) and, with
amsgrad, ``max_exp_avg_sq`` (v_max, the maximum of the *uncorrected* v).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import (
    Optimizer,
    ParamsT,
    _advance,
    _check_unfused,
    _direction,
    _evaluate,
    _new_step_counter,
)


class Adam(Optimizer):
    """Adam; see the module docstring for the algorithm.

    Args:
        params: the Tensors to optimize, or dicts defining parameter groups.
        lr: learning rate γ.
        betas: (β1, β2), decay rates of the two moving averages, each in [0, 1).
        eps: ε, added to the denominator for numerical stability.
        weight_decay: λ (L2 penalty, or decoupled decay if ``decoupled_weight_decay``).
        amsgrad: use the AMSGrad variant (Reddi et al., 2018).
        maximize: ascend the objective instead of descending.
        decoupled_weight_decay: decay θ directly (AdamW) instead of adding λ·θ to g.
        foreach, fused, capturable: accepted for compatibility with PyTorch; NumPy has one
            code path.
        differentiable: must stay False (see ``_check_unfused``).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not eps >= 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not weight_decay >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        _check_unfused(foreach, fused, differentiable)
        defaults = {
            "lr": lr,
            "betas": tuple(betas),
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
            "fused": fused,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Take one Adam step for every parameter that has a gradient."""
        loss = _evaluate(closure)
        for group in self.param_groups:
            lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
            beta1, beta2 = group["betas"]
            amsgrad, maximize = group["amsgrad"], group["maximize"]
            decoupled = group["decoupled_weight_decay"]
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                theta = p._data
                p._bump_version()  # θ changes in place: a graph that saved p must notice
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _new_step_counter()
                    state["exp_avg"] = Tensor(np.zeros_like(theta))
                    state["exp_avg_sq"] = Tensor(np.zeros_like(theta))
                    if amsgrad:
                        state["max_exp_avg_sq"] = Tensor(np.zeros_like(theta))
                scratch, tmp = self._buffers(p, 2)
                v_max = state["max_exp_avg_sq"]._data if amsgrad else None
                t = _advance(state["step"])  # t = t + 1
                adam_update(
                    theta, grad._data, state["exp_avg"]._data, state["exp_avg_sq"]._data,
                    v_max, scratch, tmp, t, lr, beta1, beta2, eps, weight_decay, maximize,
                    decoupled,
                )  # fmt: skip
        return loss


def adam_update(
    theta: np.ndarray,
    grad: np.ndarray,
    m: np.ndarray,
    v: np.ndarray,
    v_max: np.ndarray | None,
    scratch: np.ndarray,
    tmp: np.ndarray,
    t: float,
    lr: float,
    beta1: float,
    beta2: float,
    eps: float,
    weight_decay: float,
    maximize: bool,
    decoupled: bool,
) -> None:
    """One Adam update of θ (and of m, v, v_max) in place, at step t; see the module
    docstring. Elementwise, so it serves one parameter or, in ``tinygrad_edu.compile``,
    all of them at once laid end to end in one flat buffer, with bitwise the same result."""
    if decoupled:
        # θ = θ·(1 - γ·λ);  d = -g if maximize else g
        if weight_decay != 0:
            np.multiply(theta, 1 - lr * weight_decay, out=theta)
        d = _direction(grad, theta, 0, maximize, scratch)
    else:
        # d = (-g if maximize else g) + λ·θ
        d = _direction(grad, theta, weight_decay, maximize, scratch)

    # m = β1·m + (1 - β1)·d
    np.multiply(m, beta1, out=m)
    np.multiply(d, 1 - beta1, out=tmp)
    np.add(m, tmp, out=m)

    # v = β2·v + (1 - β2)·d²
    np.multiply(v, beta2, out=v)
    np.multiply(d, d, out=tmp)
    np.multiply(tmp, 1 - beta2, out=tmp)
    np.add(v, tmp, out=v)

    bias_correction1 = 1 - beta1**t
    bias_correction2 = 1 - beta2**t

    # denom = sqrt(v̂) + ε, computed as sqrt(v) / sqrt(1 - β2^t) + ε
    if v_max is not None:
        np.maximum(v_max, v, out=v_max)
        np.sqrt(v_max, out=tmp)
    else:
        np.sqrt(v, out=tmp)
    np.divide(tmp, math.sqrt(bias_correction2), out=tmp)
    np.add(tmp, eps, out=tmp)

    # θ = θ - γ·m̂ / denom, with m̂ = m / (1 - β1^t)
    np.divide(m, tmp, out=tmp)
    np.multiply(tmp, lr / bias_correction1, out=tmp)
    np.subtract(theta, tmp, out=theta)
