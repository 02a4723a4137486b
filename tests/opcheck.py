"""The op-test factory (after MyGrad's): one decorator per op generates a Hypothesis test
that, for every drawn example, checks

- the forward result against a NumPy reference (values, shape, float64 dtype),
- gradcheck AND gradgradcheck in float64 (first and second derivatives against central
  differences),
- that neither forward nor backward mutates the inputs or the incoming gradient,
- that every leaf's ``.grad`` has the leaf's shape and dtype and shares memory with no
  other array (the incoming gradient, the data, another leaf's grad),
- that forward mode and reverse mode are transposes of one Jacobian J:
  ``<u, J v> == <J^T u, v>`` in float64 for random u and v, with tangents on all the
  inputs and on each input alone (``check_forward_reverse``).

Usage::

    @op_test(lambda x, y: x + y, np.add, binary_case())
    def test_add(): ...

``case`` is a strategy of ``(arrays, kwargs)``; both functions are called as
``fn(*inputs, **kwargs)``, with Tensors for the op under test and arrays for the reference.
"""

from __future__ import annotations

import functools

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu.autograd import forward_ad as fwAD
from tinygrad_edu.autograd import grad, gradcheck, gradgradcheck


def leaves(arrays) -> list[tg.Tensor]:
    return [tg.tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in arrays]


def check_example(op, reference, arrays, kwargs, second_order=True, rtol=1e-12, atol=1e-12):
    originals = [np.array(a, copy=True) for a in arrays]
    xs = leaves(arrays)

    # forward against NumPy
    out = op(*xs, **kwargs)
    expected = np.asarray(reference(*originals, **kwargs))
    assert out.shape == expected.shape, (out.shape, expected.shape)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out._data, expected, rtol=rtol, atol=atol)
    for x, a in zip(xs, originals):
        np.testing.assert_array_equal(x._data, a)  # forward changed no input

    check_backward_hygiene(out, xs, originals)
    check_forward_reverse(op, originals, kwargs)

    # first and second derivatives against central differences
    xs = leaves(originals)
    fn = functools.partial(op, **kwargs)
    assert gradcheck(fn, xs)
    if second_order:
        assert gradgradcheck(fn, xs)


def check_backward_hygiene(out, xs, originals) -> None:
    """Backward of ``out`` with a random incoming gradient: the gradient and the inputs
    are not mutated, and each leaf's ``.grad`` has its shape and dtype and shares memory
    with no other array (the incoming gradient, the data, another leaf's grad)."""
    g = np.random.default_rng(0).uniform(-1, 1, out.shape)
    g_tensor = tg.tensor(g.copy())
    out.backward(g_tensor)
    np.testing.assert_array_equal(g_tensor._data, g)  # the incoming gradient is untouched
    others = [g_tensor._data] + [x._data for x in xs]
    for k, x in enumerate(xs):
        np.testing.assert_array_equal(x._data, originals[k])  # backward changed no input
        if x.grad is None:  # an input the output does not depend on (e.g. empty slice)
            continue
        assert x.grad.shape == x.shape and x.grad.dtype == np.float64
        assert not x.grad.requires_grad
        for other in others + [y.grad._data for y in xs[:k] if y.grad is not None]:
            assert not np.shares_memory(x.grad._data, other), "a .grad shares memory"


def check_forward_reverse(op, arrays, kwargs, tol=1e-10):
    """Forward mode gives J v, reverse mode J^T u: check <u, J v> == <J^T u, v>.

    Tangents v go on every input, then on each input alone (the others carry none, which
    exercises each rule's "no tangent" branches). Relative tolerance ``tol`` in float64.
    """
    rng = np.random.default_rng(1)
    n = len(arrays)
    subsets = [tuple(range(n))] + ([(i,) for i in range(n)] if n > 1 else [])
    for subset in subsets:
        xs = leaves(arrays)
        vs = {i: rng.uniform(-1, 1, np.shape(arrays[i])) for i in subset}
        with fwAD.dual_level():
            args = [fwAD.make_dual(x, tg.tensor(vs[i])) if i in vs else x for i, x in enumerate(xs)]
            out = op(*args, **kwargs)
            jv = fwAD.unpack_dual(out).tangent
        assert jv is None or (jv.shape == out.shape and jv.dtype == out.dtype)
        jv = np.zeros(out.shape) if jv is None else jv._data
        u = rng.uniform(-1, 1, out.shape)
        used = [xs[i] for i in subset]
        grads = grad(out, used, tg.tensor(u), allow_unused=True) if out.requires_grad else ()
        lhs = float(np.sum(u * jv))
        terms = [np.sum(g._data * vs[i]) for g, i in zip(grads, subset) if g is not None]
        rhs = float(np.sum(terms))
        scale = float(np.sum(np.abs(u * jv))) + float(np.sum(np.abs(terms)))
        assert abs(lhs - rhs) <= tol * (1 + scale), (
            f"<u, J v> = {lhs!r} (forward mode) but <J^T u, v> = {rhs!r} (reverse mode), "
            f"tangents on inputs {subset}"
        )


def op_test(op, reference, case, second_order=True, rtol=1e-12, atol=1e-12):
    """Decorator: replace the decorated stub by a Hypothesis test of ``op``."""

    def decorate(stub):
        def test(data):
            arrays, kwargs = data.draw(case, label="(inputs, kwargs)")
            check_example(op, reference, arrays, kwargs, second_order, rtol, atol)

        test.__name__, test.__qualname__, test.__doc__ = stub.__name__, stub.__name__, stub.__doc__
        return given(data=st.data())(test)

    return decorate
