"""``autograd.functional`` (jacobian, hessian, vjp, jvp, hvp, vhp) and gradcheck's
forward-mode flags: against closed forms, each other, and PyTorch when installed (1e-10 in
float64; those tests skip without torch)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays

import tinygrad_edu as tg
from tinygrad_edu.autograd import Function, GradcheckError, gradcheck, gradgradcheck
from tinygrad_edu.autograd import functional as AF

TOL = 1e-10


def t64(a, requires_grad=False):
    return tg.tensor(np.asarray(a, dtype=np.float64), requires_grad=requires_grad)


def as_arrays(result):
    """Nested tuples of Tensors -> the same nesting of arrays (lists count as tuples)."""
    if isinstance(result, (tuple, list)):
        return tuple(as_arrays(r) for r in result)
    return result.detach().numpy() if hasattr(result, "detach") else np.asarray(result)


def assert_same(ours, theirs):
    ours, theirs = as_arrays(ours), as_arrays(theirs)
    if isinstance(ours, tuple):
        assert isinstance(theirs, tuple) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            assert_same(a, b)
        return
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=TOL, atol=TOL)


# --------------------------------------------------------------------------- closed forms
def test_jacobian_of_an_elementwise_product_and_its_nesting():
    x, y = t64([1.0, 2.0, 3.0]), t64([4.0, 5.0, 6.0])
    jac = AF.jacobian(lambda a, b: a * b, (x, y))
    assert isinstance(jac, tuple) and len(jac) == 2  # one output, two inputs: (J_x, J_y)
    np.testing.assert_array_equal(jac[0]._data, np.diag(y._data))
    np.testing.assert_array_equal(jac[1]._data, np.diag(x._data))
    both = AF.jacobian(lambda a, b: (a * b, a.sum()), (x, y))  # two outputs, two inputs
    assert [[j.shape for j in row] for row in both] == [[(3, 3), (3, 3)], [(3,), (3,)]]
    single = AF.jacobian(lambda a: a.exp(), x)
    assert isinstance(single, tg.Tensor) and single.shape == (3, 3)
    assert not single.requires_grad


def test_jacobian_forward_and_reverse_agree_and_report_the_shapes():
    w = t64(np.arange(6.0).reshape(2, 3) / 7)
    x = t64([0.2, -0.4, 0.9])
    layer = lambda x: (w @ x).tanh()  # noqa: E731
    rev = AF.jacobian(layer, x)
    fwd = AF.jacobian(layer, x, strategy="forward-mode")
    assert rev.shape == fwd.shape == (2, 3)
    np.testing.assert_allclose(fwd._data, rev._data, rtol=1e-14)
    expected = (1 - np.tanh(w._data @ x._data) ** 2)[:, None] * w._data
    np.testing.assert_allclose(rev._data, expected, rtol=1e-14)


@given(x=arrays(st.sampled_from([(2,), (3,), (2, 2)])), v=st.integers(0, 2**31))
def test_hessian_is_symmetric_and_hvp_vhp_are_its_products(x, v):
    f = lambda t: (t.sin() * t).sum() + (1 + (t * t).sum()).log()  # noqa: E731 (smooth)
    xt = t64(x)
    h = AF.hessian(f, xt)._data.reshape(x.size, x.size)
    np.testing.assert_allclose(h, h.T, atol=1e-12)
    vec = np.random.default_rng(v).uniform(-1, 1, x.shape)
    _, hv = AF.hvp(f, xt, t64(vec))
    _, vh = AF.vhp(f, xt, t64(vec))
    np.testing.assert_allclose(hv._data.reshape(-1), h @ vec.reshape(-1), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(vh._data.reshape(-1), vec.reshape(-1) @ h, rtol=1e-10, atol=1e-12)
    fwd = AF.hessian(f, xt, outer_jacobian_strategy="forward-mode")._data
    np.testing.assert_allclose(fwd.reshape(x.size, x.size), h, rtol=1e-10, atol=1e-12)


def test_vjp_and_jvp_are_the_two_products_with_one_jacobian():
    x = t64([0.3, -1.0, 2.0])
    f = lambda t: (t.exp() * t[0]).softmax(0)  # noqa: E731
    jac = AF.jacobian(f, x)._data
    u, v = np.array([1.0, -2.0, 0.5]), np.array([0.1, 0.2, -0.3])
    out, ju = AF.vjp(f, x, t64(u))
    out2, jv = AF.jvp(f, x, t64(v))
    np.testing.assert_allclose(out._data, out2._data)
    np.testing.assert_allclose(ju._data, u @ jac, atol=1e-14)
    np.testing.assert_allclose(jv._data, jac @ v, atol=1e-14)
    assert not (out.requires_grad or ju.requires_grad or jv.requires_grad)


def test_vectorize_is_accepted_and_changes_nothing():
    x = t64([0.5, 1.5, -0.2])
    f = lambda t: (t.exp() * t.sum()).tanh()  # noqa: E731
    np.testing.assert_array_equal(AF.jacobian(f, x, vectorize=True)._data, AF.jacobian(f, x)._data)
    g = lambda t: (t.exp() * t.sum()).tanh().sum()  # noqa: E731
    np.testing.assert_array_equal(AF.hessian(g, x, vectorize=True)._data, AF.hessian(g, x)._data)


def test_create_graph_keeps_the_graph_and_a_second_derivative_works():
    x = t64([0.5, 1.5], requires_grad=True)
    jac = AF.jacobian(lambda t: t**3, x, create_graph=True)
    assert jac.requires_grad
    (g,) = tg.autograd.grad(jac.sum(), x)
    np.testing.assert_allclose(g._data, 6 * x._data)
    _, jv = AF.jvp(lambda t: t**3, x, t64([1.0, 1.0]), create_graph=True)
    (g,) = tg.autograd.grad(jv.sum(), x)
    np.testing.assert_allclose(g._data, 6 * x._data)


class NoRule(Function):
    """y = x^2 without a jvp: functional.jvp falls back to the double-backward trick."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.detach().numpy() ** 2

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return 2 * x * grad_output


def test_jvp_falls_back_to_double_backward_for_an_op_without_a_rule():
    x, v = t64([1.0, 3.0]), t64([1.0, -1.0])
    _, jv = AF.jvp(NoRule.apply, x, v)
    np.testing.assert_allclose(jv._data, [2.0, -6.0])
    with pytest.raises(NotImplementedError, match="NoRule has no forward-mode rule"):
        AF.jacobian(NoRule.apply, x, strategy="forward-mode")


def test_argument_errors():
    x = t64([1.0, 2.0])
    with pytest.raises(RuntimeError, match="v can only be None"):
        AF.vjp(lambda t: t * 2, x)
    with pytest.raises(RuntimeError, match="v has invalid size"):
        AF.jvp(lambda t: t * 2, x, t64([1.0]))
    with pytest.raises(RuntimeError, match="should return a single Tensor"):
        AF.hvp(lambda t: (t.sum(), t.sum()), x, x)
    with pytest.raises(RuntimeError, match="should contain a single element"):
        AF.hessian(lambda t: t * 2, x)
    with pytest.raises(TypeError, match="must be either a Tensor or a tuple of Tensors"):
        AF.jacobian(lambda t: t, [1.0, 2.0])
    with pytest.raises(NotImplementedError, match="create_graph=True"):
        AF.jacobian(lambda t: t, x, create_graph=True, strategy="forward-mode")


# --------------------------------------------------------------------------- gradcheck
class Sin(Function):
    """sin with a correct backward and a jvp that is 1% off (or right, ``scale = 1``)."""

    scale = 1.01

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x.detach().numpy())

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * x.cos()

    @staticmethod
    def jvp(ctx, tx):
        (x,) = ctx.saved_tensors
        return tx * x.cos() * Sin.scale


def test_gradcheck_check_forward_ad_catches_a_wrong_jvp_and_names_it():
    x = t64([0.1, 0.7, -1.3], requires_grad=True)
    assert gradcheck(Sin.apply, (x,))  # reverse mode is right
    with pytest.raises(GradcheckError) as err:
        gradcheck(Sin.apply, (x,), check_forward_ad=True)
    message = str(err.value)
    assert "computed with forward mode mismatch for output 0 with respect to input 0" in message
    assert "Worst: d output0[" in message and "numerical" in message and "forward mode" in message
    assert not gradcheck(Sin.apply, (x,), check_forward_ad=True, raise_exception=False)
    assert gradcheck(Sin.apply, (x,), check_backward_ad=False, check_forward_ad=False)


def test_gradcheck_forward_ad_passes_for_the_builtin_ops():
    a = t64(np.random.default_rng(0).standard_normal((3, 4)), requires_grad=True)
    b = t64(np.random.default_rng(1).standard_normal((4, 2)), requires_grad=True)

    def net(a, b):
        return (a @ b).tanh().log_softmax(dim=1), (a.exp() * 2).amax(1)

    assert gradcheck(net, (a, b), check_forward_ad=True)
    assert gradgradcheck(net, (a, b), check_fwd_over_rev=True)


class SinSquared(Function):
    """y = sin(x)^2 / 2, whose backward calls the Sin above: dy/dx = sin(x) cos(x)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x.detach().numpy()) ** 2 / 2

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * Sin.apply(x) * x.cos()

    @staticmethod
    def jvp(ctx, tx):
        (x,) = ctx.saved_tensors
        return tx * x.sin() * x.cos()


def test_gradgradcheck_check_fwd_over_rev_catches_a_wrong_jvp_inside_a_backward():
    x = t64([0.4, -0.9], requires_grad=True)
    assert gradgradcheck(SinSquared.apply, (x,))  # reverse over reverse never uses jvp
    with pytest.raises(GradcheckError, match="forward mode mismatch"):
        gradgradcheck(SinSquared.apply, (x,), check_fwd_over_rev=True)
    Sin.scale = 1.0
    try:
        assert gradgradcheck(SinSquared.apply, (x,), check_fwd_over_rev=True)
    finally:
        Sin.scale = 1.01


# --------------------------------------------------------------------------- PyTorch
def _pair(torch):
    rng = np.random.default_rng(7)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal(4)
    return (t64(a), t64(b)), (torch.tensor(a), torch.tensor(b))


def _f(x, y):
    return ((x @ y).tanh() * 2, (x * x).sum() + y.exp().sum())


def _scalar(x, y):
    return ((x @ y).sigmoid() ** 2).sum() + (x.sin() * y).sum()


@pytest.mark.parametrize("create_graph", [False, True])
def test_matches_pytorch(create_graph):
    torch = pytest.importorskip("torch")
    TF = pytest.importorskip("torch.autograd.functional")
    ours, theirs = _pair(torch)
    u = np.random.default_rng(8).standard_normal(3)
    cases = [
        (lambda M, xs: M.jacobian(_f, xs, create_graph=create_graph), "jacobian"),
        (lambda M, xs: M.jacobian(lambda x, y: (x @ y).exp(), xs), "jac1"),
        (lambda M, xs: M.jacobian(lambda x: x.sin(), xs[0], create_graph=create_graph), "jac0"),
        (lambda M, xs: M.hessian(_scalar, xs, create_graph=create_graph), "hessian"),
        (lambda M, xs: M.hessian(lambda x: (x**3).sum(), xs[1]), "hessian1"),
    ]
    for run, name in cases:
        assert_same(run(AF, ours), run(TF, theirs)), name
    conv_ours = (t64(u), t64(1.5))
    conv_theirs = (torch.tensor(u), torch.tensor(1.5))
    assert_same(
        AF.vjp(_f, ours, conv_ours, create_graph=create_graph),
        TF.vjp(_f, theirs, conv_theirs, create_graph=create_graph),
    )
    tangents = tuple(t64(np.ones(x.shape) * 0.3) for x in ours)
    torch_tangents = tuple(torch.tensor(t._data) for t in tangents)
    assert_same(
        AF.jvp(_f, ours, tangents, create_graph=create_graph),
        TF.jvp(_f, theirs, torch_tangents, create_graph=create_graph),
    )
    for name in ("hvp", "vhp"):
        assert_same(
            getattr(AF, name)(_scalar, ours, tangents, create_graph=create_graph),
            getattr(TF, name)(_scalar, theirs, torch_tangents, create_graph=create_graph),
        )


def test_forward_mode_strategies_match_pytorch():
    torch = pytest.importorskip("torch")
    TF = pytest.importorskip("torch.autograd.functional")
    ours, theirs = _pair(torch)
    assert_same(
        AF.jacobian(_f, ours, strategy="forward-mode"),
        TF.jacobian(_f, theirs, strategy="forward-mode", vectorize=True),
    )
    assert_same(
        AF.hessian(_scalar, ours, outer_jacobian_strategy="forward-mode"),
        TF.hessian(_scalar, theirs, outer_jacobian_strategy="forward-mode", vectorize=True),
    )


STRICT_CASES = [
    ("vjp", lambda x, y: x * 2, True),  # y unused
    ("vjp", lambda x, y: x.detach() * 2, True),  # output needs no grad
    ("jvp", lambda x, y: x * 2, False),
    ("jvp", lambda x, y: x.detach() * 2, False),
    ("jacobian", lambda x, y: x * 2, None),
    ("hessian", lambda x, y: (x * 2).sum(), None),  # linear: the gradient is constant
    ("hvp", lambda x, y: (x * x).sum(), False),
    ("vhp", lambda x, y: (x * 2).sum(), False),
]


@pytest.mark.parametrize("case", range(len(STRICT_CASES)))
def test_strict_errors_match_pytorch(case):
    torch = pytest.importorskip("torch")
    TF = pytest.importorskip("torch.autograd.functional")
    name, fn, v_is_output = STRICT_CASES[case]
    rng = np.random.default_rng(case)
    a, b = rng.standard_normal(3), rng.standard_normal(3)
    messages = []
    for M, mk in ((AF, t64), (TF, torch.tensor)):
        args = (mk(a), mk(b))
        kwargs = {"strict": True}
        if v_is_output is True:
            kwargs["v"] = mk(np.ones(3))
        elif v_is_output is False:
            kwargs["v"] = (mk(np.ones(3)), mk(np.ones(3)))
        try:
            getattr(M, name)(fn, args, **kwargs)
            messages.append(None)
        except RuntimeError as err:
            messages.append(str(err))
    assert messages[0] == messages[1]
    assert messages[0] is not None
