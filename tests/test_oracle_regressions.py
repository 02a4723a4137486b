"""Regression tests for what the differential test against PyTorch found (issue 20).

Each compares with PyTorch where PyTorch is installed (those tests skip without it); the
save/load, grad-mode and generator tests state PyTorch's behaviour directly.
"""

from __future__ import annotations

import threading

import numpy as np
import pytest

import tinygrad_edu as tg
import tinygrad_edu.nn.functional as F
from tinygrad_edu.autograd import Function
from tinygrad_edu.nn import Parameter


def torch_or_skip():
    return pytest.importorskip("torch")


def grads_of(m, fn, *arrays, create_graph=False):
    """fn's value and the gradient of sum(fn) for float64 leaves made from ``arrays``."""
    xs = [m.tensor(np.asarray(a, dtype=np.float64), requires_grad=True) for a in arrays]
    out = fn(m, *xs)
    gs = m.autograd.grad(out.sum(), xs, create_graph=create_graph, allow_unused=True)
    return out, xs, gs


def numpy_of(t):
    return t.detach().numpy() if not isinstance(t, tg.Tensor) else t.detach()._data


# ------------------------------------------------------------------------ dtype promotion
PROMOTION_CASES = [
    # (left, right): arrays (0-d or not) or Python numbers
    (np.ones(3, np.float32), np.array(2.0, np.float64)),  # 0-d float64 does not upcast
    (np.array(2.0, np.float64), np.ones(3, np.float32)),
    (np.ones(3, np.int32), np.array(2, np.int64)),  # nor a 0-d int64
    (np.ones(3, np.int32), 2.5),  # int tensor + Python float: the default float
    (np.ones(3, np.int64), np.array(2.5, np.float64)),  # a higher category does decide
    (np.ones(3, np.bool_), np.array(2, np.int32)),
    (np.ones(3, np.bool_), True),
    (np.ones(3, np.bool_), 3),
    (np.array(1, np.int32), 2.5),  # both 0-d: ordinary promotion
    (np.array(1.0, np.float32), np.array(1.0, np.float64)),
]


@pytest.mark.parametrize("left, right", PROMOTION_CASES)
@pytest.mark.parametrize("op", ["add", "mul", "truediv", "maximum", "where", "lt", "eq"])
def test_promotion_by_category_matches_pytorch(left, right, op):
    torch = torch_or_skip()

    def run(m):
        a = m.from_numpy(left.copy()) if isinstance(left, np.ndarray) else left
        b = m.from_numpy(right.copy()) if isinstance(right, np.ndarray) else right
        if op == "maximum":
            if not isinstance(b, np.ndarray) and not hasattr(b, "shape"):
                return None
            return m.maximum(a, b)
        if op == "where":
            cond = m.from_numpy(np.array([True, False, True]))
            return m.where(cond, a, b)
        return {"add": a + b, "mul": a * b, "truediv": a / b, "lt": a < b, "eq": a == b}[op]

    ours, theirs = run(tg), run(torch)
    if ours is None:
        return
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch."), (ours.dtype, theirs.dtype)
    np.testing.assert_array_equal(ours._data, theirs.numpy())


def test_comparison_happens_in_the_promoted_dtype():
    """0.1 in float32 equals a float64 0-d 0.1 once both are float32, as in PyTorch."""
    x = tg.tensor([0.1], dtype=tg.float32)
    assert (x == tg.tensor(0.1, dtype=tg.float64)).item()
    assert not (x.double() == tg.tensor(0.1, dtype=tg.float64)).item()


# --------------------------------------------------------------------- 0 * inf conventions
@pytest.mark.parametrize(
    "fn, arrays",
    [
        (lambda m, x: x**0, [[0.0, 1.0, -2.0, 1e-300]]),
        (lambda m, x: x**0.0, [[0.0, 3.0]]),
        (lambda m, x: x**1, [[0.0, 7.9e-164, -2.0]]),
        (lambda m, x: x**2, [[0.0, 8.6e-216, -1.5]]),
        (lambda m, x, y: x**y, [[0.0, 0.0, 0.0, 2.0], [0.0, 2.0, -1.0, 0.5]]),
        (lambda m, x, y: x**y, [[np.nan, np.inf, 3.0], [0.0, 0.0, 0.0]]),
        (lambda m, x: x.std(), [[1.0]]),
        (lambda m, x: x.std(0), [[[2.0, 1.0], [2.0, 3.0]]]),
        (lambda m, x: x.abs(), [[np.nan, 0.0, -1.0]]),
        (lambda m, x: x.relu(), [[np.nan, 0.0, -1.0, 2.0]]),
        (lambda m, x, y: m.minimum(x, y), [[np.nan, 1.0, 2.0], [0.0, np.nan, 2.0]]),
        (lambda m, x: x.max(), [[1.0, np.nan, np.nan]]),
        (lambda m, x: x.max(1)[0], [[[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]]),
        (lambda m, x, y: y / x, [[np.inf], np.zeros(0)]),
    ],
)
def test_gradients_at_singular_points_match_pytorch(fn, arrays):
    torch = torch_or_skip()
    with np.errstate(all="ignore"):
        ours, xs, gs = grads_of(tg, fn, *arrays, create_graph=True)
        theirs, _, hs = grads_of(torch, fn, *arrays, create_graph=True)
        np.testing.assert_allclose(ours._data, numpy_of(theirs), equal_nan=True)
        for g, h, x in zip(gs, hs, xs):
            np.testing.assert_allclose(
                np.zeros(x.shape) if g is None else g._data,
                np.zeros(x.shape) if h is None else numpy_of(h),
                rtol=1e-12,
                equal_nan=True,
            )


def test_x_to_the_power_0_has_zero_derivatives_at_zero():
    x = tg.tensor([0.0, 1e-300], dtype=tg.float64, requires_grad=True)
    (g,) = tg.autograd.grad((x**0).sum(), x, create_graph=True)
    np.testing.assert_array_equal(g._data, [0.0, 0.0])
    (gg,) = tg.autograd.grad(g.sum(), x, allow_unused=True)
    assert gg is None or not np.isnan(gg._data).any()


def test_bce_with_logits_gradient_at_infinite_logits_matches_pytorch():
    torch = torch_or_skip()
    x, y = np.array([-np.inf, np.inf, 0.0, 40.0]), np.array([0.0, 1.0, 0.5, 0.0])
    results = []
    for m in (tg, torch):
        xt = m.tensor(x, requires_grad=True)
        loss = m.nn.functional.binary_cross_entropy_with_logits(xt, m.tensor(y), reduction="sum")
        (g,) = m.autograd.grad(loss, xt)
        results.append((numpy_of(loss), numpy_of(g)))
    np.testing.assert_allclose(results[0][0], results[1][0])
    np.testing.assert_allclose(results[0][1], results[1][1], rtol=1e-12)


def test_bce_with_logits_second_derivative_at_zero_is_sigmoid_prime():
    x = tg.tensor([0.0], dtype=tg.float64, requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, tg.zeros(1, dtype=tg.float64))
    (g,) = tg.autograd.grad(loss, x, create_graph=True)
    (gg,) = tg.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(g._data, [0.5])
    np.testing.assert_allclose(gg._data, [0.25])


# --------------------------------------------------------------------- ignored targets
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("loss", ["nll_loss", "cross_entropy", "smoothed"])
@pytest.mark.parametrize("weighted", [False, True])
def test_every_target_ignored_gives_pytorchs_value_and_zero_gradients(loss, reduction, weighted):
    torch = torch_or_skip()
    logits = np.array([[0.5, -1.0, 2.0], [30.0, 0.0, 1.0]])
    target = np.array([-100, -100])

    def run(m):
        x = m.tensor(logits, requires_grad=True)
        kw = {"reduction": reduction}
        if weighted:
            kw["weight"] = m.tensor([1.0, 2.0, 0.5], dtype=m.float64)
        if loss == "smoothed":
            kw["label_smoothing"] = 0.2
        fn = m.nn.functional.nll_loss if loss == "nll_loss" else m.nn.functional.cross_entropy
        out = fn(x, m.tensor(target), **kw)
        (g,) = m.autograd.grad(out.sum(), x)
        return numpy_of(out), numpy_of(g)

    with np.errstate(all="ignore"):
        (ours, g_ours), (theirs, g_theirs) = run(tg), run(torch)
    np.testing.assert_allclose(ours, theirs, equal_nan=True)
    np.testing.assert_array_equal(g_ours, g_theirs)
    assert not np.isnan(g_ours).any()


@pytest.mark.parametrize(
    "fn",
    [
        lambda m, x, t: m.nn.functional.nll_loss(x, t, reduction="none"),
        lambda m, x, t: m.nn.functional.cross_entropy(x, t, reduction="sum", label_smoothing=0.1),
    ],
)
def test_ignored_target_with_infinite_logit_counts_zero(fn):
    torch = torch_or_skip()
    x = np.array([[np.inf], [1.0]], dtype=np.float32)
    t = np.array([-100, 0])
    with np.errstate(all="ignore"):
        ours = fn(tg, tg.tensor(x), tg.tensor(t))
    theirs = fn(torch, torch.tensor(x), torch.tensor(t))
    np.testing.assert_array_equal(ours._data, theirs.numpy())


# ------------------------------------------------------------------------------ grad mode
def test_grad_mode_is_thread_local_and_each_thread_starts_enabled():
    seen = {}
    started, release = threading.Event(), threading.Event()

    def worker():
        seen["start"] = tg.is_grad_enabled()
        with tg.no_grad():
            started.set()
            release.wait(5)
            seen["inside"] = tg.is_grad_enabled()
        x = tg.ones(1, requires_grad=True)
        seen["records"] = (x * 2).requires_grad

    with tg.no_grad():
        t = threading.Thread(target=worker)
        t.start()
        started.wait(5)
        assert not tg.is_grad_enabled()  # the other thread's no_grad did not touch ours
        release.set()
        t.join(5)
    assert tg.is_grad_enabled()
    assert seen == {"start": True, "inside": False, "records": True}


def test_set_grad_enabled_in_a_thread_does_not_leak():
    t = threading.Thread(target=lambda: tg.set_grad_enabled(False))
    t.start()
    t.join(5)
    assert tg.is_grad_enabled()


def test_no_grad_on_a_generator_applies_on_every_resume():
    @tg.no_grad()
    def steps(n):
        for _ in range(n):
            received = yield tg.is_grad_enabled()
            assert received in (None, "ping")

    gen = steps(3)
    assert next(gen) is False
    assert tg.is_grad_enabled()  # the caller's mode between resumes
    assert gen.send("ping") is False
    assert next(gen) is False
    with pytest.raises(StopIteration):
        next(gen)
    assert tg.is_grad_enabled()


def test_no_grad_generator_throw_and_close_run_in_the_mode():
    log = []

    @tg.no_grad()
    def gen():
        try:
            yield 1
        except ValueError:
            log.append(("caught", tg.is_grad_enabled()))
            yield 2
        finally:
            log.append(("finally", tg.is_grad_enabled()))

    g = gen()
    assert next(g) == 1
    assert g.throw(ValueError("x")) == 2
    g.close()
    assert log == [("caught", False), ("finally", False)]
    assert tg.is_grad_enabled()

    @tg.enable_grad()
    def inner():
        yield tg.is_grad_enabled()

    with tg.no_grad():
        assert list(inner()) == [True]


def test_no_grad_generator_matches_pytorch():
    torch = torch_or_skip()

    def make(m):
        @m.no_grad()
        def gen():
            x = m.ones(2, requires_grad=True)
            yield (x * 2).requires_grad
            yield (x * 3).requires_grad

        return gen

    assert list(make(tg)()) == list(make(torch)()) == [False, False]


# ------------------------------------------------------------------ custom Function kwargs
def test_tensor_passed_by_keyword_to_apply_gets_its_gradient_like_pytorch():
    torch = torch_or_skip()

    def make(base):
        class Scale(base):
            @staticmethod
            def forward(ctx, x, w, k=1.0):
                ctx.save_for_backward(x, w)
                ctx.k = k
                return x * w * k

            @staticmethod
            def backward(ctx, g):
                x, w = ctx.saved_tensors
                return g * w * ctx.k, g * x * ctx.k, None

        return Scale

    class Ours(make(Function)):
        @staticmethod
        def forward(ctx, x, w, k=1.0):
            ctx.save_for_backward(x, w)
            ctx.k = k
            return x._data * w._data * k

    results = []
    for m, op in ((tg, Ours), (torch, make(torch.autograd.Function))):
        x = m.tensor([1.0, 2.0], requires_grad=True)
        w = m.tensor([3.0, 4.0], requires_grad=True)
        op.apply(x, w=w, k=2.0).sum().backward()
        results.append((numpy_of(x.grad), numpy_of(w.grad)))
    for a, b in zip(*results):
        np.testing.assert_array_equal(a, b)


def test_apply_with_a_wrong_keyword_names_the_op():
    class Twice(Function):
        @staticmethod
        def forward(ctx, x):
            return x._data * 2

    with pytest.raises(TypeError, match=r"Twice\.apply"):
        Twice.apply(tg.ones(1), y=tg.ones(1))


# -------------------------------------------------------------------------------- save/load
def same(a, b) -> bool:
    """Equal in value, type, dtype and shape, recursively (nan equals nan)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, tg.Tensor):
        return (
            a.dtype == b.dtype
            and a.shape == b.shape
            and a.requires_grad == b.requires_grad
            and np.array_equal(a._data, b._data, equal_nan=a.dtype.kind == "f")
        )
    if isinstance(a, (np.ndarray, np.generic)):
        return (
            a.dtype == b.dtype
            and np.shape(a) == np.shape(b)
            and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
        )
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and np.isnan(a):
        return np.isnan(b)
    return a == b and (not isinstance(a, float) or np.copysign(1, a) == np.copysign(1, b))


ROUND_TRIPS = [
    tg.tensor(3.0),
    tg.tensor(2, dtype=tg.int64),
    tg.tensor(True),
    tg.tensor(np.zeros((0, 3), np.int32)),
    tg.tensor([1.0, np.nan, -0.0], dtype=tg.float64, requires_grad=True),
    Parameter(tg.tensor([1.0, 2.0])),
    Parameter(tg.tensor(1.0), requires_grad=False),
    np.float32(1.5),
    np.float64(-0.0),
    np.int64(3),
    np.int32(-7),
    np.bool_(True),
    np.array(5.0),
    np.array([1, 2], dtype=np.uint8),
    1.5,
    -0.0,
    float("inf"),
    float("nan"),
    3,
    2**70,
    True,
    None,
    "text",
    (1, [2.0, (np.float32(3),)], {"a": tg.tensor([True])}),
    {"epoch": 3, 7: [tg.tensor(1.0)], "nested": {"p": Parameter(tg.zeros(2))}},
]


@pytest.mark.parametrize("value", ROUND_TRIPS, ids=lambda v: type(v).__name__)
def test_save_load_round_trips_exactly(value, tmp_path):
    path = tmp_path / "x.pt"
    tg.save(value, path)
    assert same(value, tg.load(path)), (value, tg.load(path))


def test_save_load_keeps_0d_tensors_as_pytorch_does(tmp_path):
    torch = torch_or_skip()
    t = torch.tensor(3.0)
    torch.save(t, tmp_path / "t.pt")
    tg.save(tg.tensor(3.0), tmp_path / "o.pt")
    assert tuple(torch.load(tmp_path / "t.pt").shape) == tg.load(tmp_path / "o.pt").shape == ()


# ---------------------------------------------------------------------- refusals PyTorch makes
@pytest.mark.parametrize(
    "fn",
    [
        lambda m: m.tensor([True]) - m.tensor([1]),
        lambda m: m.tensor([1.0]) - True,
        lambda m: m.tensor([True]) ** m.tensor([True]),
        lambda m: m.tensor([2]) ** -1,
        lambda m: m.tensor([True]).relu(),
        lambda m: m.tensor([True]).argmax(),
        lambda m: m.tensor([1]).softmax(0),
        lambda m: m.nn.functional.leaky_relu(m.tensor([1])),
        lambda m: m.tensor([1.0]) @ m.tensor([1.0], dtype=m.float64),
        lambda m: m.tensor([True]) @ m.tensor([True]),
        lambda m: m.nn.functional.mse_loss(m.tensor([1]), m.tensor([1])),
        lambda m: m.tensor([1.0, 2.0])[::-1],
        lambda m: m.tensor(1.0).expand(),
    ],
)
def test_both_refuse(fn):
    torch = torch_or_skip()
    with pytest.raises(Exception):  # noqa: B017 (the exception types differ in places)
        fn(torch)
    with pytest.raises(Exception):  # noqa: B017
        fn(tg)


@pytest.mark.parametrize(
    "fn",
    [
        lambda m: m.tensor([2, 1, -1, 0]) ** m.tensor([-1, -2, -3, -1]),
        lambda m: m.tensor([True, False]) ** True,
        lambda m: m.tensor([[True, False]]).max(1)[0],
        lambda m: m.tensor(5.0).transpose(0, 0),
        lambda m: m.zeros(0, 0).flatten(0, 0),
        lambda m: m.zeros(1, 0).argmin(0),
        lambda m: m.cat([m.tensor([True]), m.tensor([1], dtype=m.int64), m.tensor([0.5])]),
    ],
)
def test_both_accept_with_the_same_result(fn):
    torch = torch_or_skip()
    ours, theirs = fn(tg), fn(torch)
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours._data, theirs.numpy())


# ------------------------------------------------------------------------ registry, second round
# (what the registry entries for scans, gathers, norms and shape ops found)
@pytest.mark.parametrize(
    "fn, error",
    [
        (lambda m: m.tensor(3.0).repeat(), TypeError),
        (lambda m: m.atan2(m.tensor([1.0]), 2.0), TypeError),
        (lambda m: m.index_select(m.tensor(1.0), 0, m.tensor([0, 0])), RuntimeError),
        (lambda m: m.index_select(m.tensor([1.0, 2.0]), 0, m.tensor([-1])), IndexError),
        (lambda m: m.norm(m.tensor([1, 2])), RuntimeError),
        (lambda m: m.linalg.vector_norm(m.tensor([True])), RuntimeError),
        (lambda m: m.scatter_add(m.zeros(2), 0, m.tensor([0]), m.ones(1, dtype=m.float64)), None),
        (lambda m: m.scatter_add(m.zeros(2), 0, m.tensor([-1]), m.ones(1)), RuntimeError),
        (lambda m: m.tril(m.ones(3)), RuntimeError),
        (lambda m: m.triu(m.ones(3)), RuntimeError),
        (lambda m: m.gather(m.ones(3), 0, m.tensor([-1])), RuntimeError),
        (lambda m: m.take_along_dim(m.ones(3), m.tensor([-1])), RuntimeError),
    ],
)
def test_both_refuse_alike(fn, error):
    torch = torch_or_skip()
    error = error or RuntimeError
    with pytest.raises(error):
        fn(torch)
    with pytest.raises(error):
        fn(tg)


@pytest.mark.parametrize(
    "fn",
    [
        lambda m: m.index_select(m.tensor(7.0), 0, m.tensor([0])),  # a scalar stays 0-d
        lambda m: m.tril(m.tensor([[True, True], [True, True]])),  # bool stays bool
        lambda m: m.triu(m.ones(2, 3, dtype=m.int64), diagonal=1),
        lambda m: m.einsum("ij->", m.tensor([[1, 2], [3, 4]], dtype=m.int32)),  # int64 sum
        lambda m: m.einsum("ij->j", m.tensor([[True, True]])),
        lambda m: m.einsum("ij->ji", m.tensor([[1, 2]], dtype=m.int32)),  # no sum: int32
        lambda m: m.take_along_dim(m.tensor([[1.0, 2.0, 3.0]]), m.tensor([[-1, 0]]), 1),
    ],
)
def test_both_accept_alike(fn):
    torch = torch_or_skip()
    ours, theirs = fn(tg), fn(torch)
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours._data, theirs.numpy())


@pytest.mark.parametrize(
    "norm", [lambda m, x: m.norm(x, dim=1), lambda m, x: m.linalg.vector_norm(x, dim=1)]
)
def test_two_norm_of_zeros_has_the_subgradient_zero(norm):
    """PyTorch's 2-norm gradient x / |x| is 0 where the group is all zeros (ours was nan)."""
    torch = torch_or_skip()
    x = np.array([[0.0, 0.0], [3.0, -4.0]])
    _, _, (ours,) = grads_of(tg, norm, x)
    _, _, (theirs,) = grads_of(torch, norm, x)
    np.testing.assert_allclose(numpy_of(ours), numpy_of(theirs), rtol=1e-12)
    assert np.all(np.isfinite(numpy_of(ours)))


def test_atan2_gradient_at_the_origin_is_zero_as_in_pytorch():
    torch = torch_or_skip()
    y, x = np.array([0.0, 1.0]), np.array([0.0, 2.0])
    _, _, ours = grads_of(tg, lambda m, a, b: m.atan2(a, b), y, x)
    _, _, theirs = grads_of(torch, lambda m, a, b: m.atan2(a, b), y, x)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(numpy_of(a), numpy_of(b), rtol=1e-12)


def test_atan2_promotes_before_it_goes_floating():
    """A bool tensor with a 0-d float64: the result is float64 (promotion by category)."""
    torch = torch_or_skip()
    for m in (tg, torch):
        out = m.atan2(m.tensor([True, False]), m.tensor(-1.0, dtype=m.float64))
        assert str(out.dtype).removeprefix("torch.") == "float64"


# ------------------------------------------------------------------------ registry: layers
def _ints(m, shape, dtype="int32"):
    return m.arange(int(np.prod(shape))).reshape(shape).to(getattr(m, dtype)) - 2


@pytest.mark.parametrize(
    "fn, error",
    [
        *[
            (lambda m, f=f: getattr(m.nn.functional, f)(m.tensor([1, 2])), NotImplementedError)
            for f in ("gelu", "silu", "mish", "elu", "softplus", "logsigmoid")
        ],
        (lambda m: m.nn.functional.layer_norm(m.tensor([[1, 2]]), (2,)), NotImplementedError),
        (lambda m: m.nn.functional.group_norm(m.tensor([[1, 2]]), 1), NotImplementedError),
        (lambda m: m.nn.functional.group_norm(m.tensor([[0.5]]), 1), ValueError),
        (lambda m: m.nn.functional.hardtanh(m.tensor([True])), RuntimeError),
        (lambda m: m.nn.functional.max_pool2d(m.ones(1, 1, 2, 2).bool(), 1), NotImplementedError),
        (lambda m: m.nn.functional.avg_pool2d(_ints(m, (1, 1, 2, 2)), 1), NotImplementedError),
        (lambda m: m.nn.functional.adaptive_avg_pool2d(_ints(m, (1, 1, 2, 2)), 1), RuntimeError),
        (
            lambda m: m.nn.functional.pad(m.ones(1, 2).bool(), (1, 1), mode="reflect"),
            NotImplementedError,
        ),
        (lambda m: m.nn.functional.pad(m.ones(0), (1, -1)), RuntimeError),
        (lambda m: m.nn.functional.conv1d(m.ones(1, 1, 0), m.ones(1, 1, 1)), RuntimeError),
        (
            lambda m: m.nn.functional.conv1d(_ints(m, (1, 1, 4)), _ints(m, (1, 1, 2)), dilation=2),
            NotImplementedError,
        ),
    ],
)
def test_layers_refuse_alike(fn, error):
    torch = torch_or_skip()
    with pytest.raises(error):
        fn(torch)
    with pytest.raises(error):
        fn(tg)


@pytest.mark.parametrize(
    "fn",
    [
        lambda m: m.nn.functional.hardtanh(_ints(m, (5,)), -1.5, 1.5),  # int32, bounds truncated
        lambda m: m.nn.functional.max_pool2d(_ints(m, (1, 1, 3, 3)), 2, padding=1),
        lambda m: m.nn.functional.avg_pool2d(_ints(m, (1, 1, 3, 3), "int64") * 3, 2),  # trunc
        lambda m: m.nn.functional.conv1d(_ints(m, (1, 2, 5)), _ints(m, (2, 1, 2)), groups=2),
        lambda m: m.nn.functional.conv2d(
            _ints(m, (2, 3, 3), "int64"), _ints(m, (1, 2, 2, 2), "int64"), dilation=2
        ),
        lambda m: m.nn.functional.group_norm(m.ones(0, 2), 1),  # an empty batch
    ],
)
def test_layers_accept_alike(fn):
    torch = torch_or_skip()
    ours, theirs = fn(tg), fn(torch)
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch.")
    assert ours.shape == tuple(theirs.shape)
    np.testing.assert_array_equal(ours._data, theirs.numpy())


def test_elu_derivatives_at_zero_and_nan_as_in_pytorch():
    """At x = 0 the slope is alpha and its derivative 0; at nan the slope is 1."""
    torch = torch_or_skip()
    x = np.array([0.0, np.nan, -1.0, 2.0])
    for m in (tg, torch):
        leaf = m.tensor(x, requires_grad=True)
        (g,) = m.autograd.grad(m.nn.functional.elu(leaf, 0.5).sum(), [leaf], create_graph=True)
        (gg,) = m.autograd.grad(g.sum(), [leaf])
        if m is tg:
            ours = (numpy_of(g), numpy_of(gg))
        else:
            theirs = (numpy_of(g), numpy_of(gg))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_max_pool_of_minus_inf_beside_padding_gives_the_gradient_to_x():
    """A window whose maximum is -inf: PyTorch's first element of x wins, not the padding."""
    torch = torch_or_skip()
    x = np.array([[[[-np.inf, 1.0], [-np.inf, -np.inf]]]])
    fn = lambda m, t: m.nn.functional.max_pool2d(t, 2, stride=1, padding=1)  # noqa: E731
    _, _, (ours,) = grads_of(tg, fn, x)
    _, _, (theirs,) = grads_of(torch, fn, x)
    np.testing.assert_array_equal(numpy_of(ours), numpy_of(theirs))


def test_hardtanh_passes_the_gradient_of_a_nan_on_as_pytorch():
    """PyTorch zeroes the gradient at or beyond a bound only: a nan input passes it on
    (found by CI's differential sampling)."""
    torch = torch_or_skip()
    x = np.array([np.nan, -2.0, 2.0, 0.5, -1.0, 1.0])
    fn = lambda m, t: m.nn.functional.hardtanh(t)  # noqa: E731
    _, _, (ours,) = grads_of(tg, fn, x)
    _, _, (theirs,) = grads_of(torch, fn, x)
    np.testing.assert_array_equal(numpy_of(ours), numpy_of(theirs))
