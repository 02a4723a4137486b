"""Forward values and gradients of composite expressions equal PyTorch's (float64, 1e-12).
Skipped where PyTorch is not installed."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg

torch = pytest.importorskip("torch")


def mlp(m, x, w1, b1, w2):
    h = (x @ w1 + b1).tanh()
    return m.log_softmax(h @ w2, 1)[m.arange(3), m.tensor([0, 1, 0])].mean()


def attention(m, q, k, v):
    scores = m.softmax(q @ k.transpose(-1, -2) / 2.0, -1)
    return (scores @ v).sum()


def stats(m, x, y, z):
    a = x.var(1, keepdim=True) + x.std(0).sum() + x.logsumexp(1).mean()
    b = x.amax(1) * y.amin() + (x - y).abs().sum() + m.maximum(x, y).sum()
    return (a.sum() + b.sum() + m.where(x > 0, x.exp(), y.sigmoid()).sum()) * z.relu().sum()


def movement(m, x, y, z):
    c = m.cat([x, y], 0).reshape(2, -1).permute(1, 0)
    s = m.stack([c[:, 0], c[:, 1]], 1)
    return (s[[0, 0, 3]].flatten() * z.expand(2, 3).T.flatten()).pow(2).sum() + x[
        x > 0
    ].sqrt().sum()


CASES = {
    "mlp": (mlp, [(3, 4), (4, 5), (5,), (5, 2)]),
    "attention": (attention, [(2, 3, 4), (2, 3, 4), (2, 3, 2)]),
    "stats": (stats, [(3, 4), (3, 4), (2,)]),
    "movement": (movement, [(2, 3), (2, 3), (1, 3)]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_forward_and_grads_match_torch(name):
    fn, shapes = CASES[name]
    rng = np.random.default_rng(7)
    arrays = [rng.normal(size=s) for s in shapes]
    ours = [tg.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out, ref = fn(tg, *ours), fn(torch, *theirs)
    np.testing.assert_allclose(out.item(), ref.item(), rtol=1e-12)
    out.backward()
    ref.backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad._data, b.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_second_derivatives_match_torch():
    rng = np.random.default_rng(3)
    a = rng.normal(size=(3, 3))
    ours, theirs = tg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    results = []
    for m, x in ((tg, ours), (torch, theirs)):
        f = (m.softmax(x, 1) * x.sin()).sum() + (x @ x).tanh().sum()
        (g,) = m.autograd.grad(f, x, create_graph=True)
        (h,) = m.autograd.grad((g * g).sum(), x)
        results.append(h.detach().numpy() if m is torch else h._data)
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12, atol=1e-12)
