"""PyTorch's module-level functions: ``torch.mul(a, b)``, ``torch.norm(x, dim=1)``, ...

Each takes its tensor as ``input`` (so ``torch.matmul(input=a, other=b)`` works) and, like
PyTorch's, accepts ``out=``: the result is then written into that tensor (resized if its
shape differs) and returned. As in PyTorch, ``out=`` is refused while gradients are being
recorded for the result. The work is done by the Tensor method of the same name.

Random sampling with no Tensor method lives here too: ``normal`` and ``multinomial``.
"""

from __future__ import annotations

import builtins  # (this module defines torch's max, sum, range...: builtins.max is Python's)
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
    "is_tensor",
    "multinomial",
    "normal",
    "var_mean",
    "std_mean",
    "Size",
    "dtype",
    "e",
    "pi",
    "inf",
    "nan",
    "FloatTensor",
    "DoubleTensor",
    "HalfTensor",
    "LongTensor",
    "IntTensor",
    "ShortTensor",
    "CharTensor",
    "ByteTensor",
    "BoolTensor",
    "as_tensor",
    "asarray",
    "broadcast_tensors",
    "broadcast_shapes",
    "broadcast_to",
    "concat",
    "concatenate",
    "hstack",
    "vstack",
    "meshgrid",
    "initial_seed",
    "seed",
    "get_rng_state",
    "set_rng_state",
    "get_num_threads",
    "set_num_threads",
    "inference_mode",
    "is_inference_mode_enabled",
    "finfo",
    "iinfo",
    "is_nonzero",
    "cdist",
    "bincount",
    "histc",
    "logspace",
    "tril_indices",
    "triu_indices",
    "scalar_tensor",
    "promote_types",
    "can_cast",
    "set_printoptions",
    "use_deterministic_algorithms",
    "are_deterministic_algorithms_enabled",
    "einsum",
]
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
            return Tensor(
                np.asarray(
                    args[0] if not isinstance(args[0], Tensor) else args[0]._data, dtype=dtype_
                )
            )
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


def asarray(
    obj: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    copy: bool | None = None,
    requires_grad: bool = False,
) -> Tensor:
    from tinygrad_edu.creation import tensor

    if copy:
        return tensor(obj, dtype=dtype, device=device, requires_grad=requires_grad)
    return (
        as_tensor(obj, dtype, device).requires_grad_(requires_grad)
        if requires_grad
        else (as_tensor(obj, dtype, device))
    )


def scalar_tensor(
    s: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    from tinygrad_edu import dtypes
    from tinygrad_edu.creation import tensor

    return tensor(
        float(s),
        dtype=dtype or dtypes.get_default_dtype(),
        device=device,
        requires_grad=requires_grad,
    )


def logspace(
    start: float,
    end: float,
    steps: int,
    base: float = 10.0,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
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
    return Size(
        np.broadcast_shapes(*[tuple(s) if not isinstance(s, int) else (s,) for s in shapes])
    )


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


def set_printoptions(
    precision: int | None = None,
    threshold: int | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """How tensors print: digits after the point, the element count above which prints
    are summarised, items shown at each edge then, characters per line."""
    from tinygrad_edu import _printing

    if profile is not None:
        presets = {
            "default": (4, 1000, 3, 80),
            "short": (2, 1000, 2, 80),
            "full": (4, math.inf, 3, 80),
        }
        _printing.PRECISION, _printing.THRESHOLD, _printing.EDGEITEMS, _printing.LINEWIDTH = (
            presets[profile]
        )
    for name, value in (
        ("PRECISION", precision),
        ("THRESHOLD", threshold),
        ("EDGEITEMS", edgeitems),
        ("LINEWIDTH", linewidth),
    ):
        if value is not None:
            setattr(_printing, name, value)
    _printing.SCI_MODE = sci_mode


def einsum(equation: str, *operands: Tensor) -> Tensor:
    """Sums of products named by letters: ``einsum("ij,jk->ik", a, b)`` is ``a @ b``,
    ``einsum("bi,bi->b", x, y)`` row-wise dot products, ``einsum("ij->ji", a)`` a transpose.
    (No '...' and no letter repeated within one operand.)"""
    from tinygrad_edu.dtypes import int64
    from tinygrad_edu.ops.einsum import Einsum, parse
    from tinygrad_edu.tensor import _result_dtype

    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    dtype = functools.reduce(_result_dtype, [t.dtype for t in operands])
    inputs, out = parse(equation, len(operands))
    if len(operands) == 1 and set(inputs[0]) - set(out) and dtype.kind != "f":
        dtype = int64  # one operand summed over letters: integers sum as int64 (like sum)
    return Einsum.apply(*[t.to(dtype) for t in operands], equation=equation)


# ---------------------------------------------------------------------------- generated forms
def _inplace_function(name: str) -> Any:
    """``torch.relu_(x)`` is ``x.relu_()``."""

    def fn(input: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        return getattr(input, name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``input.{name}(...)``: in place, returns input."
    return fn


def _copy_function(name: str) -> Any:
    """``torch.permute_copy(x, dims)`` is ``x.permute(dims)``, copied out of the view."""
    view = name[: -len("_copy")]

    def fn(input: Tensor, *args: Any, out: Any = None, **kwargs: Any) -> Any:
        result = getattr(input, view)(*args, **kwargs)
        if isinstance(result, tuple):
            return tuple(r.clone() for r in result)
        return _write_out(result.clone(), out, name)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``input.{view}(...)`` as a new tensor (not a view)."
    return fn


_INPLACE_FUNCTIONS = """
    abs_ acos_ arccos_ arcsin_ arctan_ asin_ atan_ ceil_ clamp_ clamp_max_ clamp_min_ clip_ cos_
    cosh_ deg2rad_ exp2_ exp_ expm1_ fill_ floor_ frac_ log10_ log1p_ log2_ log_ nan_to_num_
    neg_ negative_ rad2deg_ reciprocal_ relu_ round_ rsqrt_ sigmoid_ sin_ sinh_ sqrt_ square_
    tan_ tanh_ trunc_ xlogy_ zero_ index_fill_ index_add_
    """.split()  # noqa: SIM905
_COPY_FUNCTIONS = """
    view_copy permute_copy t_copy transpose_copy squeeze_copy unsqueeze_copy expand_copy
    select_copy narrow_copy diagonal_copy detach_copy alias_copy split_copy unbind_copy
    """.split()  # noqa: SIM905
for _name in _INPLACE_FUNCTIONS:
    if hasattr(Tensor, _name):
        globals()[_name] = _inplace_function(_name)
        __all__.append(_name)
for _name in _COPY_FUNCTIONS:
    globals()[_name] = _copy_function(_name)
    __all__.append(_name)
globals()["alias_copy"] = _function("alias_copy", "clone")


# ---------------------------------------------------------------------------- small helpers
def rsub(input: Tensor, other: Any, alpha: float = 1) -> Tensor:
    """other - alpha * input."""
    return (input * alpha if alpha != 1 else input).neg() + other


def atleast_1d(*tensors: Any) -> Any:
    out = tuple(t.reshape(1) if t.ndim == 0 else t for t in _flat(tensors))
    return out[0] if len(out) == 1 else out


def atleast_2d(*tensors: Any) -> Any:
    out = tuple(
        t.reshape((1,) * (2 - t.ndim) + t.shape) if t.ndim < 2 else t for t in _flat(tensors)
    )
    return out[0] if len(out) == 1 else out


def atleast_3d(*tensors: Any) -> Any:
    def three(t: Tensor) -> Tensor:
        if t.ndim == 0:
            return t.reshape(1, 1, 1)
        if t.ndim == 1:
            return t.reshape(1, -1, 1)
        return t.unsqueeze(-1) if t.ndim == 2 else t

    out = tuple(three(t) for t in _flat(tensors))
    return out[0] if len(out) == 1 else out


def _flat(tensors: tuple) -> tuple:
    return (
        tuple(tensors[0])
        if len(tensors) == 1 and isinstance(tensors[0], (list, tuple))
        else (tensors)
    )


def column_stack(tensors: Any, *, out: Any = None) -> Tensor:
    """Join 1-D tensors as columns (2-D ones as they are) along dim 1."""
    return concat([t.reshape(-1, 1) if t.ndim < 2 else t for t in tensors], 1, out=out)


row_stack = vstack


def dstack(tensors: Any, *, out: Any = None) -> Tensor:
    return concat(
        list(atleast_3d(*tensors)) if len(tensors) > 1 else [atleast_3d(*tensors)], 2, out=out
    )


def hsplit(input: Tensor, sections: Any) -> tuple[Tensor, ...]:
    return input.tensor_split(sections, 1 if input.ndim > 1 else 0)


def vsplit(input: Tensor, sections: Any) -> tuple[Tensor, ...]:
    return input.tensor_split(sections, 0)


def dsplit(input: Tensor, sections: Any) -> tuple[Tensor, ...]:
    return input.tensor_split(sections, 2)


def split_with_sizes(input: Tensor, split_sizes: Any, dim: int = 0) -> tuple[Tensor, ...]:
    return input.split(list(split_sizes), dim)


def take(input: Tensor, index: Tensor) -> Tensor:
    """The elements of the flattened input at ``index`` (any shape)."""
    return input.reshape(-1)[index]


def vdot(input: Tensor, other: Tensor) -> Tensor:
    return input.dot(other)


def inner(input: Tensor, other: Tensor) -> Tensor:
    """Sum over the last dimension of both (a scalar product for vectors)."""
    if input.ndim == 0 or other.ndim == 0:
        return input * other
    return tensordot(input, other, ([input.ndim - 1], [other.ndim - 1]))


def tensordot(a: Tensor, b: Tensor, dims: Any = 2) -> Tensor:
    """Contract the last ``dims`` dims of a with the first ``dims`` of b (or the listed
    pairs of dims), through einsum."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    if isinstance(dims, int):
        da, db = list(builtins.range(a.ndim - dims, a.ndim)), list(builtins.range(dims))
    else:
        da, db = (
            [dims[0]] if isinstance(dims[0], int) else list(dims[0]),
            [dims[1]] if isinstance(dims[1], int) else list(dims[1]),
        )
        da, db = [d % a.ndim for d in da], [d % b.ndim for d in db]
    sa = list(letters[: a.ndim])
    sb = list(letters[a.ndim : a.ndim + b.ndim])
    for i, j in zip(da, db):
        sb[j] = sa[i]
    out = [c for k, c in enumerate(sa) if k not in da] + [
        c for k, c in enumerate(sb) if k not in db
    ]
    return einsum("".join(sa) + "," + "".join(sb) + "->" + "".join(out), a, b)


def kron(input: Tensor, other: Tensor) -> Tensor:
    """The Kronecker product: every element of input times the whole of other."""
    n = builtins.max(input.ndim, other.ndim)
    a = input.reshape((1,) * (n - input.ndim) + input.shape)
    b = other.reshape((1,) * (n - other.ndim) + other.shape)
    prod = a.reshape(tuple(v for s in a.shape for v in (s, 1))) * b.reshape(
        tuple(v for s in b.shape for v in (1, s))
    )
    return prod.reshape(tuple(x * y for x, y in zip(a.shape, b.shape)))


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """The cross product of 3-vectors along ``dim`` (the first of size 3 if None)."""
    from tinygrad_edu.functional import stack

    if dim is None:
        dim = next(k for k, n in enumerate(input.shape) if n == 3)
    a = input.unbind(dim)
    b = other.unbind(dim)
    return stack(
        [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]], dim
    )


def fmax(input: Tensor, other: Tensor) -> Tensor:
    """Elementwise maximum that ignores NaN (NaN only where both are)."""
    from tinygrad_edu.tensor import where

    return where(
        _const(np.isnan(other._data)),
        input,
        where(_const(np.isnan(input._data)), other, input.maximum(other)),
    )


def fmin(input: Tensor, other: Tensor) -> Tensor:
    from tinygrad_edu.tensor import where

    return where(
        _const(np.isnan(other._data)),
        input,
        where(_const(np.isnan(input._data)), other, input.minimum(other)),
    )


def _const(array: Any) -> Tensor:
    return Tensor._make(np.asarray(array), False, None)


def float_power(input: Any, exponent: Any) -> Tensor:
    """input ** exponent in float64."""
    base = input.double() if isinstance(input, Tensor) else input
    exp_ = exponent.double() if isinstance(exponent, Tensor) else float(exponent)
    return base**exp_ if isinstance(base, Tensor) else Tensor(np.float64(base)) ** exp_


fix = _function("fix", "trunc")


def copysign(input: Tensor, other: Any) -> Tensor:
    """|input| with the sign of other."""
    o = other._data if isinstance(other, Tensor) else other
    return input.abs() * _const(np.where(np.signbit(o), -1.0, 1.0).astype(input.dtype))


def heaviside(input: Tensor, values: Tensor) -> Tensor:
    return _const(np.heaviside(input._data, values._data).astype(input.dtype))


def isin(elements: Any, test_elements: Any, *, invert: bool = False) -> Tensor:
    e = elements._data if isinstance(elements, Tensor) else np.asarray(elements)
    t = test_elements._data if isinstance(test_elements, Tensor) else np.asarray(test_elements)
    return _const(np.isin(e, t, invert=invert))


def isneginf(input: Tensor) -> Tensor:
    return _const(np.isneginf(input._data))


def isposinf(input: Tensor) -> Tensor:
    return _const(np.isposinf(input._data))


def isreal(input: Tensor) -> Tensor:
    """All True: there are no complex tensors here."""
    return _const(np.ones(input.shape, dtype=bool))


def logaddexp2(input: Tensor, other: Tensor) -> Tensor:
    """log2(2^x + 2^y)."""
    ln2 = math.log(2)
    return (input * ln2).logaddexp(other * ln2) / ln2


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """log(p / (1 - p)), p clamped to [eps, 1 - eps] when eps is given."""
    p = input if eps is None else input.clamp(eps, 1 - eps)
    return (p / (1 - p)).log()


def sinc(input: Tensor) -> Tensor:
    """sin(pi x) / (pi x), 1 at x = 0."""
    from tinygrad_edu.tensor import where

    zero = _const(input._data == 0)
    safe = where(zero, 1.0, input) * math.pi
    return where(zero, 1.0, safe.sin() / safe)


def ldexp(input: Tensor, other: Tensor) -> Tensor:
    return input * (2.0 ** other.double()).to(
        input.dtype if input.dtype.kind == "f" else np.float32
    )


def gcd(input: Tensor, other: Tensor) -> Tensor:
    return _const(np.gcd(input._data, other._data))


def lcm(input: Tensor, other: Tensor) -> Tensor:
    return _const(np.lcm(input._data, other._data))


def nextafter(input: Tensor, other: Tensor) -> Tensor:
    return _const(np.nextafter(input._data, other._data))


def searchsorted(
    sorted_sequence: Tensor,
    values: Any,
    *,
    right: bool = False,
    side: str | None = None,
    out_int32: bool = False,
    sorter: Any = None,
) -> Tensor:
    """Where ``values`` would be inserted into the (last dim of) sorted_sequence."""
    side = side or ("right" if right else "left")
    v = values._data if isinstance(values, Tensor) else np.asarray(values)
    s = sorted_sequence._data
    if s.ndim == 1:
        idx = np.searchsorted(s, v, side=side)
    else:
        idx = np.stack(
            [
                np.searchsorted(row, vals, side=side)
                for row, vals in zip(s.reshape(-1, s.shape[-1]), v.reshape(-1, v.shape[-1]))
            ]
        ).reshape(v.shape)
    return _const(idx.astype(np.int32 if out_int32 else np.int64))


def bucketize(
    input: Any, boundaries: Tensor, *, out_int32: bool = False, right: bool = False
) -> Tensor:
    """The bucket of each value: index i with boundaries[i-1] < x <= boundaries[i]."""
    return searchsorted(boundaries, input, right=right, out_int32=out_int32)


def unravel_index(indices: Tensor, shape: Any) -> tuple[Tensor, ...]:
    return tuple(_const(i.astype(np.int64)) for i in np.unravel_index(indices._data, tuple(shape)))


def vander(x: Tensor, N: int | None = None, increasing: bool = False) -> Tensor:
    """Columns x^(N-1), ..., x^0 (or increasing)."""
    n = x.shape[0] if N is None else N
    powers = np.arange(n) if increasing else np.arange(n - 1, -1, -1)
    return x.unsqueeze(-1) ** _const(powers.astype(x.dtype if x.dtype.kind == "f" else np.int64))


def range(
    start: float = 0,
    end: float | None = None,
    step: float = 1,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Deprecated in PyTorch: values from start to end *inclusive* (float by default)."""
    from tinygrad_edu import dtypes
    from tinygrad_edu.creation import arange

    if end is None:
        start, end = 0, start
    return arange(
        start,
        end + step / 2,
        step,
        dtype=dtype or dtypes.get_default_dtype(),
        device=device,
        requires_grad=requires_grad,
    )


def result_type(tensor1: Any, tensor2: Any) -> np.dtype:
    """The dtype an op on the two gives (a number takes the tensor's kind of dtype)."""
    a = tensor1 if isinstance(tensor1, Tensor) else _from_number(tensor1, tensor2)
    b = tensor2 if isinstance(tensor2, Tensor) else _from_number(tensor2, a)
    from tinygrad_edu.tensor import _result_dtype

    return _result_dtype(a.dtype, b.dtype)


def _from_number(value: Any, like: Any) -> Tensor:
    from tinygrad_edu.tensor import _as_tensor

    if isinstance(like, Tensor):
        return _as_tensor(value, like)
    return Tensor(value)


def typename(obj: Any) -> str:
    if isinstance(obj, Tensor):
        return obj.type()
    return f"{type(obj).__module__}.{type(obj).__qualname__}"


def is_conj(input: Tensor) -> bool:
    return False


def is_inference(input: Tensor) -> bool:
    return False


def trapezoid(
    y: Tensor, x: Tensor | None = None, *, dx: float | None = None, dim: int = -1
) -> Tensor:
    """The integral of y along dim by the trapezoidal rule (spacing x, or dx, or 1)."""
    n = y.shape[dim]
    mids = (y.narrow(dim, 1, n - 1) + y.narrow(dim, 0, n - 1)) / 2
    if x is not None:
        return (mids * x.diff(dim=-1 if x.ndim == 1 else dim)).sum(dim)
    return mids.sum(dim) * (1.0 if dx is None else dx)


trapz = trapezoid


def cumulative_trapezoid(
    y: Tensor, x: Tensor | None = None, *, dx: float | None = None, dim: int = -1
) -> Tensor:
    n = y.shape[dim]
    mids = (y.narrow(dim, 1, n - 1) + y.narrow(dim, 0, n - 1)) / 2
    if x is not None:
        return (mids * x.diff(dim=-1 if x.ndim == 1 else dim)).cumsum(dim)
    return mids.cumsum(dim) * (1.0 if dx is None else dx)


def _window(fn: Any, name: str) -> Any:
    def window(
        window_length: int,
        periodic: bool = True,
        *,
        dtype: Any = None,
        device: Any = None,
        requires_grad: bool = False,
        **kw: Any,
    ) -> Tensor:
        from tinygrad_edu import _device, dtypes

        _device.check_device(device)
        n = window_length + 1 if periodic and window_length > 1 else window_length
        values = fn(n, **kw)[:window_length] if window_length else np.zeros(0)
        return Tensor(
            values.astype(dtype or dtypes.get_default_dtype()), requires_grad=requires_grad
        )

    window.__name__ = name
    window.__doc__ = f"The {name.split('_')[0]} window (periodic by default, as PyTorch)."
    return window


hann_window = _window(np.hanning, "hann_window")
hamming_window = _window(np.hamming, "hamming_window")
bartlett_window = _window(np.bartlett, "bartlett_window")
blackman_window = _window(np.blackman, "blackman_window")
kaiser_window = _window(lambda n, beta=12.0: np.kaiser(n, beta), "kaiser_window")


def matrix_power(input: Tensor, n: int) -> Tensor:
    """input @ input @ ... (n times; n >= 0) by repeated squaring."""
    if n < 0:
        raise NotImplementedError("matrix_power with n < 0 needs the inverse; not supported")
    from tinygrad_edu.creation import eye

    result, base = None, input
    while n:
        if n & 1:
            result = base if result is None else result.matmul(base)
        n >>= 1
        if n:
            base = base.matmul(base)
    if result is None:
        return eye(input.shape[-1], dtype=input.dtype).expand(input.shape)
    return result


def dropout(input: Tensor, p: float = 0.5, train: bool = True) -> Tensor:
    from tinygrad_edu.nn import functional as F

    return F.dropout(input, p, train)


# ---------------------------------------------------------------------------- flags, settings
newaxis = None
_matmul_precision = ["highest"]


def get_float32_matmul_precision() -> str:
    return _matmul_precision[0]


def set_float32_matmul_precision(precision: str) -> None:
    """Accepted ('highest', 'high', 'medium'); NumPy always computes in full precision."""
    if precision not in ("highest", "high", "medium"):
        raise RuntimeError(f"Invalid precision {precision!r}")
    _matmul_precision[0] = precision


def get_num_interop_threads() -> int:
    return 1


def set_num_interop_threads(num: int) -> None:
    """Accepted and ignored (there is no inter-op thread pool)."""


def is_warn_always_enabled() -> bool:
    return False


def set_warn_always(b: bool) -> None:
    """Accepted and ignored."""


def set_default_tensor_type(t: Any) -> None:
    """Legacy: FloatTensor / DoubleTensor (or their names) set the default float dtype."""
    from tinygrad_edu import dtypes

    name = t if isinstance(t, str) else getattr(t, "__name__", str(t))
    kinds = {"FloatTensor": np.float32, "DoubleTensor": np.float64}
    key = name.rsplit(".", 1)[-1]
    if key not in kinds:
        raise TypeError(f"set_default_tensor_type: only FloatTensor or DoubleTensor, got {t!r}")
    dtypes.set_default_dtype(kinds[key])


def is_anomaly_enabled() -> bool:
    from tinygrad_edu.autograd import anomaly

    return anomaly.is_anomaly_enabled()


def set_anomaly_enabled(mode: bool, check_nan: bool = True) -> None:
    from tinygrad_edu.autograd import anomaly

    anomaly.set_detect_anomaly(mode)


has_lapack = has_mkl = has_openmp = has_spectral = False


__all__ += [
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
    "bartlett_window",
    "blackman_window",
    "bucketize",
    "column_stack",
    "copysign",
    "cross",
    "cumulative_trapezoid",
    "dropout",
    "dsplit",
    "dstack",
    "fix",
    "float_power",
    "fmax",
    "fmin",
    "gcd",
    "get_float32_matmul_precision",
    "get_num_interop_threads",
    "hamming_window",
    "hann_window",
    "has_lapack",
    "has_mkl",
    "has_openmp",
    "has_spectral",
    "heaviside",
    "hsplit",
    "inner",
    "is_anomaly_enabled",
    "is_conj",
    "is_inference",
    "is_warn_always_enabled",
    "isin",
    "isneginf",
    "isposinf",
    "isreal",
    "kaiser_window",
    "kron",
    "lcm",
    "ldexp",
    "logaddexp2",
    "logit",
    "matrix_power",
    "newaxis",
    "nextafter",
    "range",
    "result_type",
    "row_stack",
    "rsub",
    "searchsorted",
    "set_anomaly_enabled",
    "set_default_tensor_type",
    "set_float32_matmul_precision",
    "set_num_interop_threads",
    "set_warn_always",
    "sinc",
    "split_with_sizes",
    "take",
    "tensordot",
    "trapezoid",
    "trapz",
    "typename",
    "unravel_index",
    "vander",
    "vdot",
    "vsplit",
]


# ---------------------------------------------------------------------------- extra batch
for _name in """
    asinh acosh atanh arcsinh arccosh arctanh logcumsumexp msort kthvalue quantile nanquantile
    argwhere dist diag_embed diagflat rot90 unique_consecutive scatter index_copy masked_scatter
    renorm addmv addr baddbmm addbmm adjoint cov corrcoef frexp bitwise_and bitwise_or
    bitwise_xor bitwise_not bitwise_left_shift bitwise_right_shift ger unflatten is_signed
    get_device detach_ asinh_ acosh_ atanh_ arcsinh_ arccosh_ arctanh_ arctan_ arcsin_ arccos_
    fix_ gcd_ lcm_ ldexp_ logit_ sinc_ addmv_ selu_ celu_ threshold_ dropout_ rrelu_
    """.split():  # noqa: SIM905
    if _name.endswith("_") and hasattr(Tensor, _name):
        globals()[_name] = _inplace_function(_name)
        __all__.append(_name)
    elif hasattr(Tensor, _name):
        globals()[_name] = _function(_name)
        __all__.append(_name)


def _functional(name: str) -> Any:
    from tinygrad_edu.nn import functional as F

    return getattr(F, name)


for _name in [
    "binary_cross_entropy_with_logits",
    "cosine_similarity",
    "pairwise_distance",
    "selu",
    "celu",
    "threshold",
    "relu6",
]:
    globals()[_name] = _functional(_name)
    __all__.append(_name)


class OutOfMemoryError(RuntimeError):
    """Raised by PyTorch when an accelerator runs out of memory (never raised here)."""


class AcceleratorError(RuntimeError):
    """Raised by PyTorch for accelerator failures (never raised here)."""


def fill(input: Tensor, value: Any) -> Tensor:
    """A tensor like input, every element ``value``."""
    from tinygrad_edu.creation import full_like

    return full_like(input, value.item() if isinstance(value, Tensor) else value)


def randint_like(
    input: Tensor, low: int = 0, high: int | None = None, *, dtype: Any = None, **kwargs: Any
) -> Tensor:
    from tinygrad_edu.creation import randint

    if high is None:
        low, high = 0, low
    return randint(low, high, input.shape, dtype=dtype or input.dtype)


def chain_matmul(*matrices: Tensor) -> Tensor:
    return functools.reduce(lambda a, b: a.matmul(b), matrices)


def frobenius_norm(input: Tensor, dim: Any = (-2, -1), keepdim: bool = False) -> Tensor:
    return input.norm(2, dim, keepdim)


def block_diag(*tensors: Tensor) -> Tensor:
    """A block-diagonal matrix of the (0-, 1- or 2-D) tensors."""
    from tinygrad_edu.functional import cat
    from tinygrad_edu.tensor import _promote

    blocks = [
        t.reshape(1, 1) if t.ndim == 0 else t.reshape(1, -1) if t.ndim == 1 else t for t in tensors
    ]
    for k in builtins.range(1, len(blocks)):
        blocks[0], blocks[k] = _promote(blocks[0], blocks[k])
    width = builtins.sum(b.shape[1] for b in blocks)
    rows, left = [], 0
    for b in blocks:
        pad_left = Tensor(np.zeros((b.shape[0], left), dtype=b.dtype))
        pad_right = Tensor(np.zeros((b.shape[0], width - left - b.shape[1]), dtype=b.dtype))
        rows.append(cat([pad_left, b.to(blocks[0].dtype), pad_right], 1))
        left += b.shape[1]
    return cat(rows, 0)


def cartesian_prod(*tensors: Tensor) -> Tensor:
    """All combinations of the elements of the 1-D tensors, one per row."""
    from tinygrad_edu.functional import stack

    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)


def combinations(input: Tensor, r: int = 2, with_replacement: bool = False) -> Tensor:
    """All r-element combinations of a 1-D tensor's elements, one per row."""
    import itertools

    from tinygrad_edu.functional import stack

    pick = itertools.combinations_with_replacement if with_replacement else (itertools.combinations)
    index = np.array(list(pick(builtins.range(input.shape[0]), r)), dtype=np.int64)
    if index.size == 0:
        return Tensor(np.zeros((0, r), dtype=input.dtype))
    return stack([input[index[:, k]] for k in builtins.range(r)], 1)


def histogram(
    input: Tensor, bins: Any = 100, *, range: Any = None, weight: Any = None, density: bool = False
) -> tuple[Tensor, Tensor]:
    """(hist, bin_edges) as numpy.histogram."""
    b = bins._data if isinstance(bins, Tensor) else bins
    w = None if weight is None else weight._data
    hist, edges = np.histogram(input._data, bins=b, range=range, weights=w, density=density)
    return Tensor(hist.astype(input.dtype)), Tensor(edges.astype(input.dtype))


def gradient(input: Tensor, *, spacing: Any = 1, dim: Any = None, edge_order: int = 1) -> Any:
    """Central-difference estimates of the derivative along each dim (not on the tape)."""
    axes = builtins.range(input.ndim) if dim is None else ([dim] if isinstance(dim, int) else dim)
    sp = spacing if isinstance(spacing, (list, tuple)) else [spacing] * len(list(axes))
    out = [np.gradient(input._data, s, axis=a, edge_order=edge_order) for s, a in zip(sp, axes)]
    return tuple(Tensor(o.astype(input.dtype)) for o in out)


def binomial(count: Tensor, prob: Tensor, generator: Any = None) -> Tensor:
    return Tensor(
        rng(generator).binomial(count._data.astype(np.int64), prob._data).astype(count.dtype)
    )


def poisson(input: Tensor, generator: Any = None) -> Tensor:
    return Tensor(rng(generator).poisson(input._data).astype(input.dtype))


def is_anomaly_check_nan_enabled() -> bool:
    return is_anomaly_enabled()


def is_distributed(input: Tensor) -> bool:
    return False


def is_vulkan_available() -> bool:
    return False


def init_num_threads() -> None:
    """Accepted and ignored."""


def _default_generator() -> Any:
    from tinygrad_edu.random import default_generator as g

    return g


default_generator = _default_generator()
strided = "torch.strided"  # the only layout here
contiguous_format = preserve_format = channels_last = "torch.contiguous_format"
layout = memory_format = str  # (the types of those constants)

__all__ += [
    "AcceleratorError",
    "OutOfMemoryError",
    "binomial",
    "block_diag",
    "cartesian_prod",
    "chain_matmul",
    "channels_last",
    "combinations",
    "contiguous_format",
    "default_generator",
    "fill",
    "frobenius_norm",
    "gradient",
    "histogram",
    "init_num_threads",
    "is_anomaly_check_nan_enabled",
    "is_distributed",
    "is_vulkan_available",
    "layout",
    "memory_format",
    "poisson",
    "preserve_format",
    "randint_like",
    "strided",
]
