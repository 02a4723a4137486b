"""detect_anomaly / set_detect_anomaly: the first backward that makes NaN or inf raises,
naming the op and the line of the test that created it; without it NaNs pass silently."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.autograd import (
    Function,
    detect_anomaly,
    is_anomaly_enabled,
    set_detect_anomaly,
)


def test_without_anomaly_mode_nans_pass_silently():
    x = tg.tensor([0.0, 4.0], requires_grad=True)
    with np.errstate(divide="ignore"):
        x.sqrt().sum().backward()
    assert np.isinf(x.grad._data[0]) and x.grad._data[1] == 0.25
    assert not is_anomaly_enabled()


def test_sqrt_at_zero_names_sqrt_backward_and_the_forward_line():
    x = tg.tensor([0.0, 4.0], requires_grad=True)
    with detect_anomaly():
        assert is_anomaly_enabled()
        y = x.sqrt()  # the line the error must show
        line = inspect.currentframe().f_lineno - 1
        loss = (y * 2).sum()
        with pytest.raises(RuntimeError) as info, np.errstate(divide="ignore"):
            loss.backward()
    assert not is_anomaly_enabled()
    message = str(info.value)
    assert message.startswith(
        "Function 'SqrtBackward' returned inf values in its gradient for input 0 "
        "(shape (2,), 1 of 2 elements not finite)."
    )
    assert "The forward op was created at:" in message
    assert f'test_anomaly.py", line {line}, in test_sqrt_at_zero' in message
    assert "y = x.sqrt()  # the line the error must show" in message
    assert "tinygrad_edu/tensor.py" not in message  # our own frames are left out
    assert x.grad is None  # raised before anything reached the leaf


def test_nan_is_named_and_a_custom_function_is_reported_by_its_name():
    class Broken(Function):
        @staticmethod
        def forward(ctx, x):
            return x._data * 2

        @staticmethod
        def backward(ctx, grad):
            return grad * float("nan")

    x = tg.tensor([1.0], requires_grad=True)
    with detect_anomaly(), pytest.raises(RuntimeError, match="'BrokenBackward' returned nan"):
        Broken.apply(x).sum().backward()


def test_graph_built_outside_anomaly_mode_says_the_stack_was_not_recorded():
    x = tg.tensor([0.0], requires_grad=True)
    y = x.sqrt()
    with (
        detect_anomaly(),
        np.errstate(divide="ignore"),
        pytest.raises(RuntimeError, match=r"not recorded: the forward ran outside detect_anomaly"),
    ):
        y.sum().backward()


def test_set_detect_anomaly_as_call_and_as_context_manager():
    try:
        set_detect_anomaly(True)
        assert is_anomaly_enabled()
        with set_detect_anomaly(False):
            assert not is_anomaly_enabled()
        assert is_anomaly_enabled()
    finally:
        set_detect_anomaly(False)
    assert not is_anomaly_enabled()


def test_finite_backward_under_anomaly_mode_is_unchanged():
    x = tg.tensor([1.0, 4.0], dtype=tg.float64, requires_grad=True)
    with detect_anomaly():
        y = (x.sqrt() * x).sum()
        assert y.grad_fn._stack is not None
        y.backward()
    np.testing.assert_allclose(x.grad._data, 1.5 * np.sqrt([1.0, 4.0]))
    assert (x * 2).grad_fn._stack is None  # outside the block nothing is recorded
