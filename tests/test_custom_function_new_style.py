"""New-style custom Functions (PyTorch 2.x): forward without ctx plus setup_context,
beside the old style, with the official 'custom autograd Function' tutorial
(LegendrePolynomial3, polynomial_custom_function.py) in both styles."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.autograd import Function, forward_ad, gradcheck, gradgradcheck


class LegendrePolynomial3(Function):
    """The tutorial's class, verbatim (old style): P3(x) = (5x^3 - 3x)/2, P3' = 1.5(5x^2 - 1)."""

    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input**3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input**2 - 1)


class LegendrePolynomial3New(Function):
    """The same in the new style: forward(input), setup_context(ctx, inputs, output)."""

    @staticmethod
    def forward(input):
        return 0.5 * (5 * input**3 - 3 * input)

    @staticmethod
    def setup_context(ctx, inputs, output):
        (input,) = inputs
        ctx.save_for_backward(input)

    @staticmethod
    def backward(ctx, grad_output):
        (input,) = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input**2 - 1)


def double(*shape, seed=0):
    rng = np.random.default_rng(seed)
    return tg.tensor(rng.uniform(-1.5, 1.5, shape), requires_grad=True)


@pytest.mark.parametrize("cls", [LegendrePolynomial3, LegendrePolynomial3New])
def test_legendre_gradcheck_and_gradgradcheck(cls):
    x = double(2, 3)
    y = cls.apply(x)
    np.testing.assert_allclose(y._data, 0.5 * (5 * x._data**3 - 3 * x._data), rtol=1e-15)
    assert y.grad_fn.name() == cls.__name__ + "Backward"
    assert isinstance(y.grad_fn, cls)
    assert gradcheck(cls.apply, (x,))
    assert gradgradcheck(cls.apply, (x,))


def test_old_style_classes_keep_the_plain_apply():
    """The built-in ops' hot path is untouched: only new-style classes get another apply."""
    assert LegendrePolynomial3.apply.__func__ is Function.apply.__func__
    assert LegendrePolynomial3New.apply.__func__ is not Function.apply.__func__
    from tinygrad_edu.ops.elementwise import Mul

    assert Mul.apply.__func__ is Function.apply.__func__


def polynomial_custom_function(lib, P3class, steps, dtype):
    """pytorch/tutorials: beginner_source/examples_autograd/polynomial_custom_function.py,
    unchanged below its imports except that the loop runs ``steps`` times (2000 in the
    tutorial), ``dtype`` is a parameter and the device arguments are left out."""
    x = lib.linspace(-math.pi, math.pi, 2000, dtype=dtype)
    y = lib.sin(x)
    a = lib.full((), 0.0, dtype=dtype, requires_grad=True)
    b = lib.full((), -1.0, dtype=dtype, requires_grad=True)
    c = lib.full((), 0.0, dtype=dtype, requires_grad=True)
    d = lib.full((), 0.3, dtype=dtype, requires_grad=True)
    learning_rate = 5e-6
    losses = []
    for t in range(steps):
        P3 = P3class.apply
        y_pred = a + b * P3(c + d * x)
        loss = (y_pred - y).pow(2).sum()
        if t % 100 == 99:
            losses.append(loss.item())
        loss.backward()
        with lib.no_grad():
            a -= learning_rate * a.grad
            b -= learning_rate * b.grad
            c -= learning_rate * c.grad
            d -= learning_rate * d.grad
            a.grad = None
            b.grad = None
            c.grad = None
            d.grad = None
    return losses, [a.item(), b.item(), c.item(), d.item()]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_tutorial_runs_identically_in_both_styles(dtype):
    old = polynomial_custom_function(tg, LegendrePolynomial3, 300, getattr(tg, dtype))
    new = polynomial_custom_function(tg, LegendrePolynomial3New, 300, getattr(tg, dtype))
    assert old == new
    assert old[0][-1] < old[0][0]  # it learns


@pytest.mark.parametrize("style", ["old", "new"])
def test_tutorial_matches_torch(style):
    torch = pytest.importorskip("torch")

    class TorchP3(torch.autograd.Function):
        @staticmethod
        def forward(ctx, input):
            ctx.save_for_backward(input)
            return 0.5 * (5 * input**3 - 3 * input)

        @staticmethod
        def backward(ctx, grad_output):
            (input,) = ctx.saved_tensors
            return grad_output * 1.5 * (5 * input**2 - 1)

    cls = LegendrePolynomial3 if style == "old" else LegendrePolynomial3New
    ours = polynomial_custom_function(tg, cls, 300, tg.float64)
    theirs = polynomial_custom_function(torch, TorchP3, 300, torch.float64)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-10)
    np.testing.assert_allclose(ours[1], theirs[1], rtol=1e-10, atol=1e-12)  # a, c stay ~0
    ours32 = polynomial_custom_function(tg, cls, 300, tg.float32)
    theirs32 = polynomial_custom_function(torch, TorchP3, 300, torch.float32)
    np.testing.assert_allclose(ours32[1], theirs32[1], rtol=1e-4, atol=1e-6)


def test_setup_context_sees_bound_inputs_and_the_output():
    seen = {}

    class ScaleShift(Function):
        """z = scale * x + shift.   dz/dx = scale,  dz/dshift = 1."""

        @staticmethod
        def forward(x, shift, scale=2.0):
            return x * scale + shift

        @staticmethod
        def setup_context(ctx, inputs, output):
            seen["inputs"], seen["output"] = inputs, output
            seen["needs"] = ctx.needs_input_grad
            ctx.scale = inputs[2]

        @staticmethod
        def backward(ctx, g):
            seen["backward_needs"] = ctx.needs_input_grad
            return g * ctx.scale, g, None

    x, shift = double(3), tg.tensor(np.ones(3))
    z = ScaleShift.apply(x, shift=shift)
    assert seen["inputs"][0] is x and seen["inputs"][1] is shift and seen["inputs"][2] == 2.0
    assert isinstance(seen["output"], tg.Tensor)
    assert seen["needs"] == (True, False, False)
    np.testing.assert_allclose(z._data, 2 * x._data + 1)
    z.sum().backward()
    np.testing.assert_allclose(x.grad._data, [2.0, 2.0, 2.0])
    assert seen["backward_needs"] == (True, False, False)
    assert gradcheck(lambda a, b: ScaleShift.apply(a, b, 0.5), (double(3), double(3, seed=1)))
    with pytest.raises(TypeError, match=r"ScaleShift\.apply: .*'shift'"):
        ScaleShift.apply(x)


def test_new_style_without_grad_records_nothing_but_still_sets_up():
    calls = []

    class Twice(Function):
        @staticmethod
        def forward(x):
            return x._data * 2

        @staticmethod
        def setup_context(ctx, inputs, output):
            calls.append(type(output))

        @staticmethod
        def backward(ctx, g):
            return g * 2

    with tg.no_grad():
        out = Twice.apply(double(2))
    assert not out.requires_grad and out.grad_fn is None and calls == [np.ndarray]


def test_saved_tensors_are_version_checked_in_the_new_style():
    x = double(3)
    y = x * 1.0
    out = LegendrePolynomial3New.apply(y)
    y.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()


def test_jvp_in_the_new_style():
    class Square(Function):
        @staticmethod
        def forward(x):
            return x * x

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(inputs[0])

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

        @staticmethod
        def jvp(ctx, tx):
            (x,) = ctx.saved_tensors
            return 2 * x * tx

    x, v = double(3), tg.tensor(np.array([1.0, 0.0, 2.0]))
    with forward_ad.dual_level():
        out = Square.apply(forward_ad.make_dual(x.detach(), v))
        tangent = forward_ad.unpack_dual(out).tangent
    np.testing.assert_allclose(tangent._data, 2 * x._data * v._data)


class SortWithIndices(Function):
    """Old style: the indices of the sorted values, marked non-differentiable."""

    @staticmethod
    def forward(ctx, x):
        order = tg.tensor(np.argsort(x._data, kind="stable"))
        ctx.mark_non_differentiable(order)
        return order

    @staticmethod
    def backward(ctx, g):
        raise AssertionError("never called: the output is not differentiable")


class SortWithIndicesNew(Function):
    @staticmethod
    def forward(x):
        return tg.tensor(np.argsort(x._data, kind="stable"))

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.mark_non_differentiable(output)

    @staticmethod
    def backward(ctx, g):
        raise AssertionError("never called: the output is not differentiable")


@pytest.mark.parametrize("cls", [SortWithIndices, SortWithIndicesNew])
def test_mark_non_differentiable(cls):
    x = double(4)
    order = cls.apply(x)
    assert not order.requires_grad and order.grad_fn is None
    assert order.tolist() == np.argsort(x._data).tolist()
    assert cls.apply(x).dtype == np.int64


def test_mark_non_differentiable_needs_the_output_tensor():
    class Marks(Function):
        @staticmethod
        def forward(ctx, x):
            out = x._data + 1
            ctx.mark_non_differentiable(out)
            return out

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(TypeError, match="mark_non_differentiable takes the output Tensor"):
        Marks.apply(double(2))


def test_subclass_of_a_new_style_function():
    class Shifted(LegendrePolynomial3New):
        @staticmethod
        def forward(input):
            return 0.5 * (5 * input**3 - 3 * input) + 1

    x = double(3)
    np.testing.assert_allclose(
        Shifted.apply(x)._data, LegendrePolynomial3New.apply(x)._data + 1, rtol=1e-15
    )
    assert gradcheck(Shifted.apply, (x,))
    assert Shifted.apply(x).grad_fn.name() == "ShiftedBackward"
