"""The functional forms of the convolution and pooling layers, and ``pad``.

Re-exported by ``tinygrad_edu.nn.functional`` (``F.conv2d`` ...). The ops themselves live in
``tinygrad_edu.ops.conv``, ``ops.pool`` and ``ops.pad``; this module checks arguments the
way PyTorch does and turns them into the ops' explicit form (one value per spatial axis,
padding as (before, after) pairs).

    conv1d, conv2d            y = W @ Unfold(x) + b      (``ops.conv.Conv``)
    conv_transpose1d/2d       y = Fold(W^T @ x) + b      (the adjoint of conv's input)
    max_pool1d/2d             the maximum of each window (``ops.pool.MaxPool``)
    avg_pool1d/2d             the mean of each window: Unfold, then mean
    adaptive_avg_pool1d/2d    y = A_h @ x @ A_w^T with averaging matrices A
    pad                       constant (``ops.pad.Pad``), reflect, replicate, circular
    unfold, fold              PyTorch's im2col / col2im layout (N, C*kh*kw, L)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from tinygrad_edu.ops.conv import Conv, Fold, Unfold, out_size
from tinygrad_edu.ops.conv import unfold as unfold_array
from tinygrad_edu.ops.pad import Pad
from tinygrad_edu.ops.pool import MaxPool, max_indices
from tinygrad_edu.random import rng
from tinygrad_edu.tensor import Tensor

__all__ = [
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "conv1d",
    "conv2d",
    "conv_transpose1d",
    "conv_transpose2d",
    "dropout2d",
    "fold",
    "max_pool1d",
    "max_pool2d",
    "pad",
    "unfold",
]

IntOrTuple = int | Sequence[int]


def _tuple(value: Any, d: int, name: str, fn: str) -> tuple[int, ...]:
    """An int or a sequence of ``d`` ints as a tuple of ``d`` ints."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return (int(value),) * d
    try:
        values = tuple(int(v) for v in value)
    except TypeError:
        raise TypeError(
            f"{fn}: {name} must be an int or a tuple of {d} ints, got {value!r}"
        ) from None
    if len(values) == 1:
        return values * d
    if len(values) != d:
        raise RuntimeError(
            f"{fn}: expected {name} to be a single integer or a list of {d} ints, got {value!r}"
        )
    return values


def _batched(fn: str, input: Tensor, d: int) -> tuple[Tensor, bool]:
    """``input`` with a batch axis (PyTorch accepts an unbatched (C, *S) too)."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}: input must be a Tensor, got {type(input).__name__}")
    if input.ndim == d + 2:
        return input, False
    if input.ndim == d + 1:
        return input.unsqueeze(0), True
    raise RuntimeError(
        f"Expected {d + 1}D (unbatched) or {d + 2}D (batched) input to {fn}, but got input of "
        f"size: {list(input.shape)}"
    )


def _check_floating(fn: str, *tensors: Tensor | None) -> None:
    dtypes = {t.dtype for t in tensors if t is not None}
    if len(dtypes) > 1:
        names = ", ".join(str(t.dtype) for t in tensors if t is not None)
        raise RuntimeError(f"{fn}: input, weight and bias must share a dtype, got {names}")
    for dt in dtypes:
        if dt.kind != "f":
            raise RuntimeError(f"{fn}: expected a floating-point input, got dtype {dt}")


def _check_same_dtype(fn: str, *tensors: Tensor | None) -> None:
    """conv: one dtype for input, weight and bias; integers are convolved as integers (as
    PyTorch's CPU kernels do), bool is refused."""
    dtypes = {t.dtype for t in tensors if t is not None}
    if len(dtypes) > 1:
        names = ", ".join(str(t.dtype) for t in tensors if t is not None)
        raise RuntimeError(f"{fn}: input, weight and bias must share a dtype, got {names}")
    if any(dt.kind == "b" for dt in dtypes):
        raise NotImplementedError(f'"{fn}" not implemented for bool tensors')


# ============================================================================ convolution
def _conv(fn: str, d: int, input, weight, bias, stride, padding, dilation, groups) -> Tensor:
    x, unbatched = _batched(fn, input, d)
    if not isinstance(weight, Tensor) or weight.ndim != d + 2:
        shape = list(weight.shape) if isinstance(weight, Tensor) else type(weight).__name__
        raise RuntimeError(
            f"{fn}: weight must be a {d + 2}-D tensor (out, in/groups, *kernel), got {shape}"
        )
    _check_same_dtype(fn, x, weight, bias)
    if x.numel() == 0 and x.shape[0] and x.shape[1]:  # empty spatial dims
        raise RuntimeError(
            "Only zero batch or zero channel inputs are supported, but got input shape: "
            f"{list(x.shape)}"
        )
    stride = _tuple(stride, d, "stride", fn)
    dilation = _tuple(dilation, d, "dilation", fn)
    if min(stride) <= 0:
        raise RuntimeError(f"{fn}: non-positive stride is not supported (stride={stride})")
    if min(dilation) <= 0:
        raise RuntimeError(f"{fn}: dilation should be greater than zero (dilation={dilation})")
    if max(dilation) > 1 and x._data.dtype == np.int32:  # (PyTorch's CPU kernels)
        raise NotImplementedError('"slow_conv_dilated<>" not implemented for int32 tensors')
    if not isinstance(groups, (int, np.integer)) or groups <= 0:
        raise RuntimeError(f"{fn}: non-positive groups is not supported (groups={groups})")
    o, cg, *kernel = weight.shape
    if o % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
            f"but got weight of size [{list(weight.shape)}] instead"
        )
    if x.shape[1] != cg * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(weight.shape)}, expected input"
            f"{list(x.shape)} to have {cg * groups} channels, but got {x.shape[1]} channels instead"
        )
    if bias is not None and (not isinstance(bias, Tensor) or bias.shape != (o,)):
        shape = list(bias.shape) if isinstance(bias, Tensor) else type(bias).__name__
        raise RuntimeError(
            f"{fn}: expected bias of shape [{o}] for weight {list(weight.shape)}, got {shape}"
        )
    if isinstance(padding, str):
        if padding == "valid":
            pads = ((0, 0),) * d
        elif padding == "same":
            if max(stride) != 1:
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            total = [dl * (k - 1) for k, dl in zip(kernel, dilation)]
            pads = tuple((t // 2, t - t // 2) for t in total)  # PyTorch puts the odd one after
        else:
            raise RuntimeError(f"Invalid padding string: {padding!r}")
    else:
        p = _tuple(padding, d, "padding", fn)
        if min(p) < 0:
            raise RuntimeError(f"{fn}: negative padding is not supported (padding={p})")
        pads = tuple((q, q) for q in p)
    padded = [s + lo + hi for s, (lo, hi) in zip(x.shape[2:], pads)]
    spans = [dl * (k - 1) + 1 for k, dl in zip(kernel, dilation)]
    if any(s < k for s, k in zip(padded, spans)):
        raise RuntimeError(
            f"{fn}: calculated padded input size per channel: ({' x '.join(map(str, padded))}). "
            f"Kernel size: ({' x '.join(map(str, spans))}). Kernel size can't be greater than "
            "actual input size"
        )
    args = [x, weight] if bias is None else [x, weight, bias]
    out = Conv.apply(*args, stride=stride, padding=pads, dilation=dilation, groups=int(groups))
    return out.squeeze(0) if unbatched else out


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple | str = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> Tensor:
    """1-D convolution (cross-correlation, as in PyTorch) of x (N, C, L) with w (O, C/G, k).

    ``padding`` is a number of zeros on each side, ``'valid'`` (none) or ``'same'`` (the
    output is as long as the input; stride 1 only).
    """
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple | str = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> Tensor:
    """2-D convolution (cross-correlation) of x (N, C, H, W) with w (O, C/G, kh, kw).

    Output size per spatial axis: floor((size + 2 padding - dilation (k - 1) - 1) / stride) + 1.
    See ``ops.conv`` for the sliding-window form and the gradients.
    """
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


def _conv_transpose(
    fn: str, d: int, input, weight, bias, stride, padding, output_padding, groups, dilation
) -> Tensor:
    x, unbatched = _batched(fn, input, d)
    if not isinstance(weight, Tensor) or weight.ndim != d + 2:
        raise RuntimeError(f"{fn}: weight must be a {d + 2}-D tensor (in, out/groups, *kernel)")
    _check_floating(fn, x, weight, bias)
    stride = _tuple(stride, d, "stride", fn)
    dilation = _tuple(dilation, d, "dilation", fn)
    p = _tuple(padding, d, "padding", fn)
    op = _tuple(output_padding, d, "output_padding", fn)
    if min(stride) <= 0 or min(dilation) <= 0 or min(p) < 0 or min(op) < 0:
        raise RuntimeError(
            f"{fn}: stride and dilation must be positive and padding, output_padding >= 0, got "
            f"stride={stride}, dilation={dilation}, padding={p}, output_padding={op}"
        )
    if any(o >= s and o >= dl for o, s, dl in zip(op, stride, dilation)):
        raise RuntimeError(
            f"{fn}: output padding must be smaller than either stride or dilation, but got "
            f"output_padding={op}, stride={stride}, dilation={dilation}"
        )
    cin, og, *kernel = weight.shape
    if x.shape[1] != cin or cin % groups:
        raise RuntimeError(
            f"Given transposed=1, weight of size {list(weight.shape)}, expected "
            f"input{list(x.shape)} to have {cin} channels (divisible by groups={groups}), "
            f"but got {x.shape[1]} channels"
        )
    n, spatial = x.shape[0], x.shape[2:]
    size = tuple(
        (i - 1) * s - 2 * q + dl * (k - 1) + extra + 1
        for i, s, q, dl, k, extra in zip(spatial, stride, p, dilation, kernel, op)
    )
    if min(size) <= 0:
        raise RuntimeError(f"{fn}: the output size {size} would not be positive")
    w = weight.reshape(groups, cin // groups, -1).transpose(-1, -2)  # (G, O/G*K, C/G)
    cols = w @ x.reshape(n, groups, cin // groups, -1)  # (N, G, O/G*K, L)
    cols = cols.reshape(n, og * groups, *kernel, *spatial)
    out = Fold.apply(
        cols, size=size, stride=stride, dilation=dilation, padding=tuple((q, q) for q in p)
    )
    if bias is not None:
        out = out + bias.reshape(-1, *[1] * d)
    return out.squeeze(0) if unbatched else out


def conv_transpose1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    output_padding: IntOrTuple = 0,
    groups: int = 1,
    dilation: IntOrTuple = 1,
) -> Tensor:
    """The transpose of conv1d (its gradient with respect to its input); w (C, O/G, k)."""
    return _conv_transpose(
        "conv_transpose1d",
        1,
        input,
        weight,
        bias,
        stride,
        padding,
        output_padding,
        groups,
        dilation,
    )


def conv_transpose2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    output_padding: IntOrTuple = 0,
    groups: int = 1,
    dilation: IntOrTuple = 1,
) -> Tensor:
    """The transpose of conv2d ("deconvolution"): y = Fold(W^T @ x) + b, w (C, O/G, kh, kw).

    Each input pixel spreads a weighted copy of the kernel into the output; overlapping
    copies add. That is exactly conv2d's gradient with respect to its input, so the output
    size is (size - 1) stride - 2 padding + dilation (k - 1) + output_padding + 1.
    """
    return _conv_transpose(
        "conv_transpose2d",
        2,
        input,
        weight,
        bias,
        stride,
        padding,
        output_padding,
        groups,
        dilation,
    )


# ============================================================================ pooling
def _pool_args(fn: str, d: int, kernel_size, stride, padding, dilation):
    kernel = _tuple(kernel_size, d, "kernel_size", fn)
    stride = (
        kernel
        if stride is None or stride == [] or stride == ()
        else _tuple(stride, d, "stride", fn)
    )
    p = _tuple(padding, d, "padding", fn)
    dilation = _tuple(dilation, d, "dilation", fn)
    if min(kernel) <= 0 or min(stride) <= 0 or min(dilation) <= 0:
        raise RuntimeError(
            f"{fn}: kernel_size, stride and dilation must be greater than zero, got "
            f"kernel_size={kernel}, stride={stride}, dilation={dilation}"
        )
    for q, k, dl in zip(p, kernel, dilation):
        if q < 0 or q > (dl * (k - 1) + 1) // 2:
            raise RuntimeError(
                f"pad should be at most half of effective kernel size, but got pad={q}, "
                f"kernel_size={k} and dilation={dl}"
            )
    return kernel, stride, p, dilation


def _pool_pads(fn, x, kernel, stride, p, dilation, ceil_mode) -> tuple[tuple[int, int], ...]:
    """(before, after) per axis; ceil_mode pads the end so that a last partial window fits."""
    pads = []
    for size, k, s, q, dl in zip(x.shape[2:], kernel, stride, p, dilation):
        span = dl * (k - 1) + 1
        if ceil_mode:
            n = -(-(size + 2 * q - span) // s) + 1
            if (n - 1) * s >= size + q:  # the last window must start inside the input
                n -= 1
        else:
            n = (size + 2 * q - span) // s + 1
        if n <= 0:
            raise RuntimeError(
                f"{fn}: given input size {tuple(x.shape[1:])}, the calculated output size is "
                f"not positive (kernel_size={kernel}, stride={stride}, padding={p})"
            )
        pads.append((q, max((n - 1) * s + span - size - q, q)))
    return tuple(pads)


def _max_pool(fn, d, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    x, unbatched = _batched(fn, input, d)
    if x._data.dtype.kind == "b":
        raise NotImplementedError(f'"{fn}" not implemented for bool tensors')
    kernel, stride, p, dilation = _pool_args(fn, d, kernel_size, stride, padding, dilation)
    pads = _pool_pads(fn, x, kernel, stride, p, dilation, ceil_mode)
    args = {"kernel": kernel, "stride": stride, "dilation": dilation, "padding": pads}
    out = MaxPool.apply(x, **args)
    if unbatched:
        out = out.squeeze(0)
    if not return_indices:
        return out
    idx = max_indices(x._data, **args)
    return out, Tensor(idx[0] if unbatched else idx)


def max_pool1d(
    input: Tensor,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """The maximum of each window of x (N, C, L); ``stride`` defaults to ``kernel_size``."""
    return _max_pool(
        "max_pool1d", 1, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices
    )


def max_pool2d(
    input: Tensor,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """The maximum of each window of x (N, C, H, W); padding counts as -inf.

    With ``return_indices=True`` also each maximum's flat index into its H*W plane.
    """
    return _max_pool(
        "max_pool2d", 2, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices
    )


def _avg_pool(
    fn, d, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
):
    x, unbatched = _batched(fn, input, d)
    if x._data.dtype.kind == "b" or x._data.dtype == np.int32:  # (PyTorch's CPU kernels)
        raise NotImplementedError(f'"{fn}" not implemented for {x._data.dtype} tensors')
    kernel, stride, p, dilation = _pool_args(fn, d, kernel_size, stride, padding, 1)
    pads = _pool_pads(fn, x, kernel, stride, p, dilation, ceil_mode)
    cols = Unfold.apply(x, kernel=kernel, stride=stride, dilation=dilation, padding=pads)
    total = cols.sum(tuple(range(2, 2 + d)))
    exact = all(lo == hi for lo, hi in pads)  # no ceil_mode overhang past the padding
    if divisor_override:
        out = total / divisor_override
    elif exact and (count_include_pad or not any(p)):
        out = total / math.prod(kernel)
    else:  # divide by how many counted elements each window covers
        if count_include_pad:  # the input and its padding count; a ceil_mode overhang not
            ones = np.ones((1, 1, *[s + 2 * q for s, q in zip(x.shape[2:], p)]), x.dtype)
            extra = tuple((0, hi - lo) for lo, hi in pads)
        else:  # only the input's own elements count
            ones, extra = np.ones((1, 1, *x.shape[2:]), x.dtype), pads
        count = unfold_array(ones, kernel, stride, dilation, extra).sum(tuple(range(2, 2 + d)))
        out = total / Tensor(count)
    if x._data.dtype.kind in "iu":  # int64: PyTorch divides as C++ does, rounding toward 0
        out = Tensor(np.trunc(out._data).astype(x._data.dtype))
    return out.squeeze(0) if unbatched else out


def avg_pool1d(
    input: Tensor,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """The mean of each window of x (N, C, L); see ``avg_pool2d``."""
    return _avg_pool(
        "avg_pool1d", 1, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None
    )


def avg_pool2d(
    input: Tensor,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """The mean of each window of x (N, C, H, W): Unfold, then a mean over the window.

    Zero padding counts in the mean unless ``count_include_pad=False``. Linear in x, so its
    gradient spreads g / (window size) back over each window (Unfold's backward, Fold).
    """
    return _avg_pool(
        "avg_pool2d",
        2,
        input,
        kernel_size,
        stride,
        padding,
        ceil_mode,
        count_include_pad,
        divisor_override,
    )


def _averaging_matrix(size: int, out: int, dtype: np.dtype) -> np.ndarray:
    """A (out, size): row i averages x[floor(i size / out) : ceil((i + 1) size / out)]."""
    a = np.zeros((out, size), dtype=dtype)
    for i in range(out):  # one row per output element: out is small (the pooled size)
        start, end = (i * size) // out, -(-((i + 1) * size) // out)
        a[i, start:end] = 1.0 / (end - start)
    return a


def _adaptive_avg_pool(fn: str, d: int, input: Tensor, output_size: Any) -> Tensor:
    x, unbatched = _batched(fn, input, d)
    if x._data.dtype.kind != "f":
        raise RuntimeError(
            f"{fn}: mean(): could not infer output dtype. Input dtype must be a floating point "
            f"dtype, got {x._data.dtype}"
        )
    sizes = output_size if isinstance(output_size, (tuple, list)) else (output_size,) * d
    if len(sizes) != d:
        raise ValueError(f"{fn}: output_size must be an int or {d} ints, got {output_size!r}")
    sizes = tuple(s if s is not None else n for s, n in zip(sizes, x.shape[2:]))
    if min(sizes) < 0:
        raise RuntimeError(f"{fn}: output_size must be >= 0, got {sizes}")
    out = x
    for axis, (size, n) in enumerate(zip(sizes, x.shape[2:])):
        a = Tensor(_averaging_matrix(n, size, x.dtype))
        # the last axis: multiply by A^T from the right; the one before: by A from the left
        out = out @ a.T if axis == d - 1 else a @ out
    return out.squeeze(0) if unbatched else out


def adaptive_avg_pool1d(input: Tensor, output_size: int) -> Tensor:
    """Average pooling that produces exactly ``output_size`` values per channel."""
    return _adaptive_avg_pool("adaptive_avg_pool1d", 1, input, output_size)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Average pooling to exactly ``output_size`` (h, w) per channel (None keeps a size).

    Output row i averages input rows floor(i H / h) to ceil((i + 1) H / h) (windows may
    overlap when H is not a multiple of h). Written as y = A_h @ x @ A_w^T with constant
    averaging matrices, so its gradient is A_h^T @ g @ A_w, from matmul's rule.
    """
    return _adaptive_avg_pool("adaptive_avg_pool2d", 2, input, output_size)


# ============================================================================ im2col
def unfold(
    input: Tensor,
    kernel_size: IntOrTuple,
    dilation: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    stride: IntOrTuple = 1,
) -> Tensor:
    """im2col: the sliding windows of x (N, C, H, W) as columns, (N, C*kh*kw, L)."""
    x, unbatched = _batched("unfold", input, 2)
    kernel = _tuple(kernel_size, 2, "kernel_size", "unfold")
    p = _tuple(padding, 2, "padding", "unfold")
    args = {
        "stride": _tuple(stride, 2, "stride", "unfold"),
        "dilation": _tuple(dilation, 2, "dilation", "unfold"),
        "padding": tuple((q, q) for q in p),
    }
    cols = Unfold.apply(x, kernel=kernel, **args)
    out = cols.reshape(x.shape[0], x.shape[1] * math.prod(kernel), -1)
    return out.squeeze(0) if unbatched else out


def fold(
    input: Tensor,
    output_size: IntOrTuple,
    kernel_size: IntOrTuple,
    dilation: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    stride: IntOrTuple = 1,
) -> Tensor:
    """col2im, the adjoint of ``unfold``: columns (N, C*kh*kw, L) summed into (N, C, H, W)."""
    cols, unbatched = (input, False) if input.ndim == 3 else (input.unsqueeze(0), True)
    size = _tuple(output_size, 2, "output_size", "fold")
    kernel = _tuple(kernel_size, 2, "kernel_size", "fold")
    stride = _tuple(stride, 2, "stride", "fold")
    dilation = _tuple(dilation, 2, "dilation", "fold")
    pads = tuple((q, q) for q in _tuple(padding, 2, "padding", "fold"))
    outs = [
        out_size(s, k, st, dl, q) for s, k, st, dl, q in zip(size, kernel, stride, dilation, pads)
    ]
    n, ck, length = cols.shape
    if ck % math.prod(kernel) or length != math.prod(outs):
        raise RuntimeError(
            f"fold: expected input of shape (N, C*{math.prod(kernel)}, {math.prod(outs)}) for "
            f"output_size={size}, kernel_size={kernel}, got {tuple(input.shape)}"
        )
    cols = cols.reshape(n, ck // math.prod(kernel), *kernel, *outs)
    out = Fold.apply(cols, size=size, stride=stride, dilation=dilation, padding=pads)
    return out.squeeze(0) if unbatched else out


# ============================================================================ padding
_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def pad(
    input: Tensor, pad: Sequence[int], mode: str = "constant", value: float | None = None
) -> Tensor:
    """Pad the last len(pad) / 2 axes: ``pad`` = (last_before, last_after, prev_before, ...).

    ``mode='constant'`` fills with ``value`` (0 by default); negative amounts crop. The
    other modes copy elements of x: ``'reflect'`` mirrors without repeating the edge,
    ``'replicate'`` repeats the edge, ``'circular'`` wraps around. They are indexing with a
    fixed index array, so their gradient adds each output's gradient into its source.
    """
    if not isinstance(input, Tensor):
        raise TypeError(f"pad: input must be a Tensor, got {type(input).__name__}")
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    k = len(pad) // 2
    if k > input.ndim:
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but "
            f"got padding length {len(pad)} and input of dimension {input.ndim}"
        )
    pairs = [(pad[2 * i], pad[2 * i + 1]) for i in range(k)][::-1]  # first padded axis first
    if mode == "constant":
        pads = ((0, 0),) * (input.ndim - k) + tuple(pairs)
        for axis, (lo, hi) in enumerate(pads):  # negative amounts crop first, as in PyTorch
            if input.shape[axis] + min(lo, 0) + min(hi, 0) < 0:
                raise RuntimeError(
                    f"pad: cropping dimension {axis} of size {input.shape[axis]} by "
                    f"({lo}, {hi}) leaves a negative length"
                )
        return Pad.apply(input, pads=pads, value=0.0 if value is None else float(value))
    if mode not in _MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if mode in ("reflect", "replicate") and input._data.dtype.kind == "b":
        raise NotImplementedError(f'"{mode}_pad" not implemented for bool tensors')
    if k not in (1, 2, 3) or input.ndim not in (k + 1, k + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.ndim}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
        )
    out = input
    for i, (lo, hi) in enumerate(pairs):
        axis = input.ndim - k + i
        n = input.shape[axis]
        if mode == "reflect" and max(lo, hi) >= n:
            raise RuntimeError(
                f"Argument #4: Padding size should be less than the corresponding input dimension, "
                f"but got: padding ({lo}, {hi}) at dimension {axis} of input {list(input.shape)}"
            )
        if mode == "circular" and max(lo, hi) > n:
            raise RuntimeError(
                f"Padding value causes wrapping around more than once: padding ({lo}, {hi}) at "
                f"dimension {axis} of size {n}"
            )
        index = np.arange(n)
        index = np.pad(index, (max(lo, 0), max(hi, 0)), mode=_MODES[mode])
        index = index[max(-lo, 0) : len(index) - max(-hi, 0)]
        out = out[(slice(None),) * axis + (index,)]
    return out


# ============================================================================ dropout
def dropout2d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Zero whole channels of (N, C, H, W) (or (C, H, W)) with probability p; scale the kept
    ones by 1 / (1 - p). One draw per (sample, channel), broadcast over the map."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if input.ndim not in (3, 4):
        raise RuntimeError(
            f"dropout2d: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape "
            f"{tuple(input.shape)}"
        )
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    keep = rng().random(input.shape[:-2] + (1, 1)) >= p
    return input * Tensor((keep / (1.0 - p)).astype(input.dtype))
