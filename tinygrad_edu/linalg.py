"""``torch.linalg``: the norms scripts use (vector norms, and the Frobenius matrix norm)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from tinygrad_edu.tensor import Tensor


def vector_norm(
    x: Tensor,
    ord: float = 2,
    dim: int | Sequence[int] | None = None,
    keepdim: bool = False,
    *,
    dtype: Any = None,
) -> Tensor:
    """The ord-norm of the elements of ``x`` (over ``dim``; all of them by default):
    (sum |x|^ord)^(1/ord); ord = inf is max |x|, -inf min |x|, 0 the count of nonzeros."""
    if isinstance(ord, str):
        raise RuntimeError(f"linalg.vector_norm: ord must be a number, got {ord!r}")
    return x.norm(ord, dim, keepdim, dtype=dtype)


def matrix_norm(
    A: Tensor, ord: str = "fro", dim: tuple[int, int] = (-2, -1), keepdim: bool = False
) -> Tensor:
    """The Frobenius norm of the matrices in the last two dims (other ords need an SVD)."""
    if ord != "fro":
        raise NotImplementedError(
            f"linalg.matrix_norm(ord={ord!r}) is not supported; only 'fro' is"
        )
    if A.ndim < 2:
        raise RuntimeError(f"linalg.matrix_norm: the input must have at least 2 dims, got {A.ndim}")
    return A.norm(2, dim, keepdim)


def norm(
    A: Tensor,
    ord: float | str | None = None,
    dim: int | Sequence[int] | None = None,
    keepdim: bool = False,
) -> Tensor:
    """ord None: the 2-norm of all elements (Frobenius for a matrix); a number: a vector
    norm over ``dim``; 'fro': the Frobenius norm."""
    if ord is None or ord == "fro":
        return A.norm(2, dim, keepdim)
    if isinstance(ord, str):
        raise NotImplementedError(f"linalg.norm(ord={ord!r}) is not supported")
    if A.ndim == 2 and dim is None:
        raise NotImplementedError(
            f"linalg.norm(matrix, ord={ord!r}) is a matrix norm that needs an SVD or max row "
            "sum; use linalg.vector_norm(A, ord) for the vector norm of all elements"
        )
    return A.norm(ord, dim, keepdim)
