"""Elementwise ops: forward against NumPy, gradcheck and gradgradcheck on drawn shapes
(broadcasting pairs included), via the ``op_test`` factory."""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from opcheck import op_test
from strategies import (
    arrays,
    away_from_zero,
    broadcastable_shapes,
    floats,
    grid,
    positive,
    shapes,
)

import tinygrad_edu as tg


def unary(elements=None, **kwargs):
    """((x,), kwargs) with x of a drawn shape; kwargs values may be strategies."""
    return st.tuples(st.tuples(arrays(shapes(), elements)), st.fixed_dictionaries(kwargs))


def binary(x_elements=None, y_elements=None):
    """((x, y), {}) with shapes that broadcast together, e.g. (3, 1) and (4,)."""
    pair = broadcastable_shapes(2).flatmap(
        lambda s: st.tuples(arrays(s[0], x_elements), arrays(s[1], y_elements))
    )
    return st.tuples(pair, st.just({}))


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


# --------------------------------------------------------------------------- binary
@op_test(lambda x, y: x + y, np.add, binary())
def test_add(): ...


@op_test(lambda x, y: x - y, np.subtract, binary())
def test_sub(): ...


@op_test(lambda x, y: x * y, np.multiply, binary())
def test_mul(): ...


@op_test(lambda x, y: x / y, np.divide, binary(y_elements=away_from_zero(0.5)))
def test_div(): ...


@op_test(lambda x, y: x**y, np.power, binary(positive(0.5, 2.0), floats(-2, 2)))
def test_pow_tensor_exponent(): ...


@op_test(
    lambda x, p: x**p,
    lambda x, p: np.power(x, p),
    unary(positive(0.2, 2.0), p=st.sampled_from([0.5, -1.5, 2.5, 3.0, -2])),
)
def test_pow_scalar_exponent(): ...


@op_test(lambda x, p: x.pow(p), lambda x, p: np.power(x, p), unary(p=st.sampled_from([2, 3])))
def test_pow_integer_exponent_negative_base(): ...


@op_test(lambda x, b: b**x, lambda x, b: np.power(b, x), unary(b=st.sampled_from([0.5, 2.0, 3.0])))
def test_rpow_scalar_base(): ...


@op_test(lambda x, y: x.maximum(y), np.maximum, binary(grid(), grid(0.05)))
def test_maximum(): ...


@op_test(lambda x, y: tg.minimum(x, y), np.minimum, binary(grid(), grid(0.05)))
def test_minimum(): ...


def where_case():
    """((x, y), {"cond": mask}) with x, y and the mask broadcasting together."""
    return broadcastable_shapes(3).flatmap(
        lambda s: st.tuples(
            st.tuples(arrays(s[0]), arrays(s[1])),
            st.fixed_dictionaries({"cond": hnp.arrays(np.bool_, s[2])}),
        )
    )


@op_test(
    lambda x, y, cond: tg.where(tg.tensor(cond), x, y),
    lambda x, y, cond: np.where(cond, x, y),
    where_case(),
)
def test_where(): ...


# --------------------------------------------------------------------------- unary
@op_test(lambda x: -x, np.negative, unary())
def test_neg(): ...


@op_test(lambda x: x.exp(), np.exp, unary(floats(-3, 3)))
def test_exp(): ...


@op_test(lambda x: x.log(), np.log, unary(positive()))
def test_log(): ...


@op_test(lambda x: tg.sqrt(x), np.sqrt, unary(positive()))
def test_sqrt(): ...


@op_test(lambda x: abs(x), np.abs, unary(away_from_zero()))
def test_abs(): ...


@op_test(lambda x: x.sin(), np.sin, unary(floats(-4, 4)))
def test_sin(): ...


@op_test(lambda x: x.cos(), np.cos, unary(floats(-4, 4)))
def test_cos(): ...


@op_test(lambda x: x.tanh(), np.tanh, unary(floats(-3, 3)))
def test_tanh(): ...


@op_test(lambda x: x.sigmoid(), sigmoid, unary(floats(-6, 6)))
def test_sigmoid(): ...


@op_test(lambda x: x.relu(), lambda x: np.maximum(x, 0), unary(away_from_zero()))
def test_relu(): ...


@op_test(
    lambda x, s: x.leaky_relu(s),
    lambda x, s: np.where(x > 0, x, s * x),
    unary(away_from_zero(), s=st.sampled_from([0.01, 0.2, 1.5])),
)
def test_leaky_relu(): ...


@st.composite
def clamp_case(draw):
    x = draw(arrays(shapes(), grid(0.05)))  # k/10 + 0.05: never on a bound k/10
    lo, hi = sorted(draw(st.lists(grid(), min_size=2, max_size=2, unique=True)))
    which = draw(st.sampled_from(["both", "min", "max"]))
    return (x,), {"lo": None if which == "max" else lo, "hi": None if which == "min" else hi}


@op_test(lambda x, lo, hi: x.clamp(lo, hi), lambda x, lo, hi: np.clip(x, lo, hi), clamp_case())
def test_clamp(): ...


@op_test(lambda x: x.clone(), np.copy, unary())
def test_clone(): ...
