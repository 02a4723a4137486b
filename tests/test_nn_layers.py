"""Layers, activations, Dropout, nn.init and gradient clipping against NumPy formulas,
with gradcheck in float64 on Hypothesis shapes."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
import tinygrad_edu.nn.functional as F
from tinygrad_edu import Tensor
from tinygrad_edu.autograd import gradcheck, gradgradcheck
from tinygrad_edu.nn import init
from tinygrad_edu.nn.utils import clip_grad_norm_, clip_grad_value_

small = st.integers(1, 4)


def leaf(shape, seed=0, scale=1.0):
    data = np.random.default_rng(seed).standard_normal(shape) * scale
    return Tensor(data.astype(np.float64), requires_grad=True)


def double_linear(n_in, n_out, bias=True):
    layer = nn.Linear(n_in, n_out, bias=bias, dtype=np.float64)
    return layer


# ----------------------------------------------------------------------------- Linear
def test_linear_forward_matches_numpy_and_shapes():
    layer = nn.Linear(4, 3)
    assert layer.weight.shape == (3, 4) and layer.bias.shape == (3,)
    assert layer.weight.dtype == np.float32 and isinstance(layer.weight, nn.Parameter)
    x = tg.randn(5, 4)
    expected = x._data @ layer.weight._data.T + layer.bias._data
    np.testing.assert_allclose(layer(x)._data, expected, rtol=1e-6)
    batched = tg.randn(2, 5, 4)
    assert layer(batched).shape == (2, 5, 3)
    no_bias = nn.Linear(4, 3, bias=False)
    assert no_bias.bias is None and [n for n, _ in no_bias.named_parameters()] == ["weight"]
    np.testing.assert_allclose(no_bias(x)._data, x._data @ no_bias.weight._data.T, rtol=1e-6)
    assert repr(no_bias) == "Linear(in_features=4, out_features=3, bias=False)"


@settings(max_examples=10, deadline=None)
@given(n=small, n_in=small, n_out=small, bias=st.booleans())
def test_linear_gradcheck(n, n_in, n_out, bias):
    layer = double_linear(n_in, n_out, bias)
    x = leaf((n, n_in))
    params = [x, layer.weight] + ([layer.bias] if bias else [])
    assert gradcheck(lambda x, w, *b: F.linear(x, w, *b), params)


def test_linear_init_bounds_and_statistics():
    tg.manual_seed(0)
    layer = nn.Linear(400, 300)
    bound = 1 / math.sqrt(400)  # kaiming_uniform_(a=sqrt(5)) gives 1/sqrt(fan_in)
    w, b = layer.weight._data, layer.bias._data
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert np.abs(w).max() > 0.99 * bound  # the whole interval is used
    # U(-b, b): mean 0, variance b^2 / 3.
    assert abs(w.mean()) < 0.01 * bound
    assert w.var() == pytest.approx(bound**2 / 3, rel=0.02)


def test_linear_init_is_reproducible_with_manual_seed():
    tg.manual_seed(3)
    a = nn.Linear(5, 2)
    tg.manual_seed(3)
    b = nn.Linear(5, 2)
    np.testing.assert_array_equal(a.weight._data, b.weight._data)
    np.testing.assert_array_equal(a.bias._data, b.bias._data)


# ------------------------------------------------------------------------ activations
ACTIVATIONS = [
    (nn.ReLU(), lambda x: np.maximum(x, 0)),
    (nn.LeakyReLU(), lambda x: np.where(x > 0, x, 0.01 * x)),
    (nn.LeakyReLU(0.2), lambda x: np.where(x > 0, x, 0.2 * x)),
    (nn.Sigmoid(), lambda x: 1 / (1 + np.exp(-x))),
    (nn.Tanh(), np.tanh),
    (nn.Softmax(dim=1), lambda x: np.exp(x) / np.exp(x).sum(1, keepdims=True)),
    (nn.Softmax(dim=0), lambda x: np.exp(x) / np.exp(x).sum(0, keepdims=True)),
    (nn.LogSoftmax(dim=1), lambda x: x - np.log(np.exp(x).sum(1, keepdims=True))),
    (nn.LogSoftmax(dim=-1), lambda x: x - np.log(np.exp(x).sum(-1, keepdims=True))),
    (nn.Identity(), lambda x: x),
    (nn.Flatten(), lambda x: x.reshape(x.shape[0], -1)),
    (nn.Flatten(0), lambda x: x.reshape(-1)),
]


@pytest.mark.parametrize(("module", "reference"), ACTIVATIONS, ids=lambda m: repr(m)[:20])
def test_activation_forward(module, reference):
    x = np.random.default_rng(1).standard_normal((4, 3, 2))
    np.testing.assert_allclose(module(Tensor(x))._data, reference(x), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize(("module", "reference"), ACTIVATIONS, ids=lambda m: repr(m)[:20])
@settings(max_examples=5, deadline=None)
@given(shape=st.lists(small, min_size=2, max_size=3).map(tuple))
def test_activation_gradcheck(module, reference, shape):
    x = leaf(shape, seed=sum(shape))
    assert gradcheck(module, [x])


@pytest.mark.parametrize("module", [nn.Sigmoid(), nn.Tanh(), nn.Softmax(1), nn.LogSoftmax(1)])
def test_activation_gradgradcheck(module):
    assert gradgradcheck(module, [leaf((3, 4))])


def test_activation_reprs_match_pytorch():
    assert repr(nn.ReLU()) == "ReLU()"
    assert repr(nn.ReLU(inplace=True)) == "ReLU(inplace=True)"
    assert repr(nn.LeakyReLU()) == "LeakyReLU(negative_slope=0.01)"
    assert repr(nn.Sigmoid()) == "Sigmoid()" and repr(nn.Tanh()) == "Tanh()"
    assert repr(nn.Softmax(dim=1)) == "Softmax(dim=1)"
    assert repr(nn.LogSoftmax(dim=-1)) == "LogSoftmax(dim=-1)"
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
    assert repr(nn.Dropout()) == "Dropout(p=0.5, inplace=False)"
    assert repr(nn.Identity()) == "Identity()"


def test_softmax_without_dim_warns_and_uses_pytorchs_implicit_dim():
    x = tg.randn(2, 3)
    with pytest.warns(UserWarning, match="Implicit dimension"):
        out = nn.Softmax()(x)
    np.testing.assert_allclose(out._data.sum(1), 1, rtol=1e-6)
    with pytest.warns(UserWarning):
        assert F.log_softmax(tg.randn(4)).shape == (4,)


def test_softmax_stable_at_large_inputs():
    x = Tensor(np.array([[1e5, 0.0, -1e5]]), requires_grad=True)
    out = nn.LogSoftmax(1)(x)
    assert np.isfinite(out._data).all()
    out.sum().backward()
    assert np.isfinite(x.grad._data).all()


# ---------------------------------------------------------------------------- Dropout
def test_dropout_train_scales_survivors_and_eval_is_identity():
    tg.manual_seed(0)
    drop = nn.Dropout(p=0.25)
    x = tg.ones(200, 100)
    out = drop(x)._data
    kept = out != 0
    np.testing.assert_allclose(out[kept], 1 / 0.75)
    assert kept.mean() == pytest.approx(0.75, abs=0.01)
    assert out.mean() == pytest.approx(1.0, abs=0.02)  # the expected value is unchanged
    drop.eval()
    assert drop(x) is x
    drop.train()
    assert drop.training and (drop(x)._data == 0).any()


def test_dropout_gradient_uses_the_same_mask():
    tg.manual_seed(1)
    x = Tensor(np.ones((10, 10)), requires_grad=True)
    out = F.dropout(x, 0.5)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad._data, out._data)  # both are mask / (1 - p)


def test_dropout_edge_probabilities_and_reproducibility():
    x = tg.randn(5, 5)
    assert F.dropout(x, 0.0) is x
    assert (F.dropout(x, 1.0)._data == 0).all()
    with pytest.raises(ValueError, match=r"between 0 and 1, but got 1\.5"):
        nn.Dropout(1.5)
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout(x, -0.1)
    tg.manual_seed(7)
    a = F.dropout(x)._data
    tg.manual_seed(7)
    np.testing.assert_array_equal(a, F.dropout(x)._data)


# ------------------------------------------------------------------------------- init
def test_init_fills_in_place_and_returns_the_tensor():
    w = nn.Parameter(np.empty((30, 20)))
    assert init.zeros_(w) is w and (w._data == 0).all()
    assert (init.ones_(w)._data == 1).all()
    assert (init.constant_(w, 0.3)._data == 0.3).all()
    assert w.requires_grad and w.is_leaf and w.grad_fn is None


@pytest.mark.parametrize(
    ("fill", "bound", "std"),
    [
        (lambda w: init.uniform_(w, -2, 3), None, math.sqrt(25 / 12)),
        (lambda w: init.normal_(w, 1.0, 0.5), None, 0.5),
        (init.xavier_uniform_, math.sqrt(6 / (400 + 300)), math.sqrt(2 / 700)),
        (init.xavier_normal_, None, math.sqrt(2 / 700)),
        (init.kaiming_uniform_, math.sqrt(2) * math.sqrt(3 / 400), math.sqrt(2 / 400)),
        (lambda w: init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu"), None,
         math.sqrt(2 / 300)),
    ],
)  # fmt: skip
def test_init_distributions(fill, bound, std):
    w = Tensor(np.empty((300, 400), dtype=np.float32))
    tg.manual_seed(0)
    fill(w)
    if bound is not None:
        assert np.abs(w._data).max() <= bound
    assert w._data.std() == pytest.approx(std, rel=0.02)


def test_init_generator_and_gain():
    a, b = Tensor(np.empty((3, 4))), Tensor(np.empty((3, 4)))
    init.normal_(a, generator=tg.Generator().manual_seed(5))
    init.normal_(b, generator=tg.Generator().manual_seed(5))
    np.testing.assert_array_equal(a._data, b._data)
    assert init.calculate_gain("tanh") == pytest.approx(5 / 3)
    assert init.calculate_gain("leaky_relu", math.sqrt(5)) == pytest.approx(math.sqrt(1 / 3))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_uniform_(Tensor(np.empty(3)))
    with pytest.raises(ValueError, match="Mode fan_up not supported"):
        init.kaiming_uniform_(Tensor(np.empty((2, 2))), mode="fan_up")


# ---------------------------------------------------------------------- grad clipping
def _with_grads(*grads):
    params = []
    for g in grads:
        p = nn.Parameter(np.zeros(np.shape(g)))
        p.grad = Tensor(np.asarray(g, dtype=np.float64))
        params.append(p)
    return params


def test_clip_grad_norm_scales_to_max_norm_and_returns_the_old_norm():
    params = _with_grads([3.0, 0.0], [[4.0]])
    total = clip_grad_norm_(params, max_norm=1.0)
    assert total.item() == pytest.approx(5.0)
    new = np.sqrt(sum((p.grad._data**2).sum() for p in params))
    assert new == pytest.approx(1.0, rel=1e-5)
    np.testing.assert_allclose(params[0].grad._data, [0.6, 0.0], rtol=1e-5)
    untouched = _with_grads([0.3, 0.4])
    assert clip_grad_norm_(untouched, 1.0).item() == pytest.approx(0.5)
    np.testing.assert_array_equal(untouched[0].grad._data, [0.3, 0.4])


def test_clip_grad_norm_other_norms_and_nonfinite():
    params = _with_grads([3.0, -4.0], [1.0])
    assert clip_grad_norm_(params, 10.0, norm_type=1).item() == pytest.approx(8.0)
    assert clip_grad_norm_(params, 10.0, norm_type=math.inf).item() == pytest.approx(4.0)
    assert clip_grad_norm_(nn.Parameter(np.zeros(2)), 1.0).item() == 0.0  # no grads at all
    bad = _with_grads([np.inf, 1.0])
    with pytest.raises(RuntimeError, match="non-finite"):
        clip_grad_norm_(bad, 1.0, error_if_nonfinite=True)


def test_clip_grad_value_clamps_each_element():
    params = _with_grads([-3.0, 0.5, 2.0])
    clip_grad_value_(params, 1.0)
    np.testing.assert_array_equal(params[0].grad._data, [-1.0, 0.5, 1.0])
