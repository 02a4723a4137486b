"""Dataset, TensorDataset, Subset, random_split and DataLoader."""

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor
from tinygrad_edu.utils.data import (
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)


def make(n=10):
    x = Tensor(np.arange(n * 2, dtype=np.float32).reshape(n, 2))
    y = Tensor(np.arange(n))
    return TensorDataset(x, y)


class Squares(Dataset):
    """A generic dataset: samples are built one by one in Python."""

    def __len__(self):
        return 7

    def __getitem__(self, i):
        return Tensor(np.array([i, i * i], dtype=np.float32)), i


def test_tensor_dataset_and_subset():
    ds = make()
    x, y = ds[3]
    np.testing.assert_array_equal(x._data, [6, 7])
    assert y.item() == 3 and len(ds) == 10
    sub = Subset(ds, [9, 0, 4])
    assert len(sub) == 3 and sub[0][1].item() == 9
    with pytest.raises(ValueError, match="Size mismatch"):
        TensorDataset(Tensor(np.zeros(3)), Tensor(np.zeros(4)))


def test_loader_in_order_batches_len_and_drop_last():
    loader = DataLoader(make(), batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 and [b[0].shape for b in batches] == [(4, 2), (4, 2), (2, 2)]
    np.testing.assert_array_equal(np.concatenate([b[1]._data for b in batches]), np.arange(10))
    dropping = DataLoader(make(), batch_size=4, drop_last=True)
    assert len(dropping) == 2 and len(list(dropping)) == 2
    assert len(DataLoader(make(), batch_size=5, drop_last=True)) == 2
    with pytest.raises(ValueError, match="positive integer"):
        DataLoader(make(), batch_size=0)


def test_shuffle_visits_everything_once_and_is_seeded():
    loader = DataLoader(make(), batch_size=3, shuffle=True)
    tg.manual_seed(0)
    first = np.concatenate([y._data for _, y in loader])
    second = np.concatenate([y._data for _, y in loader])
    assert sorted(first) == list(range(10)) and sorted(second) == list(range(10))
    assert not np.array_equal(first, second)  # reshuffled every epoch
    tg.manual_seed(0)
    np.testing.assert_array_equal(np.concatenate([y._data for _, y in loader]), first)

    def seeded_epoch():
        loader = DataLoader(make(), 3, True, generator=tg.Generator().manual_seed(5))
        return np.concatenate([y._data for _, y in loader])

    np.testing.assert_array_equal(seeded_epoch(), seeded_epoch())
    for x, y in loader:  # rows stay paired with their labels
        np.testing.assert_array_equal(x._data[:, 0], 2 * y._data)


def test_tensor_dataset_batches_by_fancy_indexing_not_per_sample():
    calls = []

    class Counting(Tensor):
        __slots__ = ()

        def __getitem__(self, index):
            calls.append(index)
            return super().__getitem__(index)

    x = Counting(np.zeros((100, 3)))
    loader = DataLoader(TensorDataset(x, Tensor(np.arange(100))), batch_size=25, shuffle=True)
    assert len(list(loader)) == 4 and len(calls) == 4  # one call per batch
    assert all(isinstance(i, np.ndarray) and i.shape == (25,) for i in calls)


def test_generic_dataset_uses_default_collate():
    loader = DataLoader(Squares(), batch_size=3)
    x, i = next(iter(loader))
    np.testing.assert_array_equal(x._data, [[0, 0], [1, 1], [2, 4]])
    assert i.dtype == np.int64 and i.tolist() == [0, 1, 2]
    assert [b[0].shape[0] for b in loader] == [3, 3, 1]
    single = list(DataLoader(Squares(), batch_size=None))
    assert len(single) == 7 and single[2][1] == 2
    custom = DataLoader(Squares(), batch_size=2, collate_fn=lambda b: len(b))
    assert list(custom) == [2, 2, 2, 1]


def test_default_collate_types():
    assert default_collate([1.5, 2.5]).dtype == np.float64
    assert default_collate([{"a": 1}, {"a": 2}])["a"].tolist() == [1, 2]
    assert default_collate([("s", np.ones(2))] * 3)[0] == ["s", "s", "s"]
    assert default_collate([np.ones(2)] * 3).shape == (3, 2)


def test_random_split_counts_fractions_and_seed():
    ds = make(10)
    tg.manual_seed(0)
    a, b = random_split(ds, [7, 3])
    assert (len(a), len(b)) == (7, 3)
    assert sorted(a.indices + b.indices) == list(range(10))
    tg.manual_seed(0)
    assert random_split(ds, [7, 3])[0].indices == a.indices
    # PyTorch's rounding: floor each, then one extra to the first splits in turn.
    assert [len(s) for s in random_split(make(5), [0.5, 0.5])] == [3, 2]
    assert [len(s) for s in random_split(make(10), [0.8, 0.2])] == [8, 2]
    assert [len(s) for s in random_split(make(11), [0.3, 0.3, 0.4])] == [4, 3, 4]
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(ds, [5, 6])
    generator = tg.Generator().manual_seed(1)
    first = random_split(ds, [0.5, 0.5], generator=generator)[0].indices
    assert random_split(ds, [0.5, 0.5], generator=tg.Generator().manual_seed(1))[0].indices == first


def test_loader_over_a_split_keeps_the_fast_path_and_the_right_rows():
    ds = make(20)
    train, val = random_split(ds, [0.75, 0.25])
    rows = [y._data for _, y in DataLoader(val, batch_size=2)]
    np.testing.assert_array_equal(np.concatenate(rows), val.indices)
    nested = Subset(train, [0, 1])
    np.testing.assert_array_equal(next(iter(DataLoader(nested, 2)))[1]._data, train.indices[:2])
