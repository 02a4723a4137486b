"""Views, version counters and in-place ops (autograd/views.py), side by side with PyTorch.

Every case states what PyTorch 2.13 does, and checks that: the same gradient, or an error
(with our message). When torch is installed each case also runs there, so the statement
itself is checked. A Hypothesis test then draws random sequences of views and in-place ops
and compares the gradients with PyTorch, and with a reference that needs no autograd at
all: the Jacobian of the sequence, tracked by hand in NumPy.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_edu as tg
from tinygrad_edu import nn

try:
    import torch
except ImportError:  # the cases still run against their stated PyTorch results
    torch = None

RAISES = "raises"
STALE = "modified by an inplace operation"


def x2(lib):
    return lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)


def x4(lib):
    return lib.tensor([1.0, 2.0, 3.0, 4.0], dtype=lib.float64, requires_grad=True)


def sin_then_view_mul(lib):
    x = x2(lib)
    a = x * 1
    y = a.sin()
    a.view(2).mul_(2)
    y.sum().backward()
    return x.grad


def sin_then_element_mul(lib):
    x = x2(lib)
    a = x * 1
    y = a.sin()
    a[0].mul_(2)
    y.sum().backward()
    return x.grad


def sin_then_transpose_mul(lib):
    x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=lib.float64, requires_grad=True)
    a = x * 1
    y = a.sin()
    a.T.mul_(2)
    y.sum().backward()
    return x.grad


def sin_then_detach_mul(lib):
    x = x2(lib)
    a = x * 1
    y = a.sin()
    a.detach().mul_(2)
    y.sum().backward()
    return x.grad


def leaf_view_mul(lib):
    x = x2(lib)
    y = x.sin()
    x.view(2).mul_(2)
    y.sum().backward()
    return x.grad


def saved_output_through_view(lib):
    x = x2(lib)
    e = x.exp()
    s = e.sum()  # ExpBackward reads its own output e: d exp(x) = exp(x)
    e.view(2).mul_(2)
    s.backward()
    return x.grad


def slice_mul_rewrites_base(lib):
    x = x4(lib)
    a = x * 1
    a[0:2].mul_(3)
    a.sum().backward()
    return x.grad


def matmul_input_changed(lib):
    x = x2(lib)
    w = lib.ones(2, 2, dtype=lib.float64, requires_grad=True)
    h = x * 1
    y = h @ w
    h.mul_(10)
    y.sum().backward()
    return w.grad


def linear_input_changed(lib):
    lin = (tg.nn if lib is tg else torch.nn).Linear(2, 3).double()
    x = x2(lib)
    h = x * 1
    y = lin(h)
    h.mul_(10)
    y.sum().backward()
    return lin.weight.grad


def mse_target_changed(lib):
    x = x2(lib)
    t = lib.tensor([1.0, 1.0], dtype=lib.float64)
    loss = (tg.nn.functional if lib is tg else torch.nn.functional).mse_loss(x, t)
    t.mul_(5)
    loss.backward()
    return x.grad


def add_input_changed_is_fine(lib):
    x = x2(lib)
    c = lib.tensor([1.0, 1.0], dtype=lib.float64)
    h = x * 3
    y = h + c  # add reads no values in backward: changing c or h later is harmless
    c.mul_(5)
    h.add_(1)
    y.sum().backward()
    return x.grad


def view_of_base_changed_later(lib):
    x = x2(lib)
    a = x * 1
    v = a[0]
    a.mul_(2)  # v's values are doubled too, so its history must be remade from a's
    v.backward()
    return x.grad


def row_change_seen_by_column(lib):
    x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=lib.float64, requires_grad=True)
    a = x * 1
    row, col = a[0], a[:, 1]
    row.mul_(10)
    (col * col).sum().backward()
    return x.grad


def setitem_from_graph(lib):
    x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
    a = x * 1
    a[1] = x[0] * 5
    a.sum().backward()
    return x.grad


def copy_into_constant(lib):
    x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
    a = lib.zeros(3, dtype=lib.float64)
    a[1:].copy_(x[:2] * 2)
    (a * a).sum().backward()
    return x.grad


def zero_on_graph(lib):
    x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
    a = x * 1
    a.zero_()
    a.sum().backward()
    return x.grad


def fill_with_tensor(lib):
    x = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64, requires_grad=True)
    a = x * 1
    a.fill_(x[0])
    a.sum().backward()
    return x.grad


def view_made_in_no_grad(lib):
    x = x2(lib)
    a = x * 1
    with lib.no_grad():
        v = a[0:1]
    v.mul_(2)


def expanded_write(lib):
    x = x2(lib)
    a = x * 1
    a.expand(3, 2).mul_(2)


def leaf_expanded_write(lib):
    x = x2(lib)
    x.expand(3, 2).mul_(2)


def narrow_mul(lib):
    x = x2(lib)
    y = x * 2
    y.narrow(0, 0, 1).mul_(4)
    y.sum().backward()
    return x.grad


def select_mul(lib):
    x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=lib.float64, requires_grad=True)
    y = x * 2
    y.select(1, 1).mul_(4)
    y.sum().backward()
    return x.grad


def relu_input_changed_after(lib):
    x = x2(lib)
    h = x * 3
    y = h.relu()  # relu keeps its mask, not h's values
    h.add_(1)
    y.sum().backward()
    return x.grad


def data_changes_are_untracked(lib):
    p = x2(lib)
    y = p.sin()
    p.data.mul_(3)  # documented: autograd does not see this, it uses the new values
    y.sum().backward()
    return p.grad


def step_before_backward(lib):
    mod = tg.nn if lib is tg else torch.nn
    opt_mod = tg.optim if lib is tg else torch.optim
    model = mod.Sequential(mod.Linear(2, 3), mod.ReLU(), mod.Linear(3, 1)).double()
    opt = opt_mod.SGD(model.parameters(), lr=0.1)
    loss = model(lib.ones(4, 2, dtype=lib.float64)).sum()
    opt.step()  # no grads yet: nothing moves
    loss.backward()
    opt.step()
    loss2 = model(lib.ones(4, 2, dtype=lib.float64)).sum()
    opt.step()  # the parameters the graph of loss2 saved move now
    loss2.backward()


CASES = {
    # name: (function, what PyTorch 2.13 does: RAISES with our message's regex, or the grad)
    "sin_then_view_mul": (sin_then_view_mul, (RAISES, f"SinBackward.*{STALE}|{STALE}.*Sin")),
    "sin_then_element_mul": (sin_then_element_mul, (RAISES, STALE)),
    "sin_then_transpose_mul": (sin_then_transpose_mul, (RAISES, STALE)),
    "sin_then_detach_mul": (sin_then_detach_mul, (RAISES, STALE)),
    "leaf_view_mul": (leaf_view_mul, (RAISES, "a view of a leaf Variable that requires grad")),
    "saved_output_through_view": (
        saved_output_through_view,
        (RAISES, "ExpBackward.s output 0 .* version 1; expected version 0"),
    ),
    "slice_mul_rewrites_base": (slice_mul_rewrites_base, [3.0, 3.0, 1.0, 1.0]),
    "matmul_input_changed": (matmul_input_changed, (RAISES, f"MatmulBackward.*{STALE}|{STALE}")),
    "linear_input_changed": (linear_input_changed, (RAISES, STALE)),
    "mse_target_changed": (mse_target_changed, (RAISES, "MSELossBackward.*saved tensor 1")),
    "add_input_changed_is_fine": (add_input_changed_is_fine, [3.0, 3.0]),
    "view_of_base_changed_later": (view_of_base_changed_later, [2.0, 0.0]),
    "row_change_seen_by_column": (row_change_seen_by_column, [[0.0, 400.0], [0.0, 8.0]]),
    "setitem_from_graph": (setitem_from_graph, [6.0, 0.0, 1.0]),
    "copy_into_constant": (copy_into_constant, [8.0, 16.0, 0.0]),
    "zero_on_graph": (zero_on_graph, [0.0, 0.0, 0.0]),
    "fill_with_tensor": (fill_with_tensor, [3.0, 0.0, 0.0]),
    "view_made_in_no_grad": (view_made_in_no_grad, (RAISES, "created in no_grad mode")),
    "expanded_write": (expanded_write, (RAISES, "refers to a single memory location")),
    "leaf_expanded_write": (leaf_expanded_write, (RAISES, "view of a leaf Variable")),
    "narrow_mul": (narrow_mul, [8.0, 2.0]),
    "select_mul": (select_mul, [[2.0, 8.0], [2.0, 8.0]]),
    "relu_input_changed_after": (relu_input_changed_after, [3.0, 3.0]),
    "data_changes_are_untracked": (data_changes_are_untracked, list(np.cos([3.0, 6.0]))),
    "step_before_backward": (step_before_backward, (RAISES, STALE)),
}


def _outcome(lib, fn):
    try:
        return ("ok", fn(lib))
    except RuntimeError as e:
        return (RAISES, str(e))


@pytest.mark.parametrize("name", list(CASES))
def test_case_as_pytorch_does(name):
    fn, expected = CASES[name]
    kind, got = _outcome(tg, fn)
    if isinstance(expected, tuple):
        assert kind == RAISES, f"{name}: PyTorch raises, we returned {got}"
        assert re.search(expected[1], got), got
    else:
        assert kind == "ok", f"{name}: raised {got}"
        np.testing.assert_allclose(got.numpy(), expected, rtol=1e-12)
    if torch is not None:
        theirs_kind, theirs = _outcome(torch, fn)
        assert theirs_kind == kind, f"{name}: PyTorch gave {theirs_kind}: {theirs}"
        if kind == "ok":
            np.testing.assert_allclose(theirs.numpy(), expected, rtol=1e-12)


# --------------------------------------------------------------------------- versions
def test_views_share_the_version_counter_and_data_does_not():
    x = tg.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    a = x * 2
    views = [a.view(2, 2), a[1:], a.reshape(4, 1).T, a.detach(), a.unsqueeze(0).squeeze(0)]
    views.append(a.narrow(0, 1, 2))
    views.extend(a.unbind(0))
    views.append(a.view(2, 2).expand(3, 2, 2))
    for i, v in enumerate(views[:-1]):
        before = a._version
        v.add_(0)
        assert a._version == before + 1 and all(w._version == a._version for w in views), i
    d = a.data
    assert d.requires_grad is False and np.shares_memory(d.numpy(), a._data)
    before = a._version
    d.mul_(1)
    assert a._version == before and d._version == 1
    assert views[0]._base is a and views[-1]._base is a


def test_a_view_of_a_copying_reshape_is_not_a_view():
    a = tg.tensor(np.arange(6.0).reshape(2, 3)) * 1
    flat = a.T.reshape(6)  # NumPy must copy here
    assert flat._base is None
    flat.mul_(0)
    assert a.numpy().sum() == 15


def test_optimizer_step_bumps_parameter_versions():
    lin = nn.Linear(2, 2)
    versions = [p._version for p in lin.parameters()]
    lin(tg.ones(3, 2)).sum().backward()
    tg.optim.Adam(lin.parameters()).step()
    assert [p._version for p in lin.parameters()] == [v + 1 for v in versions]


def test_grad_assignment_is_checked_before_anything_changes():
    p = tg.tensor([1.0, 2.0], requires_grad=True)
    p.grad = tg.tensor([0.5, 0.5])
    for bad, err, msg in [
        (tg.tensor([5.0]), RuntimeError, "size '[1]' to a tensor of size '[2]'"),
        (tg.tensor([5.0, 1.0], dtype=tg.float64), RuntimeError, "dtype 'float64'"),
        (np.ones(2, np.float32), TypeError, "Tensor or None but got grad of type ndarray"),
    ]:
        with pytest.raises(err, match=re.escape(msg)):
            p.grad = bad
        np.testing.assert_array_equal(p.grad.numpy(), [0.5, 0.5])
    p.grad = None
    assert p.grad is None


def test_autograd_grad_never_returns_one_tensor_twice():
    a, b = x2(tg), x2(tg)
    ga, gb = tg.autograd.grad((a + b).sum(), [a, b])
    assert ga is not gb and not np.shares_memory(ga.numpy(), gb.numpy())  # PyTorch: ga is gb


def test_data_as_in_old_scripts():
    p = tg.tensor([1.0, 2.0], requires_grad=True)
    p.grad = tg.tensor([1.0, 1.0])
    p.data.add_(p.grad, alpha=-0.5)
    p.data -= 0.5 * p.grad
    np.testing.assert_allclose(p.detach().numpy(), [0.0, 1.0])
    tg.manual_seed(0)
    p.data.normal_(0.0, 1e-3)
    assert np.abs(p.detach().numpy()).max() < 0.01 and p._version == 0
    p.data.uniform_(5.0, 6.0)
    assert (p.detach().numpy() >= 5).all()
    with pytest.raises(RuntimeError, match="leaf Variable"):
        p.normal_()
    p.data = tg.tensor([7.0, 8.0, 9.0])
    assert p.shape == (3,) and p.requires_grad and p.is_leaf
    with pytest.raises(TypeError, match="data must be a Tensor"):
        p.data = [1.0]


def test_no_grad_write_through_a_view_of_a_parameter_is_allowed():
    w = tg.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    with tg.no_grad():
        w[0] = 0.0
        w.T[1].mul_(10)
    np.testing.assert_array_equal(w.detach().numpy(), [[0.0, 0.0], [3.0, 40.0]])
    assert w._version == 2


def test_second_order_through_copyslices():
    x = tg.tensor([1.0, 2.0, 3.0], dtype=tg.float64, requires_grad=True)

    def f(x):
        a = x * x
        a[0:2].mul_(x[2])
        return a

    assert tg.autograd.gradcheck(f, (x,))
    assert tg.autograd.gradgradcheck(f, (x,))


# ------------------------------------------------------------------ random sequences
def _view_steps(shape):
    """View makers valid on a root of ``shape``: each works on NumPy arrays and tensors."""
    m, n = shape
    steps = [("T", lambda v: v.T), ("flat", lambda v: v.reshape(-1))]
    steps += [(f"row{i}", lambda v, i=i: v[i]) for i in range(m)]
    steps += [(f"col{j}", lambda v, j=j: v[:, j]) for j in range(n)]
    steps += [(f"rows{s}:", lambda v, s=s: v[s:]) for s in range(m)]
    return steps


@st.composite
def programs(draw):
    shape = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    steps = _view_steps(shape)
    program = []
    for _ in range(draw(st.integers(1, 4))):
        name, make = draw(st.sampled_from(steps))
        op = draw(st.sampled_from(["mul", "add", "copy_x", "fill", "zero"]))
        c = draw(st.sampled_from([-2.0, 0.5, 3.0]))
        program.append((name, make, op, c))
    saved_at = draw(st.none() | st.integers(0, len(program)))
    weights = draw(st.lists(st.sampled_from([-1.0, 0.5, 2.0]), min_size=9, max_size=9))
    return shape, program, saved_at, np.array(weights[: shape[0] * shape[1]])


def _run_program(lib, shape, program, saved_at, weights):
    x = lib.tensor(np.arange(1.0, 1 + shape[0] * shape[1]).reshape(shape), requires_grad=True)
    a = x * 1
    extra = None
    for k, (_, make, op, c) in enumerate(program):
        if saved_at == k:
            extra = a.sin().sum()  # saves a: any later change must make backward raise
        v = make(a)
        if op == "mul":
            v.mul_(c)
        elif op == "add":
            v.add_(c)
        elif op == "copy_x":
            v.copy_(x.reshape(-1)[: v.numel()].reshape(v.shape) * c)
        elif op == "fill":
            v.fill_(c)
        else:
            v.zero_()
    if saved_at == len(program):
        extra = a.sin().sum()  # saved after the last change: backward may use it
    loss = (a * lib.tensor(weights).reshape(shape)).sum()
    if extra is not None:
        loss = loss + extra
    try:
        loss.backward()
    except RuntimeError as e:
        assert STALE in str(e)
        return None, a.detach().numpy().copy()
    return x.grad.numpy().copy(), a.detach().numpy().copy()


def _reference(shape, program, saved_at, weights):
    """The same program without autograd: values and the Jacobian d a / d x, by hand."""
    size = shape[0] * shape[1]
    index = np.arange(size).reshape(shape)
    x = np.arange(1.0, 1 + size)
    vals, jac = x.copy(), np.eye(size)
    raises = saved_at is not None and saved_at < len(program)
    for _, make, op, c in program:
        pos = np.asarray(make(index)).reshape(-1)  # the root positions the view covers
        if op == "mul":
            vals[pos] *= c
            jac[pos] *= c
        elif op == "add":
            vals[pos] += c
        elif op == "copy_x":
            vals[pos] = x[: pos.size] * c
            jac[pos] = 0
            jac[pos, np.arange(pos.size)] = c
        else:
            vals[pos] = c if op == "fill" else 0.0
            jac[pos] = 0
    grad = jac.T @ weights
    if saved_at is not None and not raises:
        grad = grad + jac.T @ np.cos(vals)
    return (None if raises else grad.reshape(shape)), vals.reshape(shape)


@given(programs())
def test_random_views_and_inplace_ops_match_the_reference_and_pytorch(prog):
    shape, program, saved_at, weights = prog
    grad, values = _run_program(tg, shape, program, saved_at, weights)
    ref_grad, ref_values = _reference(shape, program, saved_at, weights)
    np.testing.assert_allclose(values, ref_values, rtol=1e-12)
    if ref_grad is None:
        assert grad is None, "PyTorch and the reference raise: a saved tensor was changed"
    else:
        np.testing.assert_allclose(grad, ref_grad, rtol=1e-10)
    if torch is not None:
        torch_grad, torch_values = _run_program(torch, shape, program, saved_at, weights)
        np.testing.assert_allclose(values, torch_values, rtol=1e-12)
        assert (torch_grad is None) == (grad is None)
        if grad is not None:
            np.testing.assert_allclose(grad, torch_grad, rtol=1e-10)
