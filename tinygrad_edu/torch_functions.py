"""PyTorch's module-level functions: ``torch.mul(a, b)``, ``torch.norm(x, dim=1)``, ...

Each takes its tensor as ``input`` (so ``torch.matmul(input=a, other=b)`` works) and, like
PyTorch's, accepts ``out=``: the result is then written into that tensor (resized if its
shape differs) and returned. As in PyTorch, ``out=`` is refused while gradients are being
recorded for the result. The work is done by the Tensor method of the same name.

Random sampling with no Tensor method lives here too: ``normal`` and ``multinomial``.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from tinygrad_edu.autograd.grad_mode import is_grad_enabled
from tinygrad_edu.random import Generator, rng
from tinygrad_edu.tensor import Tensor


def _write_out(result: Any, out: Any, name: str) -> Any:
    """Write ``result`` into ``out`` (a tensor, or a tuple of them for tuple results)."""
    if out is None:
        return result
    if isinstance(result, tuple):
        if not isinstance(out, (tuple, list)) or len(out) != len(result):
            raise TypeError(f"{name}(): out= must be a tuple of {len(result)} tensors")
        written = [_write_out(r, o, name) for r, o in zip(result, out)]
        return type(result)(*written) if hasattr(result, "_fields") else tuple(written)
    if not isinstance(out, Tensor):
        raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
    if is_grad_enabled() and (result.requires_grad or out.requires_grad):
        raise RuntimeError(
            f"{name}(): functions with out=... arguments don't support automatic "
            "differentiation, but one of the arguments requires grad."
        )
    if result.dtype.kind == "f" and out.dtype.kind != "f":
        raise RuntimeError(
            f"{name}(): result type {result.dtype} can't be cast to the desired output type "
            f"{out.dtype}"
        )
    if out.shape != result.shape:  # PyTorch resizes out to the result's shape
        out._data = result._data.astype(out.dtype)
        out._base, out._view = None, None
        out._bump_version()
    else:
        np.copyto(out._data, result._data, casting="unsafe")
        out._bump_version()
    return out


def _function(name: str, method_name: str | None = None) -> Any:
    """``torch.<name>(input, *args, out=None, **kwargs)`` from ``Tensor.<method_name>``."""
    method = getattr(Tensor, method_name or name)

    @functools.wraps(method)
    def fn(input: Any, *args: Any, out: Any = None, **kwargs: Any) -> Any:
        if not isinstance(input, Tensor):
            from tinygrad_edu.creation import tensor

            input = tensor(input)
        return _write_out(method(input, *args, **kwargs), out, name)

    fn.__name__ = fn.__qualname__ = name
    fn.__module__ = __name__
    del fn.__wrapped__  # (keep inspect from showing the method's ``self``)
    return fn


# name in torch -> name of the Tensor method that does the work
_NAMES = {
    n: n
    for n in """
    abs exp log log10 log2 log1p expm1 sqrt rsqrt sin cos tanh sigmoid relu square reciprocal
    neg sign floor ceil round trunc frac clamp clamp_min clamp_max add sub mul div true_divide
    pow remainder fmod floor_divide matmul mm bmm dot outer addmm maximum minimum sum mean var
    std amax amin max min argmax argmin logsumexp softmax log_softmax norm prod cumsum all any
    gather scatter_add index_select masked_select masked_fill sort argsort topk flatten reshape
    permute transpose t squeeze unsqueeze flip roll chunk split tril triu diag tile narrow select
    unbind isnan isinf isfinite logical_and logical_or logical_xor logical_not eq ne lt le gt ge
    equal allclose isclose count_nonzero nonzero unique lerp addcmul addcdiv numel
    is_floating_point clone detach
    """.split()  # noqa: SIM905
}
_NAMES.update(
    clip="clamp",
    negative="neg",
    subtract="sub",
    multiply="mul",
    divide="div",
    greater="gt",
    greater_equal="ge",
    less="lt",
    less_equal="le",
    not_equal="ne",
    absolute="abs",
    swapaxes="transpose",
)

__all__ = sorted(_NAMES) + ["is_tensor", "multinomial", "normal", "var_mean", "std_mean"]
globals().update({name: _function(name, method) for name, method in _NAMES.items()})


def is_tensor(obj: Any) -> bool:
    return isinstance(obj, Tensor)


def var_mean(input: Tensor, dim: Any = None, *, correction: int = 1, keepdim: bool = False):
    """(variance, mean) over ``dim``."""
    return input.var(dim, keepdim=keepdim, correction=correction), input.mean(dim, keepdim)


def std_mean(input: Tensor, dim: Any = None, *, correction: int = 1, keepdim: bool = False):
    """(standard deviation, mean) over ``dim``."""
    return input.std(dim, keepdim=keepdim, correction=correction), input.mean(dim, keepdim)


def normal(
    mean: Tensor | float = 0.0,
    std: Tensor | float = 1.0,
    size: Any = None,
    *,
    generator: Generator | None = None,
    out: Tensor | None = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """Samples from N(mean, std^2): ``normal(0.0, 1.0, size=(3,))``, or with tensor mean
    and/or std, one sample per element of their broadcast shape. Not differentiable."""
    from tinygrad_edu import _device, dtypes

    _device.check_device(device)
    m = mean._data if isinstance(mean, Tensor) else np.asarray(mean, dtype=np.float64)
    s = std._data if isinstance(std, Tensor) else np.asarray(std, dtype=np.float64)
    tensors = [t for t in (mean, std) if isinstance(t, Tensor)]
    if tensors and size is not None:
        raise RuntimeError("normal(): size= is only allowed when mean and std are numbers")
    if not tensors and size is None:
        raise TypeError("normal(): with number mean and std, give a size")
    if np.any(s < 0):
        raise RuntimeError(f"normal expects all elements of std >= 0.0, got {s.min()}")
    shape = np.broadcast_shapes(m.shape, s.shape) if tensors else tuple(size)
    result_dtype = dtype or (tensors[0].dtype if tensors else dtypes.get_default_dtype())
    samples = rng(generator).normal(m, s, shape).astype(result_dtype)
    return _write_out(Tensor(samples, requires_grad=requires_grad), out, "normal")


def multinomial(
    input: Tensor,
    num_samples: int,
    replacement: bool = False,
    *,
    generator: Generator | None = None,
    out: Tensor | None = None,
) -> Tensor:
    """Draw ``num_samples`` category indices from each row of weights ``input`` (1-D or 2-D,
    non-negative, not all zero; they need not sum to 1). Without replacement each index is
    drawn at most once."""
    p = input._data.astype(np.float64)
    if input.ndim not in (1, 2):
        raise RuntimeError(f"multinomial: prob_dist must be 1 or 2 dim, got {input.ndim}")
    rows = p.reshape(-1, p.shape[-1])
    if not np.all(np.isfinite(rows)) or np.any(rows < 0):
        raise RuntimeError(
            "multinomial: probability tensor contains either `inf`, `nan` or element < 0"
        )
    if np.any(rows.sum(1) <= 0):
        raise RuntimeError(
            "multinomial: invalid multinomial distribution (sum of probabilities <= 0)"
        )
    if num_samples <= 0:
        raise RuntimeError(f"multinomial: cannot sample n_sample <= 0 samples, got {num_samples}")
    n_rows, n_cats = rows.shape
    r = rng(generator)
    if replacement:
        # Inverse CDF for every row at once: shift row k's CDF (and its draws) by k.
        cdf = np.cumsum(rows / rows.sum(1, keepdims=True), axis=1)
        cdf[:, -1] = 1.0
        offset = np.arange(n_rows)[:, None]
        u = r.random((n_rows, num_samples))
        flat = np.searchsorted((cdf + offset).ravel(), (u + offset).ravel(), side="right")
        idx = flat.reshape(n_rows, num_samples) - offset * n_cats
        idx = np.minimum(idx, n_cats - 1)
    else:
        if num_samples > np.count_nonzero(rows, axis=1).min():
            raise RuntimeError(
                "multinomial: cannot sample n_sample > prob_dist.size(-1) samples without "
                f"replacement (asked {num_samples}, a row has "
                f"{np.count_nonzero(rows, axis=1).min()} nonzero weights)"
            )
        # An exponential race: category k finishes at time E_k / p_k; the order in which
        # they finish is a draw without replacement proportional to the weights.
        with np.errstate(divide="ignore"):
            times = r.exponential(size=rows.shape) / rows
        idx = np.argsort(times, axis=1, kind="stable")[:, :num_samples]
    result = Tensor(idx.astype(np.int64).reshape(*input.shape[:-1], num_samples))
    return _write_out(result, out, "multinomial")
