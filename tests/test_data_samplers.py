"""Samplers, batch samplers, collate functions and DataLoader's options, as torch.utils.data.

Orders drawn with a seeded generator need not match torch's random stream; these tests
check structure, lengths, which indices appear, the errors, and (when torch is installed)
that the deterministic parts (sequential orders, batch grouping, lengths, error messages)
agree with torch exactly.
"""

from collections import Counter, namedtuple

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor
from tinygrad_edu.utils.data import (
    BatchSampler,
    ChainDataset,
    ConcatDataset,
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    Sampler,
    SequentialSampler,
    StackDataset,
    SubsetRandomSampler,
    TensorDataset,
    WeightedRandomSampler,
    default_collate,
    default_convert,
    get_worker_info,
)


def make(n=10):
    return TensorDataset(Tensor(np.arange(n * 2.0).reshape(n, 2)), Tensor(np.arange(n)))


class Squares(Dataset):
    """A generic dataset (no fast path): samples are built one by one."""

    def __init__(self, n=7):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return np.array([i, i * i], dtype=np.float32), i


def labels(loader):
    return [b[1].tolist() for b in loader]


def gen(seed):
    return tg.Generator().manual_seed(seed)


# ---- samplers -------------------------------------------------------------------------------


def test_sequential_sampler():
    sampler = SequentialSampler(range(5))
    assert list(sampler) == [0, 1, 2, 3, 4] and len(sampler) == 5
    assert all(type(i) is int for i in sampler)


def test_random_sampler_is_a_fresh_permutation_each_epoch_and_seeded():
    sampler = RandomSampler(range(20), generator=gen(3))
    first, second = list(sampler), list(sampler)
    assert sorted(first) == sorted(second) == list(range(20)) and len(sampler) == 20
    assert first != second
    assert list(RandomSampler(range(20), generator=gen(3))) == first
    tg.manual_seed(1)
    a = list(RandomSampler(range(20)))
    tg.manual_seed(1)
    assert list(RandomSampler(range(20))) == a


def test_random_sampler_num_samples_without_replacement_repeats_whole_permutations():
    sampler = RandomSampler(range(10), num_samples=25, generator=gen(0))
    drawn = list(sampler)
    assert len(drawn) == len(sampler) == 25
    assert sorted(drawn[:10]) == sorted(drawn[10:20]) == list(range(10))
    assert len(set(drawn[20:])) == 5
    assert all(count in (2, 3) for count in Counter(drawn).values())
    short = list(RandomSampler(range(10), num_samples=4, generator=gen(0)))
    assert len(short) == len(set(short)) == 4


def test_random_sampler_with_replacement_repeats_and_covers():
    drawn = list(RandomSampler(range(5), replacement=True, num_samples=2000, generator=gen(0)))
    counts = Counter(drawn)
    assert len(drawn) == 2000 and set(counts) == set(range(5))
    assert all(300 < c < 500 for c in counts.values())  # uniform: 400 each, sd ≈ 18
    small = list(RandomSampler(range(5), replacement=True, generator=gen(1)))
    assert len(small) == 5 and set(small) <= set(range(5))


def test_subset_random_sampler():
    sampler = SubsetRandomSampler([7, 3, 9, 11], generator=gen(2))
    epochs = [list(sampler) for _ in range(6)]
    assert all(sorted(e) == [3, 7, 9, 11] for e in epochs) and len(sampler) == 4
    assert len({tuple(e) for e in epochs}) > 1
    assert sorted(SubsetRandomSampler(Tensor(np.array([4, 2])))) == [2, 4]


def test_weighted_random_sampler_follows_the_weights():
    sampler = WeightedRandomSampler([0.0, 1.0, 3.0], num_samples=4000, generator=gen(0))
    counts = Counter(sampler)
    assert len(sampler) == 4000 and sum(counts.values()) == 4000
    assert counts[0] == 0 and 900 < counts[1] < 1100  # expected 1000, sd ≈ 27
    assert sampler.weights.dtype == np.float64


def test_weighted_random_sampler_without_replacement():
    drawn = list(
        WeightedRandomSampler([1.0, 1.0, 5.0, 1.0], 4, replacement=False, generator=gen(0))
    )
    assert sorted(drawn) == [0, 1, 2, 3]
    # the heavy index tends to come first: P(first = 2) = 5/8
    firsts = Counter(
        next(iter(WeightedRandomSampler([1.0, 1.0, 5.0, 1.0], 1, False, gen(s))))
        for s in range(400)
    )
    assert 200 < firsts[2] < 300
    # zero weights are drawn last, as torch.multinomial does
    assert sorted(WeightedRandomSampler([0.0, 1.0, 2.0, 0.0], 2, False, gen(1))) == [1, 2]
    assert sorted(WeightedRandomSampler([0.0, 1.0, 2.0, 0.0], 3, False, gen(1)))[1:] == [1, 2]


@pytest.mark.parametrize(
    ("make_sampler", "error", "message"),
    [
        (lambda: RandomSampler(range(3), replacement=1), TypeError, "replacement=1"),
        (lambda: RandomSampler(range(3), num_samples=0), ValueError, "num_samples=0"),
        (lambda: RandomSampler(range(3), num_samples=2.0), ValueError, "num_samples=2.0"),
        (lambda: WeightedRandomSampler([1.0], num_samples=True), ValueError, "num_samples=True"),
        (lambda: WeightedRandomSampler([1.0], 1, replacement=0), ValueError, "replacement=0"),
        (lambda: WeightedRandomSampler([[1.0, 2.0]], 1), ValueError, r"shape \(1, 2\)"),
        (lambda: BatchSampler(range(3), 0, False), ValueError, "batch_size=0"),
        (lambda: BatchSampler(range(3), True, False), ValueError, "batch_size=True"),
        (lambda: BatchSampler(range(3), 2, 0), ValueError, "drop_last=0"),
    ],
)
def test_sampler_construction_errors(make_sampler, error, message):
    with pytest.raises(error, match=message):
        make_sampler()


@pytest.mark.parametrize(
    ("weights", "num_samples", "replacement", "message"),
    [
        ([1.0, -1.0], 2, True, "probability entry < 0"),
        ([0.0, 0.0], 2, True, "sum of probabilities <= 0"),
        ([1.0, 2.0], 5, False, "cannot sample n_sample > prob_dist.size"),
    ],
)
def test_weighted_sampler_errors_come_at_iteration_like_torch(
    weights, num_samples, replacement, message
):
    sampler = WeightedRandomSampler(weights, num_samples, replacement)
    with pytest.raises(RuntimeError, match=message):
        list(sampler)


def test_batch_sampler_groups_any_sampler():
    assert list(BatchSampler(range(5), 2, False)) == [[0, 1], [2, 3], [4]]
    assert list(BatchSampler(range(5), 2, True)) == [[0, 1], [2, 3]]
    assert len(BatchSampler(range(5), 2, False)) == 3 and len(BatchSampler(range(5), 2, True)) == 2
    assert list(BatchSampler(SequentialSampler(range(5)), 5, True)) == [[0, 1, 2, 3, 4]]
    batches = list(BatchSampler(RandomSampler(range(7), generator=gen(0)), 3, False))
    assert [len(b) for b in batches] == [3, 3, 1]
    assert sorted(i for b in batches for i in b) == list(range(7))
    assert all(type(i) is int for b in batches for i in b)


def test_subclass_overriding_iter_is_respected():
    class Reversed(SequentialSampler):
        def __iter__(self):
            return iter(range(len(self.data_source) - 1, -1, -1))

    assert list(BatchSampler(Reversed(range(4)), 3, False)) == [[3, 2, 1], [0]]
    assert labels(DataLoader(make(4), batch_size=3, sampler=Reversed(range(4)))) == [[3, 2, 1], [0]]


def test_generic_sampler_subclass():
    class Evens(Sampler[int]):
        def __init__(self, n):
            self.n = n

        def __iter__(self):
            return iter(range(0, self.n, 2))

        def __len__(self):
            return (self.n + 1) // 2

    assert labels(DataLoader(make(), batch_size=2, sampler=Evens(10))) == [[0, 2], [4, 6], [8]]
    with pytest.raises(NotImplementedError):
        iter(Sampler())


# ---- DataLoader -----------------------------------------------------------------------------


@pytest.mark.parametrize("dataset", [make(10), Squares(10)], ids=["tensor_dataset", "generic"])
def test_loader_sampler_and_batch_sampler(dataset):
    by_sampler = DataLoader(dataset, batch_size=4, sampler=[9, 8, 7, 1, 0])
    assert labels(by_sampler) == [[9, 8, 7, 1], [0]] and len(by_sampler) == 2
    by_batches = DataLoader(dataset, batch_sampler=[[9, 8], [7], [1, 1, 1]])
    assert labels(by_batches) == [[9, 8], [7], [1, 1, 1]] and len(by_batches) == 3
    assert by_batches.batch_size is None and by_batches.drop_last is False
    weighted = DataLoader(dataset, batch_size=5, sampler=WeightedRandomSampler([0, 1] * 5, 20))
    assert all(y % 2 == 1 for batch in labels(weighted) for y in batch) and len(weighted) == 4


def test_loader_builds_its_samplers_like_torch():
    plain = DataLoader(make(), batch_size=3)
    assert type(plain.sampler) is SequentialSampler and type(plain.batch_sampler) is BatchSampler
    assert plain.batch_sampler.batch_size == 3 and plain.batch_sampler.sampler is plain.sampler
    g = gen(0)
    shuffled = DataLoader(make(), shuffle=True, generator=g)
    assert type(shuffled.sampler) is RandomSampler and shuffled.sampler.generator is g
    assert DataLoader(make(), batch_size=None).batch_sampler is None


def test_shuffle_with_generator_is_reproducible_and_paired():
    def epoch(seed):
        loader = DataLoader(make(), batch_size=3, shuffle=True, generator=gen(seed))
        return labels(loader), list(loader)

    (a, batches), (b, _) = epoch(4), epoch(4)
    assert a == b and sorted(i for b in a for i in b) == list(range(10))
    for x, y in batches:
        np.testing.assert_array_equal(x._data[:, 0], 2 * y._data)


def test_drop_last_and_len():
    assert labels(DataLoader(Squares(7), batch_size=3, drop_last=True)) == [[0, 1, 2], [3, 4, 5]]
    assert len(DataLoader(Squares(7), batch_size=3, drop_last=True)) == 2
    assert len(DataLoader(Squares(7), batch_size=3)) == 3
    assert len(DataLoader(Squares(7), batch_size=None)) == 7


def test_collate_fn_gets_the_list_of_samples():
    seen = []

    def collate(samples):
        seen.append(samples)
        return len(samples)

    assert list(DataLoader(Squares(5), batch_size=2, collate_fn=collate)) == [2, 2, 1]
    assert isinstance(seen[0], list) and seen[0][1][1] == 1
    assert list(DataLoader(make(3), batch_size=2, collate_fn=collate)) == [2, 1]  # no fast path


def test_no_batching_converts_each_sample():
    samples = list(DataLoader(Squares(3), batch_size=None))
    assert isinstance(samples[2], list) and isinstance(samples[2][0], Tensor)
    np.testing.assert_array_equal(samples[2][0]._data, [2, 4])
    assert samples[2][1] == 2
    assert list(DataLoader(Squares(3), batch_size=None, collate_fn=lambda s: s[1])) == [0, 1, 2]
    shuffled = DataLoader(make(3), batch_size=None, shuffle=True)
    assert sorted(s[1].item() for s in shuffled) == [0, 1, 2]


def test_num_workers_run_in_process_with_the_same_batches():
    calls = []
    loader = DataLoader(
        Squares(9),
        batch_size=4,
        num_workers=3,
        worker_init_fn=calls.append,
        persistent_workers=True,
        prefetch_factor=4,
        timeout=5,
        pin_memory=True,
    )
    assert labels(loader) == labels(DataLoader(Squares(9), batch_size=4))
    assert calls == [] and get_worker_info() is None
    assert DataLoader(Squares(3), num_workers=2).prefetch_factor == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sampler": [0, 1], "shuffle": True}, "sampler option is mutually exclusive with shuffle"),
        ({"batch_sampler": [[0]], "batch_size": 2}, "batch_sampler option is mutually exclusive"),
        ({"batch_sampler": [[0]], "shuffle": True}, "batch_sampler option is mutually exclusive"),
        ({"batch_sampler": [[0]], "sampler": [0]}, "batch_sampler option is mutually exclusive"),
        ({"batch_sampler": [[0]], "drop_last": True}, "batch_sampler option is mutually exclusive"),
        ({"batch_size": None, "drop_last": True}, "batch_size=None option disables auto-batching"),
        ({"batch_size": 0}, "batch_size should be a positive integer value"),
        ({"num_workers": -1}, "num_workers option should be non-negative"),
        ({"timeout": -1}, "timeout option should be non-negative"),
        ({"prefetch_factor": 2}, "prefetch_factor option could only be specified"),
        ({"persistent_workers": True}, "persistent_workers option needs num_workers > 0"),
    ],
)
def test_mutually_exclusive_options(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DataLoader(make(), **kwargs)


# ---- collate --------------------------------------------------------------------------------


def test_default_collate_structures():
    Point = namedtuple("Point", "x y")
    batch = default_collate([(np.ones(2, np.float32), 1, 0.5, "a", {"k": np.float32(2)})] * 3)
    assert isinstance(batch, list) and len(batch) == 5
    assert batch[0].shape == (3, 2) and batch[0].dtype == np.float32
    assert batch[1].dtype == np.int64 and batch[2].dtype == np.float64
    assert batch[3] == ["a", "a", "a"] and batch[4]["k"].dtype == np.float32
    points = default_collate([Point(1, 2.0), Point(3, 4.0)])
    assert type(points) is Point and points.x.tolist() == [1, 3]
    assert default_collate([[1, 2], [3, 4]])[0].tolist() == [1, 3]
    assert default_collate([True, False]).dtype == np.bool_
    assert default_collate([Tensor(np.ones(2))] * 2).shape == (2, 2)


@pytest.mark.parametrize(
    ("batch", "error", "message"),
    [
        ([[1, 2], [3]], RuntimeError, "equal size"),
        ([np.ones(2), np.ones(3)], RuntimeError, "equal size"),
        ([None], TypeError, "found NoneType"),
        ([np.array(["a"])], TypeError, "found <U1"),
    ],
)
def test_default_collate_errors(batch, error, message):
    with pytest.raises(error, match=message):
        default_collate(batch)


def test_default_convert():
    converted = default_convert((np.ones(2), 1.5, {"a": np.float64(3)}, "s"))
    assert isinstance(converted, list) and isinstance(converted[0], Tensor)
    assert converted[1] == 1.5 and isinstance(converted[2]["a"], Tensor) and converted[3] == "s"
    t = Tensor(np.ones(2))
    assert default_convert(t) is t


# ---- against torch --------------------------------------------------------------------------


def test_deterministic_behaviour_matches_torch():
    torch = pytest.importorskip("torch")
    tdata = torch.utils.data
    ours_ds, theirs_ds = (
        make(11),
        tdata.TensorDataset(torch.arange(22.0).view(11, 2), torch.arange(11)),
    )
    for kwargs in [
        {"batch_size": 4},
        {"batch_size": 4, "drop_last": True},
        {"batch_size": 3, "sampler": [10, 2, 2, 5]},
        {"batch_sampler": [[3, 1], [0], [7, 7, 7]]},
    ]:
        ours = DataLoader(ours_ds, **kwargs)
        theirs = tdata.DataLoader(theirs_ds, **kwargs)
        assert len(ours) == len(theirs)
        assert labels(ours) == [b[1].tolist() for b in theirs]
    for n, size, drop in [(5, 2, False), (5, 2, True), (6, 3, True), (1, 4, False)]:
        assert list(BatchSampler(range(n), size, drop)) == list(
            tdata.BatchSampler(range(n), size, drop)
        )
        assert len(BatchSampler(range(n), size, drop)) == len(
            tdata.BatchSampler(range(n), size, drop)
        )
    for sampler_kwargs in [{}, {"num_samples": 25}, {"replacement": True, "num_samples": 3}]:
        assert len(RandomSampler(range(10), **sampler_kwargs)) == len(
            tdata.RandomSampler(range(10), **sampler_kwargs)
        )
    ours = list(DataLoader(Squares(3), batch_size=None))
    theirs = list(tdata.DataLoader(Squares(3), batch_size=None))
    assert [type(s).__name__ for s in ours] == [type(s).__name__ for s in theirs]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"sampler": [0, 1], "shuffle": True},
        {"batch_sampler": [[0]], "batch_size": 2},
        {"batch_size": None, "drop_last": True},
        {"prefetch_factor": 2},
        {"persistent_workers": True},
        {"timeout": -1},
    ],
)
def test_loader_error_messages_match_torch(kwargs):
    torch = pytest.importorskip("torch")
    with pytest.raises(ValueError) as theirs:
        torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.ones(3)), **kwargs)
    with pytest.raises(ValueError) as ours:
        DataLoader(make(3), **kwargs)
    assert str(ours.value) == str(theirs.value)


# ---- more datasets --------------------------------------------------------------------------


class Stream(IterableDataset):
    def __init__(self, n, start=0):
        self.n, self.start = n, start

    def __iter__(self):
        return iter(range(self.start, self.start + self.n))

    def __len__(self):
        return self.n


def test_iterable_dataset_in_a_loader():
    assert [b.tolist() for b in DataLoader(Stream(5), batch_size=2)] == [[0, 1], [2, 3], [4]]
    assert [b.tolist() for b in DataLoader(Stream(5), batch_size=2, drop_last=True)] == [
        [0, 1],
        [2, 3],
    ]
    assert list(DataLoader(Stream(3), batch_size=None)) == [0, 1, 2]
    assert len(DataLoader(Stream(5), batch_size=2)) == 3
    assert len(DataLoader(Stream(5), batch_size=2, drop_last=True)) == 2
    assert list(DataLoader(Stream(3), batch_size=2, collate_fn=sum)) == [1, 2]
    for kwargs in [{"shuffle": True}, {"sampler": [0]}, {"batch_sampler": [[0]]}]:
        with pytest.raises(ValueError, match="DataLoader with IterableDataset: expected unspec"):
            DataLoader(Stream(3), **kwargs)
    with pytest.raises(NotImplementedError, match="must implement __iter__"):
        iter(IterableDataset())


def test_chain_and_concat_datasets():
    assert list(Stream(2) + Stream(2, start=10)) == [0, 1, 10, 11]
    chain = ChainDataset([Stream(2), Stream(3, start=5)])
    assert list(chain) == [0, 1, 5, 6, 7] and len(chain) == 5
    both = make(3) + make(2)
    assert isinstance(both, ConcatDataset) and len(both) == 5 and both.cumulative_sizes == [3, 5]
    assert [both[i][1].item() for i in range(5)] == [0, 1, 2, 0, 1]
    assert both[-1][1].item() == 1 and both[-5][1].item() == 0
    with pytest.raises(IndexError):
        both[5]
    with pytest.raises(ValueError, match="absolute value of index"):
        both[-6]
    with pytest.raises(AssertionError, match="empty"):
        ConcatDataset([])
    with pytest.raises(AssertionError, match="does not support IterableDataset"):
        ConcatDataset([Stream(2)])
    assert labels(DataLoader(both, batch_size=4)) == [[0, 1, 2, 0], [1]]


def test_stack_dataset():
    pairs = StackDataset(make(3), Squares(3))
    assert len(pairs) == 3 and pairs[1][0][1].item() == 1 and pairs[1][1][1] == 1
    named = StackDataset(a=make(3), b=Squares(3))
    assert set(named[2]) == {"a", "b"}
    batch = next(iter(DataLoader(named, batch_size=2)))
    assert batch["b"][0].shape == (2, 2) and batch["a"][1].tolist() == [0, 1]
    with pytest.raises(ValueError, match="Size mismatch"):
        StackDataset(make(3), make(4))
    with pytest.raises(ValueError, match="both types are given"):
        StackDataset(make(3), b=make(3))
    with pytest.raises(ValueError, match="At least one dataset"):
        StackDataset()


def test_more_datasets_match_torch():
    torch = pytest.importorskip("torch")
    tdata = torch.utils.data

    class TorchStream(tdata.IterableDataset):
        def __iter__(self):
            return iter(range(7))

    for kwargs in [{"batch_size": 3}, {"batch_size": 3, "drop_last": True}]:
        ours = [b.tolist() for b in DataLoader(Stream(7), **kwargs)]
        assert ours == [b.tolist() for b in tdata.DataLoader(TorchStream(), **kwargs)]
    ours = make(3) + make(2)
    theirs = tdata.TensorDataset(torch.arange(3)) + tdata.TensorDataset(torch.arange(2))
    assert ours.cumulative_sizes == theirs.cumulative_sizes
    assert [ours[i][1].item() for i in range(-5, 5)] == [theirs[i][0].item() for i in range(-5, 5)]


def test_one_draw_per_epoch_whichever_way_the_batches_are_taken():
    """BatchSampler iterated directly and the loader's fast path draw the same order."""
    direct = list(BatchSampler(RandomSampler(range(10), generator=gen(7)), 4, False))
    loader = DataLoader(make(10), batch_size=4, shuffle=True, generator=gen(7))
    assert direct == labels(loader)
    sampler = RandomSampler(range(10), generator=gen(7))
    assert [i for b in direct for i in b] == list(sampler)
