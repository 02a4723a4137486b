"""PyTorch's module-level functions: ``torch.mul(a, b)``, ``torch.norm(x, dim=1)``, ...

Each takes its tensor as ``input`` (so ``torch.matmul(input=a, other=b)`` works) and, like
PyTorch's, accepts ``out=``: the result is then written into that tensor (resized if its
shape differs) and returned. As in PyTorch, ``out=`` is refused while gradients are being
recorded for the result. The work is done by the Tensor method of the same name.

Random sampling with no Tensor method lives here too: ``normal`` and ``multinomial``.
"""

from __future__ import annotations

import functools
import math
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
    is_floating_point clone detach tan sinh cosh atan asin acos atan2 exp2 logaddexp hypot
    xlogy rad2deg deg2rad sgn signbit nan_to_num nansum nanmean diff trace diagonal mv movedim
    moveaxis swapdims ravel take_along_dim fliplr flipud tensor_split repeat_interleave
    index_add index_fill median aminmax bernoulli positive is_complex is_same_size
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
    arctan="atan",
    arcsin="asin",
    arccos="acos",
    arctan2="atan2",
)

__all__ = sorted(_NAMES) + [
    "is_tensor", "multinomial", "normal", "var_mean", "std_mean", "Size", "dtype", "e", "pi",
    "inf", "nan", "FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor", "IntTensor",
    "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor", "as_tensor", "asarray",
    "broadcast_tensors", "broadcast_shapes", "broadcast_to", "concat", "concatenate", "hstack",
    "vstack", "meshgrid", "initial_seed", "seed", "get_rng_state", "set_rng_state",
    "get_num_threads", "set_num_threads", "inference_mode", "is_inference_mode_enabled",
    "finfo", "iinfo", "is_nonzero", "cdist", "bincount", "histc", "logspace", "tril_indices",
    "triu_indices", "scalar_tensor", "promote_types", "can_cast", "set_printoptions",
    "use_deterministic_algorithms", "are_deterministic_algorithms_enabled", "einsum", ]  # fmt: skip
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


# ---------------------------------------------------------------------------- constants, types
from tinygrad_edu._printing import Size  # noqa: E402  (the type of x.shape)

dtype = np.dtype  # the type of x.dtype: dtypes are NumPy dtype objects here
e, pi, inf, nan = math.e, math.pi, math.inf, math.nan


def _legacy_constructor(dtype_: Any, name: str) -> type:
    """``torch.FloatTensor([1, 2])`` (data) or ``torch.FloatTensor(2, 3)`` (uninitialised)."""

    def new(cls: type, *args: Any) -> Tensor:
        if len(args) == 1 and not isinstance(args[0], int):
            return Tensor(np.asarray(args[0] if not isinstance(args[0], Tensor) else args[0]._data,
                                     dtype=dtype_))  # fmt: skip
        return Tensor(np.zeros(tuple(args), dtype=dtype_))

    return type(name, (), {"__new__": new, "__doc__": f"Legacy constructor: a {dtype_} tensor."})


FloatTensor = _legacy_constructor(np.float32, "FloatTensor")
DoubleTensor = _legacy_constructor(np.float64, "DoubleTensor")
HalfTensor = _legacy_constructor(np.float16, "HalfTensor")
LongTensor = _legacy_constructor(np.int64, "LongTensor")
IntTensor = _legacy_constructor(np.int32, "IntTensor")
ShortTensor = _legacy_constructor(np.int16, "ShortTensor")
CharTensor = _legacy_constructor(np.int8, "CharTensor")
ByteTensor = _legacy_constructor(np.uint8, "ByteTensor")
BoolTensor = _legacy_constructor(np.bool_, "BoolTensor")


def finfo(type: Any = None) -> np.finfo:
    """Machine limits of a floating dtype (NumPy's finfo: eps, max, min, tiny, ...)."""
    from tinygrad_edu import dtypes

    return np.finfo(dtypes.get_default_dtype() if type is None else type)


def iinfo(type: Any) -> np.iinfo:
    return np.iinfo(type)


def promote_types(type1: Any, type2: Any) -> np.dtype:
    from tinygrad_edu.tensor import _result_dtype

    return _result_dtype(np.dtype(type1), np.dtype(type2))


def can_cast(from_: Any, to: Any) -> bool:
    """PyTorch's rule: casting may not go down the ladder bool < integer < floating."""
    rank = {"b": 0, "i": 1, "u": 1, "f": 2}
    return rank[np.dtype(from_).kind] <= rank[np.dtype(to).kind]


# ---------------------------------------------------------------------------- making tensors
def as_tensor(data: Any, dtype: Any = None, device: Any = None) -> Tensor:
    """``data`` as a tensor, sharing memory with it when it is already an array or tensor
    of that dtype."""
    from tinygrad_edu import _device
    from tinygrad_edu.creation import tensor

    _device.check_device(device)
    if isinstance(data, Tensor) and (dtype is None or np.dtype(dtype) == data.dtype):
        return data
    if isinstance(data, np.ndarray) and (dtype is None or np.dtype(dtype) == data.dtype):
        return Tensor(data)
    return tensor(data, dtype=dtype)


def asarray(obj: Any, *, dtype: Any = None, device: Any = None, copy: bool | None = None,
            requires_grad: bool = False) -> Tensor:  # fmt: skip
    from tinygrad_edu.creation import tensor

    if copy:
        return tensor(obj, dtype=dtype, device=device, requires_grad=requires_grad)
    return (
        as_tensor(obj, dtype, device).requires_grad_(requires_grad)
        if requires_grad
        else (as_tensor(obj, dtype, device))
    )


def scalar_tensor(s: Any, *, dtype: Any = None, device: Any = None,
                  requires_grad: bool = False) -> Tensor:  # fmt: skip
    from tinygrad_edu import dtypes
    from tinygrad_edu.creation import tensor

    return tensor(float(s), dtype=dtype or dtypes.get_default_dtype(), device=device,
                  requires_grad=requires_grad)  # fmt: skip


def logspace(start: float, end: float, steps: int, base: float = 10.0, *, dtype: Any = None,
             device: Any = None, requires_grad: bool = False) -> Tensor:  # fmt: skip
    """``base ** linspace(start, end, steps)``."""
    from tinygrad_edu.creation import linspace

    exps = linspace(start, end, steps, dtype=np.float64, device=device)
    from tinygrad_edu import dtypes

    values = (base**exps._data).astype(dtype or dtypes.get_default_dtype())
    return Tensor(values, requires_grad=requires_grad)


def _indices(fn: Any, row: int, col: int, offset: int) -> Tensor:
    r, c = fn(row, offset, col)
    return Tensor(np.stack([r, c]).astype(np.int64))


def tril_indices(row: int, col: int, offset: int = 0, **kw: Any) -> Tensor:
    """The (2, N) row and column indices of the lower triangle of a row x col matrix."""
    return _indices(np.tril_indices, row, col, offset)


def triu_indices(row: int, col: int, offset: int = 0, **kw: Any) -> Tensor:
    return _indices(np.triu_indices, row, col, offset)


# ---------------------------------------------------------------------------- shapes, joining
def broadcast_shapes(*shapes: Any) -> Size:
    return Size(np.broadcast_shapes(*[tuple(s) if not isinstance(s, int) else (s,)
                                      for s in shapes]))  # fmt: skip


def broadcast_to(input: Tensor, size: Any) -> Tensor:
    return input.expand(tuple(size))


def broadcast_tensors(*tensors: Tensor) -> tuple[Tensor, ...]:
    shape = np.broadcast_shapes(*[t.shape for t in tensors])
    return tuple(t.expand(shape) for t in tensors)


def concat(tensors: Any, dim: int = 0, *, out: Any = None) -> Tensor:
    from tinygrad_edu.functional import cat

    return _write_out(cat(tensors, dim), out, "concat")


concatenate = concat


def hstack(tensors: Any, *, out: Any = None) -> Tensor:
    """Join along dim 1 (dim 0 for 1-D tensors)."""
    tensors = [t if t.ndim else t.reshape(1) for t in tensors]
    return concat(tensors, 0 if tensors[0].ndim == 1 else 1, out=out)


def vstack(tensors: Any, *, out: Any = None) -> Tensor:
    """Join along dim 0, 1-D tensors as rows."""
    return concat([t.reshape(1, -1) if t.ndim < 2 else t for t in tensors], 0, out=out)


def meshgrid(*tensors: Any, indexing: str = "ij") -> tuple[Tensor, ...]:
    """Coordinate grids: with 'ij', output k varies along dim k (PyTorch's default)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f"meshgrid: indexing must be 'ij' or 'xy', got {indexing!r}")
    n = len(tensors)
    shape = [t.numel() for t in tensors]
    if indexing == "xy" and n >= 2:
        shape[0], shape[1] = shape[1], shape[0]
    out = []
    for k, t in enumerate(tensors):
        axis = k if indexing == "ij" or n < 2 or k > 1 else 1 - k
        view = [1] * n
        view[axis] = t.numel()
        out.append(t.reshape(view).expand(tuple(shape)))
    return tuple(out)


# ---------------------------------------------------------------------------- statistics
def cdist(x1: Tensor, x2: Tensor, p: float = 2.0) -> Tensor:
    """Pairwise p-norm distances between the rows of x1 (.., P, M) and x2 (.., R, M)."""
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    return diff.norm(p, dim=-1)


def bincount(input: Tensor, weights: Tensor | None = None, minlength: int = 0) -> Tensor:
    """How often each value 0, 1, ... occurs in a 1-D int tensor (weighted: their sum)."""
    w = None if weights is None else weights._data
    counts = np.bincount(input._data, weights=w, minlength=minlength)
    return Tensor(counts if w is not None else counts.astype(np.int64))


def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:
    """A histogram of ``bins`` equal bins over [min, max] (the data's range if both are 0)."""
    lo, hi = (float(input._data.min()), float(input._data.max())) if min == max == 0 else (min, max)
    counts, _ = np.histogram(input._data, bins=bins, range=(lo, hi))
    return Tensor(counts.astype(input.dtype))


def is_nonzero(input: Tensor) -> bool:
    if input.numel() != 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input._data.reshape(()) != 0)


# ---------------------------------------------------------------------------- global state
def initial_seed() -> int:
    from tinygrad_edu.random import default_generator

    return default_generator.initial_seed()


def seed() -> int:
    """Seed the library's generator from the operating system's entropy; return the seed."""
    import secrets

    from tinygrad_edu.random import manual_seed

    s = secrets.randbits(63)
    manual_seed(s)
    return s


def get_rng_state() -> Tensor:
    """The library generator's state, as a uint8 tensor (give it to set_rng_state)."""
    import json

    from tinygrad_edu.random import default_generator

    state = json.dumps(default_generator.rng.bit_generator.state).encode()
    return Tensor(np.frombuffer(state, dtype=np.uint8).copy())


def set_rng_state(new_state: Tensor) -> None:
    import json

    from tinygrad_edu.random import default_generator

    default_generator.rng.bit_generator.state = json.loads(bytes(new_state._data).decode())


def get_num_threads() -> int:
    """NumPy's BLAS picks its own threads; 1 is reported (set OMP_NUM_THREADS to change)."""
    return 1


def set_num_threads(num: int) -> None:
    """Accepted and ignored: NumPy's BLAS threads are set by OMP_NUM_THREADS at start-up."""


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Accepted: every op here is deterministic already."""


def are_deterministic_algorithms_enabled() -> bool:
    return True


def inference_mode(mode: bool = True) -> Any:
    """As ``no_grad`` (there is no separate inference mode here)."""
    from tinygrad_edu.autograd.grad_mode import set_grad_enabled

    return set_grad_enabled(not mode)


def is_inference_mode_enabled() -> bool:
    return False


def set_printoptions(precision: int | None = None, threshold: int | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None,
                     profile: str | None = None, sci_mode: bool | None = None) -> None:  # fmt: skip
    """How tensors print: digits after the point, the element count above which prints
    are summarised, items shown at each edge then, characters per line."""
    from tinygrad_edu import _printing

    if profile is not None:
        presets = {"default": (4, 1000, 3, 80), "short": (2, 1000, 2, 80),
                   "full": (4, math.inf, 3, 80)}  # fmt: skip
        _printing.PRECISION, _printing.THRESHOLD, _printing.EDGEITEMS, _printing.LINEWIDTH = (
            presets[profile]
        )
    for name, value in (("PRECISION", precision), ("THRESHOLD", threshold),
                        ("EDGEITEMS", edgeitems), ("LINEWIDTH", linewidth)):  # fmt: skip
        if value is not None:
            setattr(_printing, name, value)
    _printing.SCI_MODE = sci_mode


def einsum(equation: str, *operands: Tensor) -> Tensor:
    """Sums of products named by letters: ``einsum("ij,jk->ik", a, b)`` is ``a @ b``,
    ``einsum("bi,bi->b", x, y)`` row-wise dot products, ``einsum("ij->ji", a)`` a transpose.
    (No '...' and no letter repeated within one operand.)"""
    from tinygrad_edu.ops.einsum import Einsum
    from tinygrad_edu.tensor import _result_dtype

    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    dtype = functools.reduce(_result_dtype, [t.dtype for t in operands])
    return Einsum.apply(*[t.to(dtype) for t in operands], equation=equation)
