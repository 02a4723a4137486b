"""Every manual derivation of ``tinygrad_edu.derivations`` against the autograd tape.

Correct derivations must equal the tape's gradient to 1e-10 (relative to its largest
entry) for Hypothesis-drawn shapes, batch sizes, weights and inputs in float64. Each
erratum of the source (``source_*``) gets a test that finds where it goes wrong, and its
docstring says what a student should take away.
"""

from __future__ import annotations

import itertools

import numpy as np
from derivation_helpers import (
    assert_all_close,
    assert_close,
    matrices,
    one_hot,
    rel_err,
    tape_grads,
    values,
)
from hypothesis import assume, find, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_edu as tg
from tinygrad_edu import Tensor
from tinygrad_edu import derivations as D

SETTINGS = settings(deadline=None, max_examples=30)


@st.composite
def logits_and_labels(draw: st.DrawFn, min_classes: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Z of shape (classes, m) and one-hot Y: the digit classifier's output layer."""
    k = draw(st.integers(min_classes, 6))
    m = draw(st.integers(1, 6))
    return draw(matrices(k, m, -5.0, 5.0)), draw(one_hot(k, m))


def softmax_mse_tape(Z: np.ndarray, Y: np.ndarray) -> np.ndarray:
    (g,) = tape_grads(lambda z: ((Tensor(Y) - z.softmax(dim=0)) ** 2).mean(), Z)
    return g


# ---------------------------------------------------------------------- output layer
@SETTINGS
@given(logits_and_labels())
def test_softmax_mse_delta_equals_the_tape(case):
    """The MSE delta must go through the softmax Jacobian and carry the mean's 2/N."""
    Z, Y = case
    assert_close(D.softmax_mse_delta(Z, Y), softmax_mse_tape(Z, Y))


@SETTINGS
@given(logits_and_labels())
def test_erratum_source_mse_delta_A_minus_Y_is_not_the_mse_gradient(case):
    """ERRATUM delta3 = A3 - Y. For softmax + MSE it is wrong on every draw: it is off
    by far more than rounding (here at least 10% of the true gradient's size, usually
    by a factor N/2). A student should learn: A - Y is what softmax + CROSS-ENTROPY
    gives; change the loss and the delta changes."""
    Z, Y = case
    source = D.source_softmax_mse_delta(D.softmax(Z), Y)
    assert rel_err(source, softmax_mse_tape(Z, Y)) > 0.1


def test_erratum_source_mse_delta_is_not_even_proportional():
    """ERRATUM delta3 = A3 - Y, the stronger claim: Hypothesis finds a batch where no
    rescaling of A3 - Y (no learning rate) gives the true MSE delta. Learn: the softmax
    Jacobian weights every entry differently, so the direction itself is wrong."""

    def best_rescaling_misses(case: tuple[np.ndarray, np.ndarray]) -> bool:
        Z, Y = case
        true = softmax_mse_tape(Z, Y)
        source = D.source_softmax_mse_delta(D.softmax(Z), Y)
        c = np.sum(source * true) / np.sum(source * source)  # least-squares scale
        return rel_err(c * source, true) > 0.05

    Z, Y = find(logits_and_labels(min_classes=3), best_rescaling_misses)
    assert best_rescaling_misses((Z, Y))


@SETTINGS
@given(logits_and_labels())
def test_softmax_ce_delta_is_exact(case):
    """(A - Y)/m is the exact gradient of the mean cross-entropy w.r.t. the logits."""
    Z, Y = case
    m = Z.shape[1]
    (g,) = tape_grads(lambda z: -(Tensor(Y) * z.log_softmax(dim=0)).sum() / m, Z)
    assert_close(D.softmax_ce_delta(D.softmax(Z), Y), g)


@SETTINGS
@given(st.integers(1, 6), st.data())
def test_sigmoid_bce_delta_is_A_minus_Y(m, data):
    """sigmoid' = a(1-a) cancels BCE's 1/(a(1-a)): delta = A - Y, for soft targets too."""
    Z = data.draw(hnp.arrays(np.float64, (m,), elements=values(-6.0, 6.0)))
    Y = data.draw(hnp.arrays(np.float64, (m,), elements=values(0.0, 1.0)))

    def bce(z: Tensor) -> Tensor:
        a = z.sigmoid()
        return -(Tensor(Y) * a.log() + (1 - Tensor(Y)) * (1 - a).log()).sum()

    (g,) = tape_grads(bce, Z)
    assert_close(D.sigmoid_bce_delta(1 / (1 + np.exp(-Z)), Y), g, rtol=1e-9)


# ---------------------------------------------------------------------- hidden layers
@st.composite
def gate_case(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """W_next (k, h), delta_next (k, m), Z (h, m) on a grid that includes exact zeros."""
    k, h, m = draw(st.integers(1, 5)), draw(st.integers(1, 5)), draw(st.integers(1, 5))
    grid = st.integers(-10, 10).map(lambda i: i / 4)
    Z = draw(hnp.arrays(np.float64, (h, m), elements=grid))
    return draw(matrices(k, h)), draw(matrices(k, m)), Z


@SETTINGS
@given(gate_case())
def test_relu_gate_equals_the_tape_with_relu_prime_of_zero_equal_zero(case):
    """delta2 = (W3^T delta3) * ReLU'(Z2); at Z2 = 0 exactly, ReLU' = 0 on both sides."""
    W, delta, Z = case
    (g,) = tape_grads(lambda z: (Tensor(delta) * (Tensor(W) @ z.relu())).sum(), Z)
    assert_close(D.relu_gate(W, delta, Z), g)


@SETTINGS
@given(gate_case())
def test_leaky_relu_gate_equals_the_tape(case):
    """The leaky gate passes 1% of the gradient where Z <= 0."""
    W, delta, Z = case
    (g,) = tape_grads(lambda z: (Tensor(delta) * (Tensor(W) @ z.leaky_relu(0.01))).sum(), Z)
    assert_close(D.leaky_relu_gate(W, delta, Z), g)


@SETTINGS
@given(gate_case())
def test_erratum_source_leaky_relu_derivative_destroys_its_input(case):
    """ERRATUM: the source's leaky-ReLU derivative writes 1 / 0.01 into Z itself. Its
    first answer is right, but Z is gone: it now holds only 1s and 0.01s, and a second
    call (say, a second backward pass over the same cache) returns slope 1 everywhere,
    so the gate no longer matches the tape. Learn: never mutate the forward pass's cache
    in backward; return a new array."""
    W, delta, Z = case
    upstream = W.T @ delta
    negative = (Z <= 0) & (upstream != 0)
    assume(np.any(negative) and np.all(np.abs(upstream[negative]) > 1e-100))  # no underflow
    Z_kept = Z.copy()
    (g,) = tape_grads(lambda z: (Tensor(delta) * (Tensor(W) @ z.leaky_relu(0.01))).sum(), Z)

    first = D.source_leaky_relu_derivative(Z)
    assert first is Z
    assert np.array_equal(first, D.leaky_relu_derivative(Z_kept))  # right values...
    assert not np.array_equal(Z, Z_kept)  # ...but the input is destroyed
    assert set(np.unique(Z)) <= {0.01, 1.0}

    second = D.source_leaky_relu_derivative(Z)
    assert np.all(second == 1.0)
    assert_close(D.leaky_relu_gate(W, delta, Z_kept), g)
    gate_again = upstream * second  # the gate computed from the destroyed cache
    assert_close(gate_again[negative], 100 * g[negative])  # 100x too much where Z <= 0


@st.composite
def dense_case(draw: st.DrawFn) -> tuple[np.ndarray, ...]:
    """Per-sample errors delta (out, m), A_prev (in, m), W (out, in), b (out,); m >= 2."""
    n_out, n_in, m = draw(st.integers(1, 5)), draw(st.integers(1, 5)), draw(st.integers(2, 8))
    delta, A = draw(matrices(n_out, m)), draw(matrices(n_in, m))
    W = draw(matrices(n_out, n_in))
    b = draw(hnp.arrays(np.float64, (n_out,), elements=values()))
    assume(np.any(delta != 0) and np.any(A != 0))
    return delta, A, W, b


def dense_tape(delta, A, W, b):
    """Gradients of J = (1/m) sum_i <delta_i, Z_i>, so that dl_i/dZ_i = delta_i."""
    m = A.shape[1]
    return tape_grads(
        lambda w, bb: (Tensor(delta) * (w @ Tensor(A) + bb.reshape(-1, 1))).sum() / m, W, b
    )


@SETTINGS
@given(dense_case())
def test_dense_grads_equal_the_tape(case):
    """dW = delta A^T / m and db = mean(delta): the same 1/m on both."""
    delta, A, W, b = case
    gW, gb = dense_tape(delta, A, W, b)
    dW, db = D.dense_grads(delta, A)
    assert_close(dW, gW)
    assert_close(db, gb)


@SETTINGS
@given(dense_case())
def test_erratum_source_dW_misses_exactly_the_factor_m(case):
    """ERRATUM: dW = delta A^T without 1/m. It is off by EXACTLY the batch size m (its
    db is right). Learn: W then trains with an effective learning rate m times b's, and
    changing the batch size silently changes the step size of the weights."""
    delta, A, W, b = case
    m = A.shape[1]
    gW, gb = dense_tape(delta, A, W, b)
    dW, db = D.source_dense_grads(delta, A)
    assume(np.any(np.abs(gW) > 1e-12))
    assert_close(dW, m * gW)
    assert_close(db, gb)
    assert rel_err(dW, gW) >= (m - 1) * (1 - 1e-10)


@SETTINGS
@given(st.integers(2, 12), st.data())
def test_linear_regression_grads_equal_the_tape(n, data):
    """dL/dw = -2/n sum x (y - yhat), dL/db = -2/n sum (y - yhat) (SPEC §3)."""
    x = data.draw(hnp.arrays(np.float64, (n,), elements=values(0.0, 10.0)))
    y = data.draw(hnp.arrays(np.float64, (n,), elements=values(-10.0, 40.0)))
    w, b = data.draw(values(-5.0, 5.0)), data.draw(values(-5.0, 5.0))
    gw, gb = tape_grads(lambda w_, b_: ((Tensor(y) - (w_ * Tensor(x) + b_)) ** 2).mean(), w, b)
    dw, db = D.linear_regression_grads(x, y, w, b)
    assert_close(np.array(dw), gw)
    assert_close(np.array(db), gb)


# ---------------------------------------------------------------------- whole networks
def mlp_tape(X, Y, weights, biases, loss):
    """The MLP's gradients from the tape: forward in Tensor ops, autograd.grad back."""
    L = len(weights)

    def J(*params: Tensor) -> Tensor:
        A = Tensor(X)
        for layer in range(L):
            Z = params[layer] @ A + params[L + layer].reshape(-1, 1)
            A = Z.relu() if layer < L - 1 else Z
        if loss == "mse":
            return ((Tensor(Y) - A.softmax(dim=0)) ** 2).mean()
        return -(Tensor(Y) * A.log_softmax(dim=0)).sum() / X.shape[1]

    grads = tape_grads(J, *weights, *biases)
    return grads[:L], grads[L:]


@st.composite
def mlp_case(draw: st.DrawFn) -> tuple:
    """A small MLP in the source's layout: widths drawn, 1 to 3 layers, X (in, m)."""
    sizes = draw(st.lists(st.integers(1, 5), min_size=2, max_size=4))
    sizes[-1] = max(sizes[-1], 2)  # a softmax over one class has zero gradient
    m = draw(st.integers(1, 5))
    weights = [draw(matrices(o, i, -1.5, 1.5)) for i, o in itertools.pairwise(sizes)]
    biases = [draw(hnp.arrays(np.float64, (o,), elements=values(-1.0, 1.0))) for o in sizes[1:]]
    X = draw(matrices(sizes[0], m))
    return X, draw(one_hot(sizes[-1], m)), weights, biases


@SETTINGS
@given(mlp_case(), st.sampled_from(["mse", "ce"]))
def test_mlp_backward_equals_the_tape(case, loss):
    """The full manual backward pass, layer by layer, for MSE and cross-entropy."""
    X, Y, weights, biases = case
    dWs, dbs = D.mlp_backward(X, Y, weights, biases, loss=loss)
    gWs, gbs = mlp_tape(X, Y, weights, biases, loss)
    assert_all_close(dWs + dbs, gWs + gbs)


def mnist_params(seed: int, m: int) -> tuple:
    """784-128-40-10 with He-scaled weights, X in [0, 1) of shape (784, m), one-hot Y."""
    rng = np.random.default_rng(seed)
    sizes = D.MNIST_SIZES
    weights = [rng.normal(0, np.sqrt(2 / i), (o, i)) for i, o in itertools.pairwise(sizes)]
    biases = [rng.normal(0, 0.1, o) for o in sizes[1:]]
    X = rng.random((784, m))
    Y = np.eye(10)[rng.integers(0, 10, m)].T.copy()
    return X, Y, weights, biases


@settings(deadline=None, max_examples=6)
@given(st.integers(0, 2**32 - 1), st.integers(1, 8), st.sampled_from(["mse", "ce"]))
def test_mnist_784_128_40_10_backward_equals_the_tape(seed, m, loss):
    """The digit classifier at full size, X (784, m), W (out, in): manual == tape."""
    X, Y, weights, biases = mnist_params(seed, m)
    dWs, dbs = D.mlp_backward(X, Y, weights, biases, loss=loss)
    gWs, gbs = mlp_tape(X, Y, weights, biases, loss)
    assert [w.shape for w in dWs] == [(128, 784), (40, 128), (10, 40)]
    assert_all_close(dWs + dbs, gWs + gbs)


@settings(deadline=None, max_examples=6)
@given(st.integers(0, 2**32 - 1), st.integers(2, 8))
def test_erratum_source_mnist_backward(seed, m):
    """ERRATUM, both at once, in the source's own network. Against cross-entropy's tape,
    the source's backward is right up to the factor m on every dW (its db are exact);
    against the MSE loss it actually trains with, every gradient is off by more than
    that factor explains. Learn: the source's code is the gradient of a different loss
    (summed cross-entropy) with a 1/m stuck on the biases."""
    X, Y, weights, biases = mnist_params(seed, m)
    dWs, dbs = D.source_mlp_backward(X, Y, weights, biases)
    ce_W, ce_b = mlp_tape(X, Y, weights, biases, "ce")
    for dW, gW in zip(dWs, ce_W):
        assert_close(dW, m * gW)
    for db, gb in zip(dbs, ce_b):
        assert_close(db, gb)
    mse_W, mse_b = mlp_tape(X, Y, weights, biases, "mse")
    for manual, tape in zip(dWs + dbs, mse_W + mse_b):
        assert rel_err(manual, tape) > 1.0


@st.composite
def iris_case(draw: st.DrawFn) -> tuple:
    """Iris 4-10-3, one row per sample: X (m, 4), W1 (4, 10), W2 (10, 3), one-hot Y."""
    m = draw(st.integers(1, 8))
    X = draw(matrices(m, 4, 0.0, 1.0))
    W1, W2 = draw(matrices(4, 10, -1.0, 1.0)), draw(matrices(10, 3, -1.0, 1.0))
    b1 = draw(hnp.arrays(np.float64, (10,), elements=values(-0.5, 0.5)))
    b2 = draw(hnp.arrays(np.float64, (3,), elements=values(-0.5, 0.5)))
    return X, draw(one_hot(3, m, axis=1)), W1, b1, W2, b2


def iris_tape(X, Y, W1, b1, W2, b2):
    m = X.shape[0]

    def J(w1: Tensor, c1: Tensor, w2: Tensor, c2: Tensor) -> Tensor:
        logits = (Tensor(X) @ w1 + c1).leaky_relu(0.01) @ w2 + c2
        return -(Tensor(Y) * logits.log_softmax(dim=1)).sum() / m

    return dict(zip(["W1", "b1", "W2", "b2"], tape_grads(J, W1, b1, W2, b2)))


@SETTINGS
@given(iris_case())
def test_iris_backward_equals_the_tape(case):
    """Iris 4-10-3, leaky ReLU and softmax + cross-entropy: manual == tape."""
    manual, tape = D.iris_backward(*case), iris_tape(*case)
    names = ("W1", "b1", "W2", "b2")
    assert_all_close([manual[n] for n in names], [tape[n] for n in names])


def test_iris_backward_on_the_real_data():
    """On the real Iris rows (L2-normalised, one-hot), weights uniform in [0, 1) as the
    source starts them: manual == tape."""
    X, y, _ = tg.datasets.iris()
    X = X / np.linalg.norm(X, axis=1, keepdims=True)
    rng = np.random.default_rng(42)
    case = (X, np.eye(3)[y], rng.random((4, 10)), rng.random(10), rng.random((10, 3)))
    case = (*case, rng.random(3))
    manual, tape = D.iris_backward(*case), iris_tape(*case)
    names = ("W1", "b1", "W2", "b2")
    assert_all_close([manual[n] for n in names], [tape[n] for n in names])


def test_parameter_count_is_106050_not_the_source_105898():
    """ERRATUM 105,898. Let the framework count: tensors of the source's shapes hold
    106,050 numbers, 152 more than the write-ups print."""
    sizes = D.MNIST_SIZES
    tensors = [tg.zeros(o, i) for i, o in itertools.pairwise(sizes)]
    tensors += [tg.zeros(o) for o in sizes[1:]]
    counted = sum(t.numel() for t in tensors)
    assert counted == D.parameter_count() == 106_050
    assert counted - D.SOURCE_PARAMETER_COUNT == 152


def test_derivations_reject_an_unknown_loss():
    X, Y, weights, biases = mnist_params(0, 1)
    try:
        D.mlp_backward(X, Y, weights, biases, loss="l1")
    except ValueError as e:
        assert "'mse' or 'ce'" in str(e)
    else:
        raise AssertionError("mlp_backward accepted loss='l1'")
