"""Matrix product and the fused Linear op. matmul's values and derivatives (1-D operands,
2-D, batched with broadcasting batch axes) are checked through the op registry
(tests/registry.py: test_registry_gradcheck.py, test_differential.py)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from opcheck import op_test
from strategies import arrays

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu.ops import matmul as MM


def test_matmul_of_ndarray_on_the_left_stays_on_the_tape():
    w = tg.tensor(np.eye(2) * 3.0, requires_grad=True)
    out = np.ones((1, 2)) @ w
    assert isinstance(out, tg.Tensor) and out.requires_grad
    out.sum().backward()
    np.testing.assert_array_equal(w.grad._data, np.ones((2, 2)))


# ----------------------------------------------------------------------------- fused Linear
@st.composite
def linear_case(draw, bias: bool = True):
    """x (..., in) with 0-2 leading axes (0 = a single 1-D sample), W (out, in), b (out,)."""
    lead = draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3))
    n_in, n_out = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    shapes = [(*lead, n_in), (n_out, n_in)] + ([(n_out,)] if bias else [])
    return tuple(draw(arrays(s)) for s in shapes), {}


def linear_reference(x, w, b=None):
    out = np.matmul(x, w.T)
    return out if b is None else out + b


@op_test(lambda x, w, b: MM.Linear.apply(x, w, b), linear_reference, linear_case())
def test_linear():
    """The fused op's forward and its first and second derivatives, for x of 1 to 3 dims."""


@op_test(lambda x, w: MM.Linear.apply(x, w), linear_reference, linear_case(bias=False))
def test_linear_without_bias(): ...


def test_linear_gradients_equal_the_composed_ops():
    rng = np.random.default_rng(0)
    arrays_ = [rng.normal(size=s) for s in ((5, 3), (4, 3), (4,))]
    fused = [tg.tensor(a, requires_grad=True) for a in arrays_]
    composed = [tg.tensor(a, requires_grad=True) for a in arrays_]
    g = rng.normal(size=(5, 4))
    MM.Linear.apply(*fused).backward(tg.tensor(g))
    x, w, b = composed
    (x @ w.T + b).backward(tg.tensor(g))
    for f, c in zip(fused, composed):
        np.testing.assert_allclose(f.grad._data, c.grad._data, rtol=1e-14, atol=1e-14)


def test_f_linear_uses_one_node_and_refuses_mixed_dtypes_like_pytorch():
    x = tg.randn(2, 3)
    w = tg.randn(4, 3, requires_grad=True)
    b = tg.zeros(4, requires_grad=True)
    assert F.linear(x, w, b).grad_fn.name() == "LinearBackward"
    with pytest.raises(RuntimeError, match="float64 and float32"):
        F.linear(x.double(), w, b)  # PyTorch: mat1 and mat2 must have the same dtype


@pytest.mark.parametrize(
    "shapes, message",
    [
        (((2, 3), (4, 2), (4,)), r"input of shape \(2, 3\) does not fit weight of shape \(4, 2\)"),
        (((2, 3), (4, 3), (3,)), r"bias of shape \(3,\) does not fit weight of shape \(4, 3\)"),
        (((3,), (3,), None), r"input of shape \(3,\) does not fit weight of shape \(3,\)"),
    ],
)
def test_linear_shape_errors_name_the_shapes(shapes, message):
    x, w, b = (None if s is None else tg.zeros(*s, requires_grad=True) for s in shapes)
    with pytest.raises(ValueError, match=message):
        MM.Linear.apply(x, w, b)


def test_linear_refuses_mixed_dtypes():
    with pytest.raises(TypeError, match="share a dtype"):
        MM.Linear.apply(tg.zeros(2, 3), tg.zeros(4, 3, dtype=tg.float64))
