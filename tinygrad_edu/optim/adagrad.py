r"""Adagrad (Duchi, Hazan & Singer, 2011), as ``torch.optim.Adagrad``.

For each parameter θ whose gradient g is not None (γ = ``lr``, read again at every step,
λ = ``weight_decay``; t is this parameter's own step count; the sum G starts at
``initial_accumulator_value``)::

    t = t + 1
    d = -g if maximize else g
    d = d + λ·θ                          if λ != 0   (L2 decay)
    γ_t = γ / (1 + (t - 1)·lr_decay)     the first step uses γ itself
    G = G + d²                           sum of all squared gradients so far
    θ = θ - γ_t·d / (sqrt(G) + ε)

G only grows, so each element's step size only shrinks: elements with large past gradients
slow down first. Unlike the other optimizers, Adagrad creates its state (``step`` and
``sum``) for every parameter already in ``__init__``, so ``state_dict()`` shows it before
the first step.
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


class Adagrad(Optimizer):
    """Adagrad; see the module docstring for the algorithm.

    Args:
        params: the Tensors to optimize, or dicts defining parameter groups.
        lr: learning rate γ.
        lr_decay: slows γ down as 1 / (1 + (t - 1)·lr_decay).
        weight_decay: λ, L2 penalty added to the gradient.
        initial_accumulator_value: starting value of the sum G.
        eps: ε, added to the denominator for numerical stability.
        maximize: ascend the objective instead of descending.
        foreach, fused: accepted for compatibility with PyTorch; NumPy has one code path.
        differentiable: must stay False (see ``_check_unfused``).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not lr_decay >= 0.0:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not weight_decay >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not initial_accumulator_value >= 0.0:
            raise ValueError(
                f"Invalid initial_accumulator_value value: {initial_accumulator_value}"
            )
        if not eps >= 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        _check_unfused(foreach, fused, differentiable)
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p)

    def _init_state(self, p: Tensor) -> None:
        """Give ``p`` its step counter and its sum G, filled with initial_accumulator_value."""
        state = self.state[p]
        state["step"] = _new_step_counter()
        state["sum"] = Tensor(np.full_like(p._data, self.defaults["initial_accumulator_value"]))

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Take one Adagrad step for every parameter that has a gradient."""
        loss = _evaluate(closure)
        for group in self.param_groups:
            lr, lr_decay, eps = group["lr"], group["lr_decay"], group["eps"]
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                theta = p._data
                p._bump_version()  # θ changes in place: a graph that saved p must notice
                state = self.state[p]
                if len(state) == 0:
                    # A group added later with add_param_group: create the state now.
                    self._init_state(p)
                scratch, tmp = self._buffers(p, 2)

                # t = t + 1
                t = _advance(state["step"])

                # d = (-g if maximize else g) + λ·θ
                d = _direction(grad._data, theta, group["weight_decay"], group["maximize"], scratch)

                # γ_t = γ / (1 + (t - 1)·lr_decay)
                clr = lr / (1 + (t - 1) * lr_decay)

                # G = G + d²
                total = state["sum"]._data
                np.multiply(d, d, out=tmp)
                np.add(total, tmp, out=total)

                # θ = θ - γ_t·d / (sqrt(G) + ε)
                np.sqrt(total, out=tmp)
                np.add(tmp, eps, out=tmp)
                np.divide(d, tmp, out=tmp)
                np.multiply(tmp, clr, out=tmp)
                np.subtract(theta, tmp, out=theta)
        return loss
