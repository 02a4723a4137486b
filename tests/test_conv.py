"""Convolution, pooling and padding ops: Hypothesis shapes against shift-and-add NumPy
references, gradcheck and gradgradcheck in float64, forward mode against reverse mode.

The references below never build windows or matrices: they add one shifted slice of the
(padded) input per kernel offset, the textbook definition. The ops under test gather
windows (im2col) and multiply once, so a shared mistake is unlikely.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import assume, settings
from hypothesis import strategies as st
from opcheck import op_test
from strategies import arrays, distinct_arrays

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu.ops import conv as conv_ops

SMALL = settings(max_examples=12, deadline=None)


def _tuple(v, d):
    return (v,) * d if isinstance(v, int) else tuple(v)


def _pads(padding, kernel, dilation, d):
    if padding == "valid":
        return [(0, 0)] * d
    if padding == "same":
        total = [dl * (k - 1) for k, dl in zip(kernel, dilation)]
        return [(t // 2, t - t // 2) for t in total]
    return [(p, p) for p in _tuple(padding, d)]


def _slices(offset, dilation, stride, outs):
    return tuple(
        slice(k * dl, k * dl + s * (o - 1) + 1, s)
        for k, dl, s, o in zip(offset, dilation, stride, outs)
    )


def ref_conv(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    d = x.ndim - 2
    stride, dilation, kernel = _tuple(stride, d), _tuple(dilation, d), w.shape[2:]
    xp = np.pad(x, [(0, 0), (0, 0), *_pads(padding, kernel, dilation, d)])
    outs = [
        (xp.shape[2 + i] - dilation[i] * (kernel[i] - 1) - 1) // stride[i] + 1 for i in range(d)
    ]
    n, o = x.shape[0], w.shape[0]
    cg, og = x.shape[1] // groups, o // groups
    y = np.zeros((n, o, *outs))
    for g, offset in itertools.product(range(groups), itertools.product(*map(range, kernel))):
        patch = xp[
            (slice(None), slice(g * cg, (g + 1) * cg), *_slices(offset, dilation, stride, outs))
        ]
        weights = w[(slice(g * og, (g + 1) * og), slice(None), *offset)]
        y[:, g * og : (g + 1) * og] += np.einsum("nc...,oc->no...", patch, weights)
    return y if b is None else y + b.reshape(-1, *[1] * d)


def ref_conv_transpose(x, w, b=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    d = x.ndim - 2
    stride, dilation = _tuple(stride, d), _tuple(dilation, d)
    padding, output_padding = _tuple(padding, d), _tuple(output_padding, d)
    kernel, spatial = w.shape[2:], x.shape[2:]
    full = [
        (i - 1) * s + dl * (k - 1) + 1 + op
        for i, s, dl, k, op in zip(spatial, stride, dilation, kernel, output_padding)
    ]
    cg, og = x.shape[1] // groups, w.shape[1]
    y = np.zeros((x.shape[0], og * groups, *full))
    for g, offset in itertools.product(range(groups), itertools.product(*map(range, kernel))):
        target = (
            slice(None),
            slice(g * og, (g + 1) * og),
            *_slices(offset, dilation, stride, spatial),
        )
        y[target] += np.einsum(
            "nc...,co->no...",
            x[:, g * cg : (g + 1) * cg],
            w[(slice(g * cg, (g + 1) * cg), slice(None), *offset)],
        )
    y = y[(slice(None), slice(None), *[slice(p, f - p) for p, f in zip(padding, full)])]
    return y if b is None else y + b.reshape(-1, *[1] * d)


def ref_max_pool(x, kernel_size, stride=None, padding=0, dilation=1):
    d = x.ndim - 2
    kernel = _tuple(kernel_size, d)
    stride = kernel if stride is None else _tuple(stride, d)
    dilation = _tuple(dilation, d)
    xp = np.pad(x, [(0, 0), (0, 0), *_pads(padding, kernel, dilation, d)], constant_values=-np.inf)
    outs = [
        (xp.shape[2 + i] - dilation[i] * (kernel[i] - 1) - 1) // stride[i] + 1 for i in range(d)
    ]
    slices = [
        xp[(slice(None), slice(None), *_slices(o, dilation, stride, outs))]
        for o in itertools.product(*map(range, kernel))
    ]
    return np.max(slices, axis=0)


def ref_avg_pool(x, kernel_size, stride=None, padding=0, count_include_pad=True):
    d = x.ndim - 2
    kernel = _tuple(kernel_size, d)
    stride = kernel if stride is None else _tuple(stride, d)
    pads = _pads(padding, kernel, (1,) * d, d)
    xp = np.pad(x, [(0, 0), (0, 0), *pads])
    ones = np.pad(np.ones_like(x), [(0, 0), (0, 0), *pads])
    outs = [(xp.shape[2 + i] - kernel[i]) // stride[i] + 1 for i in range(d)]
    offsets = list(itertools.product(*map(range, kernel)))
    total = sum(
        xp[(slice(None), slice(None), *_slices(o, (1,) * d, stride, outs))] for o in offsets
    )
    count = sum(
        ones[(slice(None), slice(None), *_slices(o, (1,) * d, stride, outs))] for o in offsets
    )
    return total / (len(offsets) if count_include_pad else count)


# ----------------------------------------------------------------------------- strategies
@st.composite
def conv_case(draw, transposed=False):
    d = draw(st.sampled_from([1, 2]))
    groups = draw(st.integers(1, 2))
    cg, og = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    n = draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(d))
    stride = tuple(draw(st.integers(1, 2)) for _ in range(d))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(d))
    spatial = tuple(draw(st.integers(1, 4)) for _ in range(d))
    kwargs = {"stride": stride, "dilation": dilation, "groups": groups}
    if transposed:
        kwargs["padding"] = tuple(draw(st.integers(0, 1)) for _ in range(d))
        kwargs["output_padding"] = tuple(
            draw(st.integers(0, max(s, dl) - 1)) for s, dl in zip(stride, dilation)
        )
        outs = [
            (i - 1) * s - 2 * p + dl * (k - 1) + op + 1
            for i, s, p, dl, k, op in zip(
                spatial, stride, kwargs["padding"], dilation, kernel, kwargs["output_padding"]
            )
        ]
        assume(min(outs) >= 1)
        x = draw(arrays((n, cg * groups, *spatial)))
        w = draw(arrays((cg * groups, og, *kernel)))
    else:
        padding = draw(st.one_of(st.sampled_from(["same", "valid"]), st.integers(0, 2)))
        if padding == "same":
            kwargs["stride"] = (1,) * d
        kwargs["padding"] = padding
        pads = _pads(padding, kernel, dilation, d)
        assume(
            all(
                s + lo + hi >= dl * (k - 1) + 1
                for s, (lo, hi), dl, k in zip(spatial, pads, dilation, kernel)
            )
        )
        x = draw(arrays((n, cg * groups, *spatial)))
        w = draw(arrays((og * groups, cg, *kernel)))
    if draw(st.booleans()):
        b = draw(arrays((w.shape[1] * groups if transposed else w.shape[0],)))
        return (x, w, b), kwargs
    return (x, w), kwargs


@st.composite
def pool_case(draw, distinct=True, dilated=True):
    d = draw(st.sampled_from([1, 2]))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(d))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(d))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(d)) if dilated else (1,) * d
    padding = tuple(
        draw(st.integers(0, (dl * (k - 1) + 1) // 2)) for k, dl in zip(kernel, dilation)
    )
    spatial = tuple(draw(st.integers(1, 5)) for _ in range(d))
    assume(
        all(
            s + 2 * p >= dl * (k - 1) + 1 for s, p, dl, k in zip(spatial, padding, dilation, kernel)
        )
    )
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), *spatial)
    for size, k, st_, p, dl in zip(spatial, kernel, stride, padding, dilation):
        starts = np.arange((size + 2 * p - dl * (k - 1) - 1) // st_ + 1) * st_ - p
        taps = starts[:, None] + dl * np.arange(k)
        assume(((taps >= 0) & (taps < size)).any(axis=1).all())  # no window of padding only
    x = draw(distinct_arrays(shape) if distinct else arrays(shape))
    kwargs = {"kernel_size": kernel, "stride": stride, "padding": padding}
    if dilated:
        kwargs["dilation"] = dilation
    return (x,), kwargs


def _conv(x, w, b=None, **kw):
    return (F.conv1d if x.ndim == 3 else F.conv2d)(x, w, b, **kw)


def _conv_t(x, w, b=None, **kw):
    return (F.conv_transpose1d if x.ndim == 3 else F.conv_transpose2d)(x, w, b, **kw)


def _max_pool(x, **kw):
    return (F.max_pool1d if x.ndim == 3 else F.max_pool2d)(x, **kw)


def _avg_pool(x, **kw):
    return (F.avg_pool1d if x.ndim == 3 else F.avg_pool2d)(x, **kw)


# ----------------------------------------------------------------------------- op tests
@SMALL
@op_test(_conv, ref_conv, conv_case())
def test_conv(): ...


@SMALL
@op_test(_conv_t, ref_conv_transpose, conv_case(transposed=True))
def test_conv_transpose(): ...


@SMALL
@op_test(_max_pool, ref_max_pool, pool_case())
def test_max_pool(): ...


@SMALL
@op_test(
    lambda x, **kw: _avg_pool(x, count_include_pad=kw.pop("cip"), **kw),
    lambda x, **kw: ref_avg_pool(x, count_include_pad=kw.pop("cip"), **kw),
    pool_case(distinct=False, dilated=False).flatmap(
        lambda c: st.booleans().map(lambda cip: (c[0], {**c[1], "cip": cip}))
    ),
)
def test_avg_pool(): ...


@st.composite
def adaptive_case(draw):
    h, w = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    x = draw(arrays((draw(st.integers(1, 2)), 2, h, w)))
    return (x,), {"output_size": (draw(st.integers(1, 4)), draw(st.integers(1, 4)))}


def ref_adaptive(x, output_size):
    h, w = x.shape[2:]
    oh, ow = output_size
    y = np.zeros((*x.shape[:2], oh, ow))
    for i, j in itertools.product(range(oh), range(ow)):
        rows = slice(i * h // oh, -(-(i + 1) * h // oh))
        cols = slice(j * w // ow, -(-(j + 1) * w // ow))
        y[:, :, i, j] = x[:, :, rows, cols].mean(axis=(2, 3))
    return y


@SMALL
@op_test(F.adaptive_avg_pool2d, ref_adaptive, adaptive_case())
def test_adaptive_avg_pool2d(): ...


@st.composite
def pad_case(draw, mode="constant"):
    ndim = draw(st.integers(2, 4)) if mode != "constant" else draw(st.integers(1, 3))
    shape = tuple(draw(st.integers(1, 3)) for _ in range(ndim))
    x = draw(arrays(shape))
    if mode == "constant":
        k = draw(st.integers(1, ndim))
        amounts = []
        for size in shape[::-1][:k]:
            lo = draw(st.integers(-size // 2, 2))
            amounts += [lo, draw(st.integers(max(-(size + lo), -1), 2))]
        return (x,), {"pad": tuple(amounts), "value": draw(st.sampled_from([0.0, 1.5]))}
    k = draw(st.integers(max(1, ndim - 2), ndim - 1))
    limit = {"reflect": lambda s: s - 1, "replicate": lambda s: 3, "circular": lambda s: s}[mode]
    amounts = []
    for size in shape[::-1][:k]:
        amounts += [draw(st.integers(0, limit(size))), draw(st.integers(0, limit(size)))]
    return (x,), {"pad": tuple(amounts)}


def ref_pad(x, pad, value=0.0, mode="constant"):
    pairs = [(pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)][::-1]
    pairs = [(0, 0)] * (x.ndim - len(pairs)) + pairs
    numpy_mode = {
        "constant": "constant",
        "reflect": "reflect",
        "replicate": "edge",
        "circular": "wrap",
    }[mode]
    grow = [(max(lo, 0), max(hi, 0)) for lo, hi in pairs]
    y = np.pad(
        x, grow, mode=numpy_mode, **({"constant_values": value} if mode == "constant" else {})
    )
    return y[tuple(slice(max(-lo, 0), n - max(-hi, 0)) for (lo, hi), n in zip(pairs, y.shape))]


@SMALL
@op_test(F.pad, ref_pad, pad_case())
def test_pad_constant(): ...


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_pad_modes(mode):
    @SMALL
    @op_test(
        lambda x, pad: F.pad(x, pad, mode=mode),
        lambda x, pad: ref_pad(x, pad, mode=mode),
        pad_case(mode),
    )
    def check(): ...

    check()


# ----------------------------------------------------------------------------- details
def test_conv_forward_in_chunks_matches_one_piece(monkeypatch):
    """Without a weight gradient, forward goes through the batch in chunks."""
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(7, 3, 6, 5)), rng.normal(size=(4, 3, 3, 3))
    expected = ref_conv(x, w, padding=1)
    monkeypatch.setattr(conv_ops, "_CHUNK", 200)  # about 2 samples per chunk
    out = F.conv2d(tg.tensor(x), tg.tensor(w), padding=1)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-12, atol=1e-12)


def test_max_pool_ties_and_nan_pick_the_first():
    x = tg.tensor(np.array([[[1.0, 1.0, 0.0, np.nan, 2.0, 2.0]]]), requires_grad=True)
    y, idx = F.max_pool1d(x, 2, return_indices=True)
    assert idx.tolist() == [[[0, 3, 4]]]
    assert np.isnan(y.detach().numpy()[0, 0, 1])
    y.sum().backward()
    assert x.grad.tolist() == [[[1.0, 0.0, 0.0, 1.0, 1.0, 0.0]]]


def test_max_pool_overlapping_windows_add_gradients():
    x = tg.tensor(np.array([[[0.0, 5.0, 1.0, 0.0]]]), requires_grad=True)
    F.max_pool1d(x, 3, stride=1).sum().backward()  # 5.0 wins both windows
    assert x.grad.tolist() == [[[0.0, 2.0, 0.0, 0.0]]]


def test_unbatched_input_keeps_its_shape():
    x, w = tg.tensor(np.ones((3, 5, 5))), tg.tensor(np.ones((2, 3, 3, 3)))
    assert F.conv2d(x, w).shape == (2, 3, 3)
    assert F.max_pool2d(x, 2).shape == (3, 2, 2)
    assert F.avg_pool2d(x, 2).shape == (3, 2, 2)
