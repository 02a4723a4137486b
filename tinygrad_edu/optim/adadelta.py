r"""Adadelta (Zeiler 2012, "ADADELTA: an adaptive learning rate method"), as
``torch.optim.Adadelta``.

For each parameter θ whose gradient g is not None (γ = ``lr``, read again at every step,
ρ = ``rho``, λ = ``weight_decay``; v and u start at 0)::

    d  = -g if maximize else g
    d  = d + λ·θ                               if λ != 0   (L2 decay)
    v  = ρ·v + (1 - ρ)·d²                      moving average of the squared gradient
    Δ  = sqrt(u + ε) / sqrt(v + ε) · d         the step, in the units of θ
    u  = ρ·u + (1 - ρ)·Δ²                      moving average of the squared step
    θ  = θ - γ·Δ

The ratio sqrt(u + ε) / sqrt(v + ε) is a per-coordinate learning rate: the typical size
of recent steps over the typical size of recent gradients (Zeiler's "units" argument: it
gives Δ the units of θ, like Newton's step). Since u starts at 0, the first steps have
size about sqrt(ε) / sqrt(1 - ρ) ≈ 3e-3 per coordinate with the defaults; that is why
``lr`` is 1.0 by default (the paper has no learning rate; γ = 1 is the paper's method).
State, created at a parameter's first step: ``step``, ``square_avg`` (v), ``acc_delta`` (u).
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


class Adadelta(Optimizer):
    """Adadelta; see the module docstring for the algorithm.

    Args:
        params: the Tensors to optimize, or dicts defining parameter groups.
        lr: γ, a factor on the step Δ (1.0: the paper's method).
        rho: ρ, decay rate of both moving averages.
        eps: ε, inside both square roots (it also sets the size of the first steps).
        weight_decay: λ, L2 penalty added to the gradient.
        foreach: accepted for compatibility with PyTorch; NumPy has one code path.
        capturable: accepted for compatibility with PyTorch.
        maximize: ascend the objective instead of descending.
        differentiable: must stay False (see ``_check_unfused``).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not eps >= 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not weight_decay >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        _check_unfused(foreach, None, differentiable)
        defaults = {
            "lr": lr,
            "rho": rho,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "capturable": capturable,
            "foreach": foreach,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Take one Adadelta step for every parameter that has a gradient."""
        loss = _evaluate(closure)
        for group in self.param_groups:
            lr, rho, eps = group["lr"], group["rho"], group["eps"]
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                theta = p._data
                p._bump_version()  # θ changes in place: a graph that saved p must notice
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _new_step_counter()
                    state["square_avg"] = Tensor(np.zeros_like(theta))
                    state["acc_delta"] = Tensor(np.zeros_like(theta))
                scratch, delta, tmp = self._buffers(p, 3)
                _advance(state["step"])  # counted for checkpoints; Adadelta does not use it

                # d = (-g if maximize else g) + λ·θ
                d = _direction(grad._data, theta, group["weight_decay"], group["maximize"], scratch)

                # v = ρ·v + (1 - ρ)·d²
                v = state["square_avg"]._data
                np.multiply(v, rho, out=v)
                np.multiply(d, d, out=tmp)
                np.multiply(tmp, 1 - rho, out=tmp)
                np.add(v, tmp, out=v)

                # Δ = sqrt(u + ε) / sqrt(v + ε) · d
                u = state["acc_delta"]._data
                np.add(u, eps, out=delta)
                np.sqrt(delta, out=delta)
                np.add(v, eps, out=tmp)
                np.sqrt(tmp, out=tmp)
                np.divide(delta, tmp, out=delta)
                np.multiply(delta, d, out=delta)

                # u = ρ·u + (1 - ρ)·Δ²
                np.multiply(u, rho, out=u)
                np.multiply(delta, delta, out=tmp)
                np.multiply(tmp, 1 - rho, out=tmp)
                np.add(u, tmp, out=u)

                # θ = θ - γ·Δ
                np.multiply(delta, lr, out=delta)
                np.subtract(theta, delta, out=theta)
        return loss
