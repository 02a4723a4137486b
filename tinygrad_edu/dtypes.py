"""The dtypes tinygrad_edu knows, as NumPy dtype objects named like PyTorch's.

``tinygrad_edu.float32 == np.float32`` is True, so NumPy code and ours mix freely.
Floating tensors default to float32 (change it with ``set_default_dtype``).
"""

from __future__ import annotations

import numpy as np

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
int64 = np.dtype(np.int64)
bool = np.dtype(np.bool_)

# PyTorch's aliases.
float = float32
double = float64
long = int64

_default_float = float32


def get_default_dtype() -> np.dtype:
    """The dtype given to tensors made from Python floats (float32 unless changed)."""
    return _default_float


def set_default_dtype(dtype: np.dtype | type) -> None:
    """Make ``dtype`` (float32 or float64) the default for new floating tensors."""
    global _default_float
    dtype = np.dtype(dtype)
    if dtype not in (float32, float64):
        raise TypeError(f"set_default_dtype: only float32 and float64 are supported, got {dtype}")
    _default_float = dtype


def is_floating(dtype: np.dtype) -> bool:
    """True for floating point dtypes: the only ones that can require gradients."""
    return dtype.kind == "f"


# The other real dtypes PyTorch names (tensors of them compute as NumPy does; only float32
# and float64 tensors can require gradients).
float16 = np.dtype(np.float16)
int32 = np.dtype(np.int32)
int16 = np.dtype(np.int16)
int8 = np.dtype(np.int8)
uint8 = np.dtype(np.uint8)
uint16 = np.dtype(np.uint16)
uint32 = np.dtype(np.uint32)
uint64 = np.dtype(np.uint64)
half = float16
int = int32  # PyTorch: torch.int is int32
short = int16
