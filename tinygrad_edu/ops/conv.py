r"""Convolution as sliding windows and one matrix product (1-D and 2-D, any stride,
padding, dilation and groups).

Take one input x of shape (N, C, H, W) and weights w of shape (O, C, kh, kw) (one group).
Output pixel (n, o, i, j) is a dot product of w[o] with the window of x under it:

    y[n, o, i, j] = b[o] + sum_{c, p, q} w[o, c, p, q] * xp[n, c, i*s + p*d, j*s + q*d]

where xp is x padded with zeros, s the stride and d the dilation. Gather every window once,

    cols[n, (c, p, q), (i, j)] = xp[n, c, i*s + p*d, j*s + q*d]        ("im2col", ``Unfold``)

and the convolution is a matrix product, W (O, C*kh*kw) @ cols:

    y[n] = W @ cols[n] + b                                     (O, H_out * W_out)

In practice the windows of all N samples are put side by side, cols (C*kh*kw, N*L), so the
whole batch is ONE product W @ cols (big matrices keep BLAS busy; see ``Conv``).
Its gradient follows from the matrix product's (see ops/matmul.py), with g = dL/dy laid
out the same way, (O, N*L):

    dL/dW    = g @ cols^T              one product: the sum over the batch is inside it
    dL/db    = sum of g over n, i, j
    dL/dcols = W^T @ g
    dL/dx    = Fold(dL/dcols)

``Fold`` ("col2im") is the adjoint of ``Unfold``: each entry of cols is a copy of one
input pixel, so the pixel's gradient is the sum of the gradients of all its copies; Fold
adds every window back in place (overlapping windows add up) and drops the padding.
Unfold and Fold are both linear and each is the other's adjoint, so each one's backward
is the other: that makes gradients of gradients (``create_graph=True``) come for free.

With ``groups`` = G the channels split into G independent convolutions: cols is seen as
(G, C/G * kh * kw, N*L) and W as (G, O/G, C/G * kh * kw); the products are batched over G.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from tinygrad_edu.autograd.forward_ad import sum_tangents
from tinygrad_edu.autograd.function import Function
from tinygrad_edu.autograd.grad_mode import GradMode
from tinygrad_edu.tensor import Tensor

Pairs = tuple[tuple[int, int], ...]


def out_size(size: int, kernel: int, stride: int, dilation: int, pad: tuple[int, int]) -> int:
    """How many windows fit: floor((size + pads - dilation (kernel - 1) - 1) / stride) + 1."""
    return (size + pad[0] + pad[1] - dilation * (kernel - 1) - 1) // stride + 1


def unfold(
    x: np.ndarray,
    kernel: tuple[int, ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    padding: Pairs,
    value: float = 0.0,
) -> np.ndarray:
    """The windows of ``x`` (N, C, *S) as a strided view of shape (N, C, *kernel, *out).

    ``padding`` holds (before, after) per spatial axis, filled with ``value``. The view
    shares memory with x (or with its padded copy): copy it before writing to it.
    """
    d = len(kernel)
    if any(p for pair in padding for p in pair):
        x = np.pad(x, ((0, 0), (0, 0), *padding), constant_values=value)
    spans = tuple(dl * (k - 1) + 1 for k, dl in zip(kernel, dilation))
    windows = sliding_window_view(x, spans, axis=tuple(range(2, 2 + d)))  # (N, C, *O', *span)
    windows = windows[
        (slice(None), slice(None))
        + tuple(slice(None, None, s) for s in stride)
        + tuple(slice(None, None, dl) for dl in dilation)
    ]
    return windows.transpose(0, 1, *range(2 + d, 2 + 2 * d), *range(2, 2 + d))


def fold(
    cols: np.ndarray,
    size: tuple[int, ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    padding: Pairs,
) -> np.ndarray:
    """The adjoint of ``unfold``: add windows (N, C, *kernel, *out) back into (N, C, *size).

    One slice-add per kernel offset (9 for a 3x3 kernel), each moving a whole
    (N, C, *out) block, so there is no loop over pixels.
    """
    d = len(size)
    n, c = cols.shape[:2]
    kernel, outs = cols.shape[2 : 2 + d], cols.shape[2 + d :]
    padded = tuple(s + lo + hi for s, (lo, hi) in zip(size, padding))
    out = np.zeros((n, c, *padded), dtype=cols.dtype)
    for offset in itertools.product(*[range(k) for k in kernel]):
        target = tuple(
            slice(k * dl, k * dl + st * (o - 1) + 1, st)
            for k, dl, st, o in zip(offset, dilation, stride, outs)
        )
        out[(slice(None), slice(None), *target)] += cols[(slice(None), slice(None), *offset)]
    return out[
        (slice(None), slice(None), *[slice(lo, lo + s) for s, (lo, _) in zip(size, padding)])
    ]


class Unfold(Function):
    """cols = the windows of x (N, C, *S) as (N, C, *kernel, *out): each is a copy of pixels.

    Linear in x, with adjoint Fold:   dL/dx = Fold(dL/dcols).
    ``outs`` keeps only the first windows per axis (Fold's backward needs exactly as many
    windows as Fold was given; a transposed convolution's output_padding adds room for more).
    """

    fresh_grads = True

    @staticmethod
    def forward(ctx, x, *, kernel, stride, dilation, padding, outs=None):
        ctx.args = {"stride": stride, "dilation": dilation, "padding": padding}
        ctx.size = x.shape[2:]
        windows = unfold(x._data, kernel, stride, dilation, padding)
        if outs is not None:
            windows = windows[(Ellipsis, *[slice(o) for o in outs])]
        cols = np.ascontiguousarray(windows)
        # a 1x1 kernel's windows can be x itself: copy, so that cols never shares x's memory
        return cols.copy() if np.may_share_memory(cols, x._data) else cols

    @staticmethod
    def backward(ctx, grad):
        return Fold.apply(grad, size=ctx.size, **ctx.args)

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dcols = Unfold(dx) (the op is linear)."""
        d = len(ctx.size)
        kernel, outs = ctx.output.shape[2 : 2 + d], ctx.output.shape[2 + d :]
        return Unfold.apply(tx, kernel=kernel, outs=outs, **ctx.args)


class Fold(Function):
    """x = the windows cols (N, C, *kernel, *out) added back into (N, C, *size) ("col2im").

    Linear in cols, with adjoint Unfold:   dL/dcols = Unfold(dL/dx).
    """

    fresh_grads = True

    @staticmethod
    def forward(ctx, cols, *, size, stride, dilation, padding):
        ctx.args = {"stride": stride, "dilation": dilation, "padding": padding}
        ctx.kernel = cols.shape[2 : 2 + len(size)]
        ctx.outs = cols.shape[2 + len(size) :]
        return fold(cols._data, size, stride, dilation, padding)

    @staticmethod
    def backward(ctx, grad):
        return Unfold.apply(grad, kernel=ctx.kernel, outs=ctx.outs, **ctx.args)

    @staticmethod
    def jvp(ctx, tcols):
        """Forward mode: dx = Fold(dcols) (the op is linear)."""
        return Fold.apply(tcols, size=ctx.output.shape[2:], **ctx.args)


_CHUNK = 1 << 22  # window elements per chunk when forward need not keep them (16 MiB in f32)


def _windows_per_sample(size, kernel, stride, padding, dilation, groups) -> int:
    """How many output positions one sample has (the L of its windows)."""
    return math.prod(
        out_size(s, k, st, dl, p)
        for s, k, st, dl, p in zip(size, kernel, stride, dilation, padding)
    )


class Conv(Function):
    """y = conv(x, w) + b over 1 or 2 spatial axes: x (N, C, *S), w (O, C/G, *k), b (O,).

    The windows of the whole batch side by side make one matrix per group,
    cols (G, C/G*K, N*L) (K kernel positions, L output positions per sample), so that

        y = W @ cols + b                 W: (G, O/G, C/G*K), one matrix product per group

    With g = dL/dy laid out the same way, (G, O/G, N*L) (see the module docstring):

        dL/dW = g @ cols^T,    dL/dx = Fold(W^T @ g),    dL/db = sum of g over n and positions.

    Forward keeps cols for dL/dW; with ``create_graph=True`` backward recomputes it as
    ``Unfold(x)`` instead, so that dL/dW stays connected to x in the graph.
    """

    fresh_grads = True

    @staticmethod
    def forward(ctx, x, weight, bias=None, *, stride, padding, dilation, groups):
        w = weight._data
        o, kernel = w.shape[0], w.shape[2:]
        w = w.reshape(groups, o // groups, -1)  # (G, O/G, C/G*K)
        ctx.args = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
        keep = ctx.needs_input_grad[1]  # dL/dW will need the windows: keep them
        # Without that, go through the batch in chunks of about _CHUNK window elements, so
        # that evaluating a large batch never holds all its windows at once.
        per_sample = w.shape[-1] * groups * _windows_per_sample(x.shape[2:], kernel, **ctx.args)
        step = x.shape[0] if keep else max(1, _CHUNK // max(per_sample, 1))
        outs = []
        for start in range(0, x.shape[0], step):
            windows = unfold(x._data[start : start + step], kernel, stride, dilation, padding)
            cols = _batch_matrix(windows, groups)  # (G, C/G*K, N*L): the one copy
            n, spatial = windows.shape[0], windows.shape[2 + len(kernel) :]
            y = np.matmul(w, cols).reshape(o, n, *spatial)  # (G, O/G, N*L) -> (O, N, *out)
            outs.append(np.ascontiguousarray(y.swapaxes(0, 1)))
            if keep:
                ctx.cols = cols
        out = outs[0] if len(outs) == 1 else np.concatenate(outs)
        if bias is not None:
            out += bias._data.reshape(o, *[1] * len(kernel))
        return out

    @staticmethod
    def backward(ctx, grad):
        x, weight = ctx.inputs[:2]
        needs = ctx.needs_input_grad
        groups = ctx.args["groups"]
        n, o, spatial = grad.shape[0], grad.shape[1], grad.shape[2:]
        kernel = weight.shape[2:]
        window = {k: ctx.args[k] for k in ("stride", "dilation", "padding")}
        # g: (N, O, *out) -> (G, O/G, N*L), the layout of W @ cols
        g = grad.transpose(0, 1).reshape(groups, o // groups, -1)
        gx = gw = gb = None
        if needs[0]:
            w = weight.reshape(groups, o // groups, -1)  # (G, O/G, C/G*K)
            gcols = (w.transpose(-1, -2) @ g).reshape(x.shape[1], *kernel, n, *spatial)
            d = len(kernel)  # (C, *K, N, *out) -> (N, C, *K, *out), Fold's layout (a view)
            gcols = gcols.permute(1 + d, 0, *range(1, 1 + d), *range(2 + d, 2 + 2 * d))
            gx = Fold.apply(gcols, size=x.shape[2:], **window)
        if needs[1]:
            if GradMode.enabled:  # create_graph: cols must stay a function of x
                cols = Unfold.apply(x, kernel=kernel, **window)
                cols = _batch_matrix_tensor(cols, groups)
            else:
                cols = Tensor._make(ctx.cols, False, None)
            gw = (g @ cols.transpose(-1, -2)).reshape(weight.shape)
        if len(needs) == 3 and needs[2]:
            gb = grad.sum((0, *range(2, grad.ndim)))
        return (gx, gw, gb)[: len(needs)]

    @staticmethod
    def jvp(ctx, tx, tw, tb=None):
        """Forward mode: dy = conv(dx, w) + conv(x, dw) + db (bilinear in x and w)."""
        x, weight = ctx.inputs[:2]
        dy_x = Conv.apply(tx, weight, **ctx.args) if tx is not None else None
        dy_w = Conv.apply(x, tw, **ctx.args) if tw is not None else None
        dy_b = tb.reshape(-1, *[1] * (x.ndim - 2)) if tb is not None else None
        return sum_tangents(dy_x, dy_w, dy_b)


def _batch_order(d: int) -> tuple[int, ...]:
    """The axes of windows (N, C, *K, *out) in the order (C, *K, N, *out)."""
    return (1, *range(2, 2 + d), 0, *range(2 + d, 2 + 2 * d))


def _batch_matrix(windows: np.ndarray, groups: int) -> np.ndarray:
    """Windows (N, C, *K, *out) as one matrix per group, (G, C/G*K, N*L) (a copy)."""
    d = (windows.ndim - 2) // 2
    return windows.transpose(_batch_order(d)).reshape(
        groups, -1, windows.shape[0] * math.prod(windows.shape[2 + d :])
    )


def _batch_matrix_tensor(cols: Tensor, groups: int) -> Tensor:
    """``_batch_matrix`` with Tensor ops (for backward with create_graph=True)."""
    d = (cols.ndim - 2) // 2
    n_l = cols.shape[0] * math.prod(cols.shape[2 + d :])
    return cols.permute(*_batch_order(d)).reshape(groups, -1, n_l)
