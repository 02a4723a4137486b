r"""Stochastic gradient descent, with optional momentum, as ``torch.optim.SGD``.

For each parameter θ whose gradient g is not None (γ = ``lr``, read again at every step,
λ = ``weight_decay``, μ = ``momentum``, τ = ``dampening``)::

    d = -g if maximize else g
    d = d + λ·θ                        if λ != 0   (L2 decay, θ from before this step)
    if μ != 0:
        b = copy of d                  on the parameter's first step (no dampening)
        b = μ·b + (1 - τ)·d            on every later step
        d = d + μ·b                    if nesterov (with the new b)
        d = b                          otherwise
    θ = θ - γ·d

The momentum buffer b is the only state (``state[p]['momentum_buffer']``), and it exists
only when μ != 0. Because γ multiplies the whole buffer, this equals the textbook
"v = μ·v + γ·g; θ = θ - v" only while γ stays constant. With τ = 0 the buffer is the
undamped sum b_t = Σ μ^(t-i)·g_i, so the moving-average form "v = μ·v + (1-μ)·g;
θ = θ - lr·v" is ``SGD(momentum=μ, lr=lr·(1-μ))``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, ParamsT, _check_unfused, _direction, _evaluate


class SGD(Optimizer):
    """Stochastic gradient descent (optionally with momentum); see the module docstring.

    Args:
        params: the Tensors to optimize, or dicts defining parameter groups.
        lr: learning rate γ.
        momentum: momentum factor μ (0 turns momentum off).
        dampening: τ, scales down the new gradient's share of the buffer, (1 - τ)·d.
        weight_decay: λ, L2 penalty added to the gradient.
        nesterov: use Nesterov momentum (needs μ > 0 and τ = 0).
        maximize: ascend the objective instead of descending.
        foreach, fused: accepted for compatibility with PyTorch; NumPy has one code path.
        differentiable: must stay False (see ``_check_unfused``).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        _check_unfused(foreach, fused, differentiable)
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": foreach,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Take one SGD step for every parameter that has a gradient."""
        loss = _evaluate(closure)
        for group in self.param_groups:
            lr, mu, tau = group["lr"], group["momentum"], group["dampening"]
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                theta = p._data
                p._bump_version()  # θ changes in place: a graph that saved p must notice
                scratch, tmp = self._buffers(p, 2)
                # d = (-g if maximize else g) + λ·θ
                d = _direction(grad._data, theta, group["weight_decay"], group["maximize"], scratch)
                if mu != 0:
                    state = self.state[p]
                    if "momentum_buffer" not in state:
                        # b = copy of d   (first step: no dampening)
                        state["momentum_buffer"] = Tensor(d.copy())
                        b = state["momentum_buffer"]._data
                    else:
                        # b = μ·b + (1 - τ)·d
                        b = state["momentum_buffer"]._data
                        np.multiply(b, mu, out=b)
                        if tau == 0:
                            np.add(b, d, out=b)
                        else:
                            np.multiply(d, 1 - tau, out=tmp)
                            np.add(b, tmp, out=b)
                    if group["nesterov"]:
                        # d = d + μ·b
                        np.multiply(b, mu, out=tmp)
                        d = np.add(d, tmp, out=tmp)
                    else:
                        # d = b
                        d = b
                # θ = θ - γ·d
                np.multiply(d, lr, out=tmp)
                np.subtract(theta, tmp, out=theta)
        return loss
