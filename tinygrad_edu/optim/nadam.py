r"""NAdam: Adam with Nesterov momentum (Dozat, 2016), as ``torch.optim.NAdam``.

Nesterov momentum looks one step ahead: the update uses the momentum the *next* step will
have. NAdam does this inside Adam, with a momentum coefficient μ_t that warms up from
β1/2 towards β1 (ψ = ``momentum_decay`` sets how fast). For each parameter θ whose
gradient g is not None (γ = ``lr``, read again at every step, λ = ``weight_decay``; t is
this parameter's own step count; m, v start at 0 and the product Π starts at 1)::

    t = t + 1
    d = -g if maximize else g
    d = d + λ·θ                              if λ != 0   (L2 decay, folded into the gradient)
    θ = θ·(1 - γ·λ)                          instead, if decoupled_weight_decay
    μ_t     = β1·(1 - 0.5·0.96^(t·ψ))        this step's momentum coefficient
    μ_{t+1} = β1·(1 - 0.5·0.96^((t+1)·ψ))    and the next step's
    Π = Π·μ_t                                product of all μ so far
    m = β1·m + (1 - β1)·d                    moving average of the gradient
    v = β2·v + (1 - β2)·d²                   moving average of the squared gradient
    s = sqrt(v / (1 - β2^t)) + ε             bias-corrected RMS, ε outside the root
    θ = θ - γ·(1 - μ_t)/(1 - Π) · d / s      the current gradient's share
    θ = θ - γ·μ_{t+1}/(1 - Π·μ_{t+1}) · m / s    the look-ahead momentum's share

The two shares replace Adam's single m̂ / s: the momentum part is bias-corrected with the
product of the μ's *including the next one*, which is the Nesterov look-ahead.

A parameter without a gradient is skipped and its t does not advance. The state, created
at a parameter's first step, is ``step`` (a 0-d float32 Tensor), ``mu_product`` (Π, a 0-d
float32 Tensor: as in PyTorch, Π·μ_t is computed in float32, μ_t rounded to float32 first),
``exp_avg`` (m) and ``exp_avg_sq`` (v). Like PyTorch, ``load_state_dict`` casts
``mu_product`` to the parameter's dtype, so after a resume a float64 model continues with
a float64 Π (the results then differ from an uninterrupted run by about 1e-8, relatively).
"""

from __future__ import annotations

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


class NAdam(Optimizer):
    """NAdam, Adam with Nesterov momentum; see the module docstring for the algorithm.

    Args:
        params: the Tensors to optimize, or dicts defining parameter groups.
        lr: learning rate γ.
        betas: (β1, β2), decay rates of the two moving averages, each in [0, 1).
        eps: ε, added to the denominator for numerical stability.
        weight_decay: λ (L2 penalty, or decoupled decay if ``decoupled_weight_decay``).
        momentum_decay: ψ, how fast μ_t approaches β1.
        decoupled_weight_decay: decay θ directly (as AdamW) instead of adding λ·θ to g.
        foreach, capturable: accepted for compatibility with PyTorch; NumPy has one code
            path.
        maximize: ascend the objective instead of descending.
        differentiable: must stay False (see ``_check_unfused``).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
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
        if not momentum_decay >= 0.0:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        _check_unfused(foreach, None, differentiable)
        defaults = {
            "lr": lr,
            "betas": tuple(betas),
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Take one NAdam step for every parameter that has a gradient."""
        loss = _evaluate(closure)
        for group in self.param_groups:
            lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
            beta1, beta2 = group["betas"]
            psi = group["momentum_decay"]
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
                    state["mu_product"] = Tensor(np.array(1.0, dtype=np.float32))
                    state["exp_avg"] = Tensor(np.zeros_like(theta))
                    state["exp_avg_sq"] = Tensor(np.zeros_like(theta))
                scratch, tmp, denom = self._buffers(p, 3)

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

                # μ_t, μ_{t+1};  Π = Π·μ_t, in Π's own dtype (float32 unless loaded)
                mu = beta1 * (1.0 - 0.5 * 0.96 ** (t * psi))
                mu_next = beta1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
                mu_product = state["mu_product"]._data
                mu_product[()] = mu_product * mu_product.dtype.type(mu)
                product = float(mu_product)

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

                # s = sqrt(v / (1 - β2^t)) + ε
                np.divide(v, 1 - beta2**t, out=denom)
                np.sqrt(denom, out=denom)
                np.add(denom, eps, out=denom)

                # θ = θ - γ·(1 - μ_t)/(1 - Π) · d / s
                np.divide(d, denom, out=tmp)
                np.multiply(tmp, lr * (1.0 - mu) / (1.0 - product), out=tmp)
                np.subtract(theta, tmp, out=theta)

                # θ = θ - γ·μ_{t+1}/(1 - Π·μ_{t+1}) · m / s
                np.divide(m, denom, out=tmp)
                np.multiply(tmp, lr * mu_next / (1.0 - product * mu_next), out=tmp)
                np.subtract(theta, tmp, out=theta)
        return loss
