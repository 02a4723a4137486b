"""PyTorch's module-level functions (``tinygrad_edu.exp(x)`` as ``torch.exp(x)``).

Most are the Tensor methods themselves; ``cat`` and ``stack`` take several tensors.
"""

from __future__ import annotations

from collections.abc import Sequence

from tinygrad_edu.ops.movement import Cat
from tinygrad_edu.tensor import Tensor, _axis, _result_dtype, where

__all__ = ["cat", "stack", "where"]

abs = Tensor.abs
amax = Tensor.amax
amin = Tensor.amin
argmax = Tensor.argmax
argmin = Tensor.argmin
clamp = Tensor.clamp
clip = Tensor.clamp
cos = Tensor.cos
exp = Tensor.exp
flatten = Tensor.flatten
log = Tensor.log
log_softmax = Tensor.log_softmax
logsumexp = Tensor.logsumexp
matmul = Tensor.matmul
max = Tensor.max
maximum = Tensor.maximum
mean = Tensor.mean
min = Tensor.min
minimum = Tensor.minimum
permute = Tensor.permute
relu = Tensor.relu
reshape = Tensor.reshape
sigmoid = Tensor.sigmoid
sin = Tensor.sin
softmax = Tensor.softmax
sqrt = Tensor.sqrt
squeeze = Tensor.squeeze
std = Tensor.std
sum = Tensor.sum
tanh = Tensor.tanh
transpose = Tensor.transpose
unsqueeze = Tensor.unsqueeze
var = Tensor.var


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join tensors along an existing dimension ``dim``; all other sizes must match."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("cat: expected a non-empty list of Tensors")
    first = tensors[0]
    for k, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(
                f"cat: zero-dimensional tensor (at position {k}) cannot be concatenated; "
                "use stack() to join 0-d tensors"
            )
    d = _axis(dim, first.ndim)
    for t in tensors[1:]:
        if t.ndim != first.ndim or any(
            a != b for k, (a, b) in enumerate(zip(t.shape, first.shape)) if k != d
        ):
            raise ValueError(
                f"cat: tensors must have the same shape except in dimension {d}; got "
                f"{first.shape} and {t.shape}"
            )
    common = first._data.dtype  # PyTorch's promotion over all of them (none is 0-d here)
    for t in tensors[1:]:
        common = _result_dtype(common, t._data.dtype)
    return Cat.apply(*[t.to(common) for t in tensors], dim=d)


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Join same-shaped tensors along a new dimension ``dim``."""
    tensors = list(tensors)
    if not tensors:
        raise ValueError("stack: expected a non-empty list of Tensors")
    for t in tensors[1:]:
        if t.shape != tensors[0].shape:
            raise ValueError(
                f"stack: expects each tensor to be equal size, but got {tensors[0].shape} and "
                f"{t.shape}"
            )
    d = _axis(dim, tensors[0].ndim + 1)
    return cat([t.unsqueeze(d) for t in tensors], dim=d)
