"""Custom ops with PyTorch's API: subclass Function, forward(ctx, ...) / backward(ctx, ...),
ctx.save_for_backward / ctx.saved_tensors, MyOp.apply(...); checked by gradcheck."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.autograd import Function, GradcheckError, gradcheck, gradgradcheck


class Cube(Function):
    """y = x^3.   dy/dx = 3 x^2.   (The README's example, verbatim.)"""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.power(x._data, 3)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 3 * x * x


class MulAdd(Function):
    """PyTorch style: forward computes with Tensor ops and returns a Tensor.

    z = x * y + alpha.   dz/dx = y,  dz/dy = x.
    """

    @staticmethod
    def forward(ctx, x, y, alpha=1.0):
        ctx.save_for_backward(x, y)
        return x * y + alpha

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        gx = grad_output * y if ctx.needs_input_grad[0] else None
        gy = grad_output * x if ctx.needs_input_grad[1] else None
        return gx, gy, None


def double(*shape):
    return tg.randn(*shape, dtype=tg.float64, requires_grad=True)


def test_readme_cube_passes_gradcheck_and_gradgradcheck():
    tg.manual_seed(0)
    x = double(5)
    assert gradcheck(Cube.apply, (x,))
    assert gradgradcheck(Cube.apply, (x,))
    y = Cube.apply(x)
    assert y.grad_fn.name() == "CubeBackward" and y.requires_grad
    np.testing.assert_allclose(y._data, x._data**3)


def test_forward_returning_a_tensor_made_with_tensor_ops():
    tg.manual_seed(1)
    x, y = double(3, 2), double(2)
    z = MulAdd.apply(x, y, 0.5)
    assert (
        type(z._data) is np.ndarray and z.shape == (3, 2) and z.grad_fn.name() == "MulAddBackward"
    )
    np.testing.assert_allclose(z._data, x._data * y._data + 0.5)
    # forward ran with recording off: its inner ops left no graph behind
    assert z.grad_fn.next_nodes == (None, None, None)
    assert gradcheck(lambda a, b: MulAdd.apply(a, b.expand(3, 2), 0.5), (x, y))
    assert gradgradcheck(lambda a, b: MulAdd.apply(a, b.expand(3, 2), 0.5), (x, y))


def test_needs_input_grad_and_no_recording_without_grad():
    seen = []

    class Spy(Function):
        @staticmethod
        def forward(ctx, x, y):
            seen.append(ctx.needs_input_grad)
            return x._data + y._data

        @staticmethod
        def backward(ctx, g):
            return g, g

    a, b = double(2), tg.ones(2, dtype=tg.float64)
    assert Spy.apply(a, b).requires_grad
    with tg.no_grad():
        out = Spy.apply(a, b)
    assert not out.requires_grad and out.grad_fn is None
    assert seen == [(True, False), (False, False)]


def test_wrong_backward_is_caught_by_gradcheck():
    class BadCube(Cube):
        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * 2 * x * x

    with pytest.raises(
        GradcheckError, match="Jacobian mismatch for output 0 with respect to input 0"
    ):
        gradcheck(BadCube.apply, (double(3),))


def test_error_messages():
    class TwoOutputs(Function):
        @staticmethod
        def forward(ctx, x):
            return x._data, x._data

    with pytest.raises(TypeError, match=r"TwoOutputs\.forward returned tuple; it must return one"):
        TwoOutputs.apply(double(2))

    class TooManyGrads(Cube):
        @staticmethod
        def backward(ctx, grad_output):
            return grad_output, grad_output

    with pytest.raises(
        RuntimeError,
        match=r"function TooManyGradsBackward returned an incorrect number of gradients "
        r"\(expected 1, one per argument of forward, got 2\)",
    ):
        TooManyGrads.apply(double(2)).sum().backward()

    class ArrayGrad(Cube):
        @staticmethod
        def backward(ctx, grad_output):
            return grad_output._data

    with pytest.raises(TypeError, match="ArrayGradBackward returned a ndarray as a gradient"):
        ArrayGrad.apply(double(2)).sum().backward()

    class WrongShape(Cube):
        @staticmethod
        def backward(ctx, grad_output):
            return grad_output.sum()

    with pytest.raises(
        RuntimeError, match=r"WrongShapeBackward returned a gradient of shape \(\) for an input"
    ):
        WrongShape.apply(double(2)).sum().backward()
