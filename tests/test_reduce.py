"""Reductions: the indices of max(dim)/min(dim) and argmax/argmin, and comparisons.

The values and derivatives of sum, mean, var, std, amax, amin, max, min and logsumexp are
checked through the op registry (tests/registry.py: test_registry_gradcheck.py against NumPy
and central differences, test_differential.py against PyTorch)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import distinct_arrays, floats, shapes

import tinygrad_edu as tg


@st.composite
def max_dim_case(draw):
    shape = draw(shapes(min_dims=1))
    x = draw(distinct_arrays(shape))
    return (x,), {
        "dim": draw(st.integers(-len(shape), len(shape) - 1)),
        "keepdim": draw(st.booleans()),
    }


@given(max_dim_case())
def test_max_min_dim_indices_are_int64_and_match_numpy(case):
    (x,), kw = case
    t = tg.tensor(x, requires_grad=True)
    for method, arg in (("max", np.argmax), ("min", np.argmin)):
        values, indices = getattr(t, method)(kw["dim"], kw["keepdim"])
        assert indices.dtype == np.int64 and not indices.requires_grad
        assert indices.grad_fn is None
        np.testing.assert_array_equal(indices._data, arg(x, axis=kw["dim"], keepdims=kw["keepdim"]))
        assert values.requires_grad


@given(
    st.tuples(shapes(min_dims=1), st.booleans()).flatmap(
        lambda s: st.tuples(
            distinct_arrays(s[0]), st.integers(-len(s[0]), len(s[0]) - 1), st.just(s[1])
        )
    )
)
def test_argmax_argmin_not_differentiable(case):
    x, dim, keepdim = case
    t = tg.tensor(x, requires_grad=True)
    for name, ref in (("argmax", np.argmax), ("argmin", np.argmin)):
        out = getattr(t, name)(dim, keepdim)
        assert out.dtype == np.int64
        assert not out.requires_grad and out.grad_fn is None
        np.testing.assert_array_equal(out._data, ref(x, axis=dim, keepdims=keepdim))
    assert t.argmax().item() == int(np.argmax(x))
    assert t.argmin().item() == int(np.argmin(x))


@pytest.mark.parametrize("op", ["lt", "le", "gt", "ge", "eq", "ne"])
@given(x=distinct_arrays(shapes()), y=floats())
def test_comparisons_are_bool_and_not_differentiable(op, x, y):
    t = tg.tensor(x, requires_grad=True)
    out = getattr(t, op)(y)
    assert out.dtype == np.bool_
    assert not out.requires_grad and out.grad_fn is None
    np.testing.assert_array_equal(
        out._data,
        getattr(
            np,
            {
                "lt": "less",
                "le": "less_equal",
                "gt": "greater",
                "ge": "greater_equal",
                "eq": "equal",
                "ne": "not_equal",
            }[op],
        )(x, y),
    )
