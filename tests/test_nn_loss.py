"""Every loss against its NumPy formula, for each reduction; gradcheck in float64 on
Hypothesis shapes; stability at logits of 1e5; errors; the fused BCE op against the
composed form."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu.nn as nn
import tinygrad_edu.nn.functional as F
from tinygrad_edu import Tensor
from tinygrad_edu.autograd import grad, gradcheck, gradgradcheck
from tinygrad_edu.ops.loss import BinaryCrossEntropy

REDUCTIONS = ["mean", "sum", "none"]


def reduce(loss, reduction):
    return {"mean": np.mean, "sum": np.sum, "none": lambda v: v}[reduction](loss)


def rng(seed=0):
    return np.random.default_rng(seed)


def log_softmax(x, axis=1):
    m = x.max(axis, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis, keepdims=True))


def leaf(a):
    return Tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


# --------------------------------------------------------------------- NumPy formulas
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_losses(reduction):
    x, y = rng().standard_normal((4, 3)), rng(1).standard_normal((4, 3))
    mse = nn.MSELoss(reduction=reduction)(Tensor(x), Tensor(y))
    l1 = nn.L1Loss(reduction=reduction)(Tensor(x), Tensor(y))
    np.testing.assert_allclose(mse._data, reduce((x - y) ** 2, reduction), rtol=1e-12)
    np.testing.assert_allclose(l1._data, reduce(np.abs(x - y), reduction), rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_and_nll_with_class_indices(reduction):
    x, y = rng().standard_normal((5, 4)), np.array([0, 3, 1, 1, 2])
    expected = -log_softmax(x)[np.arange(5), y]
    ce = nn.CrossEntropyLoss(reduction=reduction)(Tensor(x), Tensor(y))
    nll = nn.NLLLoss(reduction=reduction)(Tensor(log_softmax(x)), Tensor(y))
    np.testing.assert_allclose(ce._data, reduce(expected, reduction), rtol=1e-12)
    np.testing.assert_allclose(nll._data, reduce(expected, reduction), rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_class_weights_and_ignore_index(reduction):
    x, y = rng().standard_normal((5, 3)), np.array([0, 2, -100, 1, 2])
    w = np.array([0.2, 1.0, 3.0])
    counted = y != -100
    safe = np.where(counted, y, 0)
    per = -w[safe] * log_softmax(x)[np.arange(5), safe] * counted
    expected = reduce(per, reduction)
    if reduction == "mean":  # divided by the total weight of the counted targets
        expected = per.sum() / (w[safe] * counted).sum()
    loss = nn.CrossEntropyLoss(weight=Tensor(w), reduction=reduction)(Tensor(x), Tensor(y))
    np.testing.assert_allclose(loss._data, expected, rtol=1e-12)


def test_cross_entropy_with_probabilities_and_label_smoothing():
    x = rng().standard_normal((4, 3))
    p = rng(2).dirichlet(np.ones(3), size=4)
    ce = F.cross_entropy(Tensor(x), Tensor(p))
    np.testing.assert_allclose(ce._data, np.mean(-(p * log_softmax(x)).sum(1)), rtol=1e-12)
    y = np.array([2, 0, 1, 1])
    smoothed = 0.9 * np.eye(3)[y] + 0.1 / 3
    ls = F.cross_entropy(Tensor(x), Tensor(y), label_smoothing=0.1)
    np.testing.assert_allclose(ls._data, np.mean(-(smoothed * log_softmax(x)).sum(1)), rtol=1e-12)
    # Class indices and their one-hot probabilities give the same loss.
    onehot = F.cross_entropy(Tensor(x), Tensor(np.eye(3)[y]), label_smoothing=0.1)
    np.testing.assert_allclose(onehot._data, ls._data, rtol=1e-12)


def test_cross_entropy_spatial_and_unbatched_inputs():
    x, y = rng().standard_normal((2, 3, 4)), rng(1).integers(0, 3, (2, 4))
    expected = -np.take_along_axis(log_softmax(x), y[:, None], 1)[:, 0]
    out = F.cross_entropy(Tensor(x), Tensor(y), reduction="none")
    assert out.shape == (2, 4)
    np.testing.assert_allclose(out._data, expected, rtol=1e-12)
    single = F.cross_entropy(Tensor(x[0, :, 0]), Tensor(np.array(y[0, 0])))
    np.testing.assert_allclose(single._data, expected[0, 0], rtol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_cross_entropy_losses(reduction):
    z = rng().standard_normal((6,)) * 3
    p = 1 / (1 + np.exp(-z))
    y = (rng(1).random(6) > 0.5).astype(np.float64)
    w = rng(2).random(6)
    expected = -w * (y * np.log(p) + (1 - y) * np.log(1 - p))
    bce = nn.BCELoss(weight=Tensor(w), reduction=reduction)(Tensor(p), Tensor(y))
    logits = nn.BCEWithLogitsLoss(weight=Tensor(w), reduction=reduction)(Tensor(z), Tensor(y))
    np.testing.assert_allclose(bce._data, reduce(expected, reduction), rtol=1e-10)
    np.testing.assert_allclose(logits._data, reduce(expected, reduction), rtol=1e-10)


def test_bce_with_logits_pos_weight():
    z, y = rng().standard_normal((3, 2)), (rng(1).random((3, 2)) > 0.5).astype(float)
    pw = np.array([2.0, 0.5])
    s = 1 / (1 + np.exp(-z))
    expected = -(pw * y * np.log(s) + (1 - y) * np.log(1 - s))
    out = F.binary_cross_entropy_with_logits(
        Tensor(z), Tensor(y), pos_weight=Tensor(pw), reduction="none"
    )
    np.testing.assert_allclose(out._data, expected, rtol=1e-10)


def test_bce_clamps_log_at_minus_100():
    out = F.binary_cross_entropy(Tensor([0.0, 1.0, 0.0]), Tensor([1.0, 0.0, 0.0]), reduction="none")
    np.testing.assert_array_equal(out._data, [100.0, 100.0, 0.0])
    x = leaf([0.0, 1.0])
    F.binary_cross_entropy(x, Tensor(np.array([1.0, 0.0]))).backward()
    assert np.isfinite(x.grad._data).all()  # (x - y) / max(x(1 - x), 1e-12), halved by the mean
    np.testing.assert_allclose(x.grad._data, [-0.5e12, 0.5e12])


# --------------------------------------------------------------------------- gradients
shapes = st.tuples(st.integers(1, 4), st.integers(2, 4))
settings_small = settings(max_examples=8, deadline=None)


@settings_small
@given(shape=shapes, reduction=st.sampled_from(REDUCTIONS), seed=st.integers(0, 99))
def test_gradcheck_regression_losses(shape, reduction, seed):
    x, y = leaf(rng(seed).standard_normal(shape)), leaf(rng(seed + 1).standard_normal(shape))
    assert gradcheck(lambda a, b: F.mse_loss(a, b, reduction=reduction), [x, y])
    assert gradcheck(lambda a, b: F.l1_loss(a, b, reduction=reduction), [x, y])


@settings_small
@given(shape=shapes, reduction=st.sampled_from(REDUCTIONS), seed=st.integers(0, 99))
def test_gradcheck_classification_losses(shape, reduction, seed):
    n, c = shape
    x = leaf(rng(seed).standard_normal(shape))
    y = Tensor(rng(seed).integers(0, c, n))
    w = leaf(rng(seed).random(c) + 0.5)
    p = leaf(rng(seed).dirichlet(np.ones(c), size=n))
    assert gradcheck(lambda a, w: F.cross_entropy(a, y, w, reduction=reduction), [x, w])
    assert gradcheck(lambda a, w: F.nll_loss(a, y, w, reduction=reduction), [x, w])
    assert gradcheck(lambda a: F.cross_entropy(a, y, reduction=reduction, label_smoothing=0.2), [x])
    assert gradcheck(lambda a, p: F.cross_entropy(a, p, reduction=reduction), [x, p])


@settings_small
@given(shape=shapes, reduction=st.sampled_from(REDUCTIONS), seed=st.integers(0, 99))
def test_gradcheck_binary_losses(shape, reduction, seed):
    z = leaf(rng(seed).standard_normal(shape) * 2)
    p = leaf(rng(seed).uniform(0.05, 0.95, shape))
    y = leaf(rng(seed + 1).random(shape))
    pw = leaf(rng(seed).random(shape[1]) + 0.5)
    assert gradcheck(lambda a, b: F.binary_cross_entropy(a, b, reduction=reduction), [p, y])
    assert gradcheck(
        lambda a, b, w: F.binary_cross_entropy_with_logits(a, b, pos_weight=w, reduction=reduction),
        [z, y, pw],
    )


def test_gradgradcheck_losses():
    x, y = leaf(rng().standard_normal((3, 4))), Tensor(np.array([0, 3, 1]))
    p, t = leaf(rng().uniform(0.1, 0.9, (2, 3))), leaf(rng(1).random((2, 3)))
    assert gradgradcheck(lambda a: F.cross_entropy(a, y), [x])
    assert gradgradcheck(lambda a, b: F.binary_cross_entropy(a, b), [p, t])
    z = leaf(x._data.copy())
    assert gradgradcheck(lambda a, b: F.binary_cross_entropy_with_logits(a, b), [x, z])
    assert gradgradcheck(lambda a, b: F.mse_loss(a, b), [p, t])
    assert gradgradcheck(lambda a, b: F.mse_loss(a, b, reduction="sum"), [p, t])


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_fused_mse_is_one_node_with_the_composed_gradients(reduction):
    x, y = leaf(rng().standard_normal((4, 3))), leaf(rng(1).standard_normal((4, 3)))
    fused = F.mse_loss(x, y, reduction=reduction)
    assert fused.grad_fn.name() == "MSELossBackward"
    diff = x - y
    composed = (diff * diff).mean() if reduction == "mean" else (diff * diff).sum()
    np.testing.assert_allclose(fused._data, composed._data, rtol=1e-14)
    np.testing.assert_allclose(
        [a._data for a in grad(fused, [x, y])],
        [a._data for a in grad(composed, [x, y])],
        rtol=1e-14,
    )


def test_fused_bce_gradient_matches_composed_form():
    x = leaf(rng().uniform(0.01, 0.99, (4, 3)))
    y = leaf(rng(1).random((4, 3)))

    def composed(x, y):
        return -(y * x.log().clamp(min=-100) + (1 - y) * (1 - x).log().clamp(min=-100))

    fused = BinaryCrossEntropy.apply(x, y)
    np.testing.assert_allclose(fused._data, composed(x, y)._data, rtol=1e-12)
    g = Tensor(rng(2).standard_normal((4, 3)))
    np.testing.assert_allclose(
        [a._data for a in grad(fused, [x, y], g)],
        [a._data for a in grad(composed(x, y), [x, y], g)],
        rtol=1e-12,
    )


def test_cross_entropy_gradient_is_softmax_minus_onehot():
    x, y = leaf(rng().standard_normal((3, 4))), np.array([1, 0, 3])
    F.cross_entropy(x, Tensor(y)).backward()
    s = np.exp(log_softmax(x._data))
    np.testing.assert_allclose(x.grad._data, (s - np.eye(4)[y]) / 3, rtol=1e-12)


# --------------------------------------------------------------------------- stability
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_stable_at_1e5(dtype):
    x = Tensor(np.array([[1e5, 0.0, -1e5], [-1e5, 1e5, 0.0]], dtype=dtype), requires_grad=True)
    loss = F.cross_entropy(x, Tensor(np.array([0, 0])))
    np.testing.assert_allclose(loss._data, 1e5, rtol=1e-6)  # (0 + 2e5) / 2
    loss.backward()
    np.testing.assert_allclose(x.grad._data, [[0, 0, 0], [-0.5, 0.5, 0]], atol=1e-7)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bce_with_logits_stable_at_1e5(dtype):
    x = Tensor(np.array([1e5, -1e5, 1e5, -1e5, 0.0], dtype=dtype), requires_grad=True)
    y = Tensor(np.array([1.0, 0.0, 0.0, 1.0, 1.0], dtype=dtype))
    loss = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    np.testing.assert_allclose(loss._data, [0, 0, 1e5, 1e5, np.log(2)], rtol=1e-6)
    loss.sum().backward()
    np.testing.assert_allclose(x.grad._data, [0, 0, 1, -1, -0.5], atol=1e-7)  # sigmoid(x) - y


# ------------------------------------------------------------------------------ errors
def test_cross_entropy_out_of_range_class_names_the_value():
    x = Tensor(np.zeros((3, 4)))
    with pytest.raises(IndexError, match="Target 7 is out of bounds"):
        F.cross_entropy(x, Tensor(np.array([0, 7, 1])))
    with pytest.raises(IndexError, match="Target -2 is out of bounds"):
        nn.NLLLoss()(x, Tensor(np.array([0, -2, 1])))
    # ignore_index is not out of range.
    assert np.isfinite(F.cross_entropy(x, Tensor(np.array([0, -100, 1]))).item())


def test_loss_argument_errors():
    x = Tensor(np.zeros((3, 4)))
    with pytest.raises(ValueError, match="avg is not a valid value for reduction"):
        nn.MSELoss(reduction="avg")(x, x)
    with pytest.raises(RuntimeError, match="expected scalar type Long"):
        F.cross_entropy(x, Tensor(np.zeros(3)))
    with pytest.raises(ValueError, match="Expected target of shape"):
        F.nll_loss(x, Tensor(np.zeros(4, dtype=np.int64)))
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(Tensor([1.5]), Tensor([1.0]))
    with pytest.raises(ValueError, match="different to the input size"):
        F.binary_cross_entropy(Tensor([0.5]), Tensor([[1.0]]))
    with pytest.raises(ValueError, match="must be the same as input size"):
        F.binary_cross_entropy_with_logits(Tensor([0.5]), Tensor([[1.0]]))
    with pytest.warns(UserWarning, match="different to the input size"):
        F.mse_loss(Tensor([0.5]), Tensor([[1.0]]))
    with pytest.warns(UserWarning, match="reduction='sum'"):
        assert nn.L1Loss(size_average=False).reduction == "sum"


def test_weights_are_buffers_in_the_state_dict():
    w = Tensor(np.ones(3))
    assert list(nn.CrossEntropyLoss(weight=w).state_dict()) == ["weight"]
    assert list(nn.BCEWithLogitsLoss(pos_weight=w).state_dict()) == ["pos_weight"]
    assert list(nn.CrossEntropyLoss().state_dict()) == []
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss()"


@pytest.mark.parametrize("reduction", ["mean", "sum"])
@pytest.mark.parametrize("shape", [(5, 4), (4,), (2, 3, 2)])
def test_fused_nll_is_one_node_with_the_general_gradients(reduction, shape):
    """Unweighted, nothing ignored: one PickedNLL node; weight 1 everywhere takes the general
    (composed) path, and both must agree."""
    x = leaf(rng().standard_normal(shape))
    n_classes = shape[0] if len(shape) == 1 else shape[1]
    target_shape = () if len(shape) == 1 else (shape[0], *shape[2:])
    y = Tensor(rng(1).integers(0, n_classes, target_shape))
    fused = F.nll_loss(x, y, reduction=reduction)
    assert fused.grad_fn.name() == "PickedNLLBackward"
    general = F.nll_loss(x, y, weight=Tensor(np.ones(n_classes)), reduction=reduction)
    assert general.grad_fn.name() != "PickedNLLBackward"
    np.testing.assert_allclose(fused._data, general._data, rtol=1e-14)
    np.testing.assert_allclose(grad(fused, [x])[0]._data, grad(general, [x])[0]._data, rtol=1e-14)
    assert gradgradcheck(lambda a: F.cross_entropy(a, y, reduction=reduction), [x])
