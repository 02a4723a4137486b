"""The Iris write-up's numerics: one global max in softmax, eps = the smallest positive
float. Hypothesis finds the inputs where they break; the tape (whose softmax and
log_softmax subtract each row's own max) handles the same inputs.
"""

from __future__ import annotations

import numpy as np
from derivation_helpers import assert_close, tape_grads
from hypothesis import find, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_edu import Tensor
from tinygrad_edu import derivations as D

SETTINGS = settings(deadline=None, max_examples=30)


def batches(lo: float, hi: float) -> st.SearchStrategy[np.ndarray]:
    """Logits with one row per sample, (m, classes), entries in [lo, hi]."""
    shape = st.tuples(st.integers(2, 5), st.integers(2, 4))
    return hnp.arrays(np.float64, shape, elements=st.floats(lo, hi))


def tape_softmax(Z: np.ndarray) -> np.ndarray:
    return Tensor(Z).softmax(dim=1)._data


@SETTINGS
@given(batches(-50.0, 50.0))
def test_softmax_per_row_max_equals_the_tape_and_the_source_on_tame_inputs(Z):
    """With logits within a few hundred of each other all three agree: the global max is
    mathematically harmless, only numerically fragile."""
    assert_close(D.softmax(Z, axis=1), tape_softmax(Z))
    assert_close(D.source_softmax(Z, axis=1), tape_softmax(Z), rtol=1e-9)


def test_erratum_global_max_softmax_underflows_to_nan():
    """ERRATUM np.exp(Z - np.max(Z)). Hypothesis finds a batch in which a whole row
    underflows to zeros and 0/0 = nan, while the per-row max (and the tape) give a
    proper distribution. Learn: subtract each sample's OWN max; the shift is free for
    every sample, so pick the one that makes that sample's largest exponent exp(0)."""
    Z = find(batches(-1e3, 1e3), lambda z: bool(np.isnan(D.source_softmax(z)).any()))
    row = np.isnan(D.source_softmax(Z)).any(axis=1)
    assert Z.max() - Z[row].max() > 700  # that row sits far below the batch's max
    good = D.softmax(Z, axis=1)
    assert np.isfinite(good).all() and np.allclose(good.sum(axis=1), 1.0)
    assert_close(good, tape_softmax(Z))


@SETTINGS
@given(st.floats(735.0, 744.0), st.floats(0.5, 2.0))
def test_erratum_global_max_softmax_loses_precision_in_subnormals(gap, spread):
    """ERRATUM, the quieter failure: a row 735-744 below the global max does not vanish
    but is computed in subnormal numbers (below 2.2e-308), with only a dozen or so
    significant bits, so its probabilities are off by far more than float64 rounding
    (here more than 1e-9 relative; typically 1e-5)."""
    Z = np.array([[0.0, 0.0], [-gap, -gap + spread]])
    source, good = D.source_softmax(Z)[1], D.softmax(Z, axis=1)[1]
    assert np.all(np.isfinite(source))
    assert np.max(np.abs(source - good) / good) > 1e-9


def test_erratum_eps_smallest_float_caps_the_loss_at_708():
    """ERRATUM eps = smallest positive float inside log(A + eps). A confident wrong
    prediction (true-class probability underflows to 0) costs log(1/eps) = 708.40 instead
    of its true value -log_softmax = 1000, and the guard's gradient -Y/(A + eps) is
    -4.5e+307. Learn: compute the loss from the logits with log_softmax; an eps this small
    guards nothing, and 1 + eps == 1."""
    Z = np.array([[1000.0, 0.0, 0.0]])
    Y = np.array([[0.0, 1.0, 0.0]])
    A = D.softmax(Z, axis=1)
    assert A[0, 1] == 0.0
    source = D.source_cross_entropy(A, Y)
    true = -(Tensor(Y) * Tensor(Z).log_softmax(dim=1)).sum().item()
    assert np.isclose(source, 708.3964185322641, rtol=1e-12)
    assert np.isclose(true, 1000.0, rtol=1e-12)
    assert 1.0 + D.SOURCE_EPS == 1.0
    assert -1.0 / (A[0, 1] + D.SOURCE_EPS) < -4e307


@SETTINGS
@given(st.floats(1e-200, 1e-163), st.sampled_from([-1.0, 1.0]))
def test_erratum_eps_smallest_float_in_adam_explodes_on_underflowing_gradients(size, sign):
    """ERRATUM eps = smallest positive float in Adam. For a gradient of about 1e-170,
    g^2 underflows to 0, so sqrt(vhat) + eps = 2.2e-308 and the first step is
    lr g / 2.2e-308, astronomically large; with eps = 1e-8 the same step is ~1e-165.
    Learn: eps sets the smallest gradient scale Adam normalises; it must be a
    representable, meaningful size (1e-8), not the float format's limit."""
    g = np.array([sign * size])
    zero = np.zeros(1)
    blown, _, v = D.adam_update(zero, g, zero, zero, 1, lr=1e-3, eps=D.SOURCE_EPS)
    sane, _, _ = D.adam_update(zero, g, zero, zero, 1, lr=1e-3, eps=1e-8)
    assert v[0] == 0.0  # (1 - beta2) g^2 underflowed
    assert abs(blown[0]) > 1e100
    assert abs(sane[0]) < 1e-150


@SETTINGS
@given(batches(-5.0, 5.0), st.data())
def test_softmax_ce_delta_matches_the_tape_in_the_iris_layout(Z, data):
    """The per-row layout (axis=1) of the cross-entropy delta, as the Iris net uses it."""
    labels = data.draw(hnp.arrays(np.int64, (Z.shape[0],), elements=st.integers(0, 2)))
    labels = np.minimum(labels, Z.shape[1] - 1)
    Y = np.eye(Z.shape[1])[labels]
    m = Z.shape[0]
    (g,) = tape_grads(lambda z: -(Tensor(Y) * z.log_softmax(dim=1)).sum() / m, Z)
    assert_close(D.softmax_ce_delta(D.softmax(Z, axis=1), Y, axis=1), g)
