"""Datasets and mini-batches, as ``torch.utils.data``.

    Dataset        anything with ``__getitem__(i)`` (and ``__len__``) giving one sample
    TensorDataset  samples are the i-th rows of some tensors: (x[i], y[i])
    Subset         a dataset seen through a list of indices
    ConcatDataset  datasets one after the other (``a + b``); StackDataset: side by side
    IterableDataset  a stream of samples (define ``__iter__``); ChainDataset chains them
    random_split   shuffle the indices, cut them into Subsets (train / validation)
    DataLoader     iterate over mini-batches, optionally reshuffled every epoch
    samplers       which indices an epoch visits, in which order: SequentialSampler,
                   RandomSampler, SubsetRandomSampler, WeightedRandomSampler; and
                   BatchSampler, which groups them into batches
    default_collate / default_convert   turn samples into a batch / into Tensors

A ``DataLoader`` over a TensorDataset (or a Subset of one, as ``random_split`` gives) takes
a whole batch with one fancy-indexing call, ``x[indices]``, instead of fetching samples one
by one in Python and stacking them: the same batches, much faster. Shuffling draws from
the library's generator (``tinygrad_edu.manual_seed``) or from ``generator=``.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Sized
from typing import Any, Generic, TypeVar

import numpy as np

from tinygrad_edu.functional import stack
from tinygrad_edu.random import Generator, rng
from tinygrad_edu.tensor import Tensor

__all__ = [
    "BatchSampler",
    "ChainDataset",
    "ConcatDataset",
    "DataLoader",
    "Dataset",
    "IterableDataset",
    "RandomSampler",
    "Sampler",
    "SequentialSampler",
    "StackDataset",
    "Subset",
    "SubsetRandomSampler",
    "TensorDataset",
    "WeightedRandomSampler",
    "default_collate",
    "default_convert",
    "get_worker_info",
    "random_split",
]

T_co = TypeVar("T_co", covariant=True)


class Dataset:
    """Base class of map-style datasets: subclass it and define ``__getitem__`` and
    ``__len__``; ``dataset[i]`` returns sample i (usually an ``(input, target)`` tuple)."""

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __add__(self, other: Dataset) -> ConcatDataset:
        """``a + b`` is ``ConcatDataset([a, b])``: the samples of a, then those of b."""
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """Base class of iterable-style datasets (a stream: lines of a file, generated data):
    subclass it and define ``__iter__``, which yields the samples in order.

    A DataLoader over one batches the samples in the order they come (no shuffle, sampler
    or batch_sampler, which need indices). ``a + b`` chains two of them.
    """

    def __iter__(self) -> Iterator[Any]:
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")

    def __add__(self, other: Dataset) -> ChainDataset:  # type: ignore[override]
        return ChainDataset([self, other])


class ConcatDataset(Dataset):
    """Map-style datasets one after the other: index i < len(first) is first[i], the next
    ones come from the second, and so on. ``cumulative_sizes`` holds the running totals."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = list(datasets)
        if len(self.datasets) == 0:
            raise AssertionError("datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise AssertionError(
                    "ConcatDataset does not support IterableDataset (use ChainDataset)"
                )
        self.cumulative_sizes = np.cumsum([len(d) for d in self.datasets]).tolist()  # type: ignore[arg-type]

    def __len__(self) -> int:
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx: int) -> Any:
        if idx < 0:
            if -idx > len(self):
                raise ValueError("absolute value of index should not exceed dataset length")
            idx = len(self) + idx
        which = int(np.searchsorted(self.cumulative_sizes, idx, side="right"))
        if which == len(self.datasets):
            raise IndexError(f"index {idx} is out of range for a ConcatDataset of {len(self)}")
        start = self.cumulative_sizes[which - 1] if which > 0 else 0
        return self.datasets[which][idx - start]


class ChainDataset(IterableDataset):
    """Iterable datasets one after the other: all of the first's samples, then the next's."""

    def __init__(self, datasets: Iterable[Dataset]) -> None:
        self.datasets = datasets

    def __iter__(self) -> Iterator[Any]:
        for d in self.datasets:
            if not isinstance(d, IterableDataset):
                raise AssertionError("ChainDataset only supports IterableDataset")
            yield from d

    def __len__(self) -> int:
        return sum(len(d) for d in self.datasets)  # type: ignore[arg-type]


class StackDataset(Dataset):
    """Sample i gathers sample i of several datasets of the same length: a tuple with
    ``StackDataset(a, b)`` (``(a[i], b[i])``), a dict with ``StackDataset(x=a, y=b)``."""

    def __init__(self, *args: Dataset, **kwargs: Dataset) -> None:
        if args and kwargs:
            raise ValueError(
                "Supported either ``tuple``- (via ``args``) or``dict``- (via ``kwargs``) like "
                "input/output, but both types are given."
            )
        if not args and not kwargs:
            raise ValueError("At least one dataset should be passed")
        self.datasets: tuple[Dataset, ...] | dict[str, Dataset] = args or kwargs
        parts = list(args) + list(kwargs.values())
        lengths = [len(d) for d in parts]  # type: ignore[arg-type]
        if any(n != lengths[0] for n in lengths):
            raise ValueError(f"Size mismatch between datasets: lengths {lengths}")
        self._length = lengths[0]

    def __getitem__(self, index: int) -> Any:
        if isinstance(self.datasets, dict):
            return {k: d[index] for k, d in self.datasets.items()}
        return tuple(d[index] for d in self.datasets)

    def __len__(self) -> int:
        return self._length


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
    if isinstance(first, (np.ndarray, np.generic)) and first.dtype.kind in "SUO":
        raise TypeError(
            "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
            f"lists; found {first.dtype}"
        )
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


def default_convert(data: Any) -> Any:
    """Convert one sample without batching it, as PyTorch's default_convert (what a
    DataLoader with ``batch_size=None`` applies): NumPy arrays and NumPy scalars become
    Tensors, inside tuples (which come back as lists, as in PyTorch), lists and dicts too;
    Tensors, Python numbers and strings are kept as they are."""
    if isinstance(data, (np.ndarray, np.generic)) and data.dtype.kind not in "SUO":
        return Tensor(np.asarray(data))
    if isinstance(data, Mapping):
        return {key: default_convert(value) for key, value in data.items()}
    if isinstance(data, tuple) and hasattr(data, "_fields"):  # a namedtuple
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, (tuple, list)):
        return [default_convert(d) for d in data]
    return data


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


# ------------------------------------------------------------------------------- samplers
class Sampler(Generic[T_co]):
    """Base class of samplers: ``iter(sampler)`` gives the dataset indices of one epoch,
    in the order they are to be loaded (``len(sampler)``, if defined, is how many).

    A DataLoader takes one with ``sampler=`` (single indices, grouped into batches for you)
    or ``batch_sampler=`` (lists of indices, one list per batch). Any iterable of indices
    works too, e.g. a plain list.
    """

    def __iter__(self) -> Iterator[T_co]:
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")


class _ArraySampler(Sampler[int]):
    """A built-in sampler that draws a whole epoch's indices at once, as one array.

    ``BatchSampler`` and ``DataLoader`` slice that array into batches instead of collecting
    the indices one by one in Python (unless a subclass overrides ``__iter__``).
    """

    def _draw(self) -> np.ndarray:
        raise NotImplementedError

    def __iter__(self) -> Iterator[int]:
        yield from self._draw().tolist()


def _draws_arrays(sampler: Any) -> bool:
    """Whether ``sampler`` gives an epoch's indices as one array (see _ArraySampler)."""
    return isinstance(sampler, _ArraySampler) and type(sampler).__iter__ is _ArraySampler.__iter__


class SequentialSampler(_ArraySampler):
    """0, 1, ..., len(data_source) - 1, in order: what ``shuffle=False`` uses."""

    def __init__(self, data_source: Sized) -> None:
        self.data_source = data_source

    def _draw(self) -> np.ndarray:
        return np.arange(len(self.data_source))

    def __len__(self) -> int:
        return len(self.data_source)


def _check_num_samples(num_samples: Any) -> None:
    if isinstance(num_samples, bool) or not isinstance(num_samples, int) or num_samples <= 0:
        raise ValueError(
            f"num_samples should be a positive integer value, but got num_samples={num_samples}"
        )


class RandomSampler(_ArraySampler):
    """Random indices of ``data_source``: what ``shuffle=True`` uses.

    Without replacement (the default) every epoch is a fresh permutation; if
    ``num_samples`` exceeds the dataset's length, whole permutations follow one another
    and the last is cut short. With ``replacement=True`` each of the ``num_samples``
    indices is drawn independently and uniformly (some repeat, some never appear).
    Draws come from ``generator``, else from the library's generator (``manual_seed``).
    """

    def __init__(
        self,
        data_source: Sized,
        replacement: bool = False,
        num_samples: int | None = None,
        generator: Generator | None = None,
    ) -> None:
        if not isinstance(replacement, bool):
            raise TypeError(
                f"replacement should be a boolean value, but got replacement={replacement}"
            )
        self.data_source = data_source
        self.replacement = replacement
        self._num_samples = num_samples
        self.generator = generator
        _check_num_samples(self.num_samples)

    @property
    def num_samples(self) -> int:
        """How many indices one epoch yields (the dataset's length unless given)."""
        return len(self.data_source) if self._num_samples is None else self._num_samples

    def _draw(self) -> np.ndarray:
        n, count, gen = len(self.data_source), self.num_samples, rng(self.generator)
        if self.replacement:
            return gen.integers(0, n, size=count)
        rounds = [gen.permutation(n) for _ in range(count // n)]
        if count % n:
            rounds.append(gen.permutation(n)[: count % n])
        return np.concatenate(rounds)

    def __len__(self) -> int:
        return self.num_samples


class SubsetRandomSampler(_ArraySampler):
    """The given ``indices`` in a random order, a new one every epoch (e.g. a validation
    split: ``SubsetRandomSampler(range(50_000, 60_000))``)."""

    def __init__(self, indices: Sequence[int], generator: Generator | None = None) -> None:
        self.indices = indices
        self.generator = generator

    def _draw(self) -> np.ndarray:
        indices = self.indices._data if isinstance(self.indices, Tensor) else self.indices
        return np.asarray(indices, dtype=np.int64)[rng(self.generator).permutation(len(indices))]

    def __len__(self) -> int:
        return len(self.indices)


class WeightedRandomSampler(_ArraySampler):
    """``num_samples`` indices in 0 .. len(weights) - 1, index i with probability
    weights[i] / sum(weights) (the weights need not sum to 1).

    With ``replacement=True`` (the default) the draws are independent, so a heavy index
    can repeat, which is how an unbalanced dataset is oversampled. Without replacement an
    index appears at most once: each draw picks among the indices not drawn yet, in
    proportion to their weights. As in PyTorch, the weights are checked when the indices are
    drawn (at iteration), with RuntimeError for a negative weight or a zero sum.
    """

    def __init__(
        self,
        weights: Sequence[float],
        num_samples: int,
        replacement: bool = True,
        generator: Generator | None = None,
    ) -> None:
        _check_num_samples(num_samples)
        if not isinstance(replacement, bool):
            raise ValueError(
                f"replacement should be a boolean value, but got replacement={replacement}"
            )
        data = weights._data if isinstance(weights, Tensor) else weights
        weights_array = np.asarray(data, dtype=np.float64)
        if weights_array.ndim != 1:
            raise ValueError(
                "weights should be a 1d sequence but given weights have shape "
                f"{tuple(weights_array.shape)}"
            )
        self.weights = Tensor(weights_array)
        self.num_samples = num_samples
        self.replacement = replacement
        self.generator = generator

    def _draw(self) -> np.ndarray:
        w, count, gen = self.weights._data, self.num_samples, rng(self.generator)
        if (w < 0).any() or not np.isfinite(w).all():
            raise RuntimeError(
                "invalid multinomial distribution (encountering probability entry < 0): "
                f"WeightedRandomSampler weights must be finite and >= 0, got {w.tolist()}"
            )
        if not w.sum() > 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        if self.replacement:
            return gen.choice(len(w), size=count, p=w / w.sum())
        if count > len(w):
            raise RuntimeError(
                "cannot sample n_sample > prob_dist.size(-1) samples without replacement "
                f"({count} samples from {len(w)} weights)"
            )
        # Drawing one by one without replacement, in proportion to the weights, is the same
        # as sorting by w_i / E_i with E_i ~ Exponential(1) (largest first): one call, no loop.
        keys = w / gen.exponential(size=len(w))
        return np.argsort(-keys, kind="stable")[:count]

    def __len__(self) -> int:
        return self.num_samples


class BatchSampler(Sampler[list[int]]):
    """Group the indices of ``sampler`` into lists of ``batch_size``; the last list is
    shorter unless ``drop_last``. ``list(BatchSampler(range(5), 2, False))`` is
    ``[[0, 1], [2, 3], [4]]``."""

    def __init__(self, sampler: Sampler[int] | Iterable[int], batch_size: int, drop_last: bool):
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size <= 0:
            raise ValueError(
                f"batch_size should be a positive integer value, but got batch_size={batch_size}"
            )
        if not isinstance(drop_last, bool):
            raise ValueError(f"drop_last should be a boolean value, but got drop_last={drop_last}")
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last

    def _arrays(self) -> Iterator[np.ndarray]:
        """The batches as index arrays (what DataLoader's fast path indexes with)."""
        if not _draws_arrays(self.sampler):
            for batch in self:
                yield np.asarray(batch, dtype=np.int64)
            return
        order = self.sampler._draw()
        size = self.batch_size
        end = len(order) - len(order) % size if self.drop_last else len(order)
        for start in range(0, end, size):
            yield order[start : start + size]

    def __iter__(self) -> Iterator[list[int]]:
        if _draws_arrays(self.sampler):
            for batch in self._arrays():
                yield batch.tolist()
            return
        batch: list[int] = []
        for index in self.sampler:
            batch.append(index)
            if len(batch) == self.batch_size:
                yield batch
                batch = []
        if batch and not self.drop_last:
            yield batch

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


# ------------------------------------------------------------------------------- loading
def get_worker_info() -> None:
    """Information about the current loader worker process: always None here, since
    tinygrad_edu loads every batch in the main process (see ``DataLoader``)."""
    return None


class DataLoader:
    """Mini-batches of ``dataset``: ``for x, y in DataLoader(ds, batch_size=32, shuffle=True)``.

    Which samples, in which order:
        shuffle       False: 0, 1, 2, ...; True: a fresh permutation every epoch (``iter``),
                      drawn from ``generator`` or the library's generator (``manual_seed``).
        sampler       any iterable of indices (a ``Sampler``); replaces ``shuffle``.
        batch_sampler an iterable of index lists, one per batch; replaces ``batch_size``,
                      ``shuffle``, ``sampler`` and ``drop_last``.
    How they are combined:
        batch_size    samples per batch; the last batch is smaller unless ``drop_last``.
                      ``None`` turns batching off: each sample comes alone.
        collate_fn    list of samples -> batch (default: ``default_collate``, which stacks);
                      with ``batch_size=None`` it gets each single sample
                      (default: ``default_convert``, NumPy arrays to Tensors).
    ``len(loader)`` is the number of batches (or samples, without batching).
    An IterableDataset is batched in the order its samples come (``len`` needs its
    ``__len__``); shuffle, sampler and batch_sampler are errors there, as in PyTorch.

    A TensorDataset (or a Subset of one, as ``random_split`` gives) with the default
    collate_fn is batched with one fancy-indexing call per batch, ``x[indices]``, instead of
    fetching and stacking samples one by one: the same batches, much faster.

    Workers: loading always happens in the main process. ``num_workers > 0`` is accepted
    (so that scripts written for PyTorch run unchanged) and gives the same batches in the
    same order as ``num_workers=0``; ``worker_init_fn`` is never called, because there are
    no worker processes, and ``get_worker_info()`` returns None. ``pin_memory``,
    ``timeout``, ``prefetch_factor``, ``persistent_workers`` and the other process options
    are checked as PyTorch checks them and otherwise change nothing.
    """

    def __init__(
        self,
        dataset: Dataset,
        batch_size: int | None = 1,
        shuffle: bool | None = None,
        sampler: Sampler[Any] | Iterable[Any] | None = None,
        batch_sampler: Sampler[list[Any]] | Iterable[list[Any]] | None = None,
        num_workers: int = 0,
        collate_fn: Callable[[Any], Any] | None = None,
        pin_memory: bool = False,
        drop_last: bool = False,
        timeout: float = 0,
        worker_init_fn: Callable[[int], None] | None = None,
        multiprocessing_context: Any = None,
        generator: Generator | None = None,
        *,
        prefetch_factor: int | None = None,
        persistent_workers: bool = False,
        pin_memory_device: str = "",
        in_order: bool = True,
    ) -> None:
        if num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; use num_workers=0 to disable "
                "multiprocessing."
            )
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing."
                "let num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor "
                "to None."
            )
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if isinstance(dataset, IterableDataset):
            for name, value in [
                ("shuffle", shuffle),
                ("sampler", sampler),
                ("batch_sampler", batch_sampler),
            ]:
                if value is not None and value is not False:
                    raise ValueError(
                        "DataLoader with IterableDataset: expected unspecified "
                        f"{name} option, but got {name}={value}"
                    )
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, "
                    "sampler, and drop_last"
                )
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually exclusive with "
                "drop_last"
            )
        if sampler is None and not isinstance(dataset, IterableDataset):
            sampler = (
                RandomSampler(dataset, generator=generator)  # type: ignore[arg-type]
                if shuffle
                else SequentialSampler(dataset)  # type: ignore[arg-type]
            )
        if batch_size is not None and batch_sampler is None and sampler is not None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = num_workers
        self.collate_fn = collate_fn
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.generator = generator
        self.prefetch_factor = 2 if prefetch_factor is None and num_workers > 0 else prefetch_factor
        self.persistent_workers = persistent_workers
        self.pin_memory_device = pin_memory_device
        self.in_order = in_order

    def __len__(self) -> int:
        if isinstance(self.dataset, IterableDataset):  # as many as the stream says it has
            n = len(self.dataset)  # type: ignore[arg-type]
            if self.batch_size is None:
                return n
            return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
        index_sampler = self.sampler if self.batch_sampler is None else self.batch_sampler
        return len(index_sampler)  # type: ignore[arg-type]

    def __iter__(self) -> Iterator[Any]:
        if isinstance(self.dataset, IterableDataset):
            yield from self._iter_stream(self.dataset)
            return
        if self.batch_sampler is None:  # no batching: one sample at a time
            convert = self.collate_fn or default_convert
            for i in self.sampler:
                yield convert(self.dataset[i])
            return
        fast = _tensor_rows(self.dataset) if self.collate_fn is None else None
        if fast is not None:
            tensors, index = fast
            batches = (
                self.batch_sampler._arrays()
                if type(self.batch_sampler) is BatchSampler
                else (np.asarray(b, dtype=np.int64) for b in self.batch_sampler)
            )
            for batch in batches:
                rows = batch if index is None else index[batch]
                yield [t[rows] for t in tensors]
            return
        collate = self.collate_fn or default_collate
        for batch in self.batch_sampler:
            yield collate([self.dataset[i] for i in batch])

    def _iter_stream(self, dataset: IterableDataset) -> Iterator[Any]:
        """Batches of an iterable dataset: consecutive samples, ``batch_size`` at a time."""
        if self.batch_size is None:
            convert = self.collate_fn or default_convert
            for sample in dataset:
                yield convert(sample)
            return
        collate = self.collate_fn or default_collate
        samples = iter(dataset)
        while batch := list(itertools.islice(samples, self.batch_size)):
            if len(batch) < self.batch_size and self.drop_last:
                return
            yield collate(batch)
