"""Forward-mode AD (``autograd.forward_ad``): the dual-tensor API against PyTorch's rules,
and every op's ``jvp`` against its ``backward``.

The property test draws inputs for every op class in ``tinygrad_edu.ops`` (the table
``CASES`` must name them all) and checks that forward and reverse mode are transposes of
one Jacobian: ``<u, J v> == <J^T u, v>`` in float64. Parity tests with PyTorch skip when
torch is not installed.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from opcheck import check_forward_reverse
from strategies import (
    arrays,
    away_from_zero,
    broadcastable_shapes,
    floats,
    grid,
    positive,
    shapes,
)

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
import tinygrad_edu.ops
from tinygrad_edu.autograd import Function, grad
from tinygrad_edu.autograd import forward_ad as fwAD
from tinygrad_edu.ops import elementwise, loss, matmul, movement, nn, reduce

f64 = tg.float64


def t64(a, requires_grad=False):
    return tg.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


# --------------------------------------------------------------------------- the API
def test_make_dual_outside_a_level_raises_and_unpack_gives_no_tangent():
    x = t64([1.0, 2.0])
    with pytest.raises(RuntimeError, match="no level exists"):
        fwAD.make_dual(x, t64([1.0, 1.0]))
    primal, tangent = fwAD.unpack_dual(x)
    assert primal is x and tangent is None


def test_dual_level_does_not_nest_and_is_left_on_errors():
    with fwAD.dual_level() as level:
        assert level == 0
        with pytest.raises(RuntimeError, match="Nested forward mode AD"), fwAD.dual_level():
            pass
    with pytest.raises(ZeroDivisionError), fwAD.dual_level():
        1 / 0  # noqa: B018
    assert not fwAD.ForwardAD.enabled and fwAD.ForwardAD.level == -1


def test_unpack_dual_is_a_namedtuple_and_tangents_flow_through_ops():
    x, v = t64([0.5, -1.0, 2.0]), t64([1.0, 2.0, 3.0])
    with fwAD.dual_level():
        d = fwAD.make_dual(x, v)
        out = fwAD.unpack_dual(d.sin() * 3)
        assert type(out).__name__ == "UnpackedDualTensor"
        assert out.tangent is out[1]
        np.testing.assert_allclose(out.primal._data, 3 * np.sin(x._data))
        np.testing.assert_allclose(out.tangent._data, 3 * np.cos(x._data) * v._data)
        assert fwAD.unpack_dual(d).tangent is v  # the tangent as given
        assert fwAD.unpack_dual(out.primal).tangent is None  # the primal carries none
        assert fwAD.unpack_dual(x.sin()).tangent is None  # no input tangent: none out
        y = d * 2
    assert fwAD.unpack_dual(y).tangent is None  # leaving the level drops every tangent


def test_dual_level_works_as_a_decorator():
    @fwAD.dual_level()
    def tangent_of_square(x, v):
        return fwAD.unpack_dual(fwAD.make_dual(x, v) ** 2).tangent

    np.testing.assert_allclose(tangent_of_square(t64([3.0]), t64([1.0]))._data, [6.0])
    assert not fwAD.ForwardAD.enabled


def test_make_dual_checks_its_arguments():
    x = t64([1.0, 2.0])
    with fwAD.dual_level():
        with pytest.raises(RuntimeError, match="different size"):
            fwAD.make_dual(x, t64([1.0]))
        with pytest.raises(ValueError, match="primal to be floating point"):
            fwAD.make_dual(tg.tensor([1, 2]), t64([1.0, 1.0]))
        with pytest.raises(ValueError, match="tangent to be floating point"):
            fwAD.make_dual(x, tg.tensor([1, 2]))
        d = fwAD.make_dual(x, t64([1.0, 1.0]))
        with pytest.raises(RuntimeError, match="already has a forward gradient"):
            fwAD.make_dual(d, t64([1.0, 1.0]))
        cast = fwAD.make_dual(x, tg.tensor([1.0, 1.0], dtype=tg.float32))
        assert fwAD.unpack_dual(cast).tangent.dtype == np.float64


def test_detach_and_data_drop_the_tangent_while_casts_keep_it():
    with fwAD.dual_level():
        d = fwAD.make_dual(t64([1.0, 2.0]), t64([1.0, -1.0]))
        assert fwAD.unpack_dual(d.detach()).tangent is None
        assert fwAD.unpack_dual(d.data).tangent is None
        single = fwAD.unpack_dual(d.float()).tangent
        assert single.dtype == np.float32
        np.testing.assert_array_equal(single._data, [1.0, -1.0])


def test_make_dual_is_differentiable_back_to_its_primal():
    x = t64([1.0, 2.0], requires_grad=True)
    with fwAD.dual_level():
        d = fwAD.make_dual(x, t64([1.0, 1.0]))
        (d * d).sum().backward()
    np.testing.assert_array_equal(x.grad._data, [2.0, 4.0])


def test_reverse_over_forward_a_tangent_has_a_graph_when_its_primal_requires_grad():
    x = t64([0.3, -1.2], requires_grad=True)
    v = t64([1.0, 2.0])
    with fwAD.dual_level():
        tangent = fwAD.unpack_dual(fwAD.make_dual(x, v).sin()).tangent  # cos(x) v
    assert tangent.requires_grad
    (g,) = grad(tangent.sum(), x)
    np.testing.assert_allclose(g._data, -np.sin(x._data) * v._data, rtol=1e-14)


def test_tangents_flow_without_recording_and_a_tangent_that_requires_grad_keeps_its_graph():
    x = t64([0.5, -1.0])
    v = t64([1.0, 2.0], requires_grad=True)
    with tg.no_grad(), fwAD.dual_level():  # nothing recorded: the rules still run
        tangent = fwAD.unpack_dual(fwAD.make_dual(x, v.detach()).exp().softmax(0)).tangent
        assert not tangent.requires_grad
    s = np.exp(np.exp(x._data)) / np.exp(np.exp(x._data)).sum()
    jac = (np.diag(s) - np.outer(s, s)) * np.exp(x._data)
    np.testing.assert_allclose(tangent._data, jac @ v._data, rtol=1e-14)
    with fwAD.dual_level():  # x needs no grad, v does: the tangent is a function of v
        tangent = fwAD.unpack_dual(fwAD.make_dual(x, v).exp().softmax(0)).tangent
    assert tangent.requires_grad
    (g,) = grad((tangent * t64([1.0, -1.0])).sum(), v)
    np.testing.assert_allclose(g._data, jac.T @ [1.0, -1.0], rtol=1e-14)


class Twice(Function):
    """y = 2 x, with no forward-mode rule."""

    @staticmethod
    def forward(ctx, x):
        return 2 * x.detach().numpy()

    @staticmethod
    def backward(ctx, grad_output):
        return 2 * grad_output


class Cube(Function):
    """y = x^3.   dy/dx = 3 x^2;   forward mode: dy = 3 x^2 dx."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.power(x.detach().numpy(), 3)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * 3 * x * x

    @staticmethod
    def jvp(ctx, tx):
        (x,) = ctx.saved_tensors
        return tx * 3 * x * x


def test_an_op_without_a_rule_raises_naming_it_and_your_own_rule_is_used():
    x, v = t64([1.0, 2.0]), t64([1.0, 0.5])
    with fwAD.dual_level():
        d = fwAD.make_dual(x, v)
        with pytest.raises(NotImplementedError, match="Twice has no forward-mode rule"):
            Twice.apply(d)
        assert fwAD.unpack_dual(Twice.apply(x)).tangent is None  # no tangent: no rule needed
        tangent = fwAD.unpack_dual(Cube.apply(d)).tangent
    np.testing.assert_allclose(tangent._data, 3 * x._data**2 * v._data)
    assert issubclass(fwAD.NoForwardRuleError, NotImplementedError)


@pytest.mark.parametrize(
    "write",
    [
        lambda d, c: d.mul_(2),
        lambda d, c: d.add_(1.0),
        lambda d, c: c.add_(d),  # a plain tensor updated with a dual one
        lambda d, c: d.__iadd__(c),
        lambda d, c: d.clamp_(0, 1),
        lambda d, c: d.fill_(0),
        lambda d, c: d.zero_(),
        lambda d, c: d.copy_(c),
        lambda d, c: c.copy_(d),
        lambda d, c: d.__setitem__(0, 5.0),
        lambda d, c: c.__setitem__(0, d[1]),
    ],
)
def test_in_place_ops_on_dual_tensors_raise(write):
    with fwAD.dual_level():
        d = fwAD.make_dual(t64([1.0, 2.0]), t64([1.0, 1.0]))
        c = t64([3.0, 4.0])
        with pytest.raises(RuntimeError, match="in-place operations on dual tensors"):
            write(d, c)
        c.mul_(2)  # in-place ops on tensors without tangents are fine
    np.testing.assert_array_equal(c._data, [6.0, 8.0])


def test_without_a_level_apply_leaves_no_trace():
    x = t64([1.0, 2.0], requires_grad=True)
    before = dict(fwAD._tangents)
    (x.exp() * x).sum().backward()
    assert fwAD._tangents == before == {}
    assert fwAD.ForwardAD.enabled is False


def test_tangents_are_dropped_with_their_tensors():
    with fwAD.dual_level():
        d = fwAD.make_dual(t64([1.0, 2.0]), t64([1.0, 1.0]))
        for _ in range(50):
            d.sin()
        assert len(fwAD._tangents) == 1  # the 50 unused results are gone, and so their tangents


# --------------------------------------------------------------------------- every op
def _binary(op, x_el=None, y_el=None):
    pair = broadcastable_shapes(2).flatmap(
        lambda s: st.tuples(arrays(s[0], x_el), arrays(s[1], y_el))
    )
    return pair.map(lambda a: (a, op))


def _unary(op, elements=None, shape=None):
    return arrays(shape if shape is not None else shapes(), elements).map(lambda a: ((a,), op))


@st.composite
def _where(draw):
    sx, sy, sc = draw(broadcastable_shapes(3))
    cond = draw(arrays(sc, st.booleans().map(float))) > 0.5
    x, y = draw(arrays(sx)), draw(arrays(sy))
    return (x, y), lambda a, b: tg.where(tg.tensor(cond), a, b)


@st.composite
def _getitem(draw):
    shape = draw(shapes(min_dims=1))
    kind = draw(st.sampled_from(["int", "slice", "array", "mask"]))
    if kind == "int":
        index = draw(st.integers(-shape[0], shape[0] - 1))
    elif kind == "slice":
        index = (
            (slice(None), slice(draw(st.integers(0, 1)), None))
            if len(shape) > 1
            else slice(1, None)
        )
    elif kind == "array":  # repeated indices accumulate in the backward
        index = np.array(draw(st.lists(st.integers(0, shape[0] - 1), min_size=1, max_size=4)))
    else:
        index = draw(arrays(shape[:1], st.booleans().map(float))) > 0.5
    return (draw(arrays(shape)),), lambda x: x[index]


@st.composite
def _index_add(draw):
    shape = draw(shapes(min_dims=1))
    rows = np.array(draw(st.lists(st.integers(0, shape[0] - 1), min_size=1, max_size=4)))
    g = draw(arrays((len(rows), *shape[1:])))
    return (g,), lambda t: movement.IndexAdd.apply(t, index=rows, shape=shape)


@st.composite
def _set_item(draw):
    shape = draw(shapes(min_dims=1))
    # (no repeated element: x[[0, 0]] = v keeps one of the two values, not their sum)
    distinct = [np.array([-1, 0])] if shape[0] > 1 else []
    index = draw(st.sampled_from([0, slice(1, None), np.array([0]), *distinct]))
    part = np.zeros(shape)[index].shape
    v_shape = draw(st.sampled_from([part, part[1:], ()]))
    x, v = draw(arrays(shape)), draw(arrays(v_shape))
    return (x, v), lambda a, b: movement.SetItem.apply(a, b, index=index)


@st.composite
def _copy(draw):
    shape = draw(shapes())
    x, src = draw(arrays(shape)), draw(arrays(shape[draw(st.integers(0, len(shape))) :]))
    return (x, src), lambda a, b: elementwise.Copy.apply(a, b)


@st.composite
def _permute(draw):
    shape = draw(shapes())
    dims = tuple(draw(st.permutations(range(len(shape)))))
    return (draw(arrays(shape)),), lambda x: x.permute(*dims) if dims else x.reshape(())


@st.composite
def _reshape(draw):
    shape = draw(shapes())
    target = tuple(draw(st.permutations(shape))) + (1,)
    return (draw(arrays(shape)),), lambda x: x.reshape(target)


@st.composite
def _expand(draw):
    shape = draw(shapes(max_dims=2))
    target = (2,) + tuple(3 if n == 1 and draw(st.booleans()) else n for n in shape)
    return (draw(arrays(shape)),), lambda x: x.expand(*target)


@st.composite
def _cat(draw):
    shape = draw(shapes(min_dims=1))
    dim = draw(st.integers(0, len(shape) - 1))
    n = draw(st.integers(1, 3))
    parts = []
    for _ in range(n):
        s = list(shape)
        s[dim] = draw(st.integers(1, 2))
        parts.append(draw(arrays(tuple(s))))
    return tuple(parts), lambda *xs: tg.cat(list(xs), dim=dim)


@st.composite
def _matmul(draw):
    n, k, m = (draw(st.integers(1, 3)) for _ in range(3))
    batch = draw(st.sampled_from([(), (2,)]))
    x_shape = draw(st.sampled_from([(k,), (*batch, n, k)]))
    y_shape = draw(st.sampled_from([(k,), (k, m)]))
    return (draw(arrays(x_shape)), draw(arrays(y_shape))), lambda x, y: x @ y


@st.composite
def _linear(draw):
    n_in, n_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    lead = draw(st.sampled_from([(2,), (2, 2), ()]))
    arrays_ = [draw(arrays((*lead, n_in))), draw(arrays((n_out, n_in)))]
    if draw(st.booleans()):
        arrays_.append(draw(arrays((n_out,))))
    return tuple(arrays_), lambda *a: F.linear(*a)


@st.composite
def _reduction(draw, method, elements=None):
    shape = draw(shapes(min_dims=1))
    dim = draw(st.integers(0, len(shape) - 1) | st.just(None))
    keepdim = draw(st.booleans())
    x = draw(arrays(shape, elements))
    if method == "logsumexp":
        dim = 0 if dim is None else dim
    return (x,), lambda t: getattr(t, method)(dim=dim, keepdim=keepdim)


@st.composite
def _softmax(draw, method):
    shape = draw(shapes(min_dims=1))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    return (draw(arrays(shape)),), lambda t: getattr(t, method)(dim)


@st.composite
def _pair_same_shape(draw, op, x_el=None, y_el=None):
    shape = draw(shapes(min_dims=1))
    return (draw(arrays(shape, x_el)), draw(arrays(shape, y_el))), op


@st.composite
def _picked_nll(draw):
    rows, classes = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    target = np.array([draw(st.integers(0, classes - 1)) for _ in range(rows)])
    reduction = draw(st.sampled_from(["mean", "sum"]))
    x = draw(arrays((rows, classes)))
    return (x,), lambda t: loss.PickedNLL.apply(t, classes=target, reduction=reduction)


CASES = {
    "Add": _binary(lambda x, y: x + y),
    "Sub": _binary(lambda x, y: x - y),
    "Mul": _binary(lambda x, y: x * y),
    "Div": _binary(lambda x, y: x / y, y_el=away_from_zero(0.5)),
    "Pow": _binary(lambda x, y: x**y, positive(0.5, 2.0), floats(-2, 2)),
    "Maximum": _binary(lambda x, y: x.maximum(y), grid(), grid()),  # ties included
    "Minimum": _binary(lambda x, y: x.minimum(y), grid(), grid()),
    "Where": _where(),
    "Neg": _unary(lambda x: -x),
    "Exp": _unary(lambda x: x.exp()),
    "Log": _unary(lambda x: x.log(), positive()),
    "Sqrt": _unary(lambda x: x.sqrt(), positive()),
    "Abs": _unary(lambda x: x.abs(), grid()),  # zeros included
    "Sin": _unary(lambda x: x.sin()),
    "Cos": _unary(lambda x: x.cos()),
    "Tanh": _unary(lambda x: x.tanh()),
    "Sigmoid": _unary(lambda x: x.sigmoid(), floats(-30, 30)),
    "Relu": _unary(lambda x: x.relu(), grid()),
    "LeakyRelu": _unary(lambda x: x.leaky_relu(0.1), grid()),
    "Clamp": _unary(lambda x: x.clamp(-0.5, 1.0), grid()),
    "Cast": _unary(lambda x: elementwise.Cast.apply(x, dtype=np.float64)),
    "Clone": _unary(lambda x: x.clone()),
    "Copy": _copy(),
    "SetItem": _set_item(),
    "Reshape": _reshape(),
    "Permute": _permute(),
    "Expand": _expand(),
    "GetItem": _getitem(),
    "IndexAdd": _index_add(),
    "Cat": _cat(),
    "Matmul": _matmul(),
    "Linear": _linear(),
    "Sum": _reduction("sum"),
    "Amax": _reduction("amax", grid()),
    "Amin": _reduction("amin", grid()),
    "LogSumExp": _reduction("logsumexp"),
    "Softmax": _softmax("softmax"),
    "LogSoftmax": _softmax("log_softmax"),
    "BinaryCrossEntropy": _pair_same_shape(
        lambda x, y: loss.BinaryCrossEntropy.apply(x, y), floats(0.05, 0.95), floats(0, 1)
    ),
    "MSELoss": _pair_same_shape(lambda x, y: F.mse_loss(x, y)),
    "SmoothL1Loss": _pair_same_shape(
        lambda x, y: F.smooth_l1_loss(x, y, beta=0.5, reduction="none")
    ),
    "HuberLoss": _pair_same_shape(lambda x, y: F.huber_loss(x, y, delta=1.3)),
    "PickedNLL": _picked_nll(),
}


#: Op modules whose ops' forward/reverse transpose property is checked by ``op_test`` (which
#: runs ``check_forward_reverse``) in their own test files rather than by CASES here.
CHECKED_ELSEWHERE = {
    "activation": "test_nn_norm.py",
    "conv": "test_conv.py",
    "pad": "test_conv.py",
    "pool": "test_conv.py",
    "einsum": "test_torch_surface.py",
    "scan": "test_torch_surface.py",
    "trig": "test_torch_surface.py",
}
CHECKED_HERE = (elementwise, loss, matmul, movement, nn, reduce)


def _op_classes(modules) -> dict[str, type]:
    found = {}
    for module in modules:
        for name, obj in inspect.getmembers(module, inspect.isclass):
            mine = issubclass(obj, Function) and obj.__module__ == module.__name__
            if mine and not name.startswith("_"):
                found[name] = obj
    return found


def _all_op_modules():
    names = [m.name for m in pkgutil.iter_modules(tinygrad_edu.ops.__path__)]
    return [importlib.import_module(f"tinygrad_edu.ops.{name}") for name in names]


def test_every_op_has_a_jvp_rule_with_a_formula_and_a_case_here():
    modules = _all_op_modules()
    here = {m.__name__.rsplit(".", 1)[1] for m in CHECKED_HERE}
    for module in modules:
        short = module.__name__.rsplit(".", 1)[1]
        assert not _op_classes([module]) or short in here or short in CHECKED_ELSEWHERE, (
            f"ops/{short}.py: no forward-mode check"
        )
    assert set(_op_classes(CHECKED_HERE)) == set(CASES), "CASES must name every op class here"
    for name, cls in _op_classes(modules).items():
        assert callable(getattr(cls, "jvp", None)), f"{name} has no jvp"
        assert "Forward mode:" in (cls.jvp.__doc__ or ""), f"{name}.jvp states no formula"


@pytest.mark.parametrize("name", sorted(CASES))
@given(data=st.data())
def test_forward_mode_is_the_transpose_of_reverse_mode(name, data):
    """<u, J v> == <J^T u, v> in float64: jvp and backward describe one Jacobian."""
    arrays_, op = data.draw(CASES[name], label="(inputs, op)")
    check_forward_reverse(op, arrays_, {})


# --------------------------------------------------------------------------- PyTorch
def test_tangents_match_pytorch_through_a_small_network():
    torch = pytest.importorskip("torch")
    fwd = pytest.importorskip("torch.autograd.forward_ad")
    rng = np.random.default_rng(3)
    x, w1, b1, w2, y = (rng.standard_normal(s) for s in [(4, 5), (3, 5), (3,), (2, 3), (4, 2)])
    tangents = [rng.standard_normal(a.shape) for a in (x, w1, b1, w2)]

    def net(lib, F_, x, w1, b1, w2):
        h = F_.linear(x, w1, b1).tanh()
        z = (h @ w2.T).softmax(1)
        return ((z - lib.tensor(y)) ** 2).mean() + z.logsumexp(1).sum() + h.amax(1).sum()

    with fwAD.dual_level():
        duals = [fwAD.make_dual(t64(a), t64(t)) for a, t in zip((x, w1, b1, w2), tangents)]
        ours = fwAD.unpack_dual(net(tg, F, *duals))
    with fwd.dual_level():
        duals = [
            fwd.make_dual(torch.tensor(a), torch.tensor(t))
            for a, t in zip((x, w1, b1, w2), tangents)
        ]
        theirs = fwd.unpack_dual(net(torch, torch.nn.functional, *duals))
    np.testing.assert_allclose(ours.primal._data, theirs.primal.numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(ours.tangent._data, theirs.tangent.numpy(), rtol=1e-10, atol=1e-10)


def test_errors_match_pytorch_messages():
    torch = pytest.importorskip("torch")
    fwd = pytest.importorskip("torch.autograd.forward_ad")
    messages = []
    for api, mk in ((fwAD, t64), (fwd, lambda a: torch.tensor(a, dtype=torch.float64))):
        found = []
        try:
            api.make_dual(mk([1.0]), mk([1.0]))
        except RuntimeError as e:
            found.append(str(e))
        with api.dual_level():
            try:
                api.make_dual(mk([1.0, 2.0]), mk([1.0]))
            except RuntimeError as e:
                found.append(str(e).split(" Tensor is of size")[0])
            d = api.make_dual(mk([1.0]), mk([1.0]))
            try:
                api.make_dual(d, mk([1.0]))
            except RuntimeError as e:
                found.append(str(e))
        messages.append(found)
    assert messages[0] == messages[1]
