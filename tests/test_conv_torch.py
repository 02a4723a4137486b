"""Convolution, pooling and padding against PyTorch itself: values and gradients in
float32 (1e-5) and float64 (1e-10), and the exception types for bad arguments.
Skipped when PyTorch is absent."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
TF = torch.nn.functional

import tinygrad_edu as tg  # noqa: E402
import tinygrad_edu.nn.functional as F  # noqa: E402
from tinygrad_edu import nn  # noqa: E402

TOL = {np.float32: 1e-5, np.float64: 1e-10}


def _run(fn_ours, fn_torch, arrays, dtype, kwargs):
    """Forward and backward on both sides with the same incoming gradient.

    Values agree to ``tol``; gradients to ``tol`` times their largest magnitude (float32
    sums of thousands of products differ in the last bits from any other summation order).
    """
    ours = [tg.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    y, z = fn_ours(*ours, **kwargs), fn_torch(*theirs, **kwargs)
    tol = TOL[dtype]
    assert y.shape == tuple(z.shape) and y.dtype == np.dtype(dtype)
    np.testing.assert_allclose(y.detach().numpy(), z.detach().numpy(), rtol=tol, atol=tol)
    g = np.random.default_rng(1).normal(size=y.shape).astype(dtype)
    y.backward(tg.tensor(g))
    z.backward(torch.tensor(g))
    for a, b in zip(ours, theirs):  # a weight gradient sums thousands of products: scale atol
        scale = max(1.0, float(np.abs(b.grad.numpy()).max()))
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=tol, atol=tol * scale)


CONV2D = [
    ((2, 4, 7, 6), (6, 2, 3, 3), {"stride": 1, "padding": 1, "groups": 2}),
    ((2, 3, 8, 9), (4, 3, 2, 3), {"padding": "same"}),
    ((1, 2, 9, 9), (4, 1, 3, 3), {"stride": (2, 1), "padding": (0, 2), "dilation": 2, "groups": 2}),
    ((2, 3, 5, 5), (3, 3, 2, 2), {"padding": "same", "dilation": 2}),
    ((3, 4, 6, 6), (4, 1, 3, 3), {"padding": "valid", "groups": 4}),
    ((4, 1, 28, 28), (32, 1, 3, 3), {}),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("x_shape", "w_shape", "kwargs"), CONV2D)
def test_conv2d(x_shape, w_shape, kwargs, dtype):
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=x_shape), rng.normal(size=w_shape), rng.normal(size=w_shape[0])]
    _run(F.conv2d, TF.conv2d, arrays, dtype, kwargs)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_conv1d(dtype):
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=(2, 4, 10)), rng.normal(size=(6, 2, 3))]
    _run(
        F.conv1d, TF.conv1d, arrays, dtype, {"stride": 2, "padding": 1, "dilation": 2, "groups": 2}
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "kwargs",
    [
        {"stride": 2, "padding": 1, "output_padding": 1},
        {"groups": 2},
        {"stride": 3, "padding": 2, "output_padding": 1, "groups": 2, "dilation": 2},
    ],
)
def test_conv_transpose2d(kwargs, dtype):
    rng = np.random.default_rng(0)
    g = kwargs.get("groups", 1)
    arrays = [rng.normal(size=(2, 4, 5, 4)), rng.normal(size=(4, 3, 3, 2)), rng.normal(size=3 * g)]
    _run(F.conv_transpose2d, TF.conv_transpose2d, arrays, dtype, kwargs)


POOLS = [
    {"kernel_size": 2},
    {"kernel_size": 3, "stride": 2, "padding": 1},
    {"kernel_size": 3, "stride": 1, "padding": 1, "dilation": 2},
    {"kernel_size": (2, 3), "stride": (1, 2), "padding": (1, 0)},
    {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("kwargs", POOLS)
def test_max_pool2d_and_indices(kwargs, dtype):
    x = np.random.default_rng(0).normal(size=(2, 3, 9, 8))
    _run(F.max_pool2d, TF.max_pool2d, [x], dtype, kwargs)
    ours = F.max_pool2d(tg.tensor(x), return_indices=True, **kwargs)[1]
    theirs = TF.max_pool2d(torch.tensor(x), return_indices=True, **kwargs)[1]
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert ours.dtype == np.int64


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "kwargs",
    [
        {"kernel_size": 2},
        {"kernel_size": 3, "stride": 2, "padding": 1},
        {"kernel_size": 3, "stride": 1, "padding": 1, "count_include_pad": False},
        {"kernel_size": (2, 3), "stride": (1, 2), "padding": (1, 0), "divisor_override": 5},
        {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
        {"kernel_size": 2, "stride": 3, "ceil_mode": True},
        {
            "kernel_size": 3,
            "stride": 2,
            "padding": 1,
            "ceil_mode": True,
            "count_include_pad": False,
        },
    ],
)
def test_avg_pool2d(kwargs, dtype):
    x = np.random.default_rng(0).normal(size=(2, 3, 9, 8))
    _run(F.avg_pool2d, TF.avg_pool2d, [x], dtype, kwargs)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_1d_pools(dtype):
    x = np.random.default_rng(0).normal(size=(2, 3, 9))
    _run(F.max_pool1d, TF.max_pool1d, [x], dtype, {"kernel_size": 3, "stride": 2, "padding": 1})
    _run(F.avg_pool1d, TF.avg_pool1d, [x], dtype, {"kernel_size": 3, "stride": 2, "padding": 1})
    _run(F.adaptive_avg_pool1d, TF.adaptive_avg_pool1d, [x], dtype, {"output_size": 4})


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("output_size", [(3, 3), (4, 5), 1, (None, 3), (9, 8)])
def test_adaptive_avg_pool2d(output_size, dtype):
    x = np.random.default_rng(0).normal(size=(2, 3, 9, 8))
    _run(F.adaptive_avg_pool2d, TF.adaptive_avg_pool2d, [x], dtype, {"output_size": output_size})


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "kwargs",
    [
        {"pad": (1, 2)},
        {"pad": (1, 2, 0, -1), "value": 3.0},
        {"pad": (2, 1, 1, 2), "mode": "reflect"},
        {"pad": (2, 1, 1, 2), "mode": "replicate"},
        {"pad": (2, 1, 1, 2), "mode": "circular"},
        {"pad": (1, 1, 1, 1, 1, 1), "mode": "replicate"},
    ],
)
def test_pad(kwargs, dtype):
    x = np.random.default_rng(0).normal(size=(2, 3, 5, 4))
    _run(F.pad, TF.pad, [x], dtype, kwargs)


def test_unfold_and_fold():
    x = np.random.default_rng(0).normal(size=(2, 3, 6, 5))
    _run(
        F.unfold,
        TF.unfold,
        [x],
        np.float64,
        {"kernel_size": (2, 3), "dilation": 2, "padding": 1, "stride": (2, 1)},
    )
    c = np.random.default_rng(0).normal(size=(2, 12, 56))
    _run(F.fold, TF.fold, [c], np.float64, {"output_size": (6, 7), "kernel_size": 2, "padding": 1})


BAD = [
    (lambda f: f.conv2d, ((2, 3, 5, 5), (4, 3, 3, 3)), {"stride": 2, "padding": "same"}),
    (lambda f: f.conv2d, ((2, 3, 5, 5), (4, 2, 3, 3)), {}),
    (lambda f: f.conv2d, ((5, 5), (4, 3, 3, 3)), {}),
    (lambda f: f.conv2d, ((2, 3, 5, 5), (4, 3, 3, 3)), {"padding": "foo"}),
    (lambda f: f.conv2d, ((2, 3, 5, 5), (4, 1, 3, 3)), {"groups": 3}),
    (lambda f: f.conv2d, ((2, 3, 5, 5), (4, 3, 7, 7)), {}),
    (lambda f: f.conv2d, ((2, 3, 5, 5), (4, 3, 3, 3)), {"stride": 0}),
    (lambda f: f.conv2d, ((2, 3, 5, 5), (4, 3, 3, 3)), {"padding": -1}),
    (lambda f: f.max_pool2d, ((2, 3, 5, 5),), {"kernel_size": 3, "padding": 2}),
    (lambda f: f.avg_pool2d, ((2, 3, 5, 5),), {"kernel_size": 2, "padding": 2}),
    (lambda f: f.pad, ((2, 3, 5, 5),), {"pad": (1,)}),
    (lambda f: f.pad, ((2, 3, 5, 5),), {"pad": (1, 1), "mode": "bogus"}),
    (lambda f: f.pad, ((2, 3, 5, 5),), {"pad": (1, 1), "mode": "reflect"}),
    (lambda f: f.pad, ((2, 3, 5, 5),), {"pad": (1, 1, 1, 1), "mode": "reflect", "value": 1.0}),
    (lambda f: f.pad, ((2, 3, 5, 5),), {"pad": (5, 5, 1, 1), "mode": "reflect"}),
]


@pytest.mark.parametrize(("fn", "shapes", "kwargs"), BAD)
def test_bad_arguments_raise_like_torch(fn, shapes, kwargs):
    arrays = [np.ones(s) for s in shapes]
    with pytest.raises(Exception) as theirs:
        fn(TF)(*[torch.tensor(a) for a in arrays], **kwargs)
    with pytest.raises(type(theirs.value)):
        fn(F)(*[tg.tensor(a) for a in arrays], **kwargs)


@pytest.mark.parametrize(
    ("ours", "theirs", "x_shape"),
    [
        (
            lambda: nn.Conv2d(4, 6, 3, padding=1, groups=2),
            lambda: torch.nn.Conv2d(4, 6, 3, padding=1, groups=2),
            (2, 4, 5, 5),
        ),
        (
            lambda: nn.Conv1d(3, 5, 2, stride=2, bias=False),
            lambda: torch.nn.Conv1d(3, 5, 2, stride=2, bias=False),
            (2, 3, 7),
        ),
        (
            lambda: nn.ConvTranspose2d(4, 6, 3, stride=2, groups=2),
            lambda: torch.nn.ConvTranspose2d(4, 6, 3, stride=2, groups=2),
            (2, 4, 3, 3),
        ),
    ],
)
def test_layers_match_torch_given_the_same_weights(ours, theirs, x_shape):
    a, b = ours(), theirs()
    assert list(a.state_dict()) == list(b.state_dict())
    assert repr(a) == repr(b)
    for (name, p), (_, q) in zip(a.state_dict().items(), b.state_dict().items()):
        assert p.shape == tuple(q.shape), name
    a.load_state_dict({k: tg.tensor(v.numpy()) for k, v in b.state_dict().items()})
    x = np.random.default_rng(0).normal(size=x_shape).astype(np.float32)
    np.testing.assert_allclose(
        a(tg.tensor(x)).detach().numpy(), b(torch.tensor(x)).detach().numpy(), rtol=1e-5, atol=1e-5
    )


def test_conv2d_init_has_torchs_bounds():
    """kaiming_uniform_(a=sqrt(5)) gives U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the weight."""
    tg.manual_seed(0)
    layer = nn.Conv2d(32, 64, 3)
    bound = 1 / np.sqrt(32 * 9)
    w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.98 * bound
    assert np.abs(b).max() <= bound and abs(w.std() - bound / np.sqrt(3)) < 0.02 * bound
    assert w.dtype == np.float32


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (nn.MaxPool2d(3, 2, 1), torch.nn.MaxPool2d(3, 2, 1)),
        (nn.AvgPool2d(2), torch.nn.AvgPool2d(2)),
        (nn.AdaptiveAvgPool2d((2, 3)), torch.nn.AdaptiveAvgPool2d((2, 3))),
        (nn.MaxPool1d(2), torch.nn.MaxPool1d(2)),
        (nn.Unflatten(1, (2, 10)), torch.nn.Unflatten(1, (2, 10))),
    ],
)
def test_parameterless_layers(ours, theirs):
    x = np.random.default_rng(0).normal(size=(2, 20, 6, 6)).astype(np.float32)
    if isinstance(ours, nn.MaxPool1d):
        x = x[:, :, 0]
    y, z = ours(tg.tensor(x)), theirs(torch.tensor(x))
    np.testing.assert_allclose(y.numpy(), z.numpy(), rtol=1e-6, atol=1e-6)
    assert repr(ours) == repr(theirs)


def test_dropout2d_zeroes_whole_channels():
    tg.manual_seed(0)
    x = tg.tensor(np.ones((8, 16, 4, 4), dtype=np.float32))
    y = nn.Dropout2d(0.5)(x).numpy()
    per_channel = y.reshape(8, 16, -1)
    assert set(np.unique(per_channel)) == {0.0, 2.0}
    assert (per_channel.min(axis=2) == per_channel.max(axis=2)).all()  # all or nothing
    assert 0.3 < (per_channel[:, :, 0] == 0).mean() < 0.7
    layer = nn.Dropout2d(0.5).eval()
    assert layer(x) is x


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("padding", [1, (2, 1), "same"])
def test_conv2d_padding_modes(mode, padding):
    theirs = torch.nn.Conv2d(2, 3, (3, 2), padding=padding, padding_mode=mode).double()
    ours = nn.Conv2d(2, 3, (3, 2), padding=padding, padding_mode=mode, dtype=np.float64)
    assert repr(ours) == repr(theirs)
    ours.load_state_dict({k: tg.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(2, 2, 5, 6))
    _run(ours, theirs, [x], np.float64, {})


def test_conv_transpose2d_output_size():
    theirs = torch.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1).double()
    ours = nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1, dtype=np.float64)
    ours.load_state_dict({k: tg.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(1, 2, 4, 4))
    for size in [(7, 7), (8, 7), (1, 2, 8, 8)]:
        y = ours(tg.tensor(x), output_size=size)
        z = theirs(torch.tensor(x), output_size=size)
        np.testing.assert_allclose(y.detach().numpy(), z.detach().numpy(), rtol=1e-10, atol=1e-10)
    with pytest.raises(ValueError):
        theirs(torch.tensor(x), output_size=(9, 9))
    with pytest.raises(ValueError):
        ours(tg.tensor(x), output_size=(9, 9))
