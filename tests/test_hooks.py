"""Tensor hooks (register_hook, retain_grad) and Module forward / full backward hooks."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import nn
from tinygrad_edu.autograd import grad


def leaf(values):
    return tg.tensor(np.asarray(values, dtype=np.float64), requires_grad=True)


def test_leaf_hook_sees_the_total_gradient_once_and_may_replace_it():
    x = leaf([1.0, 2.0])
    seen = []
    x.register_hook(lambda g: seen.append(g._data.copy()))
    x.register_hook(lambda g: g * 10)
    (x * x + x).sum().backward()  # x reaches the leaf along three edges
    assert len(seen) == 1
    np.testing.assert_array_equal(seen[0], [3.0, 5.0])
    np.testing.assert_array_equal(x.grad._data, [30.0, 50.0])


def test_non_leaf_hook_replaces_what_flows_on():
    x = leaf([1.0, 2.0])
    y = x * 3
    y.register_hook(lambda g: g + 1)
    (y * y).sum().backward()
    # dL/dy = 2y = [6, 12]; the hook adds 1; dL/dx = 3 * [7, 13]
    np.testing.assert_array_equal(x.grad._data, [21.0, 39.0])
    assert y.grad is None


def test_hooks_run_in_registration_order_and_remove():
    x = leaf([1.0])
    order = []
    h1 = x.register_hook(lambda g: order.append(1))
    x.register_hook(lambda g: order.append(2))
    (x * 2).sum().backward()
    h1.remove()
    h1.remove()  # twice is fine
    (x * 2).sum().backward()
    assert order == [1, 2, 2]


def test_handle_is_a_context_manager():
    x = leaf([1.0])
    with x.register_hook(lambda g: g * 0):
        (x * 2).sum().backward()
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad._data, [2.0])


def test_retain_grad_keeps_the_gradient_after_hooks():
    x = leaf([1.0, 2.0])
    y = x * 2
    y.register_hook(lambda g: g * 2)
    y.retain_grad()
    assert y.retains_grad and not x.retains_grad
    y.sum().backward()
    np.testing.assert_array_equal(y.grad._data, [2.0, 2.0])
    np.testing.assert_array_equal(x.grad._data, [4.0, 4.0])


def test_retain_grad_twice_keeps_one_gradient():
    x = leaf([1.0])
    y = x * 2
    y.retain_grad()
    y.retain_grad()
    y.sum().backward()
    np.testing.assert_array_equal(y.grad._data, [1.0])


def test_hooks_run_under_autograd_grad_and_create_graph():
    x = leaf([3.0])
    x.register_hook(lambda g: g * 2)
    (g,) = grad(x**3, x, create_graph=True)
    np.testing.assert_array_equal(g._data, [54.0])  # 3x^2 = 27, doubled
    (h,) = grad(g, x)
    np.testing.assert_array_equal(h._data, [72.0])  # d(2 * 3x^2)/dx = 12x = 36, doubled


def test_autograd_grad_runs_no_hooks_of_leaves_it_does_not_return():
    x, w = leaf([1.0]), leaf([2.0])
    calls = []
    w.register_hook(lambda g: calls.append("w"))
    x.register_hook(lambda g: calls.append("x"))
    grad((x * w).sum(), x)
    assert calls == ["x"] and w.grad is None


def test_hook_error_messages():
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"cannot register a hook on a tensor that doesn't"):
        tg.tensor([1.0]).register_hook(lambda g: g)
    with pytest.raises(TypeError, match="register_hook expects a function, got int"):
        x.register_hook(3)

    def bad_shape(g):
        return g.sum()

    x.register_hook(bad_shape)
    with pytest.raises(
        RuntimeError,
        match=r"hook 'test_hook_error_messages.<locals>.bad_shape' returned a gradient of "
        r"shape \(\) for a tensor of shape \(2,\)",
    ):
        (x * 2).sum().backward()
    assert x.grad is None

    y = leaf([1.0])
    y.register_hook(lambda g: g._data)
    with pytest.raises(TypeError, match="returned a ndarray; a tensor hook must return None"):
        (y * 2).sum().backward()


def test_module_forward_hook_sees_args_and_may_replace_output():
    tg.manual_seed(0)
    layer = nn.Linear(3, 2)
    calls = []
    h = layer.register_forward_hook(lambda m, args, out: calls.append((m, args[0].shape, out)))
    x = tg.randn(4, 3)
    out = layer(x)
    assert calls[0][0] is layer and calls[0][1] == (4, 3) and calls[0][2] is out
    h.remove()
    layer(x)
    assert len(calls) == 1
    with layer.register_forward_hook(lambda m, args, out: out * 0):
        assert np.all(layer(x)._data == 0)


def test_module_full_backward_hook_gets_grad_input_and_grad_output():
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1))
    seen = {}
    model[1].register_full_backward_hook(
        lambda m, gi, go: seen.update(gi=gi[0]._data.copy(), go=go[0]._data.copy())
    )
    x = tg.randn(5, 3, requires_grad=True)
    h = model[0](x)
    h.retain_grad()
    t = model[1](h)
    t.retain_grad()
    model[2](t).sum().backward()
    np.testing.assert_allclose(seen["go"], t.grad._data)
    np.testing.assert_allclose(seen["gi"], h.grad._data)


def test_module_full_backward_hook_replaces_grad_input_and_sees_none_for_data():
    layer = nn.Linear(2, 2)
    seen = []
    layer.register_full_backward_hook(lambda m, gi, go: seen.append(gi))
    layer(tg.randn(3, 2)).sum().backward()  # the input is data: no gradient wanted
    assert seen == [(None,)]

    x = tg.randn(3, 2, requires_grad=True)
    handle = layer.register_full_backward_hook(lambda m, gi, go: (gi[0] * 0,))
    layer(x).sum().backward()
    np.testing.assert_array_equal(x.grad._data, np.zeros((3, 2)))
    handle.remove()
    x.grad = None
    layer(x).sum().backward()
    assert np.any(x.grad._data != 0)


def test_module_backward_hook_error_messages():
    class Two(nn.Module):
        def forward(self, a, b):
            return a * b

    m = Two()
    m.register_full_backward_hook(lambda m, gi, go: gi)
    a, b = leaf([1.0]), leaf([2.0])
    with pytest.raises(RuntimeError, match="returned 2 gradients; replacing grad_input is"):
        m(a, b).sum().backward()

    class Pair(nn.Module):
        def forward(self, a):
            return a, a

    p = Pair()
    p.register_full_backward_hook(lambda m, gi, go: None)
    with pytest.raises(TypeError, match="Pair returned a tuple; backward hooks need a module"):
        p(a)
