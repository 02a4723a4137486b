"""``Embedding``: a lookup table of learned vectors, one row per index (a word, a token)."""

from __future__ import annotations

from typing import Any

import numpy as np

from tinygrad_edu import dtypes
from tinygrad_edu.nn import functional as F
from tinygrad_edu.nn import init
from tinygrad_edu.nn.module import Module, Parameter
from tinygrad_edu.tensor import Tensor

__all__ = ["Embedding"]


class Embedding(Module):
    """``weight`` (num_embeddings, embedding_dim) ~ N(0, 1); ``layer(idx)`` = weight[idx].

    Equivalent to multiplying a one-hot row by the weight matrix, without building the
    one-hot rows. The row ``padding_idx`` (if given) starts at zero and gets no gradient,
    so it stays whatever it is (a "no token" vector).
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Tensor | None = None,
        _freeze: bool = False,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if padding_idx is not None:
            if not -num_embeddings <= padding_idx < num_embeddings:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = padding_idx % num_embeddings
        if max_norm is not None or scale_grad_by_freq or sparse:
            raise NotImplementedError(
                "Embedding: max_norm, scale_grad_by_freq and sparse are not supported"
            )
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = padding_idx
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        if dtype is None:
            dtype = dtypes.get_default_dtype() if _weight is None else _weight.dtype
        dtype = np.dtype(dtype)
        if _weight is None:
            self.weight = Parameter(
                np.empty((num_embeddings, embedding_dim), dtype=dtype), requires_grad=not _freeze
            )
            self.reset_parameters()
        else:
            if tuple(_weight.shape) != (num_embeddings, embedding_dim):
                raise AssertionError(
                    "Shape of weight does not match num_embeddings and embedding_dim"
                )
            self.weight = Parameter(np.array(_weight, dtype=dtype), requires_grad=not _freeze)

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Tensor,
        freeze: bool = True,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
    ) -> Embedding:
        """An Embedding holding a copy of ``embeddings`` (2-D); frozen (no gradient) by default."""
        if embeddings.ndim != 2:
            raise AssertionError("Embeddings parameter is expected to be 2-dimensional")
        rows, cols = embeddings.shape
        return cls(
            rows, cols, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse,
            _weight=embeddings, _freeze=freeze, dtype=embeddings.dtype,
        )  # fmt: skip

    def reset_parameters(self) -> None:
        """N(0, 1) entries; the padding row set to zero."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight._bump_version()
            self.weight._data[self.padding_idx] = 0

    def forward(self, input: Tensor) -> Tensor:
        return F.embedding(input, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        return s + (f", padding_idx={self.padding_idx}" if self.padding_idx is not None else "")
