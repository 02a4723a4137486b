"""Activations (GELU, SiLU, Mish, ELU, Softplus, Hardtanh, LogSigmoid), normalisation
(batch, layer, group) and embedding: Hypothesis shapes against NumPy references with
gradcheck and gradgradcheck in float64, and the layers against PyTorch when installed."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, settings
from hypothesis import strategies as st
from opcheck import check_forward_reverse, op_test
from strategies import arrays, away_from_zero, grid, shapes

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu import nn
from tinygrad_edu.autograd import gradcheck, gradgradcheck
from tinygrad_edu.ops.activation import erf

SMALL = settings(max_examples=12, deadline=None)
_erf = np.vectorize(math.erf)


def unary(elements=None):
    return shapes().flatmap(lambda s: arrays(s, elements)).map(lambda x: ((x,), {}))


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def test_erf_matches_math_erf():
    x = np.concatenate([np.linspace(-7, 7, 20001), [0.0, -0.0, 2.9999999, 3.0, 1e-300]])
    np.testing.assert_allclose(erf(x), _erf(x), rtol=2e-15, atol=2e-15)
    assert np.signbit(erf(np.array([-0.0]))[0])


@SMALL
@op_test(F.gelu, lambda x: x * 0.5 * (1 + _erf(x / math.sqrt(2))), unary())
def test_gelu(): ...


@SMALL
@op_test(
    lambda x: F.gelu(x, approximate="tanh"),
    lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3))),
    unary(),
)
def test_gelu_tanh(): ...


@SMALL
@op_test(F.silu, lambda x: x * _sigmoid(x), unary())
def test_silu(): ...


@SMALL
@op_test(F.mish, lambda x: x * np.tanh(np.log1p(np.exp(x))), unary())
def test_mish(): ...


@SMALL
@op_test(
    lambda x, alpha: F.elu(x, alpha),
    lambda x, alpha: np.where(x > 0, x, alpha * np.expm1(x)),
    shapes().flatmap(
        lambda s: st.tuples(
            st.tuples(arrays(s, away_from_zero())),
            st.fixed_dictionaries({"alpha": st.sampled_from([1.0, 0.5])}),
        )
    ),
)
def test_elu(): ...


@st.composite
def softplus_case(draw):
    beta, threshold = draw(st.sampled_from([1.0, 2.0])), draw(st.sampled_from([1.0, 20.0]))
    x = draw(arrays(draw(shapes()), st.floats(-4, 4)))
    assume(np.all(np.abs(x * beta - threshold) > 1e-2))
    return (x,), {"beta": beta, "threshold": threshold}


@SMALL
@op_test(
    F.softplus,
    lambda x, beta, threshold: np.where(x * beta > threshold, x, np.log1p(np.exp(beta * x)) / beta),
    softplus_case(),
)
def test_softplus(): ...


@SMALL
@op_test(F.logsigmoid, lambda x: -np.log1p(np.exp(-x)), unary())
def test_logsigmoid(): ...


@SMALL
@op_test(lambda x: F.hardtanh(x, -1.05, 0.95), lambda x: np.clip(x, -1.05, 0.95), unary(grid()))
def test_hardtanh(): ...


def test_activations_are_stable_at_extremes():
    x = tg.tensor(np.array([-1000.0, 0.0, 1000.0]), requires_grad=True)
    np.testing.assert_allclose(F.logsigmoid(x).detach().numpy(), [-1000.0, -math.log(2), 0.0])
    np.testing.assert_allclose(F.softplus(x).detach().numpy(), [0.0, math.log(2), 1000.0])
    np.testing.assert_allclose(F.elu(x).detach().numpy(), [-1.0, 0.0, 1000.0])
    (F.logsigmoid(x) + F.softplus(x) + F.elu(x) + F.mish(x) + F.gelu(x)).sum().backward()
    assert np.isfinite(x.grad.numpy()).all()


def test_hardtanh_gradient_is_zero_at_the_edges():
    x = tg.tensor(np.array([-1.0, 0.0, 1.0]), requires_grad=True)
    F.hardtanh(x).sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0]


# ----------------------------------------------------------------------------- normalisation
def ref_normalize(x, axes, eps):
    mean = x.mean(axis=axes, keepdims=True)
    return (x - mean) / np.sqrt(x.var(axis=axes, keepdims=True) + eps)


@st.composite
def batch_norm_case(draw):
    shape = (draw(st.integers(2, 3)), draw(st.integers(1, 3)), *draw(shapes(0, 2)))
    x = draw(arrays(shape))
    assume(np.all(x.var(axis=(0, *range(2, x.ndim))) > 1e-2))
    w, b = draw(arrays((shape[1],))), draw(arrays((shape[1],)))
    return (x, w, b), {}


@SMALL
@op_test(
    lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
    lambda x, w, b: (
        ref_normalize(x, (0, *range(2, x.ndim)), 1e-5) * w.reshape(1, -1, *[1] * (x.ndim - 2))
        + b.reshape(1, -1, *[1] * (x.ndim - 2))
    ),
    batch_norm_case(),
    rtol=1e-9,
    atol=1e-9,
)
def test_batch_norm_training(): ...


@st.composite
def layer_norm_case(draw):
    shape = draw(shapes(1, 3, min_side=2))
    k = draw(st.integers(1, len(shape)))
    x = draw(arrays(shape))
    assume(np.all(x.reshape(*shape[: len(shape) - k], -1).var(axis=-1) > 1e-2))
    normalized = shape[len(shape) - k :]
    return (x, draw(arrays(normalized)), draw(arrays(normalized))), {"normalized_shape": normalized}


@SMALL
@op_test(
    lambda x, w, b, normalized_shape: F.layer_norm(x, normalized_shape, w, b),
    lambda x, w, b, normalized_shape: (
        ref_normalize(x, tuple(range(x.ndim - len(normalized_shape), x.ndim)), 1e-5) * w + b
    ),
    layer_norm_case(),
    rtol=1e-9,
    atol=1e-9,
)
def test_layer_norm(): ...


@st.composite
def group_norm_case(draw):
    groups, per = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    shape = (draw(st.integers(1, 2)), groups * per, draw(st.integers(2, 3)))
    x = draw(arrays(shape))
    assume(np.all(x.reshape(shape[0], groups, -1).var(axis=-1) > 1e-2))
    return (x, draw(arrays((shape[1],))), draw(arrays((shape[1],)))), {"num_groups": groups}


def ref_group_norm(x, w, b, num_groups):
    n, c = x.shape[:2]
    y = ref_normalize(x.reshape(n, num_groups, -1), (2,), 1e-5).reshape(x.shape)
    return y * w.reshape(1, c, 1) + b.reshape(1, c, 1)


@SMALL
@op_test(
    lambda x, w, b, num_groups: F.group_norm(x, num_groups, w, b),
    ref_group_norm,
    group_norm_case(),
    rtol=1e-9,
    atol=1e-9,
)
def test_group_norm(): ...


def test_batch_norm_module_running_stats_and_eval():
    tg.manual_seed(0)
    layer = nn.BatchNorm2d(3, momentum=0.2)
    rng = np.random.default_rng(0)
    batches = [rng.normal(2.0, 3.0, size=(4, 3, 2, 2)) for _ in range(3)]
    mean, var = np.zeros(3), np.ones(3)
    for x in batches:
        layer(tg.tensor(x.astype(np.float32)))
        mean = 0.8 * mean + 0.2 * x.mean(axis=(0, 2, 3))
        var = 0.8 * var + 0.2 * x.var(axis=(0, 2, 3), ddof=1)
    np.testing.assert_allclose(layer.running_mean.numpy(), mean, rtol=1e-5)
    np.testing.assert_allclose(layer.running_var.numpy(), var, rtol=1e-5)
    assert int(layer.num_batches_tracked.item()) == 3
    assert list(layer.state_dict()) == [
        "weight",
        "bias",
        "running_mean",
        "running_var",
        "num_batches_tracked",
    ]
    layer.eval()
    x = batches[0].astype(np.float32)
    expected = (x - mean.reshape(1, 3, 1, 1)) / np.sqrt(var.reshape(1, 3, 1, 1) + 1e-5)
    np.testing.assert_allclose(layer(tg.tensor(x)).detach().numpy(), expected, rtol=1e-4, atol=1e-5)
    assert int(layer.num_batches_tracked.item()) == 3  # eval leaves the buffers alone


def test_batch_norm_momentum_none_is_a_cumulative_average():
    layer = nn.BatchNorm1d(2, momentum=None)
    rng = np.random.default_rng(1)
    batches = [rng.normal(size=(5, 2)) for _ in range(4)]
    for x in batches:
        layer(tg.tensor(x))
    mean = np.mean([x.mean(0) for x in batches], axis=0)
    var = np.mean([x.var(0, ddof=1) for x in batches], axis=0)
    np.testing.assert_allclose(layer.running_mean.numpy(), mean, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(layer.running_var.numpy(), var, rtol=1e-5, atol=1e-7)


def test_batch_norm_without_running_stats_uses_the_batch_in_eval():
    layer = nn.BatchNorm1d(2, track_running_stats=False, affine=False).eval()
    assert list(layer.state_dict()) == [] and list(layer.parameters()) == []
    x = np.random.default_rng(2).normal(size=(6, 2))
    np.testing.assert_allclose(layer(tg.tensor(x)).numpy(), ref_normalize(x, (0,), 1e-5))


def test_batch_norm_errors():
    layer = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match="more than 1 value per channel"):
        layer(tg.tensor(np.ones((1, 3))))
    assert int(layer.num_batches_tracked.item()) == 0  # raised before any update
    with pytest.raises(ValueError, match="expected 4D input"):
        nn.BatchNorm2d(3)(tg.tensor(np.ones((2, 3))))
    with pytest.raises(ValueError, match="expected 2D or 3D input"):
        nn.BatchNorm1d(3)(tg.tensor(np.ones((2, 3, 2, 2))))


# ----------------------------------------------------------------------------- embedding
def test_embedding_repeated_indices_accumulate_and_padding_gets_no_gradient():
    tg.manual_seed(0)
    layer = nn.Embedding(5, 3, padding_idx=1)
    assert layer.weight.detach().numpy()[1].tolist() == [0.0, 0.0, 0.0]
    idx = tg.tensor(np.array([[0, 2, 0], [1, 4, 0]]))
    out = layer(idx)
    assert out.shape == (2, 3, 3)
    np.testing.assert_array_equal(out.detach().numpy(), layer.weight.detach().numpy()[idx.numpy()])
    g = np.arange(18.0).reshape(2, 3, 3)
    out.backward(tg.tensor(g.astype(np.float32)))
    expected = np.zeros((5, 3))
    expected[0] = g[0, 0] + g[0, 2] + g[1, 2]
    expected[2] = g[0, 1]
    expected[4] = g[1, 1]
    np.testing.assert_array_equal(layer.weight.grad.numpy(), expected)


def test_embedding_gradcheck_and_forward_mode():
    """gradcheck without padding_idx (with it, the padding row's gradient is 0 by definition,
    not the numerical derivative); forward and reverse mode agree either way."""
    idx = np.array([[0, 2, 2], [3, 0, 1]])
    w = np.random.default_rng(0).normal(size=(4, 2))
    fn = lambda w: F.embedding(tg.tensor(idx), w)  # noqa: E731
    weights = [tg.tensor(w, requires_grad=True)]
    assert gradcheck(fn, weights) and gradgradcheck(fn, weights)
    for padding_idx in (None, 2):
        check_forward_reverse(
            lambda w, p: F.embedding(tg.tensor(idx), w, padding_idx=p), [w], {"p": padding_idx}
        )


def test_embedding_errors():
    w = tg.tensor(np.ones((4, 2)))
    with pytest.raises(RuntimeError, match="Long, Int"):
        F.embedding(tg.tensor(np.array([0.0, 1.0])), w)
    with pytest.raises(IndexError, match="index out of range"):
        F.embedding(tg.tensor(np.array([0, 4])), w)
    with pytest.raises(AssertionError):
        nn.Embedding(4, 2, padding_idx=4)


# ----------------------------------------------------------------------------- against torch
def test_layers_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    cases = [
        (nn.GELU(), torch.nn.GELU(), (3, 5)),
        (nn.GELU("tanh"), torch.nn.GELU("tanh"), (3, 5)),
        (nn.SiLU(), torch.nn.SiLU(), (3, 5)),
        (nn.Mish(), torch.nn.Mish(), (3, 5)),
        (nn.ELU(0.7), torch.nn.ELU(0.7), (3, 5)),
        (nn.Softplus(2.0, 3.0), torch.nn.Softplus(2.0, 3.0), (3, 5)),
        (nn.Hardtanh(-0.5, 0.7), torch.nn.Hardtanh(-0.5, 0.7), (3, 5)),
        (nn.LogSigmoid(), torch.nn.LogSigmoid(), (3, 5)),
        (nn.LayerNorm((4, 5)), torch.nn.LayerNorm((4, 5)), (3, 4, 5)),
        (nn.GroupNorm(2, 4), torch.nn.GroupNorm(2, 4), (3, 4, 5)),
        (nn.BatchNorm1d(4), torch.nn.BatchNorm1d(4), (3, 4, 5)),
        (nn.BatchNorm2d(4), torch.nn.BatchNorm2d(4), (3, 4, 2, 5)),
    ]
    for ours, theirs, shape in cases:
        assert repr(ours) == repr(theirs)
        assert list(ours.state_dict()) == list(theirs.state_dict())
        for dtype, tol in ((np.float32, 1e-5), (np.float64, 1e-10)):
            ours.to(dtype) if dtype == np.float64 else ours.float()
            theirs.double() if dtype == np.float64 else theirs.float()
            params = {k: rng.normal(size=tuple(v.shape)) for k, v in theirs.named_parameters()}
            ours.load_state_dict(
                {
                    **{
                        k: tg.tensor(v.numpy().astype(dtype))
                        for k, v in theirs.state_dict().items()
                    },
                    **{k: tg.tensor(v.astype(dtype)) for k, v in params.items()},
                }
            )
            with torch.no_grad():
                for k, v in theirs.named_parameters():
                    v.copy_(torch.tensor(params[k]))
            x = rng.normal(size=shape).astype(dtype) * 3
            a, b = tg.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
            y, z = ours(a), theirs(b)
            np.testing.assert_allclose(y.detach().numpy(), z.detach().numpy(), rtol=tol, atol=tol)
            g = rng.normal(size=shape).astype(dtype)
            y.backward(tg.tensor(g))
            z.backward(torch.tensor(g))
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=tol, atol=tol)
            for (k, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
                np.testing.assert_allclose(
                    p.grad.numpy(), q.grad.numpy(), rtol=tol, atol=tol * 10, err_msg=k
                )
            for k, v in theirs.state_dict().items():
                np.testing.assert_allclose(
                    ours.state_dict()[k].numpy(), v.numpy(), rtol=tol, atol=tol, err_msg=k
                )
            ours.zero_grad()
            theirs.zero_grad()
        ours.eval()
        theirs.eval()
        x = rng.normal(size=shape)
        np.testing.assert_allclose(
            ours(tg.tensor(x)).detach().numpy(),
            theirs(torch.tensor(x)).detach().numpy(),
            rtol=1e-10,
            atol=1e-10,
        )


def test_embedding_matches_torch():
    torch = pytest.importorskip("torch")
    ours, theirs = nn.Embedding(6, 3, padding_idx=-2), torch.nn.Embedding(6, 3, padding_idx=-2)
    assert repr(ours) == repr(theirs)
    ours.load_state_dict({"weight": tg.tensor(theirs.weight.detach().numpy())})
    idx = np.array([[0, 4, 4], [5, 1, 0]])
    y, z = ours(tg.tensor(idx)), theirs(torch.tensor(idx))
    np.testing.assert_allclose(y.detach().numpy(), z.detach().numpy())
    g = np.random.default_rng(0).normal(size=y.shape).astype(np.float32)
    y.backward(tg.tensor(g))
    z.backward(torch.tensor(g))
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-6)


def test_embedding_from_pretrained_copies_and_freezes():
    table = tg.tensor(np.arange(6.0).reshape(3, 2))
    layer = nn.Embedding.from_pretrained(table)
    assert not layer.weight.requires_grad and layer.weight.dtype == table.dtype
    table._data[0, 0] = 100.0  # a copy: the layer does not see later changes
    assert layer(tg.tensor(np.array([0, 2]))).tolist() == [[0.0, 1.0], [4.0, 5.0]]
    assert nn.Embedding.from_pretrained(table, freeze=False).weight.requires_grad
