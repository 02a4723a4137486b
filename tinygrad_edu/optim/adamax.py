r"""Adamax (Kingma & Ba, arXiv:1412.6980, Algorithm 2), as ``torch.optim.Adamax``.

Adam's second moment is a moving average of g²; Adamax replaces it by an exponentially
weighted *infinity norm*, a running maximum of |g| that decays by β2 each step. For each
parameter θ whose gradient g is not None (γ = ``lr``, read again at every step,
λ = ``weight_decay``; t is this parameter's own step count; m and u start at 0)::

    t = t + 1
    d = -g if maximize else g
    d = d + λ·θ                          if λ != 0   (L2 decay, folded into the gradient)
    m = β1·m + (1 - β1)·d                moving average of the gradient
    u = max(β2·u, |d| + ε)               decaying running maximum of |d|, elementwise
    θ = θ - (γ / (1 - β1^t))·m / u       m is bias-corrected; u needs no correction

ε sits inside the maximum (PyTorch's arrangement), so u ≥ ε and the division is safe.
A parameter without a gradient is skipped and its t does not advance. The state, created
at a parameter's first step, is ``step`` (a 0-d float32 Tensor), ``exp_avg`` (m) and
``exp_inf`` (u).
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


class Adamax(Optimizer):
    """Adamax, Adam with an infinity norm; see the module docstring for the algorithm.

    Args:
        params: the Tensors to optimize, or dicts defining parameter groups.
        lr: learning rate γ.
        betas: (β1, β2), decay rates of the moving average and of the running maximum,
            each in [0, 1).
        eps: ε, the smallest value the running maximum u can take.
        weight_decay: λ, L2 penalty added to the gradient.
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
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
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
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Take one Adamax step for every parameter that has a gradient."""
        loss = _evaluate(closure)
        for group in self.param_groups:
            lr, eps, weight_decay = group["lr"], group["eps"], group["weight_decay"]
            beta1, beta2 = group["betas"]
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
                    state["exp_inf"] = Tensor(np.zeros_like(theta))
                scratch, tmp = self._buffers(p, 2)

                # t = t + 1
                t = _advance(state["step"])

                # d = (-g if maximize else g) + λ·θ
                d = _direction(grad._data, theta, weight_decay, group["maximize"], scratch)

                # m = β1·m + (1 - β1)·d
                m = state["exp_avg"]._data
                np.multiply(m, beta1, out=m)
                np.multiply(d, 1 - beta1, out=tmp)
                np.add(m, tmp, out=m)

                # u = max(β2·u, |d| + ε)
                u = state["exp_inf"]._data
                np.multiply(u, beta2, out=u)
                np.abs(d, out=tmp)
                np.add(tmp, eps, out=tmp)
                np.maximum(u, tmp, out=u)

                # θ = θ - (γ / (1 - β1^t))·m / u
                np.divide(m, u, out=tmp)
                np.multiply(tmp, lr / (1 - beta1**t), out=tmp)
                np.subtract(theta, tmp, out=theta)
        return loss
