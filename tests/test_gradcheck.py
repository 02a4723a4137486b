"""gradcheck and gradgradcheck themselves: they pass on right ops and FAIL on wrong ones."""

from __future__ import annotations

import re

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.autograd import Function, GradcheckError, gradcheck, gradgradcheck


def leaf(values, dtype=np.float64):
    return tg.tensor(np.asarray(values, dtype=dtype), requires_grad=True)


class WrongSin(Function):
    """sin with a backward 1% too big: 1.01 cos(x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x._data)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * x.cos() * 1.01


class WrongSecondDerivative(Function):
    """y = x^3 with backward 3 x^2 computed as 3 * x.detach() * x: the first derivative is
    right, its derivative (3x instead of 6x) is wrong."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x._data**3

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 3 * x.detach() * x


def test_passes_on_correct_ops():
    x, y = leaf([[0.3, -1.2], [2.0, 0.7]]), leaf([0.5, 1.5])
    assert gradcheck(lambda a, b: (a @ b).tanh() * b.sigmoid(), (x, y))
    assert gradgradcheck(lambda a, b: (a @ b).tanh() * b.sigmoid(), (x, y))


def test_fails_on_wrong_backward_and_names_input_element_and_values():
    x = leaf([0.1, 0.7, -1.3])
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda a, b: b * WrongSin.apply(a), (x, leaf([1.0, 2.0, 3.0])))
    msg = str(info.value)
    assert "input 0" in msg and "output 0" in msg
    # the worst excess over atol + rtol*|numerical| is at element 1: 2 cos(0.7) = 1.53
    assert "output0[1] / d input0[1]" in msg
    numerical = 2 * np.cos(0.7)
    assert f"numerical {numerical:.6f}"[:18] in msg
    assert f"analytical {1.01 * numerical:.6f}"[:19] in msg
    assert "3 of 9 entries differ" in msg


def test_gradcheck_is_not_fooled_by_first_derivative_right_but_second_wrong():
    x = leaf([0.4, -1.1])
    f = WrongSecondDerivative.apply
    assert gradcheck(f, (x,))
    with pytest.raises(GradcheckError, match="Jacobian mismatch"):
        gradgradcheck(f, (x,))
    assert gradgradcheck(lambda a: a**3, (x,))


def test_gradgradcheck_alone_does_not_see_a_wrong_first_derivative():
    """Documented PyTorch behaviour (OPTIM.md section 9): run both checks."""
    x = leaf([0.1, 0.7])
    assert gradgradcheck(WrongSin.apply, (x,))
    assert not gradcheck(WrongSin.apply, (x,), raise_exception=False)


def test_raise_exception_false_returns_false():
    assert gradcheck(WrongSin.apply, (leaf([0.5]),), raise_exception=False) is False
    assert gradcheck(lambda a: a.sin(), (leaf([0.5]),), raise_exception=False) is True


def test_float32_input_warns():
    x = tg.tensor([0.5, 1.0], requires_grad=True)
    with pytest.warns(UserWarning, match="not a double precision"):
        assert gradcheck(lambda a: a * 2, (x,), eps=1e-2, atol=1e-2, rtol=1e-2)


def test_no_input_requiring_grad_raises_pytorchs_value_error():
    with pytest.raises(
        ValueError,
        match=re.escape(
            "gradcheck expects at least one input tensor to require gradient, but none of "
            "them have requires_grad=True."
        ),
    ):
        gradcheck(lambda a: a * 2, (tg.tensor([1.0], dtype=tg.float64),))


def test_backward_not_multiplied_by_grad_output_is_caught():
    class Ignores(Function):
        @staticmethod
        def forward(ctx, x):
            return x._data * 2

        @staticmethod
        def backward(ctx, g):
            return tg.tensor(np.full(g.shape, 2.0))

    with pytest.raises(GradcheckError, match="not multiplied by grad_output"):
        gradcheck(Ignores.apply, (leaf([1.0, 2.0]),))


def test_inputs_left_unchanged_and_non_tensor_arguments_allowed():
    x = leaf([0.25, 0.5])
    before = x._data.copy()
    assert gradcheck(lambda a, k: a * k, (x, 3.0))
    np.testing.assert_array_equal(x._data, before)
