"""nn/more_activations.py: the functional forms against NumPy formulas with gradcheck and
gradgradcheck (away from their kinks), the layers, and both against PyTorch."""

import math

import numpy as np
import pytest
from hypothesis import strategies as st
from opcheck import op_test
from strategies import arrays, floats, shapes

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
import tinygrad_edu.nn.functional as F


@st.composite
def smooth_case(draw):
    # values away from every kink used below: 0 (elu, celu, relu...), +-3 (hardsigmoid),
    # +-1 (hardtanh), 6 (relu6), 0.5 (threshold)
    kinks = np.array([-3, -1, 0, 0.5, 1, 3, 6])
    x = draw(arrays(draw(shapes()), floats(-4, 7)))
    x = np.where(np.min(np.abs(x[..., None] - kinks), axis=-1) < 0.05, x + 0.1, x)
    return (x,), {}


def np_softplus(x):
    return np.log1p(np.exp(x))


def np_sigmoid(x):
    return 1 / (1 + np.exp(-x))


CASES = {
    "silu": (F.silu, lambda x: x * np_sigmoid(x)),
    "elu": (lambda x: F.elu(x, 1.5), lambda x: np.where(x > 0, x, 1.5 * (np.exp(x) - 1))),
    "celu": (lambda x: F.celu(x, 2.0), lambda x: np.where(x > 0, x, 2.0 * (np.exp(x / 2) - 1))),
    "softplus": (F.softplus, np_softplus),
    "softsign": (F.softsign, lambda x: x / (1 + np.abs(x))),
    "hardtanh": (F.hardtanh, lambda x: np.clip(x, -1, 1)),
    "relu6": (F.relu6, lambda x: np.clip(x, 0, 6)),
    "hardswish": (F.hardswish, lambda x: x * np.clip(x / 6 + 0.5, 0, 1)),
    "logsigmoid": (F.logsigmoid, lambda x: -np_softplus(-x)),
    "tanhshrink": (F.tanhshrink, lambda x: x - np.tanh(x)),
    "mish": (F.mish, lambda x: x * np.tanh(np_softplus(x))),
    "threshold": (lambda x: F.threshold(x, 0.5, -2.0), lambda x: np.where(x > 0.5, x, -2.0)),
    "gelu_tanh": (
        lambda x: F.gelu(x, approximate="tanh"),
        lambda x: 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3))),
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_activation(name):
    op, reference = CASES[name]

    @op_test(lambda x: op(x), reference, smooth_case(), rtol=1e-10, atol=1e-12)
    def run(): ...

    run()


@st.composite
def rows(draw):
    n, m = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    return (draw(arrays((n, 2 * m), floats(0.2, 2))),), {}


@op_test(
    lambda x: (
        F.glu(x, 1).sum()
        + F.normalize(x).sum()
        + F.softmin(x, 1)[:, 0].sum()
        + F.cosine_similarity(x, x * x).sum()
        + F.pairwise_distance(x, 2 * x).sum()
    ),
    lambda x: (
        (x[:, : x.shape[1] // 2] * (1 / (1 + np.exp(-x[:, x.shape[1] // 2 :])))).sum()
        + (x / np.linalg.norm(x, axis=1, keepdims=True)).sum()
        + (np.exp(-x) / np.exp(-x).sum(1, keepdims=True))[:, 0].sum()
        + ((x * x * x).sum(1) / (np.linalg.norm(x, axis=1) * np.linalg.norm(x * x, axis=1))).sum()
        + np.linalg.norm(-x + 1e-6, axis=1).sum()
    ),
    rows(),
    rtol=1e-9,
    atol=1e-10,
)
def test_glu_normalize_softmin_similarities(): ...


def test_layers_and_errors():
    assert repr(nn.ELU(alpha=2.0)) == "ELU(alpha=2.0)" and repr(nn.SiLU()) == "SiLU()"
    x = tg.tensor([[-2.0, 0.5, 3.0, 7.0]])
    assert np.allclose(nn.ReLU6()(x).numpy(), [[0, 0.5, 3, 6]])
    assert np.allclose(nn.Hardtanh(-1.5, 2.0)(x).numpy(), [[-1.5, 0.5, 2.0, 2.0]])
    assert nn.GLU()(x).shape == (1, 2) and nn.Softmin(dim=1)(x).sum().item() == pytest.approx(1)
    with pytest.raises(RuntimeError, match="Halving dimension must be even"):
        F.glu(tg.ones(3))
    with pytest.raises(TypeError, match="unexpected keyword argument"):
        nn.ELU(beta=1)
    big = tg.tensor([100.0, -100.0], requires_grad=True)
    y = F.elu(big).sum() + F.softplus(big).sum() + F.logsigmoid(big).sum()
    y.backward()
    assert np.all(np.isfinite(big.grad.numpy()))  # no overflow in the unused branches


def test_matches_torch():
    torch = pytest.importorskip("torch")
    TF = torch.nn.functional
    x = np.random.default_rng(0).uniform(-4, 4, (3, 6))
    for name in ["silu", "elu", "selu", "celu", "softplus", "softsign", "hardtanh", "relu6",
                 "hardsigmoid", "hardswish", "logsigmoid", "tanhshrink", "mish", "glu",
                 "normalize"]:  # fmt: skip
        ours, theirs = getattr(F, name)(tg.tensor(x)), getattr(TF, name)(torch.tensor(x))
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, atol=1e-12)
    for layer, args in [("Softplus", (2.0, 5.0)), ("ELU", (0.5,)), ("CELU", (1.5,)),
                        ("Threshold", (0.1, 20.0)), ("Softmin", (0,))]:  # fmt: skip
        ours = getattr(nn, layer)(*args)(tg.tensor(x))
        theirs = getattr(torch.nn, layer)(*args)(torch.tensor(x))
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, atol=1e-12)
    a, b = tg.tensor(x), tg.tensor(x[::-1].copy())
    np.testing.assert_allclose(
        F.cosine_similarity(a, b).numpy(),
        TF.cosine_similarity(torch.tensor(x), torch.tensor(x[::-1].copy())).numpy(),
        rtol=1e-12,
    )
