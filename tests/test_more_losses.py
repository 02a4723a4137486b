"""nn/more_losses.py: gradcheck and gradgradcheck of the losses on Hypothesis values (away
from their hinges), and values against PyTorch for every reduction."""

import numpy as np
import pytest
from hypothesis import strategies as st
from opcheck import op_test
from strategies import arrays, floats

import tinygrad_edu as tg
import tinygrad_edu.nn as nn
import tinygrad_edu.nn.functional as F

Y = np.array([1.0, -1.0, 1.0])
CLS = np.array([0, 2, 1])


@st.composite
def pair(draw):
    # (hinges at margin - x = 0 and the like are avoided by values on a 0.1-offset grid)
    grid = st.integers(-15, 15).map(lambda k: k / 10 + 0.05)
    # (b > 1: the Stirling term of poisson_nll_loss(full=True) jumps at target = 1)
    return (draw(arrays((3, 4), grid)), draw(arrays((3, 4), floats(1.1, 2.5)))), {}


def losses(m, F, a, b):
    t = m.tensor
    return (
        F.kl_div(a, b, reduction="batchmean")
        + F.margin_ranking_loss(a[:, 0], a[:, 1], t(Y), margin=0.01)
        + F.hinge_embedding_loss(a[:, 0], t(Y), margin=0.5)
        + F.soft_margin_loss(a, t(np.sign(np.arange(12.0).reshape(3, 4) - 5.5)))
        + F.cosine_embedding_loss(a, b, t(Y), margin=-1.0)
        + F.poisson_nll_loss(a, b, full=True)
        + F.gaussian_nll_loss(a, b, b)
        + F.triplet_margin_loss(a, b, 2 * b, margin=10.0)
        + F.multilabel_soft_margin_loss(a, t(np.arange(12.0).reshape(3, 4) % 2))
        + F.multi_margin_loss(a, t(CLS), margin=10.0)
    )


def test_losses_gradients():
    """gradcheck + gradgradcheck of all of them at once; the forward reference is PyTorch."""
    torch = pytest.importorskip("torch")

    def reference(a, b):
        return losses(torch, torch.nn.functional, torch.tensor(a), torch.tensor(b)).numpy()

    @op_test(lambda a, b: losses(tg, F, a, b), reference, pair(), rtol=1e-10, atol=1e-10)
    def run(): ...

    run()


def test_reductions_and_layers_match_torch():
    torch = pytest.importorskip("torch")
    TF = torch.nn.functional
    rng = np.random.default_rng(0)
    x1, x2 = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    y = np.array([1.0, -1.0, 1.0, -1.0])
    for red in ("mean", "sum", "none"):
        for fn, args in [
            ("margin_ranking_loss", (x1[:, 0], x2[:, 0], y)),
            ("hinge_embedding_loss", (x1[:, 0], y)),
            ("soft_margin_loss", (x1, np.sign(x2))),
            ("cosine_embedding_loss", (x1, x2, y)),
            ("poisson_nll_loss", (x1, np.abs(x2))),
            ("triplet_margin_loss", (x1, x2, 0.5 * x1)),
            ("multilabel_soft_margin_loss", (x1, (x2 > 0).astype(float))),
        ]:
            ours = getattr(F, fn)(*map(tg.tensor, args), reduction=red)
            theirs = getattr(TF, fn)(*map(torch.tensor, args), reduction=red)
            np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, atol=1e-12)
    p = np.abs(x1) / np.abs(x1).sum(1, keepdims=True)
    for layer, kw, args in [
        ("KLDivLoss", {"reduction": "batchmean"}, (np.log(p), p[::-1].copy())),
        ("GaussianNLLLoss", {"full": True}, (x1, x2, np.abs(x1) + 0.1)),
        ("MultiMarginLoss", {"p": 2}, (x1, np.array([0, 3, 4, 1]))),
        ("Unflatten", {"dim": 1, "unflattened_size": (5, 1)}, (x1,)),
    ]:
        ours = getattr(nn, layer)(**kw)(*map(tg.tensor, args))
        theirs = getattr(torch.nn, layer)(**kw)(*map(torch.tensor, args))
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match="not a valid value for reduction"):
        F.soft_margin_loss(tg.ones(2), tg.ones(2), reduction="avg")
