"""Functions that make tensors, with PyTorch's names and arguments.

Sizes may be given as ``zeros(2, 3)`` or ``zeros((2, 3))``. Floating results are float32
unless ``dtype=`` says otherwise; integer ones are int64.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_edu import dtypes
from tinygrad_edu._device import check_device
from tinygrad_edu.random import Generator, rng
from tinygrad_edu.tensor import Tensor, _shape_arg, _to_array

Size = int | Sequence[int]


def _size(args: tuple, name: str) -> tuple[int, ...]:
    size = _shape_arg(args)
    if not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in size):
        raise TypeError(f"{name}: size must be ints, got {size!r}")
    if any(n < 0 for n in size):
        raise ValueError(f"{name}: negative dimension in size {tuple(size)}")
    return tuple(int(n) for n in size)


def _float_dtype(dtype: Any) -> np.dtype:
    return dtypes.get_default_dtype() if dtype is None else np.dtype(dtype)


def _new(array: np.ndarray, requires_grad: bool) -> Tensor:
    return Tensor(array, requires_grad=requires_grad)


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    """A new tensor holding a copy of ``data`` (a number, nested list, array or tensor)."""
    check_device(device)
    source = data._data if isinstance(data, Tensor) else data
    if isinstance(source, np.ndarray):  # arrays keep their dtype, as in PyTorch
        return Tensor(np.array(source, dtype=dtype, copy=True), requires_grad=requires_grad)
    return Tensor(_to_array(source, dtype), requires_grad=requires_grad)


def from_numpy(array: np.ndarray) -> Tensor:
    """A tensor that shares memory with ``array`` (changes to one show in the other)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy expected a numpy.ndarray, got {type(array).__name__}")
    return Tensor(array)


def zeros(
    *size: Size, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    check_device(device)
    return _new(np.zeros(_size(size, "zeros"), _float_dtype(dtype)), requires_grad)


def ones(*size: Size, dtype: Any = None, requires_grad: bool = False, device: Any = None) -> Tensor:
    check_device(device)
    return _new(np.ones(_size(size, "ones"), _float_dtype(dtype)), requires_grad)


def empty(
    *size: Size, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    check_device(device)
    return _new(np.empty(_size(size, "empty"), _float_dtype(dtype)), requires_grad)


def full(
    size: Size, fill_value: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    """A tensor of ``fill_value``; the dtype follows the value (float, int or bool)."""
    check_device(device)
    if dtype is None:
        dtype = Tensor(fill_value).dtype
    return _new(np.full(_size((size,), "full"), fill_value, dtype=dtype), requires_grad)


def zeros_like(
    t: Tensor, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    check_device(device)
    return _new(np.zeros(t.shape, dtype or t.dtype), requires_grad)


def ones_like(
    t: Tensor, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    check_device(device)
    return _new(np.ones(t.shape, dtype or t.dtype), requires_grad)


def full_like(
    t: Tensor, fill_value: Any, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    check_device(device)
    return _new(np.full(t.shape, fill_value, dtype or t.dtype), requires_grad)


def empty_like(
    t: Tensor, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    check_device(device)
    return _new(np.empty(t.shape, dtype or t.dtype), requires_grad)


def arange(
    start: float,
    end: float | None = None,
    step: float = 1,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """Values from ``start`` up to (not including) ``end``: ``arange(5)`` is 0..4 (int64)."""
    check_device(device)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    if dtype is None:
        is_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = dtypes.int64 if is_int else dtypes.get_default_dtype()
    return _new(np.arange(start, end, step, dtype=dtype), requires_grad)


def linspace(
    start: float,
    end: float,
    steps: int,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included."""
    check_device(device)
    if steps < 0:
        raise ValueError(f"linspace: number of steps must be non-negative, got {steps}")
    return _new(np.linspace(start, end, steps, dtype=_float_dtype(dtype)), requires_grad)


def eye(
    n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    check_device(device)
    return _new(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def rand(
    *size: Size,
    generator: Generator | None = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """Uniform samples in [0, 1)."""
    check_device(device)
    dtype = _float_dtype(dtype)
    return _new(rng(generator).random(_size(size, "rand"), dtype=dtype), requires_grad)


def randn(
    *size: Size,
    generator: Generator | None = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """Standard normal samples (mean 0, variance 1)."""
    check_device(device)
    dtype = _float_dtype(dtype)
    return _new(rng(generator).standard_normal(_size(size, "randn"), dtype=dtype), requires_grad)


def randint(
    low: int,
    high: int | None = None,
    size: Size = (),
    generator: Generator | None = None,
    dtype: Any = None,
    requires_grad: bool = False,
    device: Any = None,
) -> Tensor:
    """Integers in [low, high); ``randint(10, (3,))`` means low = 0, high = 10."""
    check_device(device)
    if isinstance(high, (tuple, list)):  # randint(high, size), PyTorch's two-argument form
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if high <= low:
        raise ValueError(f"randint: low ({low}) must be smaller than high ({high})")
    shape = _size((size,), "randint")
    values = rng(generator).integers(low, high, shape)
    return Tensor(values, dtype=dtype or dtypes.int64, requires_grad=requires_grad)


def rand_like(
    t: Tensor, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    check_device(device)
    return rand(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)


def randn_like(
    t: Tensor, dtype: Any = None, requires_grad: bool = False, device: Any = None
) -> Tensor:
    check_device(device)
    return randn(t.shape, dtype=dtype or t.dtype, requires_grad=requires_grad)


def randperm(
    n: int, generator: Generator | None = None, dtype: Any = None, device: Any = None
) -> Tensor:
    """A random permutation of 0..n-1 (int64 unless ``dtype`` says otherwise)."""
    check_device(device)
    return Tensor(rng(generator).permutation(n).astype(dtype or np.int64))
