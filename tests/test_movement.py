"""Advanced indexing (integer arrays with repeats, masks, mixed): forward against NumPy,
gradcheck and gradgradcheck. reshape, view, permute, transpose, T, squeeze, unsqueeze,
flatten, expand, broadcast_to, cat, stack and basic indexing are checked through the op
registry (tests/registry.py: test_registry_gradcheck.py, test_differential.py)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from opcheck import op_test
from strategies import arrays, shapes

import tinygrad_edu as tg


# --------------------------------------------------------------------------- indexing
def index_case(index_strategy):
    return shapes(min_dims=1).flatmap(
        lambda s: st.tuples(
            st.tuples(arrays(s)), st.fixed_dictionaries({"index": index_strategy(s)})
        )
    )


def getitem(x, index):
    return x[index]


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
