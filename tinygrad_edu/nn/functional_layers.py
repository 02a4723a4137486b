"""The functional forms of the newer activations, the normalisation layers and embedding.

Re-exported by ``tinygrad_edu.nn.functional`` (``F.gelu``, ``F.batch_norm`` ...).

    gelu        x Phi(x) = x (1 + erf(x / sqrt 2)) / 2, or its tanh approximation
    silu        x sigmoid(x)
    mish        x tanh(softplus(x))
    elu, softplus, logsigmoid, hardtanh     ops of their own (ops/activation.py)
    batch_norm  (x - mean) / sqrt(var + eps) * w + b, statistics per channel over the batch
    layer_norm  the same with statistics over the last dimensions of each sample
    group_norm  the same with statistics over groups of channels of each sample
    embedding   rows of a weight matrix picked by integer indices

The normalisations are compositions of mean, subtraction, multiplication and sqrt, so
autograd differentiates them (and their gradients) with no backward of their own.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Sequence

import numpy as np

from tinygrad_edu.autograd.function import Function
from tinygrad_edu.ops import activation as A
from tinygrad_edu.ops.movement import IndexAdd
from tinygrad_edu.tensor import Tensor

__all__ = [
    "batch_norm",
    "elu",
    "embedding",
    "gelu",
    "group_norm",
    "hardtanh",
    "layer_norm",
    "logsigmoid",
    "mish",
    "silu",
    "softplus",
]


# ============================================================================ activations
def _need_floating(x: Tensor, kernel: str) -> None:
    """PyTorch's kernels for these functions exist for floating dtypes only."""
    if x._data.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for {x._data.dtype} tensors')


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x Phi(x), Phi the standard normal CDF: (x / 2)(1 + erf(x / sqrt 2)).

    ``approximate='tanh'``: (x / 2)(1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))).
    """
    _need_floating(input, "GeluKernelImpl")
    if approximate == "none":
        return input * 0.5 * (1.0 + A.Erf.apply(input * (1 / math.sqrt(2.0))))
    if approximate == "tanh":
        inner = (input + input * input * input * 0.044715) * math.sqrt(2 / math.pi)
        return input * 0.5 * (1.0 + inner.tanh())
    raise RuntimeError(f"approximate argument must be either none or tanh, got {approximate!r}")


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x sigmoid(x) (also called swish)."""
    _need_floating(input, "silu")
    return input * input.sigmoid()


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x tanh(softplus(x))."""
    _need_floating(input, "mish")
    return input * A.Softplus.apply(input, beta=1.0, threshold=20.0).tanh()


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x where x > 0, else alpha (exp(x) - 1)."""
    _need_floating(input, "elu")
    return A.ELU.apply(input, alpha=float(alpha))


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold."""
    _need_floating(input, "softplus")
    return A.Softplus.apply(input, beta=float(beta), threshold=float(threshold))


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)), computed without overflow for large |x|."""
    _need_floating(input, "log_sigmoid")
    return A.LogSigmoid.apply(input)


def hardtanh(
    input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    """clamp(x, min_val, max_val), with gradient 0 at the edges (PyTorch's hardtanh)."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if input._data.dtype.kind == "b":
        raise RuntimeError("Bool inputs not supported for hardtanh")
    if input._data.dtype.kind in "iu":  # integers stay integers: the bounds truncate to ints
        return input.clamp(math.trunc(min_val), math.trunc(max_val))
    return A.Hardtanh.apply(input, lo=float(min_val), hi=float(max_val))


# ============================================================================ normalisation
def _normalize(x: Tensor, dims: tuple[int, ...], eps: float) -> tuple[Tensor, Tensor, Tensor]:
    """(x - mean) / sqrt(var + eps) over ``dims`` (biased variance), with mean and var."""
    mean = x.mean(dims, keepdim=True)
    centred = x - mean
    var = (centred * centred).mean(dims, keepdim=True)
    return centred / (var + eps).sqrt(), mean, var


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each channel (dimension 1) with its statistics over the batch and the
    other dimensions (training) or with the running statistics (evaluation).

    In training, the running statistics are updated in place:
    running = (1 - momentum) running + momentum batch, with the unbiased batch variance.
    """
    if input.ndim < 2:
        raise ValueError(
            f"batch_norm: expected an input of at least 2 dimensions, got {input.shape}"
        )
    c = input.shape[1]
    dims = (0, *range(2, input.ndim))
    shape = (1, c) + (1,) * (input.ndim - 2)
    if training:
        count = input.numel() // c
        if count <= 1:
            raise ValueError(
                "Expected more than 1 value per channel when training, got input size "
                f"{list(input.shape)}"
            )
        out, mean, var = _normalize(input, dims, eps)
        if running_mean is not None:
            _blend(running_mean, mean.detach().numpy().reshape(c), momentum)
        if running_var is not None:
            unbiased = var.detach().numpy().reshape(c) * (count / (count - 1))
            _blend(running_var, unbiased, momentum)
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("batch_norm: running_mean and running_var are needed in evaluation")
        mean = running_mean.detach().reshape(shape)
        var = running_var.detach().reshape(shape)
        out = (input - mean) / (var + eps).sqrt()
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def _blend(running: Tensor, batch: np.ndarray, momentum: float) -> None:
    """running = (1 - momentum) running + momentum batch, in place (a buffer, no graph)."""
    running._bump_version()
    data = running._data
    np.multiply(data, 1 - momentum, out=data)
    data += (momentum * batch).astype(data.dtype)


def layer_norm(
    input: Tensor,
    normalized_shape: Sequence[int] | int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Normalise each sample over its last len(normalized_shape) dimensions, then scale and
    shift elementwise by weight and bias (of shape ``normalized_shape``)."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    _need_floating(input, "layer_norm")
    if tuple(input.shape[input.ndim - len(shape) :]) != shape or len(shape) > input.ndim:
        raise RuntimeError(
            f"Given normalized_shape={list(shape)}, expected input with shape [*, "
            f"{', '.join(map(str, shape))}], but got input of size{list(input.shape)}"
        )
    out = _normalize(input, tuple(range(input.ndim - len(shape), input.ndim)), eps)[0]
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Split the channels of each sample into ``num_groups`` groups and normalise each group
    over its channels and positions; then scale and shift per channel."""
    if input.ndim < 2 or input.shape[1] % num_groups:
        raise RuntimeError(
            f"Expected number of channels in input to be divisible by num_groups, but got "
            f"input of shape {list(input.shape)} and num_groups={num_groups}"
        )
    _need_floating(input, "group_norm")
    n, c = input.shape[:2]
    if n * c // num_groups * math.prod(input.shape[2:]) == 1:  # (PyTorch's check)
        raise ValueError(
            f"Expected more than 1 value per channel when training, got input size "
            f"{[n * c // num_groups, num_groups, *input.shape[2:]]}"
        )
    grouped = input.reshape(n, num_groups, input.numel() // builtins.max(n * num_groups, 1))
    out = _normalize(grouped, (2,), eps)[0].reshape(input.shape)
    shape = (1, c) + (1,) * (input.ndim - 2)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


# ============================================================================ embedding
class Embedding(Function):
    """y = W[idx]: the rows of W picked by integer indices (any shape) -> idx.shape + (dim,).

    dL/dW = zeros with each row of dL/dy added into the row it came from (``IndexAdd``:
    an index used twice gets both gradients), except that the row ``padding_idx`` gets none.
    """

    @staticmethod
    def forward(ctx, weight, *, indices, padding_idx):
        ctx.indices = indices
        ctx.keep = None if padding_idx is None else (indices != padding_idx)[..., None]
        return weight._data[indices]

    @staticmethod
    def _masked(ctx, g: Tensor) -> Tensor:
        if ctx.keep is None:
            return g
        return g * Tensor._make(ctx.keep.astype(g.dtype), False, None)

    @staticmethod
    def backward(ctx, grad):
        shape = ctx.input_shapes[0]
        return IndexAdd.apply(Embedding._masked(ctx, grad), index=ctx.indices, shape=shape)

    @staticmethod
    def jvp(ctx, tw):
        """Forward mode: dy = dW[idx] (the padding row counts as a constant, as in backward)."""
        return Embedding._masked(ctx, tw[ctx.indices])


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """The rows of ``weight`` (num_embeddings, dim) at the integer indices ``input``."""
    if max_norm is not None or scale_grad_by_freq or sparse:
        raise NotImplementedError(
            "embedding: max_norm, scale_grad_by_freq and sparse are not supported in tinygrad_edu"
        )
    indices = input._data if isinstance(input, Tensor) else np.asarray(input)
    if indices.dtype.kind not in "iu":
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got {indices.dtype} instead (call .long())"
        )
    n = weight.shape[0]
    if indices.size and (indices.min() < 0 or indices.max() >= n):
        bad = indices[(indices < 0) | (indices >= n)].flat[0]
        raise IndexError(f"index out of range in self: index {bad} with {n} embeddings")
    if padding_idx is not None and padding_idx < 0:
        padding_idx += n
    return Embedding.apply(weight, indices=indices, padding_idx=padding_idx)
