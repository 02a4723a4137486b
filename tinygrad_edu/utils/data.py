"""Datasets and mini-batches, as ``torch.utils.data``.

    Dataset        anything with ``__getitem__(i)`` (and ``__len__``) giving one sample
    TensorDataset  samples are the i-th rows of some tensors: (x[i], y[i])
    Subset         a dataset seen through a list of indices
    random_split   shuffle the indices, cut them into Subsets (train / validation)
    DataLoader     iterate over mini-batches, optionally reshuffled every epoch

A ``DataLoader`` over a TensorDataset (or a Subset of one, as ``random_split`` gives) takes
a whole batch with one fancy-indexing call, ``x[indices]``, instead of fetching samples one
by one in Python and stacking them: the same batches, much faster. Shuffling draws from
the library's generator (``tinygrad_edu.manual_seed``) or from ``generator=``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from tinygrad_edu.functional import stack
from tinygrad_edu.random import Generator, rng
from tinygrad_edu.tensor import Tensor

__all__ = ["DataLoader", "Dataset", "Subset", "TensorDataset", "default_collate", "random_split"]


class Dataset:
    """Base class of map-style datasets: subclass it and define ``__getitem__`` and
    ``__len__``; ``dataset[i]`` returns sample i (usually an ``(input, target)`` tuple)."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")


class TensorDataset(Dataset):
    """Sample i is ``tuple(t[i] for t in tensors)``; all tensors share their first size."""

    def __init__(self, *tensors: Tensor) -> None:
        if not tensors:
            raise ValueError("TensorDataset needs at least one tensor")
        n = tensors[0].shape[0] if tensors[0].ndim else None
        if any(t.ndim == 0 or t.shape[0] != n for t in tensors):
            raise ValueError(
                "Size mismatch between tensors: first dimensions are "
                f"{[t.shape[0] if t.ndim else None for t in tensors]}"
            )
        self.tensors = tensors

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        return tuple(t[index] for t in self.tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``, in that order."""

    def __init__(self, dataset: Dataset, indices: Sequence[int]) -> None:
        self.dataset = dataset
        self.indices = indices

    def __getitem__(self, idx: Any) -> Any:
        if isinstance(idx, list):
            return self.dataset[[self.indices[i] for i in idx]]
        return self.dataset[self.indices[idx]]

    def __len__(self) -> int:
        return len(self.indices)


def random_split(
    dataset: Dataset,
    lengths: Sequence[int | float],
    generator: Generator | None = None,
) -> list[Subset]:
    """Split ``dataset`` at random into non-overlapping Subsets of the given lengths.

    ``lengths`` are counts summing to ``len(dataset)``, or fractions summing to 1. Fractions
    are rounded as PyTorch does: each gets floor(fraction * n) and the leftover samples go
    one each to the first subsets, in order (so [0.8, 0.2] of 10 gives 8 and 2, and
    [0.5, 0.5] of 5 gives 3 and 2).
    """
    n = len(dataset)  # type: ignore[arg-type]
    lengths = list(lengths)
    if not all(isinstance(x, (int, float, np.integer, np.floating)) for x in lengths):
        bad = next(x for x in lengths if not isinstance(x, (int, float, np.integer, np.floating)))
        raise TypeError(
            f"random_split: lengths must be numbers (counts or fractions); got {type(bad).__name__}"
        )
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        counts = []
        for i, frac in enumerate(lengths):
            if not 0 <= frac <= 1:
                raise ValueError(f"random_split: Fraction at index {i} is not between 0 and 1")
            counts.append(math.floor(n * frac))
        for i in range(n - sum(counts)):
            counts[i % len(counts)] += 1
        for i, count in enumerate(counts):
            if count == 0:
                warnings.warn(
                    f"Length of split at index {i} is 0. This might result in an empty dataset.",
                    stacklevel=2,
                )
        lengths = counts
    for i, count in enumerate(lengths):
        if isinstance(count, bool) or not isinstance(count, (int, np.integer)):
            if all(0 <= x <= 1 for x in lengths):
                raise ValueError(
                    f"random_split: fractions in lengths must sum to 1; got {lengths} "
                    f"(sum {sum(lengths)})"
                )
            raise TypeError(
                f"random_split: lengths must be whole sample counts summing to {n}, or "
                f"fractions summing to 1; got {count!r} at index {i}"
            )
        if count < 0:
            raise ValueError(
                f"random_split: lengths must not be negative; got {count} at index {i}"
            )
    if sum(lengths) != n:
        raise ValueError(
            "random_split: Sum of input lengths does not equal the length of the input dataset!"
            f" ({sum(lengths)} != {n})"
        )
    order = rng(generator).permutation(n).tolist()
    subsets, start = [], 0
    for count in lengths:
        subsets.append(Subset(dataset, order[start : start + int(count)]))
        start += int(count)
    return subsets


def default_collate(batch: list[Any]) -> Any:
    """Combine a list of samples into one batch, as PyTorch's default_collate.

    Tensors and arrays are stacked along a new first dimension; Python floats become a
    float64 tensor and ints an int64 tensor; tuples, lists and dicts are collated field by
    field (a tuple of fields comes back as a list, as in PyTorch); strings are kept as a
    list.
    """
    first = batch[0]
    if isinstance(first, (Tensor, np.ndarray, np.generic)):
        shapes = [tuple(s.shape) if hasattr(s, "shape") else np.shape(s) for s in batch]
        if any(shape != shapes[0] for shape in shapes):
            i = next(i for i, shape in enumerate(shapes) if shape != shapes[0])
            raise RuntimeError(
                "default_collate: stack expects each sample to be equal size, but got "
                f"{shapes[0]} at entry 0 and {shapes[i]} at entry {i} (pad or crop the "
                "samples to one size, or pass a collate_fn)"
            )
        if isinstance(first, Tensor):
            return stack(batch)
        return Tensor(np.stack(batch))
    if isinstance(first, bool):
        return Tensor(np.array(batch, dtype=np.bool_))
    if isinstance(first, float):
        return Tensor(np.array(batch, dtype=np.float64))
    if isinstance(first, int):
        return Tensor(np.array(batch, dtype=np.int64))
    if isinstance(first, str):
        return list(batch)
    if isinstance(first, Mapping):
        return {key: default_collate([sample[key] for sample in batch]) for key in first}
    if isinstance(first, (tuple, list)):
        sizes = [len(sample) for sample in batch]
        if any(size != sizes[0] for size in sizes):
            i = next(i for i, size in enumerate(sizes) if size != sizes[0])
            raise RuntimeError(
                "default_collate: each element in list of batch should be of equal size, but "
                f"entry 0 has {sizes[0]} fields and entry {i} has {sizes[i]}"
            )
        fields = [default_collate(list(column)) for column in zip(*batch)]
        if isinstance(first, tuple) and hasattr(first, "_fields"):  # a namedtuple
            return type(first)(*fields)
        return fields
    raise TypeError(
        "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
        f"found {type(first).__name__}"
    )


def _tensor_rows(dataset: Dataset) -> tuple[tuple[Tensor, ...], np.ndarray | None] | None:
    """If ``dataset`` is a TensorDataset, possibly inside Subsets, return its tensors and the
    index map from the outer positions to their rows (None: the identity)."""
    index: np.ndarray | None = None
    while isinstance(dataset, Subset):
        outer = np.asarray(dataset.indices, dtype=np.int64)
        index = outer if index is None else outer[index]
        dataset = dataset.dataset
    if type(dataset) is TensorDataset:
        return dataset.tensors, index
    return None


class DataLoader:
    """Mini-batches of ``dataset``: ``for x, y in DataLoader(ds, batch_size=32, shuffle=True)``.

    Each epoch (each ``iter``) visits every sample once, reshuffled if ``shuffle``. The last
    batch is smaller when ``batch_size`` does not divide the dataset, unless ``drop_last``.
    ``len(loader)`` is the number of batches. ``batch_size=None`` yields single samples.

    ``num_workers`` and ``pin_memory`` are accepted for PyTorch's sake; loading always
    happens in the main process.
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int | None = 1,
        shuffle: bool | None = False,
        num_workers: int = 0,
        collate_fn: Callable[[list[Any]], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        generator: Generator | None = None,
    ) -> None:
        if batch_size is not None and (
            not isinstance(batch_size, int) or isinstance(batch_size, bool) or batch_size <= 0
        ):
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size}"
            )
        if num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; use num_workers=0 to disable "
                "multiprocessing."
            )
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = bool(shuffle)
        self.num_workers = num_workers
        self.collate_fn = collate_fn
        self.pin_memory = pin_memory
        self.drop_last = drop_last
        self.generator = generator

    def __len__(self) -> int:
        n = len(self.dataset)  # type: ignore[arg-type]
        if self.batch_size is None:
            return n
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        n = len(self.dataset)  # type: ignore[arg-type]
        order = rng(self.generator).permutation(n) if self.shuffle else np.arange(n)
        if self.batch_size is None:
            for i in order.tolist():
                yield self.dataset[i]
            return
        fast = _tensor_rows(self.dataset) if self.collate_fn is None else None
        for start in range(0, len(self) * self.batch_size, self.batch_size):
            batch = order[start : start + self.batch_size]
            if fast is not None:
                tensors, index = fast
                rows = batch if index is None else index[batch]
                yield [t[rows] for t in tensors]
            else:
                collate = self.collate_fn or default_collate
                yield collate([self.dataset[i] for i in batch.tolist()])
