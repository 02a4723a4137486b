"""More of ``torch.Tensor``'s methods, attached to ``Tensor`` when the package is imported.

They are kept here, out of ``tensor.py``, so that file stays a readable core. Almost all are
compositions of the ops in ``tinygrad_edu/ops`` (so their gradients come from those ops'
backward); the two new differentiable ops they use, ``Cumsum`` and ``Gather``/``ScatterAdd``,
live in ``ops/scan.py``. Methods that only inspect or compare (``all``, ``isnan``,
``nonzero``, ``floor``...) return tensors that are not on the tape, as their gradients are
zero or undefined; a few PyTorch records with a zero gradient, a difference the coverage
table (``docs/api_coverage.md``) notes.
"""

from __future__ import annotations

import builtins
import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_edu import _device
from tinygrad_edu.autograd import views
from tinygrad_edu.ops import movement as M
from tinygrad_edu.ops.scan import Cumsum, Gather, ScatterAdd
from tinygrad_edu.ops.trig import Acos, Asin, Atan, Atan2
from tinygrad_edu.tensor import Scalar, Tensor, _as_tensor, _axes, _axis, _floating, _shape_arg


def _const(array: Any) -> Tensor:
    """A result that is not on the tape (comparisons, counts, rounding)."""
    return Tensor._make(np.asarray(array), False, None)


def _index_array(index: Any, name: str) -> np.ndarray:
    array = index._data if isinstance(index, Tensor) else np.asarray(index)
    if array.dtype.kind not in "iu":
        raise RuntimeError(f"{name}(): Expected dtype int64 for index, got {array.dtype}")
    return array.astype(np.int64, copy=False)


# ---------------------------------------------------------------------------- shape and size
def nelement(self: Tensor) -> int:
    """The number of elements (PyTorch's older name for ``numel``)."""
    return self._data.size


def element_size(self: Tensor) -> int:
    """Bytes per element."""
    return self._data.itemsize


def t(self: Tensor) -> Tensor:
    """The transpose of a matrix; 0-d and 1-d tensors are returned as they are."""
    if self.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
    return self if self.ndim < 2 else self.transpose(0, 1)


def view_as(self: Tensor, other: Tensor) -> Tensor:
    return self.reshape(other.shape)


def contiguous(self: Tensor, memory_format: Any = None) -> Tensor:
    """Every tensor is usable as it is here (NumPy handles strides), so this returns self."""
    return self


def is_contiguous(self: Tensor, memory_format: Any = None) -> bool:
    return builtins.bool(self._data.flags.c_contiguous)


def is_floating_point(self: Tensor) -> bool:
    return self._data.dtype.kind == "f"


def repeat(self: Tensor, *sizes: int | Sequence[int]) -> Tensor:
    """Tile the tensor ``sizes[i]`` times along dimension i (copies; gradients sum back)."""
    if not sizes:
        raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
    reps = tuple(_shape_arg(sizes))
    if len(reps) < self.ndim:
        raise RuntimeError(
            f"repeat: number of repeat dims ({len(reps)}) can not be smaller than number of "
            f"dimensions of tensor ({self.ndim})"
        )
    shape = (1,) * (len(reps) - self.ndim) + self.shape
    x = self.reshape(shape)
    # Put a size-1 axis before each dimension, expand it to the repeat count, merge the two.
    spread = x.reshape(tuple(v for n in shape for v in (1, n)))
    spread = spread.expand(tuple(v for r, n in zip(reps, shape) for v in (r, n)))
    return spread.reshape(tuple(r * n for r, n in zip(reps, shape)))


def tile(self: Tensor, dims: Sequence[int]) -> Tensor:
    dims = tuple(dims)
    return self.repeat((1,) * (self.ndim - len(dims)) + dims)


def flip(self: Tensor, dims: int | Sequence[int]) -> Tensor:
    """Reverse the order of elements along ``dims``: a copy, as in PyTorch (a negative-step
    slice, NumPy's view, is refused by indexing as PyTorch refuses it)."""
    out = self
    for d in _axes(dims, self.ndim) or ():
        out = out[(slice(None),) * d + (np.arange(self.shape[d] - 1, -1, -1),)]
    return out if out is not self else self.clone()


def roll(
    self: Tensor, shifts: int | Sequence[int], dims: int | Sequence[int] | None = None
) -> Tensor:
    """Shift elements along ``dims`` by ``shifts``, wrapping around (built from cat)."""
    from tinygrad_edu.functional import cat

    if dims is None:
        return roll(self.flatten(), shifts, 0).reshape(self.shape)
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    out = self
    for s, d in zip(shifts, dims):
        d = _axis(d, self.ndim)
        n = self.shape[d]
        if n == 0:
            continue
        s %= n
        if s:
            out = cat([out.narrow(d, n - s, s), out.narrow(d, 0, n - s)], dim=d)
    return out


def chunk(self: Tensor, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
    """Split into ``chunks`` views of equal size along ``dim`` (the last may be smaller)."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    n = self.shape[_axis(dim, self.ndim)]
    return split(self, builtins.max(1, -(-n // chunks)), dim)


def split(
    self: Tensor, split_size_or_sections: int | Sequence[int], dim: int = 0
) -> tuple[Tensor, ...]:
    """Views of ``split_size`` elements along ``dim`` (or of the listed sizes)."""
    d = _axis(dim, self.ndim)
    n = self.shape[d]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        sizes = [builtins.min(size, n - s) for s in range(0, n, size)] if n else [0]
    else:
        sizes = list(split_size_or_sections)
        if builtins.sum(sizes) != n:
            raise RuntimeError(
                f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's "
                f"size at dimension {dim}), but got split_sizes={sizes}"
            )
    starts = np.cumsum([0, *sizes[:-1]])
    return tuple(self.narrow(d, int(s), k) for s, k in zip(starts, sizes))


def _need_matrix(x: Tensor, name: str) -> None:
    if x.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions, got {x.ndim}")


def tril(self: Tensor, diagonal: int = 0) -> Tensor:
    """Keep the lower triangle (j <= i + diagonal) of the last two dimensions, zero the rest."""
    from tinygrad_edu.tensor import where

    _need_matrix(self, "tril")
    mask = np.tri(*self.shape[-2:], k=diagonal, dtype=bool)
    return where(_const(mask), self, _const(np.zeros((), self._data.dtype)))


def triu(self: Tensor, diagonal: int = 0) -> Tensor:
    """Keep the upper triangle (j >= i + diagonal) of the last two dimensions."""
    from tinygrad_edu.tensor import where

    _need_matrix(self, "triu")
    mask = ~np.tri(*self.shape[-2:], k=diagonal - 1, dtype=bool)
    return where(_const(mask), self, _const(np.zeros((), self._data.dtype)))


def diag(self: Tensor, diagonal: int = 0) -> Tensor:
    """1-D: a matrix with this on its diagonal; 2-D: the diagonal of the matrix."""
    if self.ndim == 1:
        n = self.shape[0] + builtins.abs(diagonal)
        rows = np.arange(self.shape[0]) + builtins.max(-diagonal, 0)
        cols = np.arange(self.shape[0]) + builtins.max(diagonal, 0)
        return M.IndexAdd.apply(self, index=(rows, cols), shape=(n, n))
    if self.ndim == 2:
        rows, cols = np.nonzero(np.eye(*self.shape, k=diagonal, dtype=bool))
        return self[rows, cols]
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {self.ndim}D")


# ---------------------------------------------------------------------------- matrix products
def mm(self: Tensor, mat2: Tensor) -> Tensor:
    """Matrix product of two 2-D tensors (no broadcasting: use matmul for that)."""
    if self.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(
            f"mm: both arguments must be 2D matrices, got {self.ndim}D and {mat2.ndim}D"
        )
    if self.shape[1] != mat2.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({self.shape[0]}x{self.shape[1]} and "
            f"{mat2.shape[0]}x{mat2.shape[1]})"
        )
    return self.matmul(mat2)


def bmm(self: Tensor, mat2: Tensor) -> Tensor:
    """Batched matrix product of two 3-D tensors (b, n, m) @ (b, m, p)."""
    if self.ndim != 3 or mat2.ndim != 3:
        raise RuntimeError(f"bmm: both arguments must be 3D, got {self.ndim}D and {mat2.ndim}D")
    if self.shape[0] != mat2.shape[0] or self.shape[2] != mat2.shape[1]:
        raise RuntimeError(
            f"bmm: batch1 of shape {self.shape} and batch2 of shape {mat2.shape} cannot be "
            "multiplied"
        )
    return self.matmul(mat2)


def dot(self: Tensor, other: Tensor) -> Tensor:
    """Inner product of two 1-D tensors of the same length."""
    if self.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {self.ndim}D and {other.ndim}D tensors")
    if self.shape != other.shape:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{self.shape[0]}] and src "
            f"[{other.shape[0]}] to have the same number of elements"
        )
    return self.matmul(other)


def outer(self: Tensor, vec2: Tensor) -> Tensor:
    """The outer product of two vectors: out[i, j] = self[i] * vec2[j]."""
    return self.unsqueeze(1) * vec2.unsqueeze(0)


def addmm(
    self: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Scalar = 1, alpha: Scalar = 1
) -> Tensor:
    """beta * self + alpha * (mat1 @ mat2)."""
    prod = mm(mat1, mat2)
    return (self if beta == 1 else self * beta) + (prod if alpha == 1 else prod * alpha)


# ---------------------------------------------------------------------------- elementwise math
def log10(self: Tensor) -> Tensor:
    """log(x) / log(10)."""
    return self.log() / math.log(10)


def log2(self: Tensor) -> Tensor:
    """log(x) / log(2)."""
    return self.log() / math.log(2)


def log1p(self: Tensor) -> Tensor:
    """log(1 + x) (composed: loses precision for |x| below about 1e-8, unlike PyTorch's)."""
    return (_floating(self) + 1).log()


def expm1(self: Tensor) -> Tensor:
    """exp(x) - 1 (composed: loses precision for tiny |x|, unlike PyTorch's)."""
    return self.exp() - 1


def square(self: Tensor) -> Tensor:
    return self * self


def rsqrt(self: Tensor) -> Tensor:
    return 1 / self.sqrt()


def reciprocal(self: Tensor) -> Tensor:
    return 1 / _floating(self)


def clamp_min(self: Tensor, min: Scalar) -> Tensor:
    return self.clamp(min=min)


def clamp_max(self: Tensor, max: Scalar) -> Tensor:
    return self.clamp(max=max)


def lerp(self: Tensor, end: Tensor, weight: Tensor | Scalar) -> Tensor:
    """self + weight * (end - self)."""
    return self + weight * (end - self)


def addcmul(self: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Scalar = 1) -> Tensor:
    return self + value * tensor1 * tensor2


def addcdiv(self: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: Scalar = 1) -> Tensor:
    return self + value * tensor1 / tensor2


def true_divide(self: Tensor, other: Tensor | Scalar) -> Tensor:
    return self / other


def _rounding(fn: Any, name: str) -> Any:
    def rounded(self: Tensor) -> Tensor:
        return _const(fn(self._data))

    rounded.__name__ = name
    rounded.__doc__ = (
        f"{name}(x) elementwise; not on the tape (its derivative is 0 wherever it exists)."
    )
    return rounded


floor = _rounding(np.floor, "floor")
ceil = _rounding(np.ceil, "ceil")
trunc = _rounding(np.trunc, "trunc")
sign = _rounding(np.sign, "sign")
frac = _rounding(lambda a: a - np.trunc(a), "frac")


def round_(self: Tensor, decimals: int = 0) -> Tensor:
    """Round half to even, as PyTorch; not on the tape (derivative 0)."""
    return _const(np.round(self._data, decimals))


def _int_binary(fn: Any, name: str) -> Any:
    def op(self: Tensor, other: Tensor | Scalar) -> Tensor:
        b = other._data if isinstance(other, Tensor) else _as_tensor(other, self)._data
        return _const(fn(self._data, b))

    op.__name__ = name
    op.__doc__ = f"{name} elementwise (not on the tape)."
    return op


remainder = _int_binary(np.mod, "remainder")  # sign of the divisor, as Python's %
fmod = _int_binary(np.fmod, "fmod")  # sign of the dividend, as C's fmod
floor_divide = _int_binary(np.floor_divide, "floor_divide")


# ---------------------------------------------------------------------------- logical / tests
def all_(self: Tensor, dim: int | Sequence[int] | None = None, keepdim: bool = False) -> Tensor:
    """True where every element (along ``dim``) is nonzero."""
    return _const(np.all(self._data, axis=_axes(dim, self.ndim), keepdims=keepdim))


def any_(self: Tensor, dim: int | Sequence[int] | None = None, keepdim: bool = False) -> Tensor:
    """True where some element (along ``dim``) is nonzero."""
    return _const(np.any(self._data, axis=_axes(dim, self.ndim), keepdims=keepdim))


def isnan(self: Tensor) -> Tensor:
    return _const(np.isnan(self._data))


def isinf(self: Tensor) -> Tensor:
    return _const(np.isinf(self._data))


def isfinite(self: Tensor) -> Tensor:
    return _const(np.isfinite(self._data))


def logical_not(self: Tensor) -> Tensor:
    return _const(np.logical_not(self._data))


def _logical(fn: Any, name: str) -> Any:
    def op(self: Tensor, other: Tensor) -> Tensor:
        return _const(fn(self._data, other._data if isinstance(other, Tensor) else other))

    op.__name__ = name
    return op


logical_and = _logical(np.logical_and, "logical_and")
logical_or = _logical(np.logical_or, "logical_or")
logical_xor = _logical(np.logical_xor, "logical_xor")


def __xor__(self: Tensor, other: Any) -> Tensor:
    return _const(np.bitwise_xor(self._data, other._data if isinstance(other, Tensor) else other))


def equal(self: Tensor, other: Tensor) -> bool:
    """True if both have the same shape and the same values."""
    return self.shape == other.shape and builtins.bool(np.array_equal(self._data, other._data))


def allclose(
    self: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    return builtins.bool(np.allclose(self._data, other._data, rtol, atol, equal_nan))


def isclose(
    self: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Tensor:
    return _const(np.isclose(self._data, other._data, rtol, atol, equal_nan))


def count_nonzero(self: Tensor, dim: int | Sequence[int] | None = None) -> Tensor:
    return _const(np.count_nonzero(self._data, axis=_axes(dim, self.ndim)).astype(np.int64))


def nonzero(self: Tensor, *, as_tuple: bool = False) -> Any:
    """The indices of the nonzero elements: an (n, ndim) int64 tensor, or one per dim."""
    idx = np.nonzero(self._data) if self.ndim else np.nonzero(self._data.reshape(1))
    if as_tuple:
        return tuple(_const(i.astype(np.int64)) for i in idx)
    return _const(np.stack(idx, axis=1).astype(np.int64).reshape(-1, self.ndim))


def masked_select(self: Tensor, mask: Tensor) -> Tensor:
    """The elements where ``mask`` is True, as a 1-D tensor (gradients flow back)."""
    shape = np.broadcast_shapes(self.shape, mask.shape)
    return self.expand(shape)[mask.expand(shape) if mask.shape != shape else mask]


def unique(
    self: Tensor,
    sorted: bool = True,
    return_inverse: bool = False,
    return_counts: bool = False,
    dim: int | None = None,
) -> Any:
    """The distinct values, sorted (not on the tape)."""
    if dim is not None:
        raise NotImplementedError("unique(dim=...) is not supported; flatten first")
    values, inverse, counts = np.unique(self._data, return_inverse=True, return_counts=True)
    out = [_const(values)]
    if return_inverse:
        out.append(_const(inverse.reshape(self.shape).astype(np.int64)))
    if return_counts:
        out.append(_const(counts.astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


# ---------------------------------------------------------------------------- reductions
def norm(
    self: Tensor,
    p: float | str | None = "fro",
    dim: int | Sequence[int] | None = None,
    keepdim: bool = False,
    dtype: Any = None,
) -> Tensor:
    """The p-norm over ``dim`` (all elements by default): p = 2 / 'fro' (the default),
    1, inf, -inf, 0 (the count of nonzeros) or any other number.

    Composed from abs, pow, sum, amax, so its gradient comes from theirs. Where a group is
    all zeros the 2-norm's gradient is the subgradient 0, as in PyTorch.
    """
    if dtype is None and self._data.dtype.kind != "f":
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. "
            f"Got {self._data.dtype}"
        )
    x = self if dtype is None else self.to(dtype)
    if p is None or p == "fro":
        p = 2
    if isinstance(p, str):
        raise NotImplementedError(
            f"norm(p={p!r}) is not supported (only 'fro' and numbers; 'nuc' needs an SVD)"
        )
    if p == 2:
        from tinygrad_edu.tensor import where

        squares = (x * x).sum(dim, keepdim)
        # sqrt's slope is infinite at 0; PyTorch takes the subgradient 0 for a zero group.
        # Take the sqrt of 1 there instead (finite slope, gradient 0 through where).
        zero = _const(squares._data == 0)
        return where(zero, 0.0, where(zero, 1.0, squares).sqrt())
    if p == 1:
        return x.abs().sum(dim, keepdim)
    if p == math.inf:
        return x.abs().amax(dim, keepdim)
    if p == -math.inf:
        return x.abs().amin(dim, keepdim)
    if p == 0:
        return (x != 0).to(x.dtype).sum(dim, keepdim)
    return (x.abs() ** p).sum(dim, keepdim) ** (1.0 / p)


def prod(self: Tensor, dim: int | None = None, keepdim: bool = False, dtype: Any = None) -> Tensor:
    """The product of the elements (over ``dim``); not on the tape: ask for it if you need
    its gradient (use ``x.log().sum().exp()`` for positive x)."""
    if self._requires_grad:
        raise NotImplementedError(
            "prod() of a tensor that requires grad is not supported; for positive x use "
            "x.log().sum(dim).exp()"
        )
    axis = None if dim is None else _axis(dim, self.ndim)
    out = np.prod(self._data, axis=axis, keepdims=keepdim, dtype=dtype)
    return _const(out)


def cumsum(self: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Running sums along ``dim``: out[i] = x[0] + ... + x[i]. Integers sum as int64."""
    x = self if dtype is None else self.to(dtype)
    if dtype is None and x._data.dtype.kind in "bi" and x._data.dtype != np.int64:
        x = x.to(np.int64)
    if x.ndim == 0:
        _axis(dim, 0)
        return x.clone()
    return Cumsum.apply(x, dim=_axis(dim, x.ndim))


def gather(self: Tensor, dim: int, index: Tensor, *, sparse_grad: bool = False) -> Tensor:
    """out[i][j] = self[index[i][j]][j] for dim = 0 (and likewise for other dims).

    ``index`` has as many dimensions as self and is no larger except along ``dim``.
    """
    idx = _index_array(index, "gather")
    d = _axis(dim, self.ndim)
    if idx.ndim != builtins.max(self.ndim, 1) and not (idx.ndim == 0 and self.ndim == 0):
        raise RuntimeError(
            f"gather(): Index tensor must have the same number of dimensions as input tensor "
            f"({self.ndim}), got {idx.ndim}"
        )
    for k, (a, b) in enumerate(zip(idx.shape, self.shape)):
        if k != d and a > b:
            raise RuntimeError(
                f"gather(): Size does not match at dimension {k} expected index {idx.shape} to be "
                f"no larger than self {self.shape} apart from dimension {d}"
            )
    n = self.shape[d] if self.ndim else 1
    _check_range(idx, n, d, "gather")
    x = self[tuple(slice(0, m) if k != d else slice(None) for k, m in enumerate(idx.shape))]
    return Gather.apply(x, dim=d, index=idx)


def _check_range(idx: np.ndarray, n: int, dim: int, name: str) -> None:
    """Indices must lie in [0, n): negative ones are refused, as PyTorch refuses them."""
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = int(idx.min() if idx.min() < 0 else idx.max())
        raise RuntimeError(
            f"{name}(): index {bad} is out of bounds for dimension {dim} with size {n}"
        )


def scatter_add(self: Tensor, dim: int, index: Tensor, src: Tensor) -> Tensor:
    """A copy of self with src[i][j] added at [index[i][j]][j] (dim = 0; likewise others)."""
    idx = _index_array(index, "scatter_add")
    d = _axis(dim, self.ndim)
    src = src[tuple(slice(0, m) for m in idx.shape)]
    if src.dtype != self.dtype:
        raise RuntimeError(
            f"scatter(): Expected self.dtype to be equal to src.dtype ({self.dtype} vs {src.dtype})"
        )
    if src.shape != idx.shape:
        raise RuntimeError(
            f"scatter_add(): src of shape {src.shape} is smaller than index {idx.shape}"
        )
    _check_range(idx, self.shape[d] if self.ndim else 1, d, "scatter_add")
    return self + ScatterAdd.apply(src, dim=d, index=idx, shape=self.shape)


def index_select(self: Tensor, dim: int, index: Tensor) -> Tensor:
    """The entries at positions ``index`` (a 1-D int tensor) along ``dim``."""
    idx = _index_array(index, "index_select")
    if idx.ndim > 1:
        raise IndexError(f"index_select(): Index is supposed to be a vector, got {idx.ndim}D")
    d = _axis(dim, self.ndim)
    n = self.shape[d] if self.ndim else 1
    if idx.size and (idx.min() < 0 or idx.max() >= n):  # (negative indices are refused)
        raise IndexError(f"index_select(): index out of range in self (size {n} at dim {d})")
    if self.ndim == 0:  # a scalar: one index, and the result is a scalar too
        if idx.size != 1:
            raise RuntimeError(
                f"index_select(): Index to scalar can have only 1 value, got {idx.size} value(s)"
            )
        return self.reshape(1)[idx.reshape(-1)].reshape(())
    return self[(slice(None),) * d + (idx.reshape(-1),)]


def sort(
    self: Tensor, dim: int = -1, descending: bool = False, stable: bool = False
) -> tuple[Tensor, Tensor]:
    """(values, indices) sorted along ``dim``; values carry gradients (via gather)."""
    from tinygrad_edu.tensor import MinMax

    d = _axis(dim, self.ndim)
    if self.ndim == 0:
        return MinMax(self.clone(), _const(np.zeros((), np.int64)))
    keys = -self._data if descending else self._data
    idx = np.argsort(keys, axis=d, kind="stable").astype(np.int64)
    return MinMax(Gather.apply(self, dim=d, index=idx), _const(idx))


def argsort(self: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    return sort(self, dim, descending, stable)[1]


def topk(
    self: Tensor, k: int, dim: int = -1, largest: bool = True, sorted: bool = True
) -> tuple[Tensor, Tensor]:
    """The k largest (or smallest) values along ``dim`` and their indices."""
    from tinygrad_edu.tensor import MinMax

    d = _axis(dim, self.ndim)
    n = self.shape[d] if self.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError(f"topk(): selected index k ({k}) out of range (size {n} at dim {d})")
    _, idx = sort(self, d, descending=largest)
    first = idx._data[(slice(None),) * d + (slice(0, k),)] if self.ndim else idx._data
    return MinMax(Gather.apply(self, dim=d, index=first), _const(first))


# ---------------------------------------------------------------------------- dtypes, types
_TYPE_NAMES = {
    np.dtype(np.float32): "torch.FloatTensor",
    np.dtype(np.float64): "torch.DoubleTensor",
    np.dtype(np.float16): "torch.HalfTensor",
    np.dtype(np.int64): "torch.LongTensor",
    np.dtype(np.int32): "torch.IntTensor",
    np.dtype(np.int16): "torch.ShortTensor",
    np.dtype(np.int8): "torch.CharTensor",
    np.dtype(np.uint8): "torch.ByteTensor",
    np.dtype(np.bool_): "torch.BoolTensor",
}


def type_(self: Tensor, dtype: Any = None, non_blocking: bool = False) -> Any:
    """No argument: the type name as PyTorch prints it ('torch.FloatTensor'); with a dtype
    or such a name: the tensor cast to it."""
    if dtype is None:
        return _TYPE_NAMES.get(self._data.dtype, f"torch.{self._data.dtype}Tensor")
    if isinstance(dtype, str):
        names = {v: k for k, v in _TYPE_NAMES.items()}
        if dtype not in names:
            raise RuntimeError(f"invalid type: '{dtype}'")
        dtype = names[dtype]
    return self.to(dtype)


def type_as(self: Tensor, other: Tensor) -> Tensor:
    return self.to(other.dtype)


def _caster(dtype: Any, name: str) -> Any:
    def cast(self: Tensor, memory_format: Any = None) -> Tensor:
        return self.to(dtype)

    cast.__name__ = name
    cast.__doc__ = f"The tensor as {np.dtype(dtype)}."
    return cast


int_ = _caster(np.int32, "int")
short = _caster(np.int16, "short")
char = _caster(np.int8, "char")
byte = _caster(np.uint8, "byte")
half = _caster(np.float16, "half")


# ---------------------------------------------------------------------------- new tensors
def new_tensor(
    self: Tensor, data: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    from tinygrad_edu.creation import tensor

    return tensor(data, dtype=dtype or self.dtype, device=device, requires_grad=requires_grad)


def _new_filled(fill: Any, name: str) -> Any:
    def new(
        self: Tensor, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
    ) -> Tensor:
        _device.check_device(device)
        shape = tuple(_shape_arg(size))
        value = fill(shape, dtype or self.dtype)
        return Tensor(value, requires_grad=requires_grad)

    new.__name__ = name
    return new


new_zeros = _new_filled(np.zeros, "new_zeros")
new_ones = _new_filled(np.ones, "new_ones")
new_empty = _new_filled(np.empty, "new_empty")


def new_full(
    self: Tensor,
    size: Sequence[int],
    fill_value: Scalar,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    _device.check_device(device)
    return Tensor(
        np.full(tuple(size), fill_value, dtype or self.dtype), requires_grad=requires_grad
    )


# ---------------------------------------------------------------------------- in place
def _inplace(method: str) -> Any:
    def op(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        others = [a for a in (*args, *kwargs.values()) if isinstance(a, Tensor)]
        other = others[0] if others else None
        return views.inplace(
            self, f"{method}_", lambda x: getattr(x, method)(*args, **kwargs), other
        )

    op.__name__ = f"{method}_"
    op.__doc__ = f"``{method}`` written into this tensor's memory (in place; returns self)."
    return op


# ---------------------------------------------------------------------------- more math
def tan(self: Tensor) -> Tensor:
    """sin(x) / cos(x)."""
    x = _floating(self)
    return x.sin() / x.cos()


def sinh(self: Tensor) -> Tensor:
    """(exp(x) - exp(-x)) / 2."""
    x = _floating(self)
    return (x.exp() - (-x).exp()) / 2


def cosh(self: Tensor) -> Tensor:
    """(exp(x) + exp(-x)) / 2."""
    x = _floating(self)
    return (x.exp() + (-x).exp()) / 2


def atan(self: Tensor) -> Tensor:
    return Atan.apply(_floating(self))


def asin(self: Tensor) -> Tensor:
    return Asin.apply(_floating(self))


def acos(self: Tensor) -> Tensor:
    return Acos.apply(_floating(self))


def atan2(self: Tensor, other: Tensor | Scalar) -> Tensor:
    """The angle of the point (other, self): atan2(y=self, x=other), in (-pi, pi]."""
    from tinygrad_edu.tensor import _binary, _promote

    if not isinstance(other, Tensor):  # PyTorch's atan2 takes tensors only
        raise TypeError(f"atan2(): argument 'other' must be Tensor, not {type(other).__name__}")
    y, x = _promote(self, other)  # promote first (a 0-d float64 decides for a bool tensor)
    return _binary(Atan2, _floating(y), _floating(x), "atan2")


def exp2(self: Tensor) -> Tensor:
    return 2.0 ** _floating(self)


def logaddexp(self: Tensor, other: Tensor) -> Tensor:
    """log(exp(x) + exp(y)), computed stably as max + log(1 + exp(-|x - y|))."""
    from tinygrad_edu.functional import stack

    return stack(list(_floating_pair(self, other)), 0).logsumexp(0)


def _floating_pair(a: Tensor, b: Any) -> tuple[Tensor, Tensor]:
    b = b if isinstance(b, Tensor) else _as_tensor(b, a)
    shape = np.broadcast_shapes(a.shape, b.shape)
    return _floating(a).expand(shape), _floating(b).expand(shape).to(_floating(a).dtype)


def hypot(self: Tensor, other: Tensor) -> Tensor:
    """sqrt(x^2 + y^2)."""
    return (self * self + other * other).sqrt()


def xlogy(self: Tensor, other: Tensor | Scalar) -> Tensor:
    """x * log(y), and 0 where x == 0 (even if y == 0)."""
    from tinygrad_edu.tensor import where

    y = other if isinstance(other, Tensor) else _as_tensor(builtins.float(other), self)
    zero = self == 0
    safe_y = where(zero, 1.0, _floating(y))
    return where(zero, 0.0, self * safe_y.log())


def rad2deg(self: Tensor) -> Tensor:
    return _floating(self) * (180.0 / math.pi)


def deg2rad(self: Tensor) -> Tensor:
    return _floating(self) * (math.pi / 180.0)


def positive(self: Tensor) -> Tensor:
    return self


def sgn(self: Tensor) -> Tensor:
    return sign(self)


def signbit(self: Tensor) -> Tensor:
    return _const(np.signbit(self._data))


def nan_to_num(
    self: Tensor, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None
) -> Tensor:
    """NaN -> ``nan``, +inf -> ``posinf`` (default: the largest finite value), -inf ->
    ``neginf``; gradients pass where the value was finite."""
    from tinygrad_edu.tensor import where

    info = np.finfo(self.dtype) if self.dtype.kind == "f" else None
    if info is None:
        return self
    hi = info.max if posinf is None else posinf
    lo = info.min if neginf is None else neginf
    replaced = np.where(np.isnan(self._data), nan, np.where(self._data > 0, hi, lo))
    return where(_const(np.isfinite(self._data)), self, _const(replaced.astype(self.dtype)))


def nansum(self: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The sum, NaNs counted as 0."""
    from tinygrad_edu.tensor import where

    return where(_const(np.isnan(self._data)), 0.0, self).sum(dim, keepdim)


def nanmean(self: Tensor, dim: Any = None, keepdim: bool = False) -> Tensor:
    """The mean of the non-NaN elements."""
    count = _const((~np.isnan(self._data)).astype(self.dtype)).sum(dim, keepdim)
    return nansum(self, dim, keepdim) / count


def diff(self: Tensor, n: int = 1, dim: int = -1) -> Tensor:
    """Differences of neighbours along ``dim``: out[i] = x[i + 1] - x[i] (``n`` times)."""
    d = _axis(dim, self.ndim)
    out = self
    for _ in range(n):
        k = out.shape[d]
        out = out.narrow(d, 1, builtins.max(k - 1, 0)) - out.narrow(d, 0, builtins.max(k - 1, 0))
    return out


def trace(self: Tensor) -> Tensor:
    """The sum of a matrix's diagonal."""
    if self.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {self.ndim}")
    return diag(self).sum()


def diagonal(self: Tensor, offset: int = 0, dim1: int = 0, dim2: int = 1) -> Tensor:
    """The diagonal of the (dim1, dim2) planes, as the last dimension."""
    a, b = _axis(dim1, self.ndim), _axis(dim2, self.ndim)
    rest = [k for k in range(self.ndim) if k not in (a, b)]
    x = self.permute(*rest, a, b)
    rows, cols = np.nonzero(np.eye(*x.shape[-2:], k=offset, dtype=bool))
    return x[(Ellipsis, rows, cols)]


def mv(self: Tensor, vec: Tensor) -> Tensor:
    """Matrix (n, m) times vector (m,)."""
    if self.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"mv: expected a matrix and a vector, got {self.ndim}D and {vec.ndim}D")
    return self.matmul(vec)


def movedim(self: Tensor, source: int | Sequence[int], destination: int | Sequence[int]) -> Tensor:
    """Move dimension(s) ``source`` to position(s) ``destination``."""
    src = [source] if isinstance(source, builtins.int) else list(source)
    dst = [destination] if isinstance(destination, builtins.int) else list(destination)
    src = [_axis(k, self.ndim) for k in src]
    dst = [_axis(k, self.ndim) for k in dst]
    order = [k for k in range(self.ndim) if k not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return self.permute(*order)


moveaxis = movedim


def swapaxes(self: Tensor, axis0: int, axis1: int) -> Tensor:
    return self.transpose(axis0, axis1)


swapdims = swapaxes


def ravel(self: Tensor) -> Tensor:
    return self.reshape(-1)


def reshape_as(self: Tensor, other: Tensor) -> Tensor:
    return self.reshape(other.shape)


def unflatten(self: Tensor, dim: int, sizes: Sequence[int]) -> Tensor:
    """Split dimension ``dim`` into ``sizes`` (one of them may be -1)."""
    d = _axis(dim, self.ndim)
    return self.reshape(self.shape[:d] + tuple(sizes) + self.shape[d + 1 :])


def take_along_dim(self: Tensor, indices: Tensor, dim: int | None = None) -> Tensor:
    """gather with broadcasting of ``indices`` (``dim=None``: on the flattened tensor);
    along a ``dim``, negative indices count from the end, as in PyTorch's take_along_dim."""
    idx = _index_array(indices, "take_along_dim")
    if dim is None:
        return gather(self.reshape(-1), 0, _const(idx.reshape(-1)))  # (no negatives here)
    d = _axis(dim, self.ndim)
    idx = np.where(idx < 0, idx + (self.shape[d] if self.ndim else 1), idx)
    shape = list(
        np.broadcast_shapes(tuple(np.delete(self.shape, d)), tuple(np.delete(idx.shape, d)))
    )
    x = self.expand(tuple(shape[:d] + [self.shape[d]] + shape[d:]))
    full = np.broadcast_to(idx, tuple(shape[:d] + [idx.shape[d]] + shape[d:]))
    return gather(x, d, _const(np.ascontiguousarray(full)))


def fliplr(self: Tensor) -> Tensor:
    return flip(self, 1)


def flipud(self: Tensor) -> Tensor:
    return flip(self, 0)


def tensor_split(self: Tensor, indices_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
    """Split into n nearly equal parts (the first ones one larger), or at given indices."""
    d = _axis(dim, self.ndim)
    n = self.shape[d]
    if isinstance(indices_or_sections, builtins.int):
        k = indices_or_sections
        sizes = [n // k + (1 if i < n % k else 0) for i in range(k)]
    else:
        cuts = [builtins.min(builtins.max(builtins.int(c), 0), n) for c in indices_or_sections]
        edges = [0, *cuts, n]
        sizes = [builtins.max(b - a, 0) for a, b in itertools.pairwise(edges)]
    starts = np.cumsum([0, *sizes[:-1]])
    return tuple(self.narrow(d, builtins.int(s), k) for s, k in zip(starts, sizes))


def repeat_interleave(self: Tensor, repeats: int | Tensor, dim: int | None = None) -> Tensor:
    """Repeat each element ``repeats`` times along ``dim`` (flattened if None)."""
    x = self.reshape(-1) if dim is None else self
    d = 0 if dim is None else _axis(dim, self.ndim)
    reps = repeats._data if isinstance(repeats, Tensor) else repeats
    index = np.repeat(np.arange(x.shape[d]), reps)
    return index_select(x, d, _const(index))


def index_add(
    self: Tensor, dim: int, index: Tensor, source: Tensor, *, alpha: Scalar = 1
) -> Tensor:
    """A copy of self with ``alpha * source`` added at ``index`` along ``dim``."""
    d = _axis(dim, self.ndim)
    idx = _index_array(index, "index_add").reshape(-1)
    positions = (slice(None),) * d + (idx,)
    added = M.IndexAdd.apply(
        source if alpha == 1 else source * alpha, index=positions, shape=self.shape
    )
    return self + added


def index_fill(self: Tensor, dim: int, index: Tensor, value: Scalar) -> Tensor:
    """A copy of self with the entries at ``index`` along ``dim`` set to ``value``."""
    from tinygrad_edu.tensor import where

    d = _axis(dim, self.ndim)
    mask = np.zeros(self.shape, dtype=bool)
    mask[(slice(None),) * d + (_index_array(index, "index_fill").reshape(-1),)] = True
    return where(_const(mask), value, self)


def fill_diagonal_(self: Tensor, fill_value: Scalar, wrap: bool = False) -> Tensor:
    """Set the main diagonal to ``fill_value``, in place."""
    from tinygrad_edu.tensor import where

    mask = np.zeros(self.shape, dtype=bool)
    np.fill_diagonal(mask, True, wrap=wrap)
    return views.inplace(self, "fill_diagonal_", lambda x: where(_const(mask), fill_value, x))


def median(self: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """The lower median (as PyTorch); with ``dim``, (values, indices)."""
    from tinygrad_edu.tensor import MinMax

    if dim is None:
        flat = self.reshape(-1)
        return sort(flat).values[(flat.shape[0] - 1) // 2]
    d = _axis(dim, self.ndim)
    values, indices = sort(self, d)
    k = (self.shape[d] - 1) // 2
    pick = (slice(None),) * d + (slice(k, k + 1) if keepdim else k,)
    return MinMax(values[pick], _const(indices._data[pick]))


def aminmax(
    self: Tensor, *, dim: int | None = None, keepdim: bool = False
) -> tuple[Tensor, Tensor]:
    from collections import namedtuple

    pair = namedtuple("aminmax", ["min", "max"])
    return pair(self.amin(dim, keepdim), self.amax(dim, keepdim))


# ---------------------------------------------------------------------------- random, in place
def bernoulli(self: Tensor, p: float | None = None, *, generator: Any = None) -> Tensor:
    """0/1 samples: 1 with probability ``self`` (or ``p``) per element."""
    from tinygrad_edu.random import rng

    prob = self._data if p is None else np.full(self.shape, p)
    return _const((rng(generator).random(self.shape) < prob).astype(self.dtype))


def bernoulli_(self: Tensor, p: float = 0.5, *, generator: Any = None) -> Tensor:
    from tinygrad_edu.random import rng

    return self.copy_(rng(generator).random(self.shape) < p)


def exponential_(self: Tensor, lambd: float = 1.0, *, generator: Any = None) -> Tensor:
    from tinygrad_edu.random import rng

    return self.copy_(rng(generator).exponential(1.0 / lambd, self.shape))


def random_(
    self: Tensor, from_: int = 0, to: int | None = None, *, generator: Any = None
) -> Tensor:
    """Integers in [from_, to) (to defaults to 2^24 for float32, 2^53 for float64, else the
    dtype's max), in place."""
    from tinygrad_edu.random import rng

    if to is None:
        if self.dtype.kind == "f":
            to = 2 ** (np.finfo(self.dtype).nmant + 1)
        else:
            to = builtins.int(np.iinfo(self.dtype).max)
    return self.copy_(rng(generator).integers(from_, to, self.shape))


# ---------------------------------------------------------------------------- properties
def ndimension(self: Tensor) -> int:
    return self.ndim


def is_signed(self: Tensor) -> bool:
    return self._data.dtype.kind in "if"


def is_complex(self: Tensor) -> bool:
    """Always False: there are no complex tensors here."""
    return False


def get_device(self: Tensor) -> int:
    """-1: the CPU (PyTorch's answer for CPU tensors)."""
    return -1


def pin_memory(self: Tensor, device: Any = None) -> Tensor:
    """Nothing to pin without an accelerator: returns self."""
    return self


def is_pinned(self: Tensor, device: Any = None) -> bool:
    return False


def stride(self: Tensor, dim: int | None = None) -> Any:
    """Steps in elements (not bytes) between neighbours along each dimension."""
    strides = tuple(s // self._data.itemsize for s in self._data.strides)
    return strides if dim is None else strides[_axis(dim, self.ndim)]


def is_same_size(self: Tensor, other: Tensor) -> bool:
    return self.shape == other.shape


def _property(fn: Any) -> property:
    return property(fn, doc=fn.__doc__)


PROPERTIES = {
    "itemsize": _property(lambda self: self._data.itemsize),
    "nbytes": _property(lambda self: self._data.nbytes),
    "is_cuda": _property(lambda self: False),
    "is_cpu": _property(lambda self: True),
    "is_sparse": _property(lambda self: False),
    "is_quantized": _property(lambda self: False),
    "is_meta": _property(lambda self: False),
    "layout": _property(lambda self: "torch.strided"),
    "mT": _property(lambda self: self.transpose(-2, -1)),
    "mH": _property(lambda self: self.transpose(-2, -1)),  # (real tensors: adjoint = transpose)
    "H": _property(lambda self: t(self)),
}


# ---------------------------------------------------------------------------- printing
def __format__(self: Tensor, format_spec: str) -> str:
    """``f"{loss:.4f}"``: a one-element tensor formats as its number; others as their repr."""
    if self._data.size == 1 and self.ndim == 0:
        return self.item().__format__(format_spec)
    if not format_spec:
        return repr(self)
    return object.__format__(self, format_spec)  # PyTorch raises TypeError here too


_INPLACE = (
    "pow",
    "exp",
    "log",
    "sqrt",
    "abs",
    "neg",
    "sigmoid",
    "tanh",
    "relu",
    "sin",
    "cos",
    "masked_fill",
    "clamp_min",
    "clamp_max",
    "lerp",
    "addcmul",
    "addcdiv",
    "square",
    "reciprocal",
    "rsqrt",
    "log1p",
    "expm1",
    "log10",
    "log2",
    "tan",
    "atan",
    "asin",
    "acos",
    "sinh",
    "cosh",
    "exp2",
    "floor",
    "ceil",
    "round",
    "trunc",
    "frac",
    "sign",
    "clamp",
    "clip",
    "index_add",
    "index_fill",
    "scatter_add",
    "cumsum",
    "tril",
    "triu",
    "remainder",
    "fmod",
    "floor_divide",
    "true_divide",
    "nan_to_num",
    "negative",
    "absolute",
    "multiply",
    "subtract",
    "divide",
    "atan2",
    "hypot",
    "xlogy",
    "logical_and",
    "logical_or",
    "logical_xor",
    "logical_not",
    "deg2rad",
    "rad2deg",
)

# Every public function above is a method; a trailing _ only avoids shadowing a builtin here.
_RENAMED = {"all_": "all", "any_": "any", "round_": "round", "type_": "type", "int_": "int"}
_METHODS = {
    _RENAMED.get(name, name): fn
    for name, fn in dict(globals()).items()
    if callable(fn) and getattr(fn, "__module__", None) == __name__ and not name.startswith("_")
}


# PyTorch's other names for methods Tensor already has
ALIASES = {
    "multiply": "mul",
    "subtract": "sub",
    "divide": "div",
    "negative": "neg",
    "absolute": "abs",
    "greater": "gt",
    "greater_equal": "ge",
    "less": "lt",
    "less_equal": "le",
    "not_equal": "ne",
    "arctan": "atan",
    "arcsin": "asin",
    "arccos": "acos",
    "arctan2": "atan2",
}


def attach() -> None:
    """Put the methods above on ``Tensor`` (called once by ``tinygrad_edu/__init__``)."""
    for name, fn in _METHODS.items():
        if name != "attach" and not hasattr(Tensor, name):
            setattr(Tensor, name, fn)
    Tensor.__format__ = __format__
    for name, prop in PROPERTIES.items():
        if not hasattr(Tensor, name):
            setattr(Tensor, name, prop)
    Tensor.__xor__ = __xor__
    Tensor.__mod__ = remainder
    Tensor.__floordiv__ = floor_divide
    for alias, name in ALIASES.items():
        if not hasattr(Tensor, alias):
            setattr(Tensor, alias, getattr(Tensor, name))
    for method in _INPLACE:
        if not hasattr(Tensor, f"{method}_"):
            setattr(Tensor, f"{method}_", _inplace(method))
    attach_more()


# ---------------------------------------------------------------------------- extra batch
# (attached by attach_more(), called at the end of attach())
def asinh(self: Tensor) -> Tensor:
    """log(x + sqrt(x^2 + 1))."""
    x = _floating(self)
    return (x + (x * x + 1).sqrt()).log()


def acosh(self: Tensor) -> Tensor:
    """log(x + sqrt(x^2 - 1)) for x >= 1."""
    x = _floating(self)
    return (x + (x * x - 1).sqrt()).log()


def atanh(self: Tensor) -> Tensor:
    """log((1 + x) / (1 - x)) / 2 for |x| < 1."""
    x = _floating(self)
    return ((1 + x) / (1 - x)).log() / 2


def logcumsumexp(self: Tensor, dim: int) -> Tensor:
    """log(cumsum(exp(x))) along dim, shifted by the max for stability."""
    x = _floating(self)
    top = _const(np.max(x._data, axis=_axis(dim, x.ndim), keepdims=True))
    return (x - top).exp().cumsum(dim).log() + top


def msort(self: Tensor) -> Tensor:
    return sort(self, 0).values


def kthvalue(self: Tensor, k: int, dim: int = -1, keepdim: bool = False) -> Any:
    """The k-th smallest value (k from 1) along dim, and its index."""
    from tinygrad_edu.tensor import MinMax

    d = _axis(dim, self.ndim)
    values, indices = sort(self, d)
    pick = (slice(None),) * d + (slice(k - 1, k) if keepdim else k - 1,)
    return MinMax(values[pick], _const(indices._data[pick]))


def quantile(
    self: Tensor,
    q: Any,
    dim: int | None = None,
    keepdim: bool = False,
    *,
    interpolation: str = "linear",
) -> Tensor:
    """The q-quantile(s) (not on the tape)."""
    qs = q._data if isinstance(q, Tensor) else np.asarray(q)
    axis = None if dim is None else _axis(dim, self.ndim)
    out = np.quantile(self._data, qs, axis=axis, keepdims=keepdim, method=interpolation)
    return _const(np.asarray(out, dtype=self.dtype))


def nanquantile(
    self: Tensor,
    q: Any,
    dim: int | None = None,
    keepdim: bool = False,
    *,
    interpolation: str = "linear",
) -> Tensor:
    qs = q._data if isinstance(q, Tensor) else np.asarray(q)
    axis = None if dim is None else _axis(dim, self.ndim)
    out = np.nanquantile(self._data, qs, axis=axis, keepdims=keepdim, method=interpolation)
    return _const(np.asarray(out, dtype=self.dtype))


def argwhere(self: Tensor) -> Tensor:
    return nonzero(self)


def dist(self: Tensor, other: Tensor, p: float = 2) -> Tensor:
    return (self - other).norm(p)


def diag_embed(self: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """Matrices with the last dimension on their diagonal (dim1, dim2 = the last two)."""
    if (dim1, dim2) != (-2, -1):
        raise NotImplementedError("diag_embed: only dim1=-2, dim2=-1 are supported")
    n = self.shape[-1] + builtins.abs(offset)
    rows = np.arange(self.shape[-1]) + builtins.max(-offset, 0)
    cols = np.arange(self.shape[-1]) + builtins.max(offset, 0)
    return M.IndexAdd.apply(self, index=(Ellipsis, rows, cols), shape=(*self.shape[:-1], n, n))


def diagflat(self: Tensor, offset: int = 0) -> Tensor:
    return diag(self.reshape(-1), offset)


def rot90(self: Tensor, k: int = 1, dims: Sequence[int] = (0, 1)) -> Tensor:
    """Rotate by 90 degrees k times in the plane of dims (from the first toward the second)."""
    a, b = dims
    k %= 4
    if k == 1:
        return flip(self, b).transpose(a, b)
    if k == 2:
        return flip(self, (a, b))
    if k == 3:
        return flip(self.transpose(a, b), b)
    return self


def unique_consecutive(
    self: Tensor, return_inverse: bool = False, return_counts: bool = False, dim: int | None = None
) -> Any:
    """Values with consecutive repeats collapsed (flattened; not on the tape)."""
    if dim is not None:
        raise NotImplementedError("unique_consecutive(dim=...) is not supported; flatten first")
    flat = self._data.reshape(-1)
    starts = np.concatenate([[True], flat[1:] != flat[:-1]]) if flat.size else np.zeros(0, bool)
    out = [_const(flat[starts])]
    if return_inverse:
        out.append(_const((np.cumsum(starts) - 1).reshape(self.shape).astype(np.int64)))
    if return_counts:
        out.append(_const(np.diff(np.append(np.nonzero(starts)[0], flat.size)).astype(np.int64)))
    return out[0] if len(out) == 1 else tuple(out)


def scatter(
    self: Tensor,
    dim: int,
    index: Tensor,
    src: Any = None,
    *,
    value: Any = None,
    reduce: str | None = None,
) -> Tensor:
    """A copy of self with src (or value) written at index along dim. (With repeated
    positions the result is one of the writes, as in PyTorch: undefined which.)"""
    from tinygrad_edu.tensor import where

    if reduce is not None:
        raise NotImplementedError("scatter(reduce=...) is not supported; use scatter_add")
    idx = _index_array(index, "scatter")
    d = _axis(dim, self.ndim)
    if src is None:
        src = value
    if not isinstance(src, Tensor):
        src = _const(np.full(idx.shape, src, dtype=self.dtype))
    src = src[tuple(slice(0, m) for m in idx.shape)]
    hit = ScatterAdd.apply(
        _const(np.ones(idx.shape, self.dtype)), dim=d, index=idx, shape=self.shape
    )
    # (ScatterAdd of the values, divided by how often each place was hit: their mean)
    spread = ScatterAdd.apply(src.to(self.dtype), dim=d, index=idx, shape=self.shape)
    hits = hit._data
    return where(_const(hits > 0), spread / _const(np.maximum(hits, 1)), self)


def index_copy(self: Tensor, dim: int, index: Tensor, source: Tensor) -> Tensor:
    """A copy of self with source's slices written at index along dim."""
    from tinygrad_edu.tensor import where

    d = _axis(dim, self.ndim)
    idx = _index_array(index, "index_copy").reshape(-1)
    positions = (slice(None),) * d + (idx,)
    mask = np.zeros(self.shape, dtype=bool)
    mask[positions] = True
    return where(_const(mask), M.IndexAdd.apply(source, index=positions, shape=self.shape), self)


def masked_scatter(self: Tensor, mask: Tensor, source: Tensor) -> Tensor:
    """Elements of source (in order) written where mask is True."""
    from tinygrad_edu.tensor import where

    m = np.broadcast_to(mask._data, self.shape)
    k = builtins.int(m.sum())
    filled = M.IndexAdd.apply(source.reshape(-1)[:k], index=np.nonzero(m), shape=self.shape)
    return where(_const(m), filled, self)


def renorm(self: Tensor, p: float, dim: int, maxnorm: float) -> Tensor:
    """Each slice along dim rescaled so its p-norm is at most maxnorm."""
    d = _axis(dim, self.ndim)
    others = tuple(k for k in range(self.ndim) if k != d)
    norms = self.norm(p, others, keepdim=True)
    scale = _const(np.where(norms._data > maxnorm, maxnorm / (norms._data + 1e-7), 1.0))
    return self * scale.to(self.dtype)


def addmv(self: Tensor, mat: Tensor, vec: Tensor, *, beta: Scalar = 1, alpha: Scalar = 1) -> Tensor:
    return self * beta + mv(mat, vec) * alpha


def addr(
    self: Tensor, vec1: Tensor, vec2: Tensor, *, beta: Scalar = 1, alpha: Scalar = 1
) -> Tensor:
    return self * beta + outer(vec1, vec2) * alpha


def baddbmm(
    self: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Scalar = 1, alpha: Scalar = 1
) -> Tensor:
    return self * beta + bmm(batch1, batch2) * alpha


def addbmm(
    self: Tensor, batch1: Tensor, batch2: Tensor, *, beta: Scalar = 1, alpha: Scalar = 1
) -> Tensor:
    return self * beta + bmm(batch1, batch2).sum(0) * alpha


def adjoint(self: Tensor) -> Tensor:
    return self.transpose(-2, -1)


def cov(self: Tensor, *, correction: int = 1, fweights: Any = None, aweights: Any = None) -> Tensor:
    """The covariance matrix of the rows (variables) over the columns (observations)."""
    if fweights is not None or aweights is not None:
        raise NotImplementedError("cov: fweights and aweights are not supported")
    x = _floating(self if self.ndim == 2 else self.reshape(1, -1))
    centred = x - x.mean(1, keepdim=True)
    out = centred.matmul(centred.t()) / builtins.max(x.shape[1] - correction, 0)
    return out if self.ndim == 2 else out.reshape(())


def corrcoef(self: Tensor) -> Tensor:
    c = cov(self)
    if c.ndim == 0:
        return c / c
    d = diag(c).sqrt()
    return c / d.unsqueeze(1) / d.unsqueeze(0)


def frexp(self: Tensor) -> tuple[Tensor, Tensor]:
    mantissa, exponent = np.frexp(self._data)
    return _const(mantissa), _const(exponent.astype(np.int32))


def _bitwise(fn: Any, name: str) -> Any:
    def op(self: Tensor, other: Any) -> Tensor:
        o = other._data if isinstance(other, Tensor) else other
        return _const(fn(self._data, o))

    op.__name__ = name
    op.__doc__ = f"{name} of integer or bool tensors (not on the tape)."
    return op


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor")
bitwise_left_shift = _bitwise(np.left_shift, "bitwise_left_shift")
bitwise_right_shift = _bitwise(np.right_shift, "bitwise_right_shift")


def bitwise_not(self: Tensor) -> Tensor:
    return _const(np.invert(self._data))


def detach_(self: Tensor) -> Tensor:
    """Cut this tensor from its graph, in place (it becomes a leaf)."""
    if self._base is not None:
        raise RuntimeError("detach_: can't detach views in place; use detach() instead")
    self._grad_fn = None
    self._requires_grad = False
    return self


_MORE = [
    asinh,
    acosh,
    atanh,
    logcumsumexp,
    msort,
    kthvalue,
    quantile,
    nanquantile,
    argwhere,
    dist,
    diag_embed,
    diagflat,
    rot90,
    unique_consecutive,
    scatter,
    index_copy,
    masked_scatter,
    renorm,
    addmv,
    addr,
    baddbmm,
    addbmm,
    adjoint,
    cov,
    corrcoef,
    frexp,
    bitwise_and,
    bitwise_or,
    bitwise_xor,
    bitwise_left_shift,
    bitwise_right_shift,
    bitwise_not,
    detach_,
]
_MORE_INPLACE = [
    "asinh",
    "acosh",
    "atanh",
    "scatter",
    "index_copy",
    "masked_scatter",
    "renorm",
    "addmv",
    "addr",
    "baddbmm",
    "addbmm",
    "bitwise_and",
    "bitwise_or",
    "bitwise_xor",
    "bitwise_not",
    "arctan",
    "arcsin",
    "arccos",
    "logit",
    "sinc",
    "fix",
    "gcd",
    "lcm",
    "ldexp",
    "copysign",
    "float_power",
]
_MORE_ALIASES = {
    "arcsinh": "asinh",
    "arccosh": "acosh",
    "arctanh": "atanh",
    "ger": "outer",
    "fix": "trunc",
}


def attach_more() -> None:
    """The methods of the extra batch above, plus in-place forms and aliases."""
    for fn in _MORE:
        if not hasattr(Tensor, fn.__name__):
            setattr(Tensor, fn.__name__, fn)
    for alias, name in _MORE_ALIASES.items():
        if not hasattr(Tensor, alias):
            setattr(Tensor, alias, getattr(Tensor, name))
    for method in _MORE_INPLACE:
        if hasattr(Tensor, method) and not hasattr(Tensor, f"{method}_"):
            setattr(Tensor, f"{method}_", _inplace(method))
    for name in ("arcsinh", "arccosh", "arctanh", "arctan", "arcsin", "arccos"):
        if not hasattr(Tensor, f"{name}_"):
            setattr(Tensor, f"{name}_", _inplace(name))
