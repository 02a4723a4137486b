"""smooth_l1_loss, huber_loss (and their modules) and one_hot.

The losses are checked by the op-test factory (forward against the NumPy formula,
gradcheck and gradgradcheck in float64, forward mode against reverse mode) on drawn
shapes, with every difference x - y kept at least 0.05 away from ±β (±δ), where the
second derivative jumps, so that central differences are meaningful there. PyTorch
comparisons are skipped when torch is absent.
"""

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opcheck import check_example, op_test
from strategies import arrays, shapes

import tinygrad_edu.nn as nn
import tinygrad_edu.nn.functional as F
from tinygrad_edu import Tensor
from tinygrad_edu.autograd import gradcheck, gradgradcheck

REDUCTIONS = ["mean", "sum", "none"]
WIDTHS = [0.5, 1.0, 1.7]


def smooth_l1_reference(x, y, beta=1.0, reduction="mean"):
    d = x - y
    loss = np.where(np.abs(d) < beta, 0.5 * d**2 / beta, np.abs(d) - 0.5 * beta)
    return {"mean": np.mean, "sum": np.sum, "none": lambda a: a}[reduction](loss)


def huber_reference(x, y, delta=1.0, reduction="mean"):
    d = x - y
    loss = np.where(np.abs(d) < delta, 0.5 * d**2, delta * (np.abs(d) - 0.5 * delta))
    return {"mean": np.mean, "sum": np.sum, "none": lambda a: a}[reduction](loss)


def pair(width_name):
    """((x, y), {width, reduction}) with x - y on the grid k/10 + 0.05 (never ±width)."""
    diffs = st.integers(-30, 29).map(lambda k: k / 10 + 0.05)

    def build(shape):
        return st.tuples(arrays(shape), arrays(shape, diffs)).map(lambda xd: (xd[0], xd[0] - xd[1]))

    kwargs = st.fixed_dictionaries(
        {width_name: st.sampled_from(WIDTHS), "reduction": st.sampled_from(REDUCTIONS)}
    )
    return st.tuples(shapes().flatmap(build), kwargs)


@op_test(F.smooth_l1_loss, smooth_l1_reference, pair("beta"))
def test_smooth_l1_loss():
    """Values, first and second derivatives, forward mode."""


@op_test(F.huber_loss, huber_reference, pair("delta"))
def test_huber_loss():
    """Values, first and second derivatives, forward mode."""


@settings(max_examples=10, deadline=None)
@given(
    shapes=st.sampled_from([((3, 1), (4,)), ((2, 3), (3,)), ((), (2, 2)), ((1, 3), (2, 1))]),
    data=st.data(),
)
def test_broadcasting_pairs_warn_and_differentiate(shapes, data):
    """x on the grid k/10 and y on k/10 + 0.05: x - y stays 0.05 away from ±1."""
    sx, sy = shapes
    x = data.draw(arrays(sx, st.integers(-20, 20).map(lambda k: k / 10)))
    y = data.draw(arrays(sy, st.integers(-20, 20).map(lambda k: k / 10 + 0.05)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for op, reference, width in [
            (F.smooth_l1_loss, smooth_l1_reference, "beta"),
            (F.huber_loss, huber_reference, "delta"),
        ]:
            check_example(op, reference, [x, y], {width: 1.0, "reduction": "none"})
            check_example(op, reference, [x, y], {width: 1.0, "reduction": "mean"})
            out = op(Tensor(x), Tensor(y), reduction="none")
            assert out.shape == np.broadcast_shapes(sx, sy)
    with pytest.warns(UserWarning, match="different to the input size"):
        F.smooth_l1_loss(Tensor(np.zeros(sx)), Tensor(np.zeros(sy)))


def test_values_on_both_sides_of_the_kink():
    x = Tensor(np.array([0.0, 0.5, 1.0, 3.0, -4.0]))
    y = Tensor(np.zeros(5))
    np.testing.assert_allclose(
        F.smooth_l1_loss(x, y, reduction="none")._data, [0, 0.125, 0.5, 2.5, 3.5]
    )
    np.testing.assert_allclose(
        F.smooth_l1_loss(x, y, beta=2.0, reduction="none")._data, [0, 0.0625, 0.25, 2.0, 3.0]
    )
    np.testing.assert_allclose(
        F.huber_loss(x, y, delta=2.0, reduction="none")._data, [0, 0.125, 0.5, 4.0, 6.0]
    )
    # huber(δ) = δ · smooth_l1(β = δ)
    np.testing.assert_allclose(
        F.huber_loss(x, y, delta=0.7, reduction="none")._data,
        0.7 * F.smooth_l1_loss(x, y, beta=0.7, reduction="none")._data,
        rtol=1e-15,
    )


def test_gradients_are_clamped_slopes():
    x = Tensor(np.array([0.2, -0.4, 2.0, -5.0]), requires_grad=True)
    F.smooth_l1_loss(x, Tensor(np.zeros(4)), beta=0.5, reduction="sum").backward()
    np.testing.assert_allclose(x.grad._data, [0.4, -0.8, 1.0, -1.0])
    x.grad = None
    F.huber_loss(x, Tensor(np.zeros(4)), delta=0.5).backward()
    np.testing.assert_allclose(x.grad._data, np.array([0.2, -0.4, 0.5, -0.5]) / 4)


def test_one_node_with_pytorch_names():
    x = Tensor(np.ones(3), requires_grad=True)
    for reduction in REDUCTIONS:
        assert (
            F.smooth_l1_loss(x, x * 2, reduction=reduction)
            .grad_fn.name()
            .startswith("SmoothL1LossBackward")
        )
        assert (
            F.huber_loss(x, x * 2, reduction=reduction)
            .grad_fn.name()
            .startswith("HuberLossBackward")
        )


def test_beta_zero_is_l1_and_float32_stays_float32():
    x = Tensor(np.array([0.5, -2.0], dtype=np.float32), requires_grad=True)
    y = Tensor(np.zeros(2, dtype=np.float32))
    assert F.smooth_l1_loss(x, y, beta=0.0).item() == F.l1_loss(x, y).item() == 1.25
    for reduction in REDUCTIONS:
        assert F.smooth_l1_loss(x, y, reduction=reduction).dtype == np.float32
        assert F.huber_loss(x, y, reduction=reduction).dtype == np.float32
    F.huber_loss(x, y).backward()
    assert x.grad.dtype == np.float32
    assert F.smooth_l1_loss(x, Tensor(np.zeros(2))).dtype == np.float64  # promoted


def test_empty_mean_is_nan():
    assert np.isnan(F.smooth_l1_loss(Tensor(np.zeros(0)), Tensor(np.zeros(0))).item())
    assert F.huber_loss(Tensor(np.zeros(0)), Tensor(np.zeros(0)), reduction="sum").item() == 0


def test_weighted_huber():
    x = Tensor(np.array([0.5, 3.0, -1.3]), requires_grad=True)
    w = Tensor(np.array([1.0, 2.0, 0.5]), requires_grad=True)
    y = Tensor(np.zeros(3))
    expected = huber_reference(x._data, 0, reduction="none") * w._data
    np.testing.assert_allclose(F.huber_loss(x, y, weight=w, reduction="none")._data, expected)
    np.testing.assert_allclose(F.huber_loss(x, y, weight=w).item(), expected.mean())
    assert gradcheck(lambda a, b: F.huber_loss(a, y, weight=b, reduction="sum"), [x, w])
    assert gradgradcheck(lambda a, b: F.huber_loss(a, y, weight=b), [x, w])
    with pytest.raises(ValueError, match="Weights and input must have the same size"):
        F.huber_loss(x, y, weight=Tensor(np.ones(2)))


def test_modules():
    x, y = Tensor(np.array([0.5, 3.0, -1.0])), Tensor(np.zeros(3))
    assert nn.SmoothL1Loss()(x, y).item() == F.smooth_l1_loss(x, y).item()
    assert nn.SmoothL1Loss(reduction="sum", beta=2.0)(x, y).item() == pytest.approx(
        smooth_l1_reference(x._data, 0, beta=2.0, reduction="sum")
    )
    assert nn.HuberLoss(delta=0.5)(x, y).item() == pytest.approx(
        huber_reference(x._data, 0, delta=0.5)
    )
    assert nn.HuberLoss(reduction="none")(x, y).shape == (3,)
    with pytest.warns(UserWarning, match="deprecated"):
        assert nn.SmoothL1Loss(size_average=False).reduction == "sum"
    assert nn.SmoothL1Loss(beta=0.3).beta == 0.3 and nn.HuberLoss(delta=3).delta == 3


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: F.smooth_l1_loss(Tensor([1.0]), Tensor([1.0]), beta=-1), RuntimeError, "negative"),
        (lambda: F.huber_loss(Tensor([1.0]), Tensor([1.0]), delta=0), RuntimeError, "non-positive"),
        (
            lambda: F.huber_loss(Tensor([1.0]), Tensor([1.0]), delta=-2),
            RuntimeError,
            "non-positive",
        ),
        (
            lambda: F.smooth_l1_loss(Tensor([1.0]), Tensor([1.0]), reduction="avg"),
            ValueError,
            "avg",
        ),
        (lambda: F.huber_loss(Tensor([1.0]), Tensor([1.0]), reduction="x"), ValueError, "x is not"),
        (lambda: F.smooth_l1_loss(Tensor([1, 2]), Tensor([1, 5])), NotImplementedError, "int64"),
        (lambda: F.huber_loss(Tensor([1, 2]), Tensor([1, 5])), NotImplementedError, "int64"),
        (lambda: F.smooth_l1_loss(Tensor(np.ones(3)), Tensor(np.ones(4))), RuntimeError, r"\(4,\)"),
        (lambda: F.huber_loss(np.ones(3), Tensor(np.ones(3))), TypeError, "must be a Tensor"),
    ],
)
def test_loss_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


# ---- one_hot --------------------------------------------------------------------------------


def test_one_hot():
    out = F.one_hot(Tensor(np.array([0, 2, 1])))
    assert out.dtype == np.int64 and not out.requires_grad
    np.testing.assert_array_equal(out._data, [[1, 0, 0], [0, 0, 1], [0, 1, 0]])
    assert F.one_hot(Tensor(np.array([0, 2])), 5).shape == (2, 5)
    assert F.one_hot(Tensor(np.array([[0, 1], [2, 0]]))).shape == (2, 2, 3)
    np.testing.assert_array_equal(F.one_hot(Tensor(np.array(2)), 3)._data, [0, 0, 1])
    assert F.one_hot(Tensor(np.zeros(0, dtype=np.int64)), 3).shape == (0, 3)
    assert F.one_hot(input=Tensor(np.array([1])), num_classes=2).tolist() == [[0, 1]]


@pytest.mark.parametrize(
    ("values", "dtype", "num_classes", "message"),
    [
        ([0, -1], np.int64, -1, "Class values must be non-negative"),
        ([0, 3], np.int64, 3, "Class values must be smaller than num_classes"),
        ([0, 1], np.int64, -2, "Class values must be smaller than num_classes"),
        ([0.0, 1.0], np.float32, -1, "only applicable to index tensor of type LongTensor"),
        ([0, 1], np.int32, 3, "only applicable to index tensor of type LongTensor"),
        ([], np.int64, -1, "Can not infer total number of classes from empty tensor"),
    ],
)
def test_one_hot_errors(values, dtype, num_classes, message):
    with pytest.raises(RuntimeError, match=message):
        F.one_hot(Tensor(np.array(values, dtype=dtype)), num_classes)


# ---- against torch --------------------------------------------------------------------------


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matches_torch(reduction, dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x, y = (rng.normal(size=(4, 5)) * 2).astype(dtype), rng.normal(size=(4, 5)).astype(dtype)
    tol = 1e-6 if dtype == np.float32 else 1e-13
    for ours_fn, theirs_fn, kwargs in [
        (F.smooth_l1_loss, torch.nn.functional.smooth_l1_loss, {"beta": 0.7}),
        (F.smooth_l1_loss, torch.nn.functional.smooth_l1_loss, {"beta": 0.0}),
        (F.huber_loss, torch.nn.functional.huber_loss, {"delta": 1.3}),
    ]:
        a, b = Tensor(x, requires_grad=True), Tensor(y, requires_grad=True)
        ta, tb = torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)
        ours, theirs = (
            ours_fn(a, b, reduction=reduction, **kwargs),
            theirs_fn(ta, tb, reduction=reduction, **kwargs),
        )
        assert ours.shape == tuple(theirs.shape) and str(theirs.dtype) == f"torch.{ours.dtype}"
        np.testing.assert_allclose(ours._data, theirs.detach().numpy(), rtol=tol, atol=tol)
        g = rng.normal(size=ours.shape).astype(dtype)
        ours.backward(Tensor(g))
        theirs.backward(torch.tensor(g))
        np.testing.assert_allclose(a.grad._data, ta.grad.numpy(), rtol=tol, atol=tol)
        np.testing.assert_allclose(b.grad._data, tb.grad.numpy(), rtol=tol, atol=tol)


def test_modules_and_one_hot_match_torch():
    torch = pytest.importorskip("torch")
    x, y = np.array([0.3, -2.0, 4.0]), np.array([0.0, 0.5, 1.0])
    for ours, theirs in [
        (nn.SmoothL1Loss(beta=0.5), torch.nn.SmoothL1Loss(beta=0.5)),
        (nn.HuberLoss(reduction="sum", delta=2.0), torch.nn.HuberLoss(reduction="sum", delta=2.0)),
    ]:
        expected = theirs(torch.tensor(x), torch.tensor(y)).item()
        assert ours(Tensor(x), Tensor(y)).item() == pytest.approx(expected, rel=1e-14)
    for values, n in [([0, 2, 1], -1), ([[3, 0]], 6), (4, 5)]:
        expected = torch.nn.functional.one_hot(torch.tensor(values), n).numpy()
        np.testing.assert_array_equal(F.one_hot(Tensor(np.array(values)), n)._data, expected)
