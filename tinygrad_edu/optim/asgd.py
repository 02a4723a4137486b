r"""ASGD, averaged stochastic gradient descent (Polyak & Juditsky, 1992), as
``torch.optim.ASGD``.

Plain SGD with a decaying step size η_t, that also keeps a running average ā of the
parameter's values from step t0 on; ā (``state['ax']``) is often a better final answer
than the last, noisy iterate. For each parameter θ whose gradient g is not None
(γ = ``lr``, λ = ``lambd``, α = ``alpha``, w = ``weight_decay``; η starts at γ, μ at 1,
ā at 0)::

    t = t + 1
    d = -g if maximize else g
    d = d + w·θ                          if w != 0   (L2 decay, folded into the gradient)
    θ = θ·(1 - λ·η) - η·d                an SGD step, plus a decay of λ·η
    ā = ā + μ·(θ - ā)                    (ā = θ while μ = 1, i.e. until t0 steps are done)
    η = γ / (1 + λ·γ·t)^α                the next step's size
    μ = 1 / max(1, t - t0)               the next step's averaging weight

As in PyTorch, η and μ are rounded to float32 after each update (they are kept as 0-d
float32 Tensors; ``load_state_dict`` casts them to the parameter's dtype, as PyTorch does,
but the values stay float32-rounded), and γ is read again at every step only for the next
η (the step in progress uses the η stored by the previous one). The state, created at a parameter's
first step, is ``step`` (a 0-d float32 Tensor), ``eta`` (η), ``mu`` (μ) and ``ax`` (ā).
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


class ASGD(Optimizer):
    """Averaged SGD; see the module docstring for the algorithm.

    Args:
        params: the Tensors to optimize, or dicts defining parameter groups.
        lr: learning rate γ (the initial step size η).
        lambd: λ, the decay term of the step size (and of θ).
        alpha: α, the power of the step size's decay.
        t0: the step after which averaging starts.
        weight_decay: w, L2 penalty added to the gradient.
        foreach, capturable: accepted for compatibility with PyTorch; NumPy has one code
            path.
        maximize: ascend the objective instead of descending.
        differentiable: must stay False (see ``_check_unfused``).
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        if not lr >= 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not weight_decay >= 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        _check_unfused(foreach, None, differentiable)
        defaults = {
            "lr": lr,
            "lambd": lambd,
            "alpha": alpha,
            "t0": t0,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Take one ASGD step for every parameter that has a gradient."""
        loss = _evaluate(closure)
        for group in self.param_groups:
            lr, lambd, alpha, t0 = group["lr"], group["lambd"], group["alpha"], group["t0"]
            for p in group["params"]:
                grad = p.grad
                if grad is None:
                    continue
                theta = p._data
                p._bump_version()  # θ changes in place: a graph that saved p must notice
                state = self.state[p]
                if len(state) == 0:
                    state["step"] = _new_step_counter()
                    state["eta"] = Tensor(np.array(lr, dtype=np.float32))
                    state["mu"] = Tensor(np.array(1.0, dtype=np.float32))
                    state["ax"] = Tensor(np.zeros_like(theta))
                scratch, tmp = self._buffers(p, 2)

                # t = t + 1
                t = _advance(state["step"])

                # d = (-g if maximize else g) + w·θ
                d = _direction(grad._data, theta, group["weight_decay"], group["maximize"], scratch)

                # θ = θ·(1 - λ·η) - η·d
                eta_data, mu_data = state["eta"]._data, state["mu"]._data
                eta = float(eta_data)
                np.multiply(theta, 1 - lambd * eta, out=theta)
                np.multiply(d, eta, out=tmp)
                np.subtract(theta, tmp, out=theta)

                # ā = ā + μ·(θ - ā)
                ax = state["ax"]._data
                mu = float(mu_data)
                if mu != 1:
                    np.subtract(theta, ax, out=tmp)
                    np.multiply(tmp, mu, out=tmp)
                    np.add(ax, tmp, out=ax)
                else:
                    np.copyto(ax, theta)

                # η = γ / (1 + λ·γ·t)^α;  μ = 1 / max(1, t - t0)   (rounded to float32)
                eta_data[()] = np.float32(lr / ((1 + lambd * lr * t) ** alpha))
                mu_data[()] = np.float32(1 / max(1, t - t0))
        return loss
