"""Parity with torch.nn (skipped without PyTorch): same weights, same inputs, same forward
values and gradients, to 1e-6 in float32 and 1e-12 in float64. Also state_dict keys,
reprs and the load_state_dict error text."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import tinygrad_edu.nn as nn  # noqa: E402
from tinygrad_edu import Tensor  # noqa: E402

TOL = {np.float32: 1e-6, np.float64: 1e-12}
DTYPES = [np.float32, np.float64]


def close(ours, theirs, dtype):
    np.testing.assert_allclose(ours, theirs.detach().numpy(), rtol=TOL[dtype], atol=TOL[dtype])


def run_both(ours, theirs, inputs, dtype, grad_seed=0):
    """Forward both modules on the same inputs, backward the same upstream gradient."""
    tg_in = [Tensor(a, requires_grad=a.dtype.kind == "f") for a in inputs]
    th_in = [torch.from_numpy(a.copy()).requires_grad_(a.dtype.kind == "f") for a in inputs]
    out, ref = ours(*tg_in), theirs(*th_in)
    close(out._data, ref, dtype)
    upstream = np.random.default_rng(grad_seed).standard_normal(out.shape).astype(dtype)
    out.backward(Tensor(upstream))
    ref.backward(torch.from_numpy(upstream))
    for a, b in zip(tg_in, th_in):
        if a.requires_grad:
            close(a.grad._data, b.grad, dtype)
    if isinstance(ours, nn.Module):
        for p, q in zip(ours.parameters(), theirs.parameters()):
            close(p.grad._data, q.grad, dtype)


def copy_weights(ours, theirs):
    theirs.load_state_dict(
        {k: torch.from_numpy(v._data.copy()) for k, v in ours.state_dict().items()}
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("bias", [True, False])
def test_linear(dtype, bias):
    ours = nn.Linear(5, 3, bias=bias, dtype=dtype)
    theirs = torch.nn.Linear(5, 3, bias=bias, dtype=torch.from_numpy(np.zeros(1, dtype)).dtype)
    copy_weights(ours, theirs)
    x = np.random.default_rng(1).standard_normal((4, 5)).astype(dtype)
    run_both(ours, theirs, [x], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_mlp_in_sequential(dtype):
    ours = nn.Sequential(nn.Linear(4, 8), nn.LeakyReLU(0.1), nn.Linear(8, 3), nn.LogSoftmax(1))
    theirs = torch.nn.Sequential(
        torch.nn.Linear(4, 8), torch.nn.LeakyReLU(0.1), torch.nn.Linear(8, 3),
        torch.nn.LogSoftmax(1),
    )  # fmt: skip
    ours.to(dtype)
    theirs.to(torch.from_numpy(np.zeros(1, dtype)).dtype)
    copy_weights(ours, theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    x = np.random.default_rng(2).standard_normal((6, 4)).astype(dtype)
    run_both(ours, theirs, [x], dtype)


ACTIVATIONS = [
    ("ReLU", ()), ("LeakyReLU", ()), ("LeakyReLU", (0.3,)), ("Sigmoid", ()), ("Tanh", ()),
    ("Softmax", (1,)), ("Softmax", (-1,)), ("LogSoftmax", (1,)), ("Flatten", ()),
    ("Flatten", (0, 1)), ("Identity", ()),
]  # fmt: skip


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("name", "args"), ACTIVATIONS)
def test_activations(name, args, dtype):
    ours, theirs = getattr(nn, name)(*args), getattr(torch.nn, name)(*args)
    assert repr(ours) == repr(theirs)
    x = (np.random.default_rng(3).standard_normal((3, 4, 2)) * 3).astype(dtype)
    run_both(ours, theirs, [x], dtype)


def test_dropout_eval_and_repr():
    ours, theirs = nn.Dropout(0.3).eval(), torch.nn.Dropout(0.3).eval()
    assert repr(ours) == repr(theirs)
    run_both(ours, theirs, [np.ones((3, 3))], np.float64)


def _targets(kind, shape, rng, dtype):
    n, c = shape[0], shape[1]
    if kind == "index":
        return rng.integers(0, c, (n, *shape[2:]))
    if kind == "index_ignore":
        t = rng.integers(0, c, (n, *shape[2:]))
        t[0] = -100
        return t
    if kind == "prob":
        return rng.dirichlet(np.ones(c), size=n).astype(dtype)
    if kind == "binary":
        return (rng.random(shape) > 0.5).astype(dtype)
    if kind == "soft":
        return rng.random(shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


LOSSES = [
    ("MSELoss", {}, "real", "real"),
    ("L1Loss", {}, "real", "real"),
    ("CrossEntropyLoss", {}, "real", "index"),
    ("CrossEntropyLoss", {"weight": "w"}, "real", "index_ignore"),
    ("CrossEntropyLoss", {"label_smoothing": 0.15}, "real", "index"),
    ("CrossEntropyLoss", {"label_smoothing": 0.1, "weight": "w"}, "real", "index_ignore"),
    ("CrossEntropyLoss", {"label_smoothing": 0.1, "weight": "w"}, "real", "prob"),
    ("CrossEntropyLoss", {}, "spatial", "index"),
    ("NLLLoss", {}, "logp", "index"),
    ("NLLLoss", {"weight": "w"}, "logp", "index_ignore"),
    ("BCELoss", {}, "prob", "soft"),
    ("BCELoss", {"weight": "w"}, "prob", "binary"),
    ("BCEWithLogitsLoss", {}, "real", "binary"),
    ("BCEWithLogitsLoss", {"pos_weight": "w", "weight": "w"}, "real", "soft"),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize(("name", "options", "input_kind", "target_kind"), LOSSES)
def test_losses(name, options, input_kind, target_kind, reduction, dtype):
    rng = np.random.default_rng(4)
    shape = (2, 3, 2) if input_kind == "spatial" else (5, 3)
    x = rng.standard_normal(shape).astype(dtype) * 2
    if input_kind == "logp":
        x = (x - np.log(np.exp(x).sum(1, keepdims=True))).astype(dtype)
    if input_kind == "prob":
        x = (1 / (1 + np.exp(-x))).astype(dtype)
    y = _targets(target_kind, shape, rng, dtype)
    w = (rng.random(3) + 0.5).astype(dtype)
    ours_kw = {k: (Tensor(w) if v == "w" else v) for k, v in options.items()}
    theirs_kw = {k: (torch.from_numpy(w) if v == "w" else v) for k, v in options.items()}
    ours = getattr(nn, name)(reduction=reduction, **ours_kw)
    theirs = getattr(torch.nn, name)(reduction=reduction, **theirs_kw)
    assert repr(ours) == repr(theirs)
    if name in ("MSELoss", "L1Loss", "BCELoss", "BCEWithLogitsLoss"):
        run_both(ours, theirs, [x, y], dtype)  # gradients for the target too
    else:
        run_both(lambda a: ours(a, Tensor(y)), lambda a: theirs(a, torch.from_numpy(y)), [x], dtype)


def test_bce_with_logits_and_cross_entropy_at_1e5():
    x = np.array([[1e5, -1e5, 0.0], [-1e5, 1e5, 3.0]])
    y = np.array([[0.0, 1.0, 1.0], [0.0, 1.0, 0.0]])
    run_both(nn.BCEWithLogitsLoss(), torch.nn.BCEWithLogitsLoss(), [x, y], np.float64)
    ce_ours, ce_theirs = nn.CrossEntropyLoss(), torch.nn.CrossEntropyLoss()
    index = np.array([1, 0])
    run_both(
        lambda a: ce_ours(a, Tensor(index)),
        lambda a: ce_theirs(a, torch.from_numpy(index)),
        [x],
        np.float64,
    )


def test_bce_clamp_matches_pytorch_at_0_and_1():
    """Only the input's gradient: at x = 0 or 1 PyTorch's target gradient is
    log(1 - x) - log(x) = inf, unclamped; ours is the derivative of the clamped forward,
    max(log(1 - x), -100) - max(log(x), -100) (a documented deviation)."""
    x, y = np.array([0.0, 1.0, 1e-30, 0.5]), np.array([1.0, 0.0, 1.0, 0.0])
    ours, theirs = nn.BCELoss(), torch.nn.BCELoss()
    run_both(
        lambda a: ours(a, Tensor(y)), lambda a: theirs(a, torch.from_numpy(y)), [x], np.float64
    )


def test_load_state_dict_error_text_matches_pytorch_apart_from_the_shape_spelling():
    ours, theirs = nn.Linear(2, 3), torch.nn.Linear(2, 3)
    bad = {"weight": np.zeros(3, np.float32), "x": np.zeros(1, np.float32)}
    with pytest.raises(RuntimeError) as mine:
        ours.load_state_dict(bad)
    with pytest.raises(RuntimeError) as ref:
        theirs.load_state_dict({k: torch.from_numpy(v) for k, v in bad.items()})
    expected = (
        str(ref.value).replace("torch.Size([3])", "(3,)").replace("torch.Size([3, 2])", "(3, 2)")
    )
    assert str(mine.value) == expected


def test_our_state_dict_loads_into_pytorch_and_back():
    ours = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    theirs = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2))
    theirs.load_state_dict({k: torch.from_numpy(v.numpy()) for k, v in ours.state_dict().items()})
    fresh = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    fresh.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)
    close(fresh(Tensor(x))._data, theirs(torch.from_numpy(x)), np.float32)
