"""softmax and log_softmax: the fused ops' gradients equal those of the same function
composed from primitives. Their values and derivatives are checked through the op registry
(tests/registry.py: test_registry_gradcheck.py, test_differential.py)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from opcheck import leaves
from strategies import arrays, floats, shapes

import tinygrad_edu as tg


def softmax_case():
    return shapes().flatmap(
        lambda s: st.tuples(
            st.tuples(arrays(s, floats(-4, 4))),
            st.fixed_dictionaries({"dim": st.integers(-max(len(s), 1), max(len(s), 1) - 1)}),
        )
    )


def composed_softmax(x, dim):
    e = (x - x.amax(dim, keepdim=True).detach()).exp()
    return e / e.sum(dim, keepdim=True)


@given(softmax_case(), st.integers(0, 2**31 - 1))
def test_fused_gradients_equal_composed(case, seed):
    (x,), kw = case
    v = np.random.default_rng(seed).uniform(-1, 1, x.shape)
    for fused, composed in (
        (lambda t: t.softmax(kw["dim"]), lambda t: composed_softmax(t, kw["dim"])),
        (lambda t: t.log_softmax(kw["dim"]), lambda t: composed_softmax(t, kw["dim"]).log()),
    ):
        (a,) = leaves([x])
        (b,) = leaves([x])
        (fused(a) * tg.tensor(v)).sum().backward()
        (composed(b) * tg.tensor(v)).sum().backward()
        np.testing.assert_allclose(a.grad._data, b.grad._data, rtol=1e-10, atol=1e-12)
