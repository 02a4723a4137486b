"""Convolution layers: ``Conv1d``, ``Conv2d``, ``ConvTranspose1d``, ``ConvTranspose2d``.

Each holds a weight and an optional bias and calls the functional form (see
``nn.functional_cnn`` and ``ops.conv`` for the math). Parameter shapes, initialisation and
``state_dict`` keys are PyTorch's:

    ConvNd            weight (out_channels, in_channels / groups, *kernel_size), bias (out,)
    ConvTransposeNd   weight (in_channels, out_channels / groups, *kernel_size), bias (out,)

Initialisation: weight by ``kaiming_uniform_(a=sqrt(5))``, i.e. U(-1/sqrt(fan_in),
1/sqrt(fan_in)), and bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)), where fan_in is
weight.shape[1] * prod(kernel_size).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tinygrad_edu import dtypes
from tinygrad_edu.nn import functional as F
from tinygrad_edu.nn import init
from tinygrad_edu.nn.module import Module, Parameter
from tinygrad_edu.tensor import Tensor

__all__ = ["Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d"]


def _ntuple(value: Any, d: int) -> tuple[int, ...]:
    if isinstance(value, (int, np.integer)):
        return (int(value),) * d
    return tuple(int(v) for v in value)


class _ConvNd(Module):
    """What the convolution layers share: checking arguments, parameters, initialisation."""

    _dims = 2
    _transposed = False

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
        output_padding: Any = 0,
    ) -> None:
        super().__init__()
        d = self._dims
        if device not in (None, "cpu"):
            raise RuntimeError(f"tinygrad_edu runs on the CPU only; got device {device!r}")
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(
                    f"Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}"
                )
            if padding == "same" and any(s != 1 for s in _ntuple(stride, d)):
                raise ValueError("padding='same' is not supported for strided convolutions")
        modes = ("zeros", "reflect", "replicate", "circular")
        if padding_mode not in modes:
            raise ValueError(
                f"padding_mode must be one of {modes}, but got padding_mode='{padding_mode}'"
            )
        if self._transposed and padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = _ntuple(kernel_size, d)
        self.stride = _ntuple(stride, d)
        self.padding = padding if isinstance(padding, str) else _ntuple(padding, d)
        self.dilation = _ntuple(dilation, d)
        self.output_padding = _ntuple(output_padding, d)
        self.groups = groups
        self.padding_mode = padding_mode
        self.transposed = self._transposed
        dtype = dtypes.get_default_dtype() if dtype is None else np.dtype(dtype)
        if self._transposed:
            shape = (in_channels, out_channels // groups, *self.kernel_size)
        else:
            shape = (out_channels, in_channels // groups, *self.kernel_size)
        self.weight = Parameter(np.empty(shape, dtype=dtype))
        if bias:
            self.bias = Parameter(np.empty((out_channels,), dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's initialisation (see the module docstring), from the library's generator."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1] * math.prod(self.kernel_size)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def _conv(self, fn: Any, input: Tensor) -> Tensor:
        """fn(input, ...) with this layer's options; a padding_mode other than 'zeros' pads
        first with ``F.pad`` (reflect, replicate, circular) and convolves without padding."""
        padding = self.padding
        if self.padding_mode != "zeros":
            d = self._dims
            if padding == "same":
                total = [dl * (k - 1) for k, dl in zip(self.kernel_size, self.dilation)]
                pairs = [(t // 2, t - t // 2) for t in total]
            else:
                pairs = [(p, p) for p in (padding if padding != "valid" else (0,) * d)]
            amounts = [a for lo_hi in reversed(pairs) for a in lo_hi]  # last axis first
            input = F.pad(input, amounts, mode=self.padding_mode)
            padding = 0
        return fn(input, self.weight, self.bias, self.stride, padding, self.dilation, self.groups)

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}"
        s += f", stride={self.stride}"
        if self.padding != (0,) * self._dims:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * self._dims:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * self._dims:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv1d(_ConvNd):
    """1-D convolution over (N, C_in, L) -> (N, C_out, L_out); see ``F.conv1d``."""

    _dims = 1

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
            padding_mode, device, dtype,
        )  # fmt: skip

    def forward(self, input: Tensor) -> Tensor:
        return self._conv(F.conv1d, input)


class Conv2d(_ConvNd):
    """2-D convolution over (N, C_in, H, W) -> (N, C_out, H_out, W_out); see ``F.conv2d``.

    ``Conv2d(1, 32, 3)`` slides 32 filters of shape (1, 3, 3) over a one-channel image: a
    28x28 MNIST digit gives 32 maps of 26x26.
    """

    _dims = 2

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(
            in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
            padding_mode, device, dtype,
        )  # fmt: skip

    def forward(self, input: Tensor) -> Tensor:
        return self._conv(F.conv2d, input)


class _ConvTransposeNd(_ConvNd):
    _transposed = True

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        output_padding: Any = 0,
        groups: int = 1,
        bias: bool = True,
        dilation: Any = 1,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        if isinstance(padding, str):
            raise ValueError(f"{type(self).__name__}: padding must be a number, got {padding!r}")
        super().__init__(
            in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias,
            padding_mode, device, dtype, output_padding,
        )  # fmt: skip

    def forward(self, input: Tensor, output_size: Any = None) -> Tensor:
        output_padding = self.output_padding
        if output_size is not None:  # the output_padding that gives exactly this size
            d = self._dims
            size = tuple(output_size)[-d:]
            smallest = [
                (i - 1) * s - 2 * p + dl * (k - 1) + 1
                for i, s, p, dl, k in zip(
                    input.shape[-d:], self.stride, self.padding, self.dilation, self.kernel_size
                )
            ]
            for want, low, s in zip(size, smallest, self.stride):
                if not low <= want < low + s:
                    raise ValueError(
                        f"requested an output size of {list(size)}, but valid sizes range from "
                        f"{smallest} to {[lo + st - 1 for lo, st in zip(smallest, self.stride)]} "
                        f"(for an input of {list(input.shape[-d:])})"
                    )
            output_padding = tuple(w - lo for w, lo in zip(size, smallest))
        fn = F.conv_transpose1d if self._dims == 1 else F.conv_transpose2d
        return fn(
            input, self.weight, self.bias, self.stride, self.padding, output_padding,
            self.groups, self.dilation,
        )  # fmt: skip


class ConvTranspose1d(_ConvTransposeNd):
    """The transpose of Conv1d (its input gradient) as a layer; see ``F.conv_transpose1d``."""

    _dims = 1


class ConvTranspose2d(_ConvTransposeNd):
    """The transpose of Conv2d, an upsampling layer: (N, C_in, H, W) -> (N, C_out, H', W')
    with H' = (H - 1) stride - 2 padding + dilation (k - 1) + output_padding + 1."""

    _dims = 2
