"""Reductions with ``dim`` (None, int, negative, tuple) and ``keepdim``: forward against
NumPy, gradcheck and gradgradcheck; max/min also through ``max(dim)`` and ``max()``."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from opcheck import op_test
from strategies import axes_of, dims, distinct_arrays, floats, reduction_case, shapes

import tinygrad_edu as tg


def numpy_reduction(fn, **extra):
    def reference(x, dim, keepdim):
        return fn(x, axis=axes_of(dim, x.ndim), keepdims=keepdim, **extra)

    return reference


def logsumexp(x, axis, keepdims):
    m = np.max(x, axis=axis, keepdims=True)
    out = m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis) if axis is not None else out.reshape(())


@op_test(lambda x, dim, keepdim: x.sum(dim, keepdim), numpy_reduction(np.sum), reduction_case())
def test_sum(): ...


@op_test(
    lambda x, dim, keepdim: x.mean(dim=dim, keepdim=keepdim),
    numpy_reduction(np.mean),
    reduction_case(),
)
def test_mean(): ...


@op_test(
    lambda x, dim, keepdim: x.amax(dim, keepdim),
    numpy_reduction(np.max),
    reduction_case(distinct=True),
)
def test_amax(): ...


@op_test(
    lambda x, dim, keepdim: tg.amin(x, dim, keepdim),
    numpy_reduction(np.min),
    reduction_case(distinct=True),
)
def test_amin(): ...


@op_test(
    lambda x, dim, keepdim: x.var(dim, keepdim=keepdim),
    numpy_reduction(np.var, ddof=1),
    reduction_case(distinct=True, min_count=2),
)
def test_var_unbiased(): ...


@op_test(
    lambda x, dim, keepdim: x.var(dim, unbiased=False, keepdim=keepdim),
    numpy_reduction(np.var),
    reduction_case(distinct=True, min_count=2),
)
def test_var_biased(): ...


@op_test(
    lambda x, dim, keepdim: x.std(dim, keepdim=keepdim),
    numpy_reduction(np.std, ddof=1),
    reduction_case(distinct=True, min_count=2),
)
def test_std(): ...


@st.composite
def lse_case(draw):
    shape = draw(shapes())
    x = draw(distinct_arrays(shape))
    return (x,), {"dim": draw(dims(len(shape), allow_none=False)), "keepdim": draw(st.booleans())}


@op_test(
    lambda x, dim, keepdim: x.logsumexp(dim, keepdim),
    lambda x, dim, keepdim: logsumexp(x, axes_of(dim, x.ndim), keepdim),
    lse_case(),
)
def test_logsumexp(): ...


@st.composite
def max_dim_case(draw):
    shape = draw(shapes(min_dims=1))
    x = draw(distinct_arrays(shape))
    return (x,), {
        "dim": draw(st.integers(-len(shape), len(shape) - 1)),
        "keepdim": draw(st.booleans()),
    }


@op_test(
    lambda x, dim, keepdim: x.max(dim, keepdim).values,
    numpy_reduction(np.max),
    max_dim_case(),
)
def test_max_dim_values(): ...


@op_test(
    lambda x, dim, keepdim: tg.min(x, dim, keepdim=keepdim)[0],
    numpy_reduction(np.min),
    max_dim_case(),
)
def test_min_dim_values(): ...


@op_test(lambda x: x.max(), np.max, st.tuples(st.tuples(distinct_arrays(shapes())), st.just({})))
def test_max_all(): ...


@op_test(lambda x: x.min(), np.min, st.tuples(st.tuples(distinct_arrays(shapes())), st.just({})))
def test_min_all(): ...


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
