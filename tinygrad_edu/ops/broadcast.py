"""Undo broadcasting in a gradient: the one helper every binary op's backward uses.

If ``a`` of shape (3, 1) is added to ``b`` of shape (4,), both are stretched to (3, 4). The
gradient arriving from the (3, 4) result must be summed back over every axis that was added
(leading axes) or stretched (size-1 axes), so that ``a.grad`` has shape (3, 1) and ``b.grad``
shape (4,). Summing is right because each input element was used once per copy.
"""

from __future__ import annotations

from tinygrad_edu.tensor import Tensor


def unbroadcast(grad: Tensor, shape: tuple[int, ...]) -> Tensor:
    """Sum ``grad`` over the axes that broadcasting added or stretched to reach ``shape``."""
    if grad.shape == shape:
        return grad
    lead = grad.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(shape) if n == 1 and grad.shape[lead + i] != 1
    )
    if axes:
        grad = grad.sum(dim=axes, keepdim=True)
    return grad.reshape(shape)
