"""Movement ops and indexing: forward against NumPy, gradcheck and gradgradcheck."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from opcheck import op_test
from strategies import arrays, broadcastable_shapes, shapes

import tinygrad_edu as tg


def with_kwargs(shape_strategy, make_kwargs):
    """((x,), kwargs) where kwargs is drawn from ``make_kwargs(shape)``."""
    return shape_strategy.flatmap(lambda s: st.tuples(st.tuples(arrays(s)), make_kwargs(s)))


@st.composite
def reshape_target(draw, shape):
    target = list(draw(st.permutations(shape)))
    if target and draw(st.booleans()):
        target[draw(st.integers(0, len(target) - 1))] = -1
    if draw(st.booleans()):
        target.insert(draw(st.integers(0, len(target))), 1)
    return {"shape": tuple(target)}


@op_test(
    lambda x, shape: x.reshape(shape),
    lambda x, shape: np.reshape(x, shape),
    with_kwargs(shapes(), reshape_target),
)
def test_reshape(): ...


@op_test(
    lambda x, shape: x.view(*shape),
    lambda x, shape: np.reshape(x, shape),
    with_kwargs(shapes(min_dims=1), reshape_target),
)
def test_view(): ...


@op_test(
    lambda x, dims: x.permute(*dims),
    lambda x, dims: np.transpose(x, dims),
    with_kwargs(
        shapes(), lambda s: st.fixed_dictionaries({"dims": st.permutations(range(len(s)))})
    ),
)
def test_permute(): ...


def two_dims(s):
    d = st.integers(-len(s), len(s) - 1)
    return st.fixed_dictionaries({"a": d, "b": d})


@op_test(
    lambda x, a, b: x.transpose(a, b),
    lambda x, a, b: np.swapaxes(x, a, b),
    with_kwargs(shapes(min_dims=1), two_dims),
)
def test_transpose(): ...


@op_test(lambda x: x.T, lambda x: x.T, st.tuples(st.tuples(arrays(shapes())), st.just({})))
def test_T(): ...


def squeeze_dims(s):
    return st.fixed_dictionaries(
        {
            "dim": st.one_of(
                st.none(),
                st.integers(-max(len(s), 1), max(len(s), 1) - 1),
                st.lists(st.integers(0, max(len(s), 1) - 1), min_size=1, unique=True).map(tuple),
            )
        }
    )


def np_squeeze(x, dim):
    if dim is None:
        return np.squeeze(x)
    if x.ndim == 0:
        return x
    axes = [d % x.ndim for d in (dim if isinstance(dim, tuple) else (dim,))]
    return np.squeeze(x, axis=tuple(a for a in axes if x.shape[a] == 1))


@op_test(lambda x, dim: x.squeeze(dim), np_squeeze, with_kwargs(shapes(), squeeze_dims))
def test_squeeze(): ...


@op_test(
    lambda x, dim: x.unsqueeze(dim),
    lambda x, dim: np.expand_dims(x, dim),
    with_kwargs(
        shapes(), lambda s: st.fixed_dictionaries({"dim": st.integers(-len(s) - 1, len(s))})
    ),
)
def test_unsqueeze(): ...


@st.composite
def expand_case(draw):
    source, target = draw(broadcastable_shapes(2))
    result = np.broadcast_shapes(source, target)
    assume(np.broadcast_shapes(source, result) == result)
    sizes = list(result)
    lead = len(result) - len(source)
    for i in range(lead, len(sizes)):  # -1 keeps a dimension's size
        if source[i - lead] == sizes[i] and draw(st.booleans()):
            sizes[i] = -1
    return (draw(arrays(source)),), {"sizes": tuple(sizes), "result": result}


@op_test(
    lambda x, sizes, result: x.expand(sizes),
    lambda x, sizes, result: np.broadcast_to(x, result),
    expand_case(),
)
def test_expand(): ...


@op_test(
    lambda x, sizes, result: x.broadcast_to(result),
    lambda x, sizes, result: np.broadcast_to(x, result),
    expand_case(),
)
def test_broadcast_to(): ...


@st.composite
def flatten_case(draw):
    shape = draw(shapes(min_dims=1))
    n = len(shape)
    a, b = sorted(draw(st.lists(st.integers(0, n - 1), min_size=2, max_size=2)))
    start = a - n if draw(st.booleans()) else a
    end = b - n if draw(st.booleans()) else b
    return (draw(arrays(shape)),), {"start": start, "end": end, "a": a, "b": b}


@op_test(
    lambda x, start, end, a, b: x.flatten(start, end),
    lambda x, start, end, a, b: x.reshape(x.shape[:a] + (-1,) + x.shape[b + 1 :]),
    flatten_case(),
)
def test_flatten(): ...


@op_test(
    lambda x: tg.flatten(x),
    lambda x: x.reshape(-1),
    st.tuples(st.tuples(arrays(shapes(max_dims=0))), st.just({})),
)
def test_flatten_0d(): ...


@st.composite
def cat_case(draw):
    shape = draw(shapes(min_dims=1))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    xs = []
    for n in sizes:
        s = list(shape)
        s[dim] = n
        xs.append(draw(arrays(tuple(s))))
    return tuple(xs), {"dim": dim}


@op_test(
    lambda *xs, dim: tg.cat(list(xs), dim=dim),
    lambda *xs, dim: np.concatenate(xs, axis=dim),
    cat_case(),
)
def test_cat(): ...


@st.composite
def stack_case(draw):
    shape = draw(shapes())
    n = draw(st.integers(1, 3))
    xs = tuple(draw(arrays(shape)) for _ in range(n))
    return xs, {"dim": draw(st.integers(-len(shape) - 1, len(shape)))}


@op_test(
    lambda *xs, dim: tg.stack(xs, dim),
    lambda *xs, dim: np.stack(xs, axis=dim),
    stack_case(),
)
def test_stack(): ...


# --------------------------------------------------------------------------- indexing
def index_case(index_strategy):
    return shapes(min_dims=1).flatmap(
        lambda s: st.tuples(
            st.tuples(arrays(s)), st.fixed_dictionaries({"index": index_strategy(s)})
        )
    )


def getitem(x, index):
    return x[index]


@op_test(
    getitem,
    getitem,
    index_case(
        lambda s: hnp.basic_indices(s, allow_newaxis=True, allow_ellipsis=True).filter(
            positive_steps
        )
    ),
)
def test_getitem_basic():
    """ints, slices (positive steps: PyTorch refuses others), None and Ellipsis."""


def positive_steps(index) -> bool:
    parts = index if isinstance(index, tuple) else (index,)
    return all(not isinstance(p, slice) or p.step is None or p.step > 0 for p in parts)


def test_getitem_refuses_negative_steps_like_pytorch():
    with pytest.raises(ValueError, match="step must be greater than zero"):
        tg.tensor([1.0, 2.0])[::-1]


@op_test(getitem, getitem, index_case(lambda s: hnp.integer_array_indices(s)))
def test_getitem_integer_arrays():
    """Integer arrays, which may repeat an element: those gradients must accumulate."""


@op_test(getitem, getitem, index_case(lambda s: hnp.arrays(np.bool_, s)))
def test_getitem_boolean_mask(): ...


@st.composite
def mixed_index(draw, shape):
    """An integer array (repeats allowed) on the first axis, then a slice, with None."""
    rows = draw(
        hnp.arrays(np.int64, st.integers(1, 4), elements=st.integers(-shape[0], shape[0] - 1))
    )
    rest = (slice(draw(st.integers(0, 1)), None),) if len(shape) > 1 else ()
    return (None, rows, *rest) if draw(st.booleans()) else (rows, *rest)


@op_test(getitem, getitem, index_case(mixed_index))
def test_getitem_mixed(): ...


@op_test(
    lambda x: x[..., tg.tensor([0, 0, -1])],
    lambda x: x[..., [0, 0, -1]],
    st.tuples(st.tuples(arrays(shapes(min_dims=1))), st.just({})),
)
def test_getitem_tensor_index_with_repeats(): ...
