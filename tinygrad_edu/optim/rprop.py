r"""Rprop, resilient backpropagation (Riedmiller & Braun, 1993), as ``torch.optim.Rprop``.

Rprop ignores the gradient's size and uses only its sign: each element has its own step
size s, which grows while the gradient keeps its sign and shrinks when the sign flips (the
last step jumped over a minimum). For each parameter θ whose gradient g is not None
(η- and η+ = ``etas``, s_min and s_max = ``step_sizes``; s starts at ``lr``, the previous
gradient p at 0)::

    t = t + 1
    d = -g if maximize else g
    f = η+  where d·p > 0                (same sign as last time: speed up)
        η-  where d·p < 0                (the sign flipped: slow down)
        1   where d·p = 0                (first step, or last step was a flip)
    s = clamp(s·f, s_min, s_max)
    d = 0   where d·p < 0                (after a flip, wait one step: no move, and p = 0
                                          makes the next step's factor 1)
    θ = θ - sign(d)·s
    p = d

Rprop is meant for full-batch training: with mini-batches the sign of g is noisy. ``lr``
is read only when a parameter's state is created (it is the initial step size). The state,
created at a parameter's first step, is ``step`` (a 0-d float32 Tensor, counted but
unused), ``prev`` (p) and ``step_size`` (s).
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


class Rprop(Optimizer):
    """Resilient backpropagation; see the module docstring for the algorithm.

    Args:
        params: the Tensors to optimize, or dicts defining parameter groups.
        lr: the initial step size of every element.
        etas: (η-, η+), the factors a step size is multiplied by after a sign flip and
            after an unchanged sign; 0 < η- < 1 < η+.
        step_sizes: (s_min, s_max), the range the step sizes are clamped to.
        capturable, foreach: accepted for compatibility with PyTorch; NumPy has one code
            path.
        maximize: ascend the objective instead of descending.
        differentiable: must stay False (see ``_check_unfused``).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        _check_unfused(foreach, None, differentiable)
        defaults = {
            "lr": lr,
            "etas": tuple(etas),
            "step_sizes": tuple(step_sizes),
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Take one Rprop step for every parameter that has a gradient."""
        loss = _evaluate(closure)
        for group in self.param_groups:
            eta_minus, eta_plus = group["etas"]
            size_min, size_max = group["step_sizes"]
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                theta = p._data
                p._bump_version()  # θ changes in place: a graph that saved p must notice
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _new_step_counter()
                    state["prev"] = Tensor(np.zeros_like(theta))
                    state["step_size"] = Tensor(np.full_like(theta, group["lr"]))
                scratch, factor = self._buffers(p, 2)

                # t = t + 1
                _advance(state["step"])

                # d = -g if maximize else g
                d = _direction(grad._data, theta, 0, group["maximize"], scratch)

                # f = η+ / η- / 1 where d·p > 0 / < 0 / = 0
                prev = state["prev"]._data
                np.multiply(d, prev, out=factor)
                np.sign(factor, out=factor)
                flipped = factor < 0
                factor[factor > 0] = eta_plus
                factor[flipped] = eta_minus
                factor[factor == 0] = 1

                # s = clamp(s·f, s_min, s_max)
                size = state["step_size"]._data
                np.multiply(size, factor, out=size)
                np.clip(size, size_min, size_max, out=size)

                # d = 0 where the sign flipped;  θ = θ - sign(d)·s;  p = d
                np.copyto(prev, d)
                prev[flipped] = 0
                np.sign(prev, out=factor)
                np.multiply(factor, size, out=factor)
                np.subtract(theta, factor, out=theta)
        return loss
