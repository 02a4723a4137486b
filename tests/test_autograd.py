"""The engine's regression tests (issue #3): graph reuse, accumulation, depth, freeing,
retain_graph, grad modes, in-place ops, autograd.grad and higher-order derivatives,
conventions at undefined points, dtype promotion."""

from __future__ import annotations

import gc
import time
import weakref

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.autograd import Function, grad


def leaf(values, dtype=np.float64):
    return tg.tensor(np.asarray(values, dtype=dtype), requires_grad=True)


# --------------------------------------------------------------------------- graph shape
def test_reused_non_leaf():
    a = leaf(1.0)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad.item() == 4.0


def test_diamond_with_products():
    x = leaf(3.0)
    y = x * x  # used by two branches
    z = y * x + y.exp() * 0 + y
    z.backward()  # z = x^3 + x^2 (+ 0 * e^(x^2))  ->  3x^2 + 2x = 33
    assert x.grad.item() == pytest.approx(33.0, rel=1e-12)


def test_leaf_grad_accumulates_across_backward_calls():
    x = leaf([1.0, 2.0])
    (x * x).sum().backward()
    (3 * x).sum().backward()
    np.testing.assert_array_equal(x.grad._data, [2 + 3, 4 + 3])


def test_non_leaf_grad_not_kept_unless_retained():
    x = leaf([1.0, 2.0])
    y = x * 2
    z = x * 3
    z.retain_grad()
    (y * z).sum().backward()
    assert y.grad is None
    np.testing.assert_array_equal(z.grad._data, y._data)  # d(y.z)/dz = y
    assert x.grad is not None and x.is_leaf and not y.is_leaf


def _chain(n):
    x = leaf(0.5)
    y = x
    for _ in range(n):
        y = y * 1.0
    return x, y


def test_deep_chain_300k_backprops_without_recursion_error_and_in_linear_time():
    t0 = time.perf_counter()
    x, y = _chain(30_000)
    y.backward()
    small = time.perf_counter() - t0
    assert x.grad.item() == 1.0
    del x, y
    t0 = time.perf_counter()
    x, y = _chain(300_000)
    y.backward()
    big = time.perf_counter() - t0
    assert x.grad.item() == 1.0
    assert big < 30 * small, f"10x the nodes took {big / small:.1f}x the time"


def test_deep_chain_dropped_without_backward_is_freed():
    x, y = _chain(300_000)
    del y  # deallocating a 300k-deep graph must not overflow the C stack
    gc.collect()
    assert x.grad is None


def test_broadcast_3_1_plus_4_gives_grads_of_input_shapes():
    a = leaf(np.ones((3, 1)))
    b = leaf(np.ones(4))
    out = a + b
    assert out.shape == (3, 4)
    out.sum().backward()
    assert a.grad.shape == (3, 1) and b.grad.shape == (4,)
    np.testing.assert_array_equal(a.grad._data, np.full((3, 1), 4.0))
    np.testing.assert_array_equal(b.grad._data, np.full(4, 3.0))


def test_repeated_getitem_indices_accumulate():
    x = leaf([10.0, 20.0, 30.0])
    x[[0, 0, 2, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad._data, [3, 0, 1])
    y = leaf(np.zeros((2, 2)))
    (y[tg.tensor([1, 1]), tg.tensor([0, 0])] * tg.tensor([2.0, 5.0])).sum().backward()
    np.testing.assert_array_equal(y.grad._data, [[0, 0], [7, 0]])


# --------------------------------------------------------------------------- stability
@pytest.mark.parametrize("scale", [1e5, -1e5])
def test_softmax_log_softmax_logsumexp_at_huge_inputs(scale):
    base = np.array([[1.0, 2.0, 3.0], [0.5, 0.5, -1.0]])
    x = base * scale
    m = x.max(1, keepdims=True)
    lse = (m + np.log(np.exp(x - m).sum(1, keepdims=True)))[:, 0]
    for op, expected in (
        (lambda t: t.softmax(1), np.exp(x - lse[:, None])),
        (lambda t: t.log_softmax(1), x - lse[:, None]),
        (lambda t: t.logsumexp(1), lse),
    ):
        t = leaf(x)
        out = op(t)
        assert np.all(np.isfinite(out._data))
        np.testing.assert_allclose(out._data, expected, rtol=1e-12, atol=1e-12)
        (out * tg.tensor(np.arange(out.numel(), dtype=float).reshape(out.shape))).sum().backward()
        assert np.all(np.isfinite(t.grad._data))
    sig = leaf([-1e5, 1e5]).sigmoid()
    np.testing.assert_array_equal(sig._data, [0.0, 1.0])


# --------------------------------------------------------------------------- graph freeing
def test_second_backward_raises_mentioning_retain_graph():
    x = leaf([1.0, 2.0])
    y = (x.exp() * x).sum()
    y.backward()
    before = x.grad._data.copy()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()
    np.testing.assert_array_equal(x.grad._data, before)  # nothing changed by the failed call


def test_retain_graph_allows_second_backward():
    x = leaf([1.0, 2.0])
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    first = x.grad._data.copy()
    y.backward()
    np.testing.assert_allclose(x.grad._data, 2 * first)


def test_graph_is_freed_after_backward():
    x = leaf([1.0, 2.0])
    h = x.exp()
    node = h.grad_fn
    ref = weakref.ref(h)
    y = (h * 2).sum()
    del h
    gc.collect()
    assert ref() is not None  # the graph keeps the intermediate alive before backward
    y.backward()
    gc.collect()
    assert ref() is None  # ... and lets it go after
    assert node.inputs is None and y.grad_fn.inputs is None


def test_retain_graph_keeps_intermediates():
    x = leaf([1.0])
    h = x * 3
    ref = weakref.ref(h)
    y = h.sum()
    del h
    y.backward(retain_graph=True)
    gc.collect()
    assert ref() is not None


def test_non_scalar_backward_needs_gradient():
    x = leaf([1.0, 2.0])
    with pytest.raises(
        RuntimeError, match="grad can be implicitly created only for scalar outputs"
    ):
        (x * 2).backward()
    assert x.grad is None
    (x * 2).backward(tg.tensor([1.0, 10.0], dtype=tg.float64))
    np.testing.assert_array_equal(x.grad._data, [2, 20])


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        tg.tensor([1.0]).sum().backward()


# --------------------------------------------------------------------------- grad modes
def test_no_grad_and_enable_grad_context_managers():
    x = leaf([1.0])
    with tg.no_grad():
        y = x * 2
        assert not tg.is_grad_enabled()
        with tg.enable_grad():
            z = x * 2
        w = x * 2
    assert tg.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad and z.grad_fn is not None
    assert not w.requires_grad


def test_no_grad_and_enable_grad_decorators_restore_mode_after_exceptions():
    @tg.no_grad()
    def f(t):
        return t * 2

    @tg.enable_grad()
    def g(t):
        return t * 2

    @tg.no_grad()
    def boom():
        raise ValueError("boom")

    x = leaf([1.0])
    assert not f(x).requires_grad
    with tg.no_grad():
        assert g(x).requires_grad
    with pytest.raises(ValueError):
        boom()
    assert tg.is_grad_enabled()
    with tg.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert tg.is_grad_enabled()


def test_detach_shares_data_and_cuts_the_graph():
    x = leaf([1.0, 2.0])
    y = x * 3
    d = y.detach()
    assert d.is_leaf and not d.requires_grad and d.grad_fn is None
    assert np.shares_memory(d._data, y._data)
    ((d * x).sum()).backward()  # d is a constant: dx = d
    np.testing.assert_array_equal(x.grad._data, [3, 6])


def test_integer_tensors_cannot_require_grad():
    with pytest.raises(RuntimeError, match="floating point"):
        tg.tensor([1, 2], requires_grad=True)
    t = tg.tensor([1, 2])
    with pytest.raises(RuntimeError, match="int64"):
        t.requires_grad_()
    assert not t.requires_grad
    assert not (leaf([1.5]).argmax()).requires_grad


# --------------------------------------------------------------------------- in place
def test_inplace_modifying_a_saved_tensor_raises_naming_the_op():
    x = leaf([1.0, 2.0])
    y = x * 1
    z = (y * y).sum()  # MulBackward saved y
    y.add_(1)
    with pytest.raises(RuntimeError, match=r"MulBackward.*in-?place|in-?place.*MulBackward"):
        z.backward()
    e = x.exp()
    s = e.sum()
    e.mul_(2)  # ExpBackward saved its output
    with pytest.raises(RuntimeError, match="ExpBackward"):
        s.backward()


def test_inplace_on_leaf_requiring_grad_raises_naming_it():
    x = leaf([1.0, 2.0])
    for op in (
        lambda: x.add_(1),
        lambda: x.mul_(2),
        lambda: x.zero_(),
        lambda: x.copy_(np.ones(2)),
    ):
        with pytest.raises(RuntimeError, match="leaf"):
            op()
    np.testing.assert_array_equal(x._data, [1, 2])
    assert x._version == 0


def test_inplace_on_non_leaf_is_recorded_and_correct():
    x = leaf([1.0, 2.0])
    y = x * 1
    y.add_(1)
    y.mul_(3)
    assert y.grad_fn is not None
    (y * y).sum().backward()  # y = 3(x + 1); d/dx sum(y^2) = 18 (x + 1)
    np.testing.assert_allclose(x.grad._data, [36, 54])


def test_inplace_with_grad_requiring_operand():
    x, w = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    y = x * 1
    y.mul_(w)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad._data, [3, 4])
    np.testing.assert_array_equal(w.grad._data, [1, 2])


def test_earlier_consumer_of_a_tensor_modified_in_place_keeps_its_gradient():
    x = leaf([1.0, 2.0])
    y = x * 1
    z = y + 1  # made before the in-place op: its gradient must not pass through mul_
    y.mul_(3)
    (z.sum() + y.sum()).backward()
    np.testing.assert_array_equal(x.grad._data, [1 + 3, 1 + 3])
    a = tg.ones(2, dtype=tg.float64)  # needs no grad until mul_ by w
    v, w = leaf([1.0, 1.0]), leaf([5.0, 5.0])
    s = (a + v).sum()
    a.mul_(w)
    s.backward()
    assert w.grad is None
    np.testing.assert_array_equal(v.grad._data, [1, 1])


def test_inplace_under_no_grad_is_fine():
    x = leaf([1.0, 2.0])
    with tg.no_grad():
        x.mul_(2).add_(1).sub_(0.5).div_(2).clamp_(max=2.0)
        x[0] = 7.0
    np.testing.assert_array_equal(x._data, [7.0, 2.0])
    assert x.is_leaf and x.requires_grad
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad._data, [14, 4])


# --------------------------------------------------------------------------- autograd.grad
def test_grad_returns_and_does_not_touch_dot_grad():
    x, y = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    gx, gy = grad((x * y).sum(), [x, y])
    np.testing.assert_array_equal(gx._data, [3, 4])
    np.testing.assert_array_equal(gy._data, [1, 2])
    assert x.grad is None and y.grad is None


def test_grad_allow_unused():
    x, unused = leaf([1.0]), leaf([2.0])
    with pytest.raises(RuntimeError, match="allow_unused=True"):
        grad((x * 2).sum(), [x, unused])
    gx, gu = grad((x * 2).sum(), [x, unused], allow_unused=True)
    assert gu is None and gx.item() == 2


def test_second_derivative_of_cube_is_6x():
    x = leaf([0.5, -2.0, 3.0])
    (g,) = grad((x**3).sum(), x, create_graph=True)
    np.testing.assert_allclose(g._data, 3 * x._data**2)
    assert g.requires_grad
    (h,) = grad(g.sum(), x)
    np.testing.assert_allclose(h._data, 6 * x._data)


def test_backward_create_graph_then_differentiate_grad():
    x = leaf(2.0)
    (x**3).backward(create_graph=True)
    g = x.grad
    assert g.requires_grad
    x.grad = None
    g.backward()
    assert x.grad.item() == pytest.approx(12.0)


def test_hessian_vector_product():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(3, 3))
    A = a + a.T
    x, v = leaf(rng.normal(size=3)), rng.normal(size=3)
    f = 0.5 * (x @ tg.tensor(A) @ x) + (x**3).sum()  # Hessian: A + diag(6x)
    (g,) = grad(f, x, create_graph=True)
    (hv,) = grad((g * tg.tensor(v)).sum(), x)
    np.testing.assert_allclose(hv._data, (A + np.diag(6 * x._data)) @ v, rtol=1e-12)


# --------------------------------------------------------------------------- conventions
def test_max_min_ties_split_the_gradient():
    x = leaf([1.0, 3.0, 3.0])
    x.max().backward()
    np.testing.assert_array_equal(x.grad._data, [0, 0.5, 0.5])
    y = leaf([[2.0, 2.0, 2.0], [1.0, 0.0, 1.0]])
    y.amin(1).sum().backward()
    np.testing.assert_array_equal(y.grad._data, [[1 / 3] * 3, [0, 1, 0]])
    a, b = leaf([1.0, 2.0]), leaf([1.0, 3.0])
    a.maximum(b).sum().backward()
    np.testing.assert_array_equal(a.grad._data, [0.5, 0])
    np.testing.assert_array_equal(b.grad._data, [0.5, 1])


def test_relu_and_abs_derivative_at_zero_is_zero():
    x = leaf([0.0, -1.0, 2.0])
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad._data, [0, 0, 1])
    y = leaf([0.0, -1.0, 2.0])
    y.abs().sum().backward()
    np.testing.assert_array_equal(y.grad._data, [0, -1, 1])


def test_clamp_gradient_is_one_on_the_bounds():
    x = leaf([0.0, 1.0, 2.0, -1.0, 0.5])
    x.clamp(0, 1).sum().backward()
    np.testing.assert_array_equal(x.grad._data, [1, 1, 0, 0, 1])


# --------------------------------------------------------------------------- dtypes
def test_dtype_promotion():
    a = tg.tensor([1.0], dtype=tg.float32, requires_grad=True)
    b = leaf([2.0])
    c = a + b
    assert c.dtype == np.float64
    c.sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64
    assert (tg.tensor([1, 2]) + 1.5).dtype == np.float32
    assert (tg.tensor([1, 2]) * 2).dtype == np.int64
    assert (tg.tensor([1, 2]) / 2).dtype == np.float32
    assert (tg.tensor([1.0]) * 2).dtype == np.float32  # a Python int keeps float32
    assert (tg.tensor([1.0], dtype=tg.float64) * 2.5).dtype == np.float64


def test_float_and_double_casts_are_differentiable():
    x = leaf([1.5, -2.0])
    y = x.float()
    assert y.dtype == np.float32 and y.requires_grad
    (y * tg.tensor([2.0, 3.0])).sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad._data, [2, 3])
    z = tg.tensor([1.0], requires_grad=True)
    w = z.double()
    assert w.dtype == np.float64
    (w * w).sum().backward()
    assert z.grad.dtype == np.float32 and z.grad.item() == 2.0
    assert x.double() is x  # already float64: no copy, no node
    assert x.long().dtype == np.int64 and not x.long().requires_grad


# --------------------------------------------------------------------------- custom ops
class Square(Function):
    """y = x^2;  dy/dx = 2x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x._data**2

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * 2 * x


def test_custom_function_and_its_second_derivative():
    x = leaf([1.0, -3.0])
    y = Square.apply(x)
    assert y.grad_fn.name() == "SquareBackward"
    (g,) = grad(y.sum(), x, create_graph=True)
    np.testing.assert_array_equal(g._data, [2, -6])
    (h,) = grad(g.sum(), x)
    np.testing.assert_array_equal(h._data, [2, 2])


def test_leaf_gradients_never_share_memory_copied_or_adopted():
    """a + b hands both leaves the same array (so the engine copies it); a matmul's gradients
    are new arrays (so the engine keeps them as .grad without a copy). Either way each .grad
    is its own memory, and accumulating into one leaves the others alone."""
    a = tg.randn(2, 3, requires_grad=True)
    b = tg.randn(2, 3, requires_grad=True)
    w = tg.randn(3, 4, requires_grad=True)
    ((a + b) @ w).sum().backward(retain_graph=True)
    grads = [t.grad._data for t in (a, b, w)]
    for i, g in enumerate(grads):
        for other in grads[i + 1 :] + [t._data for t in (a, b, w)]:
            assert not np.shares_memory(g, other)
    first = [g.copy() for g in grads]
    ((a + b) @ w).sum().backward()  # a second pass adds in place into each .grad
    for g, g0 in zip(grads, first):
        np.testing.assert_allclose(g, 2 * g0, rtol=1e-6)


def test_a_leaf_used_by_two_matmuls_gets_the_sum_of_both_gradients():
    x, y = tg.randn(2, 3), tg.randn(5, 3)
    w = tg.randn(3, 4, requires_grad=True)
    ((x @ w).sum() + (y @ w).sum()).backward()
    expected = x._data.sum(0)[:, None] + y._data.sum(0)[:, None] + np.zeros((3, 4))
    np.testing.assert_allclose(w.grad._data, expected, rtol=1e-5)
