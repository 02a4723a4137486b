r"""Constant padding (``F.pad(x, pad, value=v)``): a border of v around x, or a crop.

``pads`` holds one (before, after) pair per axis of x; a negative amount removes that
many elements instead (PyTorch allows it), so padding by p and by -p undo each other.

Every output element is either a copy of one input element or the constant v, so

    dL/dx = dL/dy with the border removed = Pad(dL/dy, -pads)

(the constant contributes nothing). Cropping is padding's adjoint and padding is
cropping's, so the gradient of a pad is a pad with the opposite amounts, and so on for
gradients of gradients.
"""

from __future__ import annotations

import numpy as np

from tinygrad_edu.autograd.function import Function


class Pad(Function):
    """y = x with ``pads`` (before, after) per axis added (value ``value``) or cropped.

    dL/dx = Pad(dL/dy, -pads): the border's gradient is dropped, a cropped part gets 0.
    """

    fresh_grads = True

    @staticmethod
    def forward(ctx, x, *, pads, value=0.0):
        ctx.pads = pads
        grow = [(max(lo, 0), max(hi, 0)) for lo, hi in pads]
        out = np.pad(x._data, grow, constant_values=value)
        crop = tuple(slice(max(-lo, 0), n - max(-hi, 0)) for (lo, hi), n in zip(pads, out.shape))
        return out[crop]

    @staticmethod
    def backward(ctx, grad):
        return Pad.apply(grad, pads=tuple((-lo, -hi) for lo, hi in ctx.pads))

    @staticmethod
    def jvp(ctx, tx):
        """Forward mode: dy = dx padded with zeros (the constant has no tangent)."""
        return Pad.apply(tx, pads=ctx.pads)
