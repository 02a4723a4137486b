"""Matrix product: 1-D operands, 2-D, and batched with broadcasting batch axes."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from opcheck import op_test
from strategies import arrays

import tinygrad_edu as tg

# NumPy's own matmul signature, "(n?,k),(k,m?)->(n?,m?)": the ? dims may be absent (1-D).
matmul_shapes = hnp.mutually_broadcastable_shapes(
    signature=np.matmul.signature, max_dims=2, max_side=3
).map(lambda s: s.input_shapes)


def pair(shapes):
    return st.tuples(st.tuples(arrays(shapes[0]), arrays(shapes[1])), st.just({}))


@op_test(lambda x, y: x @ y, np.matmul, matmul_shapes.flatmap(pair))
def test_matmul(): ...


@op_test(
    lambda x, y: tg.matmul(x, y),
    np.matmul,
    st.sampled_from([((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 1, 3), (3,))]).flatmap(
        pair
    ),
)
def test_matmul_1d_cases():
    """Each 1-D case explicitly, so none depends on what Hypothesis happens to draw."""


@op_test(
    lambda x, y: x.matmul(y),
    np.matmul,
    st.sampled_from([((2, 1, 2, 3), (3, 3, 2)), ((3,), (2, 3, 2)), ((1, 2, 3), (4, 3, 1))]).flatmap(
        pair
    ),
)
def test_matmul_batch_broadcasting(): ...


def test_matmul_of_ndarray_on_the_left_stays_on_the_tape():
    w = tg.tensor(np.eye(2) * 3.0, requires_grad=True)
    out = np.ones((1, 2)) @ w
    assert isinstance(out, tg.Tensor) and out.requires_grad
    out.sum().backward()
    np.testing.assert_array_equal(w.grad.data, np.ones((2, 2)))
