"""Gradient clipping (``torch.nn.utils``): call between ``backward()`` and ``step()``.

clip_grad_norm_   if the norm of all gradients together exceeds max_norm, scale them
                  all by max_norm / (norm + 1e-6): same direction, shorter step
clip_grad_value_  clamp every gradient element into [-clip_value, clip_value]
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from tinygrad_edu.tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _grads(parameters: Tensor | Iterable[Tensor]) -> list[Tensor]:
    params = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    return [p.grad for p in params if p.grad is not None]


def clip_grad_norm_(
    parameters: Tensor | Iterable[Tensor],
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> Tensor:
    """Scale the gradients in place so that their total norm is at most ``max_norm``.

    The total norm treats all gradients as one long vector:
    ||g||_p = (sum over every element |g|^p)^(1/p)  (the largest |g| for p = inf).
    Returns that norm as it was before clipping. ``foreach`` is accepted and ignored.
    """
    grads = _grads(parameters)
    if not grads:
        return Tensor(np.array(0.0, dtype=np.float32))
    norm_type = float(norm_type)
    if math.isinf(norm_type):
        norms = [np.max(np.abs(g._data), initial=0.0) for g in grads]
        total = max(norms)
    else:
        norms = [np.linalg.norm(g._data.reshape(-1), norm_type) for g in grads]
        total = float(np.linalg.norm(np.asarray(norms, dtype=np.float64), norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the gradients "
            "by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    coef = min(max_norm / (total + 1e-6), 1.0)
    for g in grads:
        g._data = g._data * g._data.dtype.type(coef)
    return Tensor(np.array(total, dtype=grads[0].dtype))


def clip_grad_value_(
    parameters: Tensor | Iterable[Tensor], clip_value: float, foreach: bool | None = None
) -> None:
    """Clamp every gradient element into [-clip_value, clip_value], in place."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        g._data = np.clip(g._data, -clip_value, clip_value)
