"""More of PyTorch's losses, as functions (``F.kl_div``) and layers (``nn.KLDivLoss``).
Each is composed of existing ops (its gradient comes from theirs); the
formula per element is in its docstring, and ``reduction`` ('mean', 'sum' or 'none')
combines the elements as in PyTorch. ``attach()`` adds them to ``nn.functional`` and ``nn``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tinygrad_edu.nn import more_activations
from tinygrad_edu.nn.functional_layers import softplus
from tinygrad_edu.nn.more_activations import _layer, pairwise_distance
from tinygrad_edu.tensor import Tensor, where

_REDUCTIONS = ("none", "mean", "sum")


def _reduce(loss: Tensor, reduction: str, name: str) -> Tensor:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{name}: {reduction!r} is not a valid value for reduction")
    if reduction == "mean":
        return loss.mean()
    return loss.sum() if reduction == "sum" else loss


def kl_div(
    input: Tensor,
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """target (log target - input), input being log-probabilities (0 where target = 0).
    'batchmean' divides the sum by the batch size (the true KL divergence per sample)."""
    loss = target.exp() * (target - input) if log_target else target.xlogy(target) - target * input
    if reduction == "batchmean":
        return loss.sum() / (input.shape[0] if input.ndim else 1)
    return _reduce(loss, reduction, "kl_div")


def margin_ranking_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0.0,
    *a: Any,
    reduction: str = "mean",
    **k: Any,
) -> Tensor:
    """max(0, -y (x1 - x2) + margin): x1 should rank above x2 where y = 1, below where -1."""
    return _reduce(
        (-target * (input1 - input2) + margin).clamp(min=0), reduction, "margin_ranking_loss"
    )


def hinge_embedding_loss(
    input: Tensor,
    target: Tensor,
    margin: float = 1.0,
    *a: Any,
    reduction: str = "mean",
    **k: Any,
) -> Tensor:
    """x where y = 1; max(0, margin - x) where y = -1."""
    loss = where(target == 1, input, 0.0) + where(target == -1, (margin - input).clamp(min=0), 0.0)
    return _reduce(loss, reduction, "hinge_embedding_loss")


def soft_margin_loss(
    input: Tensor, target: Tensor, *a: Any, reduction: str = "mean", **k: Any
) -> Tensor:
    """log(1 + exp(-y x)), y in {1, -1}."""
    return _reduce(softplus(-target * input), reduction, "soft_margin_loss")


def cosine_embedding_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0.0,
    *a: Any,
    reduction: str = "mean",
    **k: Any,
) -> Tensor:
    """1 - cos(x1, x2) where y = 1; max(0, cos(x1, x2) - margin) where y = -1 (along the
    last dimension; cos with PyTorch's eps of 1e-12 on the squared norms)."""
    dot = (input1 * input2).sum(-1)
    norms = ((input1 * input1).sum(-1) + 1e-12) * ((input2 * input2).sum(-1) + 1e-12)
    cos = dot / norms.sqrt()
    loss = where(target == 1, 1 - cos, 0.0) + where(target == -1, (cos - margin).clamp(min=0), 0.0)
    return _reduce(loss, reduction, "cosine_embedding_loss")


def poisson_nll_loss(
    input: Tensor,
    target: Tensor,
    log_input: bool = True,
    full: bool = False,
    *a: Any,
    eps: float = 1e-8,
    reduction: str = "mean",
    **k: Any,
) -> Tensor:
    """exp(x) - y x (log_input) or x - y log(x + eps); ``full`` adds Stirling's term
    y log y - y + log(2 pi y) / 2 where y > 1."""
    loss = input.exp() - target * input if log_input else input - target * (input + eps).log()
    if full:
        safe = where(target > 1, target, 1.0)
        stirling = safe * safe.log() - safe + 0.5 * (2 * math.pi * safe).log()
        loss = loss + where(target > 1, stirling, 0.0)
    return _reduce(loss, reduction, "poisson_nll_loss")


def gaussian_nll_loss(
    input: Tensor,
    target: Tensor,
    var: Tensor,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> Tensor:
    """(log(var) + (x - y)^2 / var) / 2, var clamped to at least eps; ``full`` adds
    log(2 pi) / 2. (PyTorch clamps var without cutting its gradient; here the clamp's.)"""
    v = var.clamp(min=eps)
    loss = 0.5 * (v.log() + (input - target) ** 2 / v)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction, "gaussian_nll_loss")


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    *a: Any,
    reduction: str = "mean",
    **k: Any,
) -> Tensor:
    """max(d(a, p) - d(a, n) + margin, 0), d the pairwise p-distance (``swap``: the
    smaller of d(a, n) and d(p, n))."""
    d_pos = pairwise_distance(anchor, positive, p, eps)
    d_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_neg = d_neg.minimum(pairwise_distance(positive, negative, p, eps))
    return _reduce((d_pos - d_neg + margin).clamp(min=0), reduction, "triplet_margin_loss")


def multilabel_soft_margin_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    *a: Any,
    reduction: str = "mean",
    **k: Any,
) -> Tensor:
    """-(y log sigmoid(x) + (1 - y) log sigmoid(-x)), averaged over the classes."""
    loss = target * softplus(-input) + (1 - target) * softplus(input)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss.mean(-1), reduction, "multilabel_soft_margin_loss")


def multi_margin_loss(
    input: Tensor,
    target: Tensor,
    p: int = 1,
    margin: float = 1.0,
    weight: Tensor | None = None,
    *a: Any,
    reduction: str = "mean",
    **k: Any,
) -> Tensor:
    """sum over classes i != y of max(0, margin - x[y] + x[i])^p, divided by the number of
    classes (multi-class hinge loss)."""
    if p not in (1, 2):
        raise ValueError("multi_margin_loss: only p == 1 and p == 2 supported")
    x = input if input.ndim == 2 else input.reshape(1, -1)
    y = target.reshape(-1, 1)
    correct = x.gather(1, y)
    terms = (margin - correct + x).clamp(min=0)
    if p == 2:
        terms = terms * terms
    if weight is not None:
        terms = terms * weight[target.reshape(-1)].reshape(-1, 1)
    not_target = Tensor(np.arange(x.shape[1])[None, :] != y.numpy())
    loss = where(not_target, terms, 0.0).sum(1) / x.shape[1]
    return _reduce(loss if input.ndim == 2 else loss.reshape(()), reduction, "multi_margin_loss")


_LOSS = (("reduction", "mean"),)
KLDivLoss = _layer("KLDivLoss", kl_div, (("reduction", "mean"), ("log_target", False)))
MarginRankingLoss = _layer("MarginRankingLoss", margin_ranking_loss, (("margin", 0.0), *_LOSS))
HingeEmbeddingLoss = _layer("HingeEmbeddingLoss", hinge_embedding_loss, (("margin", 1.0), *_LOSS))
SoftMarginLoss = _layer("SoftMarginLoss", soft_margin_loss, _LOSS)
CosineEmbeddingLoss = _layer(
    "CosineEmbeddingLoss", cosine_embedding_loss, (("margin", 0.0), *_LOSS)
)
PoissonNLLLoss = _layer(
    "PoissonNLLLoss",
    poisson_nll_loss,
    (("log_input", True), ("full", False), ("eps", 1e-8), *_LOSS),
)
GaussianNLLLoss = _layer(
    "GaussianNLLLoss", gaussian_nll_loss, (("full", False), ("eps", 1e-6), *_LOSS)
)
TripletMarginLoss = _layer(
    "TripletMarginLoss",
    triplet_margin_loss,
    (("margin", 1.0), ("p", 2.0), ("eps", 1e-6), ("swap", False), *_LOSS),
)
MultiLabelSoftMarginLoss = _layer(
    "MultiLabelSoftMarginLoss", multilabel_soft_margin_loss, (("weight", None), *_LOSS)
)
MultiMarginLoss = _layer(
    "MultiMarginLoss", multi_margin_loss, (("p", 1), ("margin", 1.0), ("weight", None), *_LOSS)
)

FUNCTIONS = [
    kl_div,
    margin_ranking_loss,
    hinge_embedding_loss,
    soft_margin_loss,
    cosine_embedding_loss,
    poisson_nll_loss,
    gaussian_nll_loss,
    triplet_margin_loss,
    multilabel_soft_margin_loss,
    multi_margin_loss,
]
LAYERS = [
    KLDivLoss,
    MarginRankingLoss,
    HingeEmbeddingLoss,
    SoftMarginLoss,
    CosineEmbeddingLoss,
    PoissonNLLLoss,
    GaussianNLLLoss,
    TripletMarginLoss,
    MultiLabelSoftMarginLoss,
    MultiMarginLoss,
]


def attach() -> None:
    """Make them ``nn.functional.<name>`` and ``nn.<Name>`` (a name defined twice is an error)."""
    more_activations.attach(FUNCTIONS, LAYERS)
