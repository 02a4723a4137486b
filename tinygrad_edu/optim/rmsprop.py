r"""RMSprop (Hinton's lecture notes; centered form from Graves 2013), as ``torch.optim.RMSprop``.

For each parameter θ whose gradient g is not None (γ = ``lr``, read again at every step,
α = ``alpha``, λ = ``weight_decay``, μ = ``momentum``; v, ḡ and b start at 0)::

    d = -g if maximize else g
    d = d + λ·θ                          if λ != 0   (L2 decay)
    v = α·v + (1 - α)·d²                 moving average of the squared gradient
    ḡ = α·ḡ + (1 - α)·d                  if centered: moving average of the gradient,
    s = sqrt(v - ḡ²) + ε                 and s estimates the standard deviation
    s = sqrt(v) + ε                      otherwise (ε is outside the square root)
    b = μ·b + d / s;  θ = θ - γ·b        if μ > 0
    θ = θ - γ·d / s                      otherwise

There is no bias correction: v starts at 0, so the first steps are large (at t = 1,
s ≈ sqrt(1 - α)·|d|). The step count is kept (``state['step']``) but not used.
State, created at a parameter's first step: ``step``, ``square_avg`` (v), then
``momentum_buffer`` (b) if μ > 0, then ``grad_avg`` (ḡ) if centered.
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


class RMSprop(Optimizer):
    """RMSprop; see the module docstring for the algorithm.

    Args:
        params: the Tensors to optimize, or dicts defining parameter groups.
        lr: learning rate γ.
        alpha: α, decay rate of the moving average of d².
        eps: ε, added to the denominator for numerical stability.
        weight_decay: λ, L2 penalty added to the gradient.
        momentum: μ (0 turns momentum off).
        centered: normalise by the estimated variance instead of the raw second moment.
        maximize: ascend the objective instead of descending.
        capturable, foreach: accepted for compatibility with PyTorch; NumPy has one code path.
        differentiable: must stay False (see ``_check_unfused``).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not eps >= 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not momentum >= 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not weight_decay >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not alpha >= 0.0:
            raise ValueError(f"Invalid alpha value: {alpha}")
        _check_unfused(foreach, None, differentiable)
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "capturable": capturable,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Take one RMSprop step for every parameter that has a gradient."""
        loss = _evaluate(closure)
        for group in self.param_groups:
            lr, alpha, eps, mu = group["lr"], group["alpha"], group["eps"], group["momentum"]
            centered = group["centered"]
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
                    if mu > 0:
                        state["momentum_buffer"] = Tensor(np.zeros_like(theta))
                    if centered:
                        state["grad_avg"] = Tensor(np.zeros_like(theta))
                scratch, tmp = self._buffers(p, 2)
                _advance(state["step"])  # counted for checkpoints; RMSprop has no bias correction

                # d = (-g if maximize else g) + λ·θ
                d = _direction(grad._data, theta, group["weight_decay"], group["maximize"], scratch)

                # v = α·v + (1 - α)·d²
                v = state["square_avg"]._data
                np.multiply(v, alpha, out=v)
                np.multiply(d, d, out=tmp)
                np.multiply(tmp, 1 - alpha, out=tmp)
                np.add(v, tmp, out=v)

                if centered:
                    # ḡ = α·ḡ + (1 - α)·d;  s = sqrt(v - ḡ²)
                    g_avg = state["grad_avg"]._data
                    np.multiply(g_avg, alpha, out=g_avg)
                    np.multiply(d, 1 - alpha, out=tmp)
                    np.add(g_avg, tmp, out=g_avg)
                    np.multiply(g_avg, g_avg, out=tmp)
                    np.subtract(v, tmp, out=tmp)
                    np.sqrt(tmp, out=tmp)
                else:
                    # s = sqrt(v)
                    np.sqrt(v, out=tmp)
                # s = s + ε
                np.add(tmp, eps, out=tmp)

                np.divide(d, tmp, out=tmp)
                if mu > 0:
                    # b = μ·b + d / s;  θ = θ - γ·b
                    b = state["momentum_buffer"]._data
                    np.multiply(b, mu, out=b)
                    np.add(b, tmp, out=b)
                    np.multiply(b, lr, out=tmp)
                else:
                    # θ = θ - γ·d / s
                    np.multiply(tmp, lr, out=tmp)
                np.subtract(theta, tmp, out=theta)
        return loss
