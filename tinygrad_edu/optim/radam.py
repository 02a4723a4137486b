r"""RAdam: Adam with a rectified adaptive learning rate (Liu et al., arXiv:1908.03265), as
``torch.optim.RAdam``.

Early in training, Adam's v̂ is an average of very few squared gradients, so its variance
is large and the first steps can be erratic (which is why Adam is often used with a
warm-up). RAdam estimates the length ρ_t of the simple moving average that v̂ amounts to,
and uses the adaptive step only once ρ_t > 5, scaled by a factor r_t that corrects its
variance; before that it takes plain momentum steps. For each parameter θ whose gradient g
is not None (γ = ``lr``, read again at every step, λ = ``weight_decay``; t is this
parameter's own step count; m, v start at 0)::

    t = t + 1
    d = -g if maximize else g
    d = d + λ·θ                          if λ != 0   (L2 decay, folded into the gradient)
    θ = θ·(1 - γ·λ)                      instead, if decoupled_weight_decay
    m = β1·m + (1 - β1)·d                moving average of the gradient
    v = β2·v + (1 - β2)·d²               moving average of the squared gradient
    m̂ = m / (1 - β1^t)                   bias-corrected momentum
    ρ∞ = 2/(1 - β2) - 1                  the longest the moving average can be
    ρ_t = ρ∞ - 2·t·β2^t / (1 - β2^t)     its length at step t
    if ρ_t > 5:
        r = sqrt((ρ_t - 4)(ρ_t - 2)·ρ∞ / ((ρ∞ - 4)(ρ∞ - 2)·ρ_t))    variance rectification
        l = sqrt(1 - β2^t) / (sqrt(v) + ε)                            adaptive rate, 1/sqrt(v̂)
        θ = θ - γ·m̂·l·r
    else:
        θ = θ - γ·m̂                      SGD with (bias-corrected) momentum

ε is added to sqrt(v) *before* the bias correction, unlike Adam (PyTorch's arrangement).
With the default β2 = 0.999, ρ_t first exceeds 5 at t = 6. A parameter without a
gradient is skipped and its t does not advance. The state, created at a parameter's first
step, is ``step`` (a 0-d float32 Tensor), ``exp_avg`` (m) and ``exp_avg_sq`` (v).
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


class RAdam(Optimizer):
    """RAdam, rectified Adam; see the module docstring for the algorithm.

    Args:
        params: the Tensors to optimize, or dicts defining parameter groups.
        lr: learning rate γ.
        betas: (β1, β2), decay rates of the two moving averages, each in [0, 1).
        eps: ε, added to the denominator for numerical stability.
        weight_decay: λ (L2 penalty, or decoupled decay if ``decoupled_weight_decay``).
        decoupled_weight_decay: decay θ directly (as AdamW) instead of adding λ·θ to g.
        foreach, capturable: accepted for compatibility with PyTorch; NumPy has one code
            path.
        maximize: ascend the objective instead of descending.
        differentiable: must stay False (see ``_check_unfused``).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
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
        _check_unfused(foreach, None, differentiable)
        defaults = {
            "lr": lr,
            "betas": tuple(betas),
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "decoupled_weight_decay": decoupled_weight_decay,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Take one RAdam step for every parameter that has a gradient."""
        loss = _evaluate(closure)
        for group in self.param_groups:
            lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
            beta1, beta2 = group["betas"]
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
                scratch, tmp = self._buffers(p, 2)

                # t = t + 1
                t = _advance(state["step"])

                if decoupled:
                    # θ = θ·(1 - γ·λ);  d = -g if maximize else g
                    if weight_decay != 0:
                        np.multiply(theta, 1 - lr * weight_decay, out=theta)
                    d = _direction(grad._data, theta, 0, group["maximize"], scratch)
                else:
                    # d = (-g if maximize else g) + λ·θ
                    d = _direction(grad._data, theta, weight_decay, group["maximize"], scratch)

                # m = β1·m + (1 - β1)·d
                m = state["exp_avg"]._data
                np.multiply(m, beta1, out=m)
                np.multiply(d, 1 - beta1, out=tmp)
                np.add(m, tmp, out=m)

                # v = β2·v + (1 - β2)·d²
                v = state["exp_avg_sq"]._data
                np.multiply(v, beta2, out=v)
                np.multiply(d, d, out=tmp)
                np.multiply(tmp, 1 - beta2, out=tmp)
                np.add(v, tmp, out=v)

                bias_correction1 = 1 - beta1**t
                bias_correction2 = 1 - beta2**t

                # ρ∞ and ρ_t, the lengths of the approximated moving average
                rho_inf = 2 / (1 - beta2) - 1
                rho_t = rho_inf - 2 * t * beta2**t / bias_correction2

                if rho_t > 5.0:
                    # θ = θ - γ·m̂·l·r, with l = sqrt(1 - β2^t) / (sqrt(v) + ε)
                    rect = math.sqrt(
                        (rho_t - 4)
                        * (rho_t - 2)
                        * rho_inf
                        / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
                    )
                    np.sqrt(v, out=tmp)
                    np.add(tmp, eps, out=tmp)
                    np.divide(m, tmp, out=tmp)
                    scale = lr * math.sqrt(bias_correction2) * rect / bias_correction1
                    np.multiply(tmp, scale, out=tmp)
                else:
                    # θ = θ - γ·m̂
                    np.multiply(m, lr / bias_correction1, out=tmp)
                np.subtract(theta, tmp, out=theta)
        return loss
