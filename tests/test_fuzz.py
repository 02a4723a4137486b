"""Fuzzing every op with the inputs ops get wrong: inf, nan, -0.0, empty and size-1 shapes,
int and bool tensors, shapes that do not match.

For each drawn example the op must either compute what NumPy computes (on the inputs cast
to the result's dtype, which follows PyTorch's promotion) or raise a clear error: a
ValueError, TypeError, RuntimeError or IndexError whose message names an input's shape or
dtype (or the dimension at fault). Never an AttributeError or UnboundLocalError from inside
tinygrad_edu, never a NumPy message leaking through, and never a changed input. Where the
result is floating, backward runs too and must give gradients of the inputs' shapes.
"""

from __future__ import annotations

import re

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_edu as tg

SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, 2.5, -3.0, np.inf, -np.inf, np.nan, 1e30, -1e-30]
DTYPES = [np.float32, np.float64, np.int64, np.bool_]
CLEAR = (ValueError, TypeError, RuntimeError, IndexError)


def elements(dtype):
    if dtype == np.bool_:
        return st.booleans()
    if np.dtype(dtype).kind == "i":
        return st.integers(-4, 4)
    return st.sampled_from(SPECIAL).map(lambda v: np.dtype(dtype).type(v))


def shapes(min_dims=0, max_dims=3):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=0, max_side=3)


@st.composite
def arrays(draw, shape=None):
    dtype = draw(st.sampled_from(DTYPES))
    shape = draw(shapes()) if shape is None else shape
    return draw(hnp.arrays(dtype, shape, elements=elements(dtype)))


@st.composite
def pairs(draw):
    """Two arrays whose shapes broadcast together, or (as often) two unrelated shapes."""
    if draw(st.booleans()):
        a_shape, b_shape = draw(
            hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, min_side=0, max_side=3)
        ).input_shapes
    else:
        a_shape, b_shape = draw(shapes()), draw(shapes())
    return draw(arrays(a_shape)), draw(arrays(b_shape))


def softmax(a, axis=-1):
    e = np.exp(a - np.max(a, axis=axis, keepdims=True, initial=-np.inf))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(a, axis=-1):
    shifted = a - np.max(a, axis=axis, keepdims=True, initial=-np.inf)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def logsumexp(a, axis=-1):
    m = np.max(a, axis=axis, keepdims=True, initial=-np.inf)
    m = np.where(np.isfinite(m), m, 0)
    return np.squeeze(m, axis) + np.log(np.sum(np.exp(a - m), axis=axis))


def last_axis(fn):
    """A reference for ``op(dim=-1)``: a 0-d tensor is its own reduction, as in PyTorch."""
    return lambda a: fn(a, -1) if a.ndim else fn(a.reshape(1), -1).reshape(())


# name: (the op on tensors, the NumPy reference on arrays of the result's dtype)
UNARY = {
    "neg": (lambda t: -t, np.negative),
    "exp": (lambda t: t.exp(), np.exp),
    "log": (lambda t: t.log(), np.log),
    "sqrt": (lambda t: t.sqrt(), np.sqrt),
    "abs": (lambda t: t.abs(), np.abs),
    "sin": (lambda t: t.sin(), np.sin),
    "cos": (lambda t: t.cos(), np.cos),
    "tanh": (lambda t: t.tanh(), np.tanh),
    "sigmoid": (lambda t: t.sigmoid(), lambda a: 1 / (1 + np.exp(-a))),
    "relu": (lambda t: t.relu(), lambda a: np.maximum(a, np.zeros((), a.dtype))),
    "leaky_relu": (lambda t: t.leaky_relu(0.1), lambda a: np.where(a > 0, a, a * 0.1)),
    "clamp": (lambda t: t.clamp(-1, 2), lambda a: np.clip(a, -1, 2)),
    "sum": (lambda t: t.sum(), np.sum),
    "sum_last": (lambda t: t.sum(-1), last_axis(np.sum)),
    "mean": (lambda t: t.mean(), np.mean),
    "amax": (lambda t: t.amax(), np.max),
    "amin_last": (lambda t: t.amin(-1), last_axis(np.min)),
    "logsumexp": (lambda t: t.logsumexp(-1), last_axis(logsumexp)),
    "softmax": (lambda t: t.softmax(-1), last_axis(softmax)),
    "log_softmax": (lambda t: t.log_softmax(-1), last_axis(log_softmax)),
    "reshape": (lambda t: t.reshape(-1), lambda a: a.reshape(-1)),
    "reshape_bad": (lambda t: t.reshape(5, -1), lambda a: a.reshape(5, -1)),
    "transpose": (lambda t: t.T, lambda a: a.T),
    "unsqueeze": (lambda t: t.unsqueeze(0), lambda a: a[None]),
    "squeeze": (lambda t: t.squeeze(), np.squeeze),
    "flatten": (lambda t: t.flatten(), lambda a: a.reshape(-1)),
    "getitem": (lambda t: t[1:], lambda a: a[1:]),
    "getitem_int": (lambda t: t[0], lambda a: a[0]),
    "expand": (lambda t: t.expand(2, *t.shape), lambda a: np.broadcast_to(a, (2, *a.shape))),
}


def integer_power(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """np.power, and for integers to negative powers PyTorch's answer (NumPy refuses them):
    1 for base 1, +-1 for base -1, else 0."""
    if a.dtype.kind not in "iu" or not np.any(b < 0):
        return np.power(a, b)
    a, b = np.broadcast_arrays(a, b)
    small = np.where(a == 1, 1, np.where(a == -1, np.where(b % 2 == 0, 1, -1), 0))
    return np.where(b < 0, small, np.power(a, np.abs(b))).astype(a.dtype)


BINARY = {
    "add": (lambda a, b: a + b, np.add),
    "sub": (lambda a, b: a - b, np.subtract),
    "mul": (lambda a, b: a * b, np.multiply),
    "div": (lambda a, b: a / b, np.true_divide),
    "pow": (lambda a, b: a**b, lambda a, b: integer_power(a, b)),
    "maximum": (lambda a, b: a.maximum(b), np.maximum),
    "minimum": (lambda a, b: a.minimum(b), np.minimum),
    "matmul": (lambda a, b: a @ b, np.matmul),
    "where": (lambda a, b: tg.where(a > 0, a, b), lambda a, b: np.where(a > 0, a, b)),
    "cat": (lambda a, b: tg.cat([a, b]), lambda a, b: np.concatenate([a, b])),
}

COMPARE = {
    "lt": (lambda a, b: a < b, np.less),
    "eq": (lambda a, b: a == b, np.equal),
}


def is_clear(err: Exception, inputs: list[np.ndarray]) -> bool:
    """Does the message name an input's shape or dtype, or the dimension at fault?"""
    message = str(err)
    names = [str(tuple(a.shape)) for a in inputs] + [str(a.dtype) for a in inputs]
    return any(n in message for n in names) or re.search(r"[Dd]imension|dim\b", message)


def check(op, reference, inputs: list[np.ndarray], cast_inputs: bool = True) -> None:
    originals = [a.copy() for a in inputs]
    tensors = [tg.tensor(a) for a in inputs]
    with np.errstate(all="ignore"):
        try:
            out = op(*tensors)
        except CLEAR as err:
            assert is_clear(err, inputs), f"unclear {type(err).__name__}: {err}"
            out = None
        except Exception as err:  # an internal error escaping
            raise AssertionError(f"internal {type(err).__name__}: {err}") from err
        for t, a in zip(tensors, originals):
            np.testing.assert_array_equal(t._data, a)  # never a changed input
        if out is None:
            return
        cast = [a.astype(out.dtype) for a in originals] if cast_inputs else originals
        expected = np.asarray(reference(*cast))
        assert out.shape == expected.shape, (out.shape, expected.shape)
        tol = 1e-5 if out.dtype == np.float32 else 1e-12
        np.testing.assert_allclose(
            out._data.astype(np.float64), expected.astype(np.float64), rtol=tol, atol=tol
        )
        check_backward(op, originals)


def check_backward(op, arrays: list[np.ndarray]) -> None:
    """Where gradients can flow, backward runs and gives each input a grad of its shape."""
    tensors = [tg.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    if not any(t.requires_grad for t in tensors):
        return
    out = op(*tensors)
    if not out.requires_grad:
        return
    out.sum().backward()
    for t, a in zip(tensors, arrays):
        np.testing.assert_array_equal(t._data, a)
        if t.grad is not None:
            assert t.grad.shape == t.shape and t.grad.dtype == t.dtype


@given(name=st.sampled_from(sorted(UNARY)), a=arrays())
def test_unary_ops(name, a):
    op, reference = UNARY[name]
    check(op, reference, [a])


@given(name=st.sampled_from(sorted(BINARY)), ab=pairs())
def test_binary_ops(name, ab):
    op, reference = BINARY[name]
    check(op, reference, list(ab))


@given(name=st.sampled_from(sorted(COMPARE)), ab=pairs())
def test_comparisons(name, ab):
    op, reference = COMPARE[name]
    check(op, reference, list(ab), cast_inputs=False)
