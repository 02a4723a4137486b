r"""AdamW (Loshchilov & Hutter, "Decoupled Weight Decay Regularization"), as ``torch.optim.AdamW``.

Adam's L2 decay adds λ·θ to the gradient, so it is divided by sqrt(v̂) like the rest of
the gradient: parameters with large gradients are barely decayed. AdamW instead shrinks θ
directly, before the Adam update (γ = ``lr``, read again at every step, λ = ``weight_decay``)::

    t = t + 1
    θ = θ·(1 - γ·λ)                      first, with the current (scheduled) γ
    d = -g if maximize else g            λ never enters m or v
    m = β1·m + (1 - β1)·d
    v = β2·v + (1 - β2)·d²
    m̂ = m / (1 - β1^t)
    v̂ = v / (1 - β2^t)                   (v_max = max(v_max, v) with amsgrad)
    θ = θ - γ·m̂ / (sqrt(v̂) + ε)

So θ_t = (1 - γλ)·θ_{t-1} - γ·m̂_t / (sqrt(v̂_t) + ε). It is ``Adam`` with
``decoupled_weight_decay=True``; note the default λ is 1e-2, not 0.
"""

from __future__ import annotations

from typing import Any

from .adam import Adam
from .optimizer import ParamsT


class AdamW(Adam):
    """Adam with decoupled weight decay; see the module docstring.

    Takes the same arguments as ``Adam`` except ``decoupled_weight_decay``, which is always
    True; ``weight_decay`` defaults to 1e-2.
    """

    def __init__(
        self,
        params: ParamsT,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            foreach=foreach,
            maximize=maximize,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )

    def __setstate__(self, state: dict[str, Any]) -> None:
        # A loaded state_dict may come from Adam; AdamW always decouples its decay.
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
