"""The Tensor methods and torch functions PyTorch scripts use (tensor_methods.py,
torch_functions.py, ops/scan.py): new differentiable ops are checked by the op-test factory
(NumPy reference, gradcheck, gradgradcheck, forward vs reverse mode) on Hypothesis shapes;
the rest against NumPy, and against PyTorch when it is installed."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opcheck import op_test
from strategies import arrays, away_from_zero, distinct_arrays, floats, positive, shapes

import tinygrad_edu as tg


# ---------------------------------------------------------------- differentiable: op tests
@st.composite
def cumsum_case(draw):
    shape = draw(shapes(min_dims=1))
    x = draw(arrays(shape))
    return (x,), {"dim": draw(st.integers(-len(shape), len(shape) - 1))}


@op_test(lambda x, dim: x.cumsum(dim), lambda x, dim: np.cumsum(x, axis=dim), cumsum_case())
def test_cumsum(): ...


@op_test(
    lambda x, dim: tg.cumsum(x, dim=dim).flip(dim).cumsum(dim),  # the adjoint (reverse) too
    lambda x, dim: np.cumsum(np.flip(np.cumsum(x, axis=dim), dim), axis=dim),
    cumsum_case(),
)
def test_cumsum_and_flip(): ...


@st.composite
def gather_case(draw):
    shape = draw(shapes(min_dims=1))
    x = draw(arrays(shape))
    dim = draw(st.integers(0, len(shape) - 1))
    idx_shape = tuple(
        draw(st.integers(1, 4)) if k == dim else draw(st.integers(1, n))
        for k, n in enumerate(shape)
    )
    size = int(np.prod(idx_shape))
    index = draw(st.lists(st.integers(0, shape[dim] - 1), min_size=size, max_size=size))
    return (x,), {"dim": dim, "index": np.array(index, dtype=np.int64).reshape(idx_shape)}


def np_gather(x, dim, index):
    x = x[tuple(slice(0, m) if k != dim else slice(None) for k, m in enumerate(index.shape))]
    return np.take_along_axis(x, index, axis=dim)


@op_test(lambda x, dim, index: x.gather(dim, tg.tensor(index)), np_gather, gather_case())
def test_gather(): ...


@st.composite
def scatter_case(draw):
    (x,), kw = draw(gather_case())
    index = kw["index"] % x.shape[kw["dim"]]
    src = draw(arrays(index.shape))
    return (x, src), {"dim": kw["dim"], "index": index}


def np_scatter_add(x, src, dim, index):
    out = x.copy()
    pos = list(np.indices(index.shape, sparse=True))
    pos[dim] = index
    np.add.at(out, tuple(pos), src)
    return out


@op_test(
    lambda x, src, dim, index: x.scatter_add(dim, tg.tensor(index), src),
    np_scatter_add,
    scatter_case(),
)
def test_scatter_add(): ...


@st.composite
def index_select_case(draw):
    shape = draw(shapes(min_dims=1))
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    n = shape[dim]
    index = draw(st.lists(st.integers(0, n - 1), min_size=0, max_size=4))
    return (draw(arrays(shape)),), {"dim": dim, "index": np.array(index, dtype=np.int64)}


@op_test(
    lambda x, dim, index: tg.index_select(x, dim, tg.tensor(index)),
    lambda x, dim, index: np.take(x, index, axis=dim),
    index_select_case(),
)
def test_index_select(): ...


@st.composite
def norm_case(draw, p):
    shape = draw(shapes(min_dims=1))
    dim = draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1)))
    # |x| distinct and away from 0 (no ties for max |x|, no kink of abs), signs alternating
    magnitudes = draw(arrays(shape, st.integers(1, 40).map(lambda k: k / 10), unique=True))
    signs = np.where(np.arange(magnitudes.size) % 2, -1.0, 1.0).reshape(shape)
    return (magnitudes * signs,), {"p": p, "dim": dim, "keepdim": draw(st.booleans())}


def np_norm(x, p, dim, keepdim):
    axis = None if dim is None else dim
    a = np.abs(x)
    if p == math.inf:
        return a.max(axis=axis, keepdims=keepdim)
    if p == -math.inf:
        return a.min(axis=axis, keepdims=keepdim)
    return (a**p).sum(axis=axis, keepdims=keepdim) ** (1 / p)


@pytest.mark.parametrize("p", [2, 1, 3, math.inf, -math.inf])
def test_norm(p):
    @settings(max_examples=15, deadline=None)
    @op_test(lambda x, p, dim, keepdim: x.norm(p, dim, keepdim), np_norm, norm_case(p))
    def run(): ...

    run()


@st.composite
def unary_positive(draw):
    return (draw(arrays(draw(shapes()), positive())),), {}


@op_test(lambda x: x.log10(), np.log10, unary_positive())
def test_log10(): ...


@op_test(lambda x: tg.log2(x), np.log2, unary_positive())
def test_log2(): ...


@op_test(lambda x: x.rsqrt() + x.reciprocal() + x.log1p() + x.expm1() + x.square(),
         lambda x: 1 / np.sqrt(x) + 1 / x + np.log1p(x) + np.expm1(x) + x * x,
         unary_positive(), rtol=1e-9)  # fmt: skip
def test_composed_unary(): ...


@st.composite
def matrices(draw):
    n, k, m = (draw(st.integers(1, 3)) for _ in range(3))
    return (draw(arrays((n, k))), draw(arrays((k, m)))), {}


@op_test(lambda a, b: tg.mm(a, b) + a.mm(b), lambda a, b: 2 * (a @ b), matrices())
def test_mm(): ...


@op_test(lambda a, b: a.t().t().mm(b.t().t()), lambda a, b: a @ b, matrices())
def test_t(): ...


@st.composite
def two_vectors(draw):
    n, m = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    return (draw(arrays((n,))), draw(arrays((m,)))), {}


@op_test(lambda a, b: tg.outer(a, b), np.outer, two_vectors())
def test_outer(): ...


@st.composite
def repeat_case(draw):
    shape = draw(shapes(max_dims=2))
    extra = draw(st.integers(0 if shape else 1, 1))  # (x.repeat() with no sizes is an error)
    reps = tuple(draw(st.integers(1, 3)) for _ in range(len(shape) + extra))
    return (draw(arrays(shape)),), {"reps": reps}


@op_test(lambda x, reps: x.repeat(*reps), lambda x, reps: np.tile(x, reps), repeat_case())
def test_repeat(): ...


@st.composite
def roll_case(draw):
    shape = draw(shapes(min_dims=1))
    return (draw(arrays(shape)),), {
        "shifts": draw(st.integers(-4, 4)),
        "dims": draw(st.one_of(st.none(), st.integers(0, len(shape) - 1))),
    }


@op_test(lambda x, shifts, dims: x.roll(shifts, dims),
         lambda x, shifts, dims: np.roll(x, shifts, dims), roll_case())  # fmt: skip
def test_roll(): ...


@st.composite
def matrix_case(draw):
    return (draw(arrays(draw(shapes(min_dims=2, max_dims=3)))),), {"k": draw(st.integers(-2, 2))}


@op_test(lambda x, k: x.tril(k) + tg.triu(x, k), lambda x, k: np.tril(x, k) + np.triu(x, k),
         matrix_case())  # fmt: skip
def test_tril_triu(): ...


@st.composite
def sort_case(draw):
    shape = draw(shapes(min_dims=1))
    return (draw(distinct_arrays(shape)),), {
        "dim": draw(st.integers(-len(shape), len(shape) - 1)),
        "descending": draw(st.booleans()),
    }


def np_sort(x, dim, descending):
    out = np.sort(x, axis=dim)
    return np.flip(out, dim) if descending else out


@op_test(lambda x, dim, descending: x.sort(dim, descending)[0], np_sort, sort_case())
def test_sort_values(): ...


@op_test(
    lambda x, dim, descending: x.topk(1, dim, largest=descending).values,
    lambda x, dim, descending: np.take(np_sort(x, dim, descending), [0], axis=dim),
    sort_case(),
)
def test_topk_values(): ...


# ---------------------------------------------------------------- values and errors
def test_diag_and_split_and_chunk():
    v = tg.tensor([1.0, 2.0])
    assert np.array_equal(v.diag(1).numpy(), np.diag([1.0, 2.0], 1))
    m = tg.arange(12.0).reshape(3, 4)
    assert np.array_equal(m.diag(-1).numpy(), np.diag(m.numpy(), -1))
    assert [c.shape for c in m.split(3, dim=1)] == [(3, 3), (3, 1)]
    assert [c.shape for c in m.split([1, 2])] == [(1, 4), (2, 4)]
    assert [c.shape for c in m.chunk(2, 1)] == [(3, 2), (3, 2)]
    with pytest.raises(RuntimeError, match="sum exactly to 3"):
        m.split([1, 1])


def test_logical_and_tests():
    x = tg.tensor([[1.0, 0.0], [math.nan, math.inf]])
    assert tg.all(tg.tensor([1, 2])).item() is True and (x > 5).any().item() is True
    assert np.array_equal(x.isnan().numpy(), [[False, False], [True, False]])
    assert np.array_equal(x.isinf().any(dim=1).numpy(), [False, True])
    assert x.isfinite().all(dim=0).tolist() == [False, False]
    assert tg.count_nonzero(tg.tensor([0, 1, 2])).item() == 2
    assert tg.tensor([[0, 1], [1, 0]]).nonzero().tolist() == [[0, 1], [1, 0]]
    assert tg.tensor([3, 1, 3]).unique().tolist() == [1, 3]
    assert tg.equal(tg.ones(2), tg.ones(2)) and not tg.ones(2).equal(tg.ones(3))
    assert tg.allclose(tg.ones(2), tg.ones(2) + 1e-9)


def test_keepdims_and_dtype_spellings():
    x = tg.ones(2, 3, dtype=tg.int64)
    assert x.sum(1, keepdims=True).shape == (2, 1) and x.sum(dtype=tg.float64).dtype == tg.float64
    assert x.float().mean(1, keepdims=True).shape == (2, 1)
    assert x.mean(dtype=tg.float32).item() == 1.0  # (an int tensor's mean needs a float dtype)


def test_type_and_casts():
    x = tg.tensor([1.5, -2.5])
    assert x.type() == "torch.FloatTensor" and x.double().type() == "torch.DoubleTensor"
    assert x.type(tg.int32).dtype == tg.int32 and x.int().dtype == np.int32
    assert x.type("torch.LongTensor").tolist() == [1, -2]
    assert x.nelement() == x.numel() == 2 and tg.numel(x) == 2
    assert x.type_as(tg.tensor([1])).dtype == tg.int64
    assert tg.int32 == np.int32 and tg.short == np.int16 and tg.half == np.float16
    assert x.round().tolist() == [2.0, -2.0] and x.floor().tolist() == [1.0, -3.0]
    assert (tg.tensor([7, -7]) % 3).tolist() == [1, 2] and (tg.tensor([7]) // 2).tolist() == [3]


def test_format_spec():
    loss = tg.tensor(1.23456, requires_grad=True) * 1
    assert f"{loss:.4f}" == "1.2346" and f"{tg.tensor(3):>3d}" == "  3"
    assert f"{tg.tensor([1.0, 2.0])}" == str(tg.tensor([1.0, 2.0]))
    with pytest.raises(TypeError):
        f"{tg.tensor([1.0, 2.0]):.2f}"  # as PyTorch: a format spec needs a 0-d tensor


def test_keyword_forms_and_out():
    a, b = tg.ones(2, 3), tg.ones(3, 2)
    assert tg.matmul(input=a, other=b).tolist() == [[3.0, 3.0], [3.0, 3.0]]
    assert tg.mul(input=a, other=2).sum().item() == 12.0
    assert tg.add(a, a, alpha=2).sum().item() == 18.0
    out = tg.empty(0)
    r = tg.add(tg.ones(2), 1.0, out=out)
    assert r is out and out.tolist() == [2.0, 2.0]  # resized to the result's shape
    same = tg.zeros(2)
    v = same._version
    tg.mul(tg.ones(2), 3.0, out=same)
    assert same.tolist() == [3.0, 3.0] and same._version > v
    w = tg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="don't support automatic differentiation"):
        tg.mul(w, 2.0, out=tg.zeros(2))
    with pytest.raises(RuntimeError, match="can't be cast"):
        tg.div(tg.ones(2), 3.0, out=tg.zeros(2, dtype=tg.long))


def test_gather_and_index_select_errors():
    x = tg.ones(2, 3)
    with pytest.raises(RuntimeError, match="out of bounds"):
        x.gather(1, tg.tensor([[3]]))
    with pytest.raises(RuntimeError, match="same number of dimensions"):
        x.gather(1, tg.tensor([0]))
    with pytest.raises(RuntimeError, match="int64"):
        x.gather(1, tg.tensor([[0.0]]))
    with pytest.raises(IndexError, match="out of range"):
        x.index_select(0, tg.tensor([2]))
    with pytest.raises(RuntimeError, match="cannot be multiplied"):
        x.mm(x)
    with pytest.raises(RuntimeError, match="t\\(\\) expects"):
        tg.ones(1, 1, 1).t()


def test_inplace_methods_bump_version_and_record():
    x = tg.tensor([1.0, 4.0])
    v = x._version
    x.sqrt_().mul_(2).exp_().log_()
    assert x._version == v + 4 and np.allclose(x.numpy(), [2.0, 4.0])
    w = tg.tensor([1.0, 2.0], requires_grad=True)
    y = w * 1
    y.pow_(2)
    y.sum().backward()
    assert w.grad.tolist() == [2.0, 4.0]


# ---------------------------------------------------------------- sampling
def test_multinomial_frequencies_and_rules():
    tg.manual_seed(0)
    p = tg.tensor([[0.2, 0.0, 0.8], [1.0, 1.0, 2.0]])
    draws = tg.multinomial(p, 20000, replacement=True)
    assert draws.shape == (2, 20000) and draws.dtype == tg.int64
    freq = np.stack([np.bincount(r, minlength=3) / 20000 for r in draws.numpy()])
    np.testing.assert_allclose(freq, [[0.2, 0.0, 0.8], [0.25, 0.25, 0.5]], atol=0.015)
    picks = tg.multinomial(tg.tensor([1.0, 1.0, 0.0, 1.0]), 3)
    assert sorted(picks.tolist()) == [0, 1, 3]  # without replacement: each once, never index 2
    firsts = np.array([tg.multinomial(tg.tensor([0.1, 0.9]), 2)[0].item() for _ in range(2000)])
    assert abs(firsts.mean() - 0.9) < 0.03  # the first draw is proportional to the weights
    with pytest.raises(RuntimeError, match="cannot sample n_sample > prob_dist"):
        tg.multinomial(tg.tensor([1.0, 0.0]), 2)
    with pytest.raises(RuntimeError, match="element < 0"):
        tg.multinomial(tg.tensor([1.0, -1.0]), 1)


def test_normal():
    tg.manual_seed(0)
    s = tg.normal(2.0, 3.0, size=(20000,))
    assert s.shape == (20000,) and s.dtype == tg.float32
    assert abs(s.mean().item() - 2.0) < 0.1 and abs(s.std().item() - 3.0) < 0.1
    m = tg.normal(tg.tensor([0.0, 100.0]), 0.001)
    assert np.allclose(m.numpy(), [0.0, 100.0], atol=0.01)
    with pytest.raises(RuntimeError, match="std >= 0"):
        tg.normal(0.0, -1.0, size=(2,))


def test_linalg_norms():
    a = tg.tensor([[3.0, -4.0], [0.0, 12.0]])
    assert tg.linalg.vector_norm(a).item() == pytest.approx(13.0)
    assert tg.linalg.vector_norm(a, ord=1, dim=1).tolist() == [7.0, 12.0]
    assert tg.linalg.norm(a).item() == pytest.approx(13.0)
    assert tg.linalg.matrix_norm(a).item() == pytest.approx(13.0)
    assert tg.norm(a, p="fro").item() == pytest.approx(13.0)
    assert tg.norm(a, p=0).item() == 3.0
    with pytest.raises(NotImplementedError, match="nuc"):
        a.norm("nuc")


# ---------------------------------------------------------------- against PyTorch
@given(x=arrays(shapes(min_dims=2, max_dims=2), floats()))
@settings(max_examples=20, deadline=None)
def test_matches_torch(x):
    torch = pytest.importorskip("torch")
    a, t = tg.tensor(x), torch.tensor(x)
    for f in (
        lambda m, x: m.cumsum(x, 0),
        lambda m, x: m.norm(x),
        lambda m, x: m.norm(x, p=1, dim=1),
        lambda m, x: m.norm(x, dim=0, keepdim=True),
        lambda m, x: x.mm(x.t()),
        lambda m, x: m.gather(x, 1, m.zeros(x.shape[0], 2, dtype=m.long)),
        lambda m, x: m.index_select(x, 1, m.tensor([0, 0])),
        lambda m, x: x.repeat(2, 1, 3),
        lambda m, x: x.flip(0).roll(1, 1),
        lambda m, x: x.tril(-1) + x.triu(1),
        lambda m, x: x.sort(1, descending=True)[0],
        lambda m, x: m.linalg.vector_norm(x, ord=float("inf"), dim=1),
        lambda m, x: (x > 0).all(dim=1),
        lambda m, x: (x > 0).any(),
        lambda m, x: (x.abs() + 1).log10() + (x.abs() + 1).log2(),
    ):
        ours, theirs = f(tg, a), f(torch, t)
        assert ours.shape == tuple(theirs.shape)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------- inverse trig (ops/trig.py)
@st.composite
def inside_unit(draw):
    return (draw(arrays(draw(shapes()), floats(-0.9, 0.9))),), {}


@op_test(lambda x: x.atan() + tg.asin(x) + x.acos(),
         lambda x: np.arctan(x) + np.arcsin(x) + np.arccos(x), inside_unit())  # fmt: skip
def test_atan_asin_acos(): ...


@st.composite
def two_away_from_origin(draw):
    shapes_ = draw(st.sampled_from([((), ()), ((2,), (2,)), ((2, 1), (3,)), ((3,), (1,))]))
    y = draw(arrays(shapes_[0], away_from_zero(0.2)))
    x = draw(arrays(shapes_[1], away_from_zero(0.2)))
    return (y, x), {}


@op_test(lambda y, x: y.atan2(x), np.arctan2, two_away_from_origin())
def test_atan2(): ...


@op_test(
    lambda x: x.tan() + x.sinh() + x.cosh() + x.exp2() + x.logaddexp(2 * x) + x.hypot(x + 3),
    lambda x: (
        np.tan(x)
        + np.sinh(x)
        + np.cosh(x)
        + np.exp2(x)
        + np.logaddexp(x, 2 * x)
        + np.hypot(x, x + 3)
    ),
    inside_unit(),
    rtol=1e-10,
)
def test_composed_math(): ...


@st.composite
def matrix3(draw):
    return (draw(arrays((3, 3))),), {}


@op_test(
    lambda x: x.diff(dim=0).sum() * x.trace() + x.diagonal(1).sum() + x.movedim(0, 1).mT[0, 1],
    lambda x: np.diff(x, axis=0).sum() * np.trace(x) + np.diagonal(x, 1).sum() + x[0, 1],
    matrix3(),
)
def test_diff_trace_diagonal_movedim(): ...


@op_test(
    lambda x: (
        x.take_along_dim(tg.tensor([[2], [0], [1]]), 1).sum() * 2
        + x.repeat_interleave(2, 0).sum()
        + x.index_add(0, tg.tensor([1, 1]), x[:2]).sum()
    ),
    lambda x: (
        np.take_along_axis(x, np.array([[2], [0], [1]]), 1).sum() * 2
        + 2 * x.sum()
        + x.sum()
        + x[:2].sum()
    ),
    matrix3(),
)
def test_take_along_dim_repeat_interleave_index_add(): ...


def test_more_functions_match_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).uniform(-1, 1, (4, 5))
    for f in (
        lambda m, x: m.median(x, 1).values,
        lambda m, x: m.median(x),
        lambda m, x: m.tensor_split(x, 3, dim=1)[0],
        lambda m, x: m.cdist(x, x[:2]),
        lambda m, x: m.meshgrid(x[0], x[1], indexing="xy")[1],
        lambda m, x: m.hstack([x, x]),
        lambda m, x: m.vstack([x[0], x[1]]),
        lambda m, x: m.nan_to_num(m.log(x)),
        lambda m, x: m.nansum(m.log(x)),
        lambda m, x: m.nanmean(m.log(x), 1),
        lambda m, x: m.xlogy(x * (x > 0), x.abs()),
        lambda m, x: m.atan2(x, x.flip(0)),
        lambda m, x: m.diagonal(x, -1),
        lambda m, x: m.movedim(x.reshape(2, 2, 5), [0, 1], [2, 0]),
        lambda m, x: m.index_fill(x, 1, m.tensor([0, 3]), -1.0),
        lambda m, x: m.logspace(-1, 1, 5, dtype=m.float64),
        lambda m, x: m.tril_indices(4, 3, -1),
        lambda m, x: m.histc(x, bins=7),
        lambda m, x: m.bincount(m.tensor([0, 3, 3, 1])),
        lambda m, x: m.FloatTensor([[1, 2]]),
        lambda m, x: m.atan(x) + m.asin(0.9 * x) + m.acos(0.9 * x),
        lambda m, x: x.scatter_add(1, m.tensor([[0, 0, 4], [1, 2, 1]]), x[:2, :3] * 10),
        lambda m, x: m.take_along_dim(x, m.tensor([[4], [0], [1], [1]]), 1),
        lambda m, x: m.repeat_interleave(x, 2, 1),
        lambda m, x: m.index_add(x, 0, m.tensor([3, 3]), x[:2], alpha=2.0),
    ):
        with np.errstate(invalid="ignore", divide="ignore"):
            ours, theirs = f(tg, tg.tensor(x)), f(torch, torch.tensor(x))
        assert ours.shape == tuple(theirs.shape)
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-6)
    assert tg.can_cast(tg.float64, tg.int32) == torch.can_cast(torch.float64, torch.int32)
    assert tg.can_cast(tg.int32, tg.float32) == torch.can_cast(torch.int32, torch.float32)
    assert tg.pi == torch.pi and tg.e == torch.e
    assert tg.finfo(tg.float32).eps == torch.finfo(torch.float32).eps


def test_rng_state_and_printoptions():
    state = tg.get_rng_state()
    a = tg.rand(3)
    tg.set_rng_state(state)
    assert np.array_equal(tg.rand(3).numpy(), a.numpy())
    try:
        tg.set_printoptions(precision=2)
        assert repr(tg.tensor([1.23456])) == "tensor([1.23])"
    finally:
        tg.set_printoptions(profile="default")
    assert repr(tg.tensor([1.23456])) == "tensor([1.2346])"


def test_properties_and_aliases():
    x = tg.ones(2, 3)
    assert x.itemsize == 4 and x.nbytes == 24 and not x.is_cuda and x.is_cpu
    assert x.mT.shape == (3, 2) and x.stride() == (3, 1) and x.get_device() == -1
    assert x.multiply(2).sum().item() == 12.0 and x.ndimension() == 2
    assert x.is_sparse is False and x.is_complex() is False
    y = tg.tensor([0.5, -0.5])
    y.atan_()
    assert np.allclose(y.numpy(), np.arctan([0.5, -0.5]))


# ---------------------------------------------------------------- einsum (ops/einsum.py)
EQUATIONS = ["ij,jk->ik", "ij,jk", "ij->ji", "ij->", "ij,ik->j", "ij,jk,ik->i", "ij,j->i",
             "i,i->", "bij,bjk->bik", "ij,kl->ijkl", "ij->j"]  # fmt: skip


@st.composite
def einsum_case(draw):
    equation = draw(st.sampled_from(EQUATIONS))
    sizes = {c: draw(st.integers(1, 3)) for c in "bijkl"}
    inputs = equation.split("->")[0].split(",")
    return tuple(draw(arrays(tuple(sizes[c] for c in s))) for s in inputs), {"eq": equation}


@op_test(lambda *xs, eq: tg.einsum(eq, *xs), lambda *xs, eq: np.einsum(eq, *xs), einsum_case())
def test_einsum(): ...


def test_einsum_matches_torch_and_refuses_clearly():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 4, 5))
    ours = tg.einsum("bij,bjk->bik", tg.tensor(a), tg.tensor(b))
    theirs = torch.einsum("bij,bjk->bik", torch.tensor(a), torch.tensor(b))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)
    assert tg.einsum("ij", [tg.ones(2, 3)]).shape == (2, 3)  # operands as a list, too
    with pytest.raises(NotImplementedError, match="ellipsis"):
        tg.einsum("...ij->...ji", tg.ones(2, 2))
    with pytest.raises(NotImplementedError, match="diagonal"):
        tg.einsum("ii->i", tg.ones(2, 2))
    with pytest.raises(ValueError, match="names 2 operands but 1"):
        tg.einsum("ij,jk->ik", tg.ones(2, 2))


# ---------------------------------------------------------------- more torch.* forms
@st.composite
def two_matrices_3x3(draw):
    return (draw(arrays((3, 3))), draw(arrays((3, 3)))), {}


@op_test(
    lambda a, b: (
        tg.tensordot(a, b, dims=1).sum()
        + tg.kron(a, b).sum() * tg.inner(a, b).sum()
        + tg.cross(a, b, dim=1).sum()
        + tg.trapezoid(a, dim=0).sum()
        + tg.matrix_power(a, 3).sum()
        + tg.cumulative_trapezoid(b).sum()
    ),
    lambda a, b: (
        np.tensordot(a, b, 1).sum()
        + np.kron(a, b).sum() * np.inner(a, b).sum()
        + np.cross(a, b, axis=1).sum()
        + np.trapezoid(a, axis=0).sum()
        + np.linalg.matrix_power(a, 3).sum()
        + np.cumsum((b[:, 1:] + b[:, :-1]) / 2, 1).sum()
    ),
    two_matrices_3x3(),
    rtol=1e-10,
    atol=1e-10,
)
def test_composed_products_and_integrals(): ...


def test_generated_forms_match_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x, y, v = rng.uniform(-1, 1, (3, 4)), rng.uniform(-1, 1, (4, 5)), rng.uniform(-1, 1, 3)
    cases = [
        lambda m, T: m.rsub(T(x), 2.0, alpha=3),
        lambda m, T: m.atleast_3d(T(x)),
        lambda m, T: m.column_stack([T(v), T(v)]),
        lambda m, T: m.dstack([T(x), T(x)]),
        lambda m, T: m.hsplit(T(x), 2)[1],
        lambda m, T: m.take(T(x), m.tensor([[0, 5], [11, 2]])),
        lambda m, T: m.tensordot(T(x), T(y), dims=1),
        lambda m, T: m.kron(T(x[0]), T(y)),
        lambda m, T: m.fmax(T(x), T(np.where(x > 0, np.nan, -x))),
        lambda m, T: m.float_power(T(x), 2),
        lambda m, T: m.copysign(T(x), T(-x)),
        lambda m, T: m.logaddexp2(T(x), T(2 * x)),
        lambda m, T: m.logit(T(np.abs(x)), eps=1e-3),
        lambda m, T: m.sinc(T(np.append(x.ravel(), 0.0))),
        lambda m, T: m.searchsorted(T(np.sort(v)), T(x)),
        lambda m, T: m.bucketize(T(x), T(np.sort(v)), right=True),
        lambda m, T: m.vander(T(v), 4),
        lambda m, T: m.trapezoid(T(x), T(np.sort(x[0])), dim=1),
        lambda m, T: m.hann_window(8),
        lambda m, T: m.hamming_window(8, periodic=False),
        lambda m, T: m.kaiser_window(8),
        lambda m, T: m.matrix_power(T(x[:, :3]), 0),
        lambda m, T: m.permute_copy(T(x), (1, 0)),
        lambda m, T: m.relu_(T(x.copy())),
        lambda m, T: m.isin(m.tensor([1, 2, 3]), m.tensor([2])),
        lambda m, T: m.unravel_index(m.tensor([5, 7]), (3, 4))[1],
    ]
    for f in cases:
        ours, theirs = f(tg, tg.tensor), f(torch, torch.tensor)
        np.testing.assert_allclose(
            np.asarray(ours.numpy(), float), np.asarray(theirs.numpy(), float), atol=1e-6
        )
    assert tg.result_type(tg.ones(1, dtype=tg.int64), 1.0) == tg.float32


@st.composite
def matrix_3x4_small(draw):
    return (draw(arrays((3, 4), floats(-0.9, 0.9))),), {}


@op_test(
    lambda x: (
        x.asinh().sum()
        + x.atanh().sum()
        + (x * x + 1.5).acosh().sum()
        + x.logcumsumexp(1).sum() * x.diag_embed(1)[0, 1, 2]
        + x.rot90(1, (0, 1))[0].sum()
        + x.index_copy(1, tg.tensor([3, 0]), x[:, :2] * 7).sum()
        + tg.cov(x).sum()
        + x.scatter(1, tg.tensor([[0, 1], [2, 3], [1, 0]]), 5 * x).sum()
        + x.masked_scatter(tg.tensor([[True, False, True, False]]), x * 3).sum()
    ),
    lambda x: (
        np.arcsinh(x).sum()
        + np.arctanh(x).sum()
        + np.arccosh(x * x + 1.5).sum()
        + np.log(np.cumsum(np.exp(x), 1)).sum() * x[0, 1]
        + np.rot90(x)[0].sum()
        + (x.sum() - x[:, [3, 0]].sum() + 7 * x[:, :2].sum())
        + np.cov(x).sum()
        + (
            x.sum()
            - x[0, [0, 1]].sum()
            - x[1, [2, 3]].sum()
            - x[2, [1, 0]].sum()
            + 5 * x[:, :2].sum()
        )
        + (x.sum() - x[:, [0, 2]].sum() + 3 * x.reshape(-1)[:6].sum())
    ),
    matrix_3x4_small(),
    rtol=1e-10,
    atol=1e-10,
)
def test_extra_batch_gradients(): ...


def test_extra_batch_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    x, v = rng.uniform(-1, 1, (3, 4)), rng.uniform(-1, 1, 3)
    cases = [
        lambda m, T: m.logcumsumexp(T(x), 1),
        lambda m, T: m.kthvalue(T(x), 2, 1)[0],
        lambda m, T: m.quantile(T(x), 0.3, dim=1),
        lambda m, T: m.argwhere(T(x) > 0),
        lambda m, T: m.dist(T(x), T(x * 2), 3),
        lambda m, T: m.rot90(T(x), -1, (1, 0)),
        lambda m, T: m.unique_consecutive(m.tensor([1, 1, 2, 2, 3, 1])),
        lambda m, T: T(x).scatter(1, m.tensor([[0], [2], [1]]), value=5.0),
        lambda m, T: T(x).renorm(2, 0, 0.5),
        lambda m, T: m.addmv(T(v), T(x), T(x[0]), beta=2, alpha=3),
        lambda m, T: m.corrcoef(T(x)),
        lambda m, T: m.bitwise_xor(m.tensor([5, 3]), m.tensor([1, 1])),
        lambda m, T: m.block_diag(T(x), T(v), m.tensor(2.0, dtype=m.float64)),
        lambda m, T: m.cartesian_prod(m.tensor([1, 2]), m.tensor([3, 4, 5])),
        lambda m, T: m.combinations(m.tensor([1, 2, 3]), 2),
        lambda m, T: m.histogram(T(x), 4)[0],
        lambda m, T: m.chain_matmul(T(x), T(x.T), T(x)),
    ]
    for f in cases:
        ours, theirs = f(tg, tg.tensor), f(torch, torch.tensor)
        np.testing.assert_allclose(
            np.asarray(ours.numpy(), float), np.asarray(theirs.numpy(), float), atol=1e-6
        )
