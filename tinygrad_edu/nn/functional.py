"""The functional forms of the layers and losses (``import tinygrad_edu.nn.functional as F``).

The modules in ``tinygrad_edu.nn`` hold parameters and options and call these functions;
the math lives here. Every loss reduces its per-element losses l_i with
``reduction='mean'`` (the average), ``'sum'`` or ``'none'`` (return them all).

Losses, for one sample (see each function for details):

    mse_loss                 l = (x - y)^2
    l1_loss                  l = |x - y|
    nll_loss                 l = -w[y] * x[y]                 x: log-probabilities, y: class
    cross_entropy            l = -w[y] * log_softmax(x)[y]    x: raw scores (logits)
    binary_cross_entropy     l = -(y log x + (1 - y) log(1 - x))          x: a probability
    binary_cross_entropy_with_logits
                             l = -(y log sigmoid(x) + (1 - y) log(1 - sigmoid(x)))
    smooth_l1_loss           l = 0.5 (x - y)^2 / beta  if |x - y| < beta, else |x - y| - beta/2
    huber_loss               l = 0.5 (x - y)^2  if |x - y| < delta, else delta (|x - y| - delta/2)

one_hot turns class indices into int64 one-hot rows.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from tinygrad_edu.ops import activation as A
from tinygrad_edu.ops import matmul as MM
from tinygrad_edu.ops.loss import (
    BinaryCrossEntropy,
    HuberLoss,
    MSELoss,
    PickedNLL,
    SmoothL1Loss,
)
from tinygrad_edu.random import rng
from tinygrad_edu.tensor import Tensor, _promote, where

__all__ = [
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "dropout",
    "huber_loss",
    "l1_loss",
    "leaky_relu",
    "linear",
    "log_softmax",
    "mse_loss",
    "nll_loss",
    "one_hot",
    "relu",
    "sigmoid",
    "smooth_l1_loss",
    "softmax",
    "tanh",
]


# ============================================================================ layers
def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """y = x W^T + b, with W of shape (out_features, in_features).

    One ``Linear`` node (see ``ops.matmul``) when the shapes and dtypes are the usual ones;
    otherwise (a 1-D weight, a broadcast bias, mixed dtypes) composed from matmul and add.
    """
    try:
        x, w, b = input._data, weight._data, None if bias is None else bias._data
    except AttributeError:  # not Tensors: checked here, off the usual path
        _check_tensors("linear", input=input, weight=weight, bias=bias)
        raise
    if w.dtype.kind == "b":
        raise RuntimeError("linear: result type Long can't be cast to the desired output type Bool")
    usual = w.ndim == 2 and x.ndim >= 1 and (b is None or b.ndim == 1)
    if usual and x.dtype == w.dtype and (b is None or b.dtype == w.dtype):
        return MM.Linear.apply(input, weight, bias)
    out = input @ weight.T
    return out if bias is None else out + bias


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """max(x, 0). ``inplace`` is accepted for PyTorch's sake; the result is a new tensor."""
    try:
        return input.relu()
    except AttributeError:
        _check_tensors("relu", input=input)
        raise


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """x where x > 0, else negative_slope * x."""
    try:
        return input.leaky_relu(negative_slope)
    except AttributeError:
        _check_tensors("leaky_relu", input=input)
        raise


def sigmoid(input: Tensor) -> Tensor:
    """1 / (1 + exp(-x))."""
    try:
        return input.sigmoid()
    except AttributeError:
        _check_tensors("sigmoid", input=input)
        raise


def tanh(input: Tensor) -> Tensor:
    try:
        return input.tanh()
    except AttributeError:
        _check_tensors("tanh", input=input)
        raise


def _softmax_dim(name: str, ndim: int) -> int:
    """PyTorch's legacy choice when ``dim`` is left out: 0 for 0-, 1- and 3-d input, else 1."""
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument.",
        stacklevel=3,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: int | None = None, dtype: np.dtype | None = None) -> Tensor:
    """exp(x_i) / sum_j exp(x_j) along ``dim`` (computed after subtracting the max)."""
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim)
    return (input if dtype is None else input.to(dtype)).softmax(dim)


def log_softmax(input: Tensor, dim: int | None = None, dtype: np.dtype | None = None) -> Tensor:
    """x_i - log sum_j exp(x_j) along ``dim``: the log of softmax, without overflow."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim)
    return (input if dtype is None else input.to(dtype)).log_softmax(dim)


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability p and scale the survivors by 1 / (1 - p).

    The scaling ("inverted dropout") keeps the expected value of every element unchanged,
    so nothing needs rescaling at evaluation time, when dropout does nothing.
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(
            f"dropout: p, the dropout probability, has to be between 0 and 1, but got {p}"
        )
    if not training or p == 0.0:
        return input
    if p == 1.0:
        return input * 0.0
    keep = rng().random(input.shape) >= p
    return input * Tensor((keep / (1.0 - p)).astype(input.dtype))


# ============================================================================ losses
def _reduction(size_average: bool | None, reduce: bool | None, reduction: str, fn: str = "") -> str:
    """Resolve the deprecated ``size_average`` / ``reduce`` flags as PyTorch does."""
    if size_average is not None or reduce is not None:
        warnings.warn(
            "size_average and reduce args will be deprecated, please use reduction='"
            + _legacy(size_average, reduce)
            + "' instead.",
            stacklevel=3,
        )
        reduction = _legacy(size_average, reduce)
    if reduction not in ("mean", "sum", "none"):
        where = f"{fn}: " if fn else ""
        raise ValueError(
            f"{where}{reduction} is not a valid value for reduction "
            "(choose 'mean', 'sum' or 'none')"
        )
    return reduction


def _legacy(size_average: bool | None, reduce: bool | None) -> str:
    if reduce is False:
        return "none"
    return "sum" if size_average is False else "mean"


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _check_pair(fn: str, input: Tensor, target: Tensor) -> None:
    """For input and target of different shapes (only): PyTorch's warning, and an error
    naming the function when they do not broadcast at all."""
    _check_tensors(fn, input=input, target=target)
    if target.shape == input.shape:
        return
    try:
        np.broadcast_shapes(input.shape, target.shape)
    except ValueError:
        raise RuntimeError(
            f"{fn}: the target's shape {target.shape} cannot be broadcast with the input's "
            f"shape {input.shape}; they should have the same shape"
        ) from None
    warnings.warn(
        f"Using a target size ({target.shape}) that is different to the input size "
        f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
        "Please ensure they have the same size.",
        stacklevel=3,
    )


def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Mean squared error: l_i = (x_i - y_i)^2.   dl/dx_i = 2 (x_i - y_i)."""
    reduction = _reduction(size_average, reduce, reduction, "mse_loss")
    try:
        same = input.shape == target.shape and input.dtype == target.dtype
        if reduction != "none" and same and input.numel() > 0 and input.dtype.kind == "f":
            return MSELoss.apply(input, target, reduction=reduction)  # one node
    except AttributeError:  # not Tensors: checked here, off the usual path
        _check_tensors("mse_loss", input=input, target=target)
        raise
    if not same:
        _check_pair("mse_loss", input, target)
    for t in (input, target):
        if t.dtype.kind != "f":
            raise NotImplementedError(f"mse_loss: not implemented for {t.dtype} tensors")
    diff = input - target
    return _reduce(diff * diff, reduction)


def l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Mean absolute error: l_i = |x_i - y_i|.   dl/dx_i = sign(x_i - y_i) (0 at a tie)."""
    reduction = _reduction(size_average, reduce, reduction, "l1_loss")
    _check_pair("l1_loss", input, target)
    return _reduce((input - target).abs(), reduction)


def _class_rows(input: Tensor) -> Tensor:
    """Scores of shape (C,), (N, C) or (N, C, d1, ...) as rows of shape (M, C)."""
    if input.ndim == 1:
        return input.unsqueeze(0)
    if input.ndim == 2:
        return input
    order = (0, *range(2, input.ndim), 1)  # move the class dimension last
    return input.permute(order).reshape(-1, input.shape[1])


def _check_tensors(fn: str, **tensors: Any) -> None:
    """Every argument named is a Tensor (or None where the function allows it)."""
    for name, value in tensors.items():
        if value is not None and not isinstance(value, Tensor):
            raise TypeError(
                f"{fn}(): argument '{name}' must be a Tensor, not {type(value).__name__}"
            )


def _check_class_input(fn: str, input: Tensor) -> None:
    """Class scores need a class dimension: shape (C,), (N, C) or (N, C, d1, ...)."""
    if input.ndim == 0:
        raise ValueError(
            f"{fn}: input must have 1 or more dimensions (the class scores, shape (C,) or "
            "(N, C)), got a 0-d tensor"
        )
    if input.dtype.kind != "f":
        raise RuntimeError(f"{fn}: input must be a floating point tensor, got {input.dtype}")


def _check_weight(fn: str, weight: Tensor | None, n_classes: int) -> None:
    """A class weight is a tensor of shape (C,): one entry per class."""
    if weight is None:
        return
    _check_tensors(fn, weight=weight)
    if weight.shape != (n_classes,):
        raise RuntimeError(
            f"{fn}: weight tensor should be defined either for all {n_classes} classes or no "
            f"classes but got weight tensor of shape: {weight.shape}"
        )


def _check_broadcast(fn: str, name: str, value: Tensor | None, shape: tuple[int, ...]) -> None:
    """``value`` (a weight) must broadcast to ``shape`` without changing it."""
    if value is None:
        return
    _check_tensors(fn, **{name: value})
    try:
        fits = np.broadcast_shapes(value.shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise RuntimeError(
            f"{fn}: {name} of shape {value.shape} cannot be broadcast to the input's shape {shape}"
        )


def _check_class_target(
    input: Tensor, target: Tensor, ignore_index: int, fn: str = "nll_loss"
) -> np.ndarray:
    """Validate class-index targets; returns the mask of the entries that count."""
    if target.dtype.kind not in "iu":
        raise RuntimeError(
            f"{fn}: expected scalar type Long for the class-index target but found "
            f"{target.dtype} (use target.long(), or pass class probabilities of the input's "
            "shape)"
        )
    expected = () if input.ndim == 1 else (input.shape[0], *input.shape[2:])
    if target.shape != expected:
        raise ValueError(
            f"{fn}: Expected target of shape {expected} for input of shape {input.shape}, "
            f"got {target.shape}"
        )
    n_classes = input.shape[0 if input.ndim == 1 else 1]
    counted = target._data != ignore_index
    bad = counted & ((target._data < 0) | (target._data >= n_classes))
    if bad.any():
        value = int(target._data[bad].flat[0])
        raise IndexError(
            f"{fn}: Target {value} is out of bounds: class indices must be in "
            f"[0, {n_classes - 1}] for input with {n_classes} classes"
        )
    return counted


def _weighted_mean(loss_sum: Tensor, total_weight: Tensor) -> Tensor:
    """``loss_sum / total_weight``, the 'mean' of nll_loss and cross_entropy. When nothing
    counts (every target is ignore_index, or there are no targets) this is 0/0: the loss is
    nan, as in PyTorch, and so are PyTorch's gradients zero (no entry contributed), where
    dividing by 0 would make them nan."""
    if total_weight._data == 0:
        return loss_sum * 0.0 + float("nan")
    return loss_sum / total_weight


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of the target class: l_n = -w[y_n] * x[n, y_n].

    ``input`` holds log-probabilities of shape (N, C) (or (C,), or (N, C, d1, ...)),
    ``target`` class indices of shape (N,) (or (), or (N, d1, ...)). Entries whose target
    is ``ignore_index`` count for nothing. ``'mean'`` divides by the total weight
    sum_n w[y_n] (N when there are no weights), not by N.
    """
    reduction = _reduction(size_average, reduce, reduction, "nll_loss")
    _check_tensors("nll_loss", input=input, target=target)
    _check_class_input("nll_loss", input)
    _check_weight("nll_loss", weight, input.shape[0 if input.ndim == 1 else 1])
    counted = _check_class_target(input, target, ignore_index)
    rows = _class_rows(input)
    if weight is None and reduction != "none" and rows.shape[0] > 0 and counted.all():
        return PickedNLL.apply(rows, classes=target._data.reshape(-1), reduction=reduction)
    classes = np.where(counted, target._data, 0).reshape(-1)
    picked = rows[np.arange(rows.shape[0]), classes]
    w = Tensor(counted.reshape(-1).astype(input.dtype))
    if weight is not None:
        w = weight.to(input.dtype)[classes] * w
    # an ignored entry is 0 (not -x * 0, which is nan for x = -inf), and gets no gradient
    loss = where(Tensor(counted.reshape(-1)), -picked * w, 0.0)
    if reduction == "none":
        return loss.reshape(target.shape)
    if reduction == "sum":
        return loss.sum()
    return _weighted_mean(loss.sum(), w.sum())


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cross-entropy between raw scores (logits) and the target: nll_loss(log_softmax(x), y).

    With class indices y:        l_n = -w[y_n] * log_softmax(x_n)[y_n]
    With class probabilities p:  l_n = -sum_c w[c] * p[n, c] * log_softmax(x_n)[c]
    (probabilities have the input's shape; 'mean' then divides by N).

    log_softmax(x) = x - max(x) - log(sum exp(x - max(x))) never overflows, so logits of
    size 1e5 give finite losses. The gradient with respect to the logits is
    softmax(x) - onehot(y): the A3 - Y of a hand-written softmax network.

    ``label_smoothing`` = e mixes the target with the uniform distribution over C classes:
    the target becomes (1 - e) onehot(y) + e / C.
    """
    reduction = _reduction(size_average, reduce, reduction, "cross_entropy")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(
            f"cross_entropy: label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}"
        )
    _check_tensors("cross_entropy", input=input, target=target)
    _check_class_input("cross_entropy", input)
    class_dim = 0 if input.ndim == 1 else 1
    n_classes = input.shape[class_dim]
    _check_weight("cross_entropy", weight, n_classes)
    probabilities = target.dtype.kind == "f"
    if probabilities and target.shape != input.shape:
        raise RuntimeError(
            f"cross_entropy: expected scalar type Long for the class-index target but found "
            f"{target.dtype} (a floating point target holds class probabilities and must have "
            f"the input's shape {input.shape}; got target of shape {target.shape})"
        )
    if not probabilities:
        _check_class_target(input, target, ignore_index, "cross_entropy")
    logp = input.log_softmax(class_dim)
    w_shape = [1] * input.ndim
    w_shape[class_dim] = n_classes
    w = None if weight is None else weight.to(input.dtype).reshape(w_shape)

    if probabilities:
        logp, target = _promote(logp, target)
        if label_smoothing > 0:
            target = target * (1 - label_smoothing) + label_smoothing / n_classes
        terms = logp * target if w is None else logp * target * w
        return _reduce(-terms.sum(class_dim), reduction)

    nll = nll_loss(logp, target, weight, None, ignore_index, None, reduction)
    if label_smoothing == 0:
        return nll
    counted = Tensor((target._data != ignore_index).astype(input.dtype))
    # an ignored entry counts 0 (not nan * 0, for a row of infinite logits), with no gradient
    smooth = where(
        Tensor(target._data != ignore_index), -(logp if w is None else logp * w).sum(class_dim), 0.0
    )
    if reduction == "sum":
        smooth = smooth.sum()
    elif reduction == "mean":
        if weight is None:
            smooth = _weighted_mean(smooth.sum(), counted.sum())
        else:
            classes = np.where(counted._data > 0, target._data, 0)
            smooth = _weighted_mean(smooth.sum(), (weight.to(input.dtype)[classes] * counted).sum())
    return nll * (1 - label_smoothing) + smooth * (label_smoothing / n_classes)


def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """l_i = -w_i (y_i log x_i + (1 - y_i) log(1 - x_i)), for probabilities x_i in [0, 1].

    Each log is clamped at -100 (as in PyTorch), so x = 0 or 1 gives a large finite loss
    instead of inf. Feeding a Sigmoid's output here loses precision for large |logits|;
    ``binary_cross_entropy_with_logits`` on the logits is the stable choice.
    The fused op and its derivative are in ``tinygrad_edu.ops.loss``.
    """
    reduction = _reduction(size_average, reduce, reduction, "binary_cross_entropy")
    _check_tensors("binary_cross_entropy", input=input, target=target)
    if target.shape != input.shape:
        raise ValueError(
            f"binary_cross_entropy: Using a target size ({target.shape}) that is different to "
            f"the input size ({input.shape}) is deprecated. Please ensure they have the same size."
        )
    _check_broadcast("binary_cross_entropy", "weight", weight, input.shape)
    for name, t in (("input", input), ("target", target)):
        if np.any((t._data < 0) | (t._data > 1)) or (
            t.dtype.kind == "f" and np.isnan(t._data).any()
        ):
            raise RuntimeError(
                f"binary_cross_entropy: all elements of {name} should be between 0 and 1"
            )
    input, target = _promote(input, target)
    loss = BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """Binary cross-entropy of sigmoid(x), computed from the logits x without overflow.

    With log sigmoid(x) = -softplus(-x) and log(1 - sigmoid(x)) = -x - softplus(-x):

        l = (1 - y) x + (1 + (p - 1) y) softplus(-x),       p = pos_weight (1 if None)
        softplus(-x) = log(1 + exp(-x)) = logaddexp(0, -x)

    logaddexp never overflows, even for |x| = 1e5, and softplus' = sigmoid is computed
    stably, so the gradient dl/dx = sigmoid(x) - y (without pos_weight) is finite at any x.
    """
    reduction = _reduction(size_average, reduce, reduction, "binary_cross_entropy_with_logits")
    _check_tensors("binary_cross_entropy_with_logits", input=input, target=target)
    if target.shape != input.shape:
        raise ValueError(
            f"binary_cross_entropy_with_logits: Target size ({target.shape}) must be the same "
            f"as input size ({input.shape})"
        )
    _check_broadcast("binary_cross_entropy_with_logits", "weight", weight, input.shape)
    _check_broadcast("binary_cross_entropy_with_logits", "pos_weight", pos_weight, input.shape)
    input, target = _promote(input, target)
    softplus_neg = A.Softplus.apply(-input, beta=1.0, threshold=math.inf)  # finite slopes at +-inf
    if pos_weight is None:
        loss = (1 - target) * input + softplus_neg
    else:
        loss = (1 - target) * input + (1 + (pos_weight - 1) * target) * softplus_neg
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


# ---------------------------------------------------------------- robust regression losses
def _robust_pair(fn: str, input: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    """Check input and target of smooth_l1_loss / huber_loss, promote them to one dtype and
    broadcast them to one shape (with PyTorch's warning when the shapes differ)."""
    _check_pair(fn, input, target)
    input, target = _promote(input, target)
    if input.dtype.kind != "f":
        raise NotImplementedError(
            f"{fn}: not implemented for {input.dtype} tensors; input and target must be "
            "floating point (use .float())"
        )
    if input.shape != target.shape:
        shape = np.broadcast_shapes(input.shape, target.shape)
        input, target = input.expand(shape), target.expand(shape)
    return input, target


def smooth_l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """Smooth L1: l_i = 0.5 d_i²/β if |d_i| < β, else |d_i| - 0.5 β, with d = x - y.

    dl_i/dx_i = clamp(d_i, -β, β)/β. ``beta=0`` is exactly ``l1_loss``; a negative beta is
    an error. See ``ops/loss.py: SmoothL1Loss``.
    """
    reduction = _reduction(size_average, reduce, reduction, "smooth_l1_loss")
    input, target = _robust_pair("smooth_l1_loss", input, target)
    if beta < 0:
        raise RuntimeError(
            f"smooth_l1_loss does not support negative values for beta. (got beta={beta})"
        )
    if beta == 0:
        return l1_loss(input, target, reduction=reduction)
    return SmoothL1Loss.apply(input, target, beta=float(beta), reduction=reduction)


def huber_loss(
    input: Tensor,
    target: Tensor,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: Tensor | None = None,
) -> Tensor:
    """Huber: l_i = 0.5 d_i² if |d_i| < δ, else δ (|d_i| - 0.5 δ), with d = x - y.

    dl_i/dx_i = clamp(d_i, -δ, δ); δ must be positive. ``huber_loss(x, y, delta=δ)`` equals
    ``δ * smooth_l1_loss(x, y, beta=δ)``. With ``weight`` (the input's shape) each l_i is
    multiplied by w_i before the reduction. See ``ops/loss.py: HuberLoss``.
    """
    reduction = _reduction(None, None, reduction, "huber_loss")
    input_shape = getattr(input, "shape", None)
    input, target = _robust_pair("huber_loss", input, target)
    if not delta > 0:
        raise RuntimeError(
            f"huber_loss does not support non-positive values for delta. (got delta={delta})"
        )
    if weight is None:
        return HuberLoss.apply(input, target, delta=float(delta), reduction=reduction)
    _check_tensors("huber_loss", weight=weight)
    if weight.shape != input_shape:
        raise ValueError(
            f"Weights and input must have the same size. (weight {weight.shape}, input "
            f"{input_shape})"
        )
    loss = HuberLoss.apply(input, target, delta=float(delta), reduction="none") * weight
    return _reduce(loss, reduction)


def one_hot(input: Tensor, num_classes: int = -1) -> Tensor:
    """Class indices of shape (*) -> int64 rows of shape (*, num_classes): entry c of row i
    is 1 where input[i] == c, else 0. ``num_classes=-1`` takes max(input) + 1.

    Not differentiable (the result is integer). ``one_hot(Tensor([0, 2]), 3)`` is
    ``[[1, 0, 0], [0, 0, 1]]``.
    """
    _check_tensors("one_hot", input=input)
    if input.dtype != np.int64:
        raise RuntimeError(
            "one_hot is only applicable to index tensor of type LongTensor. "
            f"(got {input.dtype}; use .long())"
        )
    index = input._data
    if num_classes == -1:
        if index.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(index.max()) + 1
    if index.size and index.min() < 0:
        raise RuntimeError(f"Class values must be non-negative. (got {int(index.min())})")
    if index.size and index.max() >= num_classes:
        raise RuntimeError(
            f"Class values must be smaller than num_classes. (got {int(index.max())} with "
            f"num_classes={num_classes})"
        )
    return Tensor((index[..., None] == np.arange(num_classes)).astype(np.int64))


# ============================================================================ CNN layers
# Convolution, pooling and padding live in functional_cnn.py (re-exported here as F.*).
from tinygrad_edu.nn.functional_cnn import *  # noqa: E402, F403
from tinygrad_edu.nn.functional_cnn import __all__ as _cnn_all  # noqa: E402

__all__ += _cnn_all

# Newer activations, normalisation and embedding live in functional_layers.py.
from tinygrad_edu.nn.functional_layers import *  # noqa: E402, F403
from tinygrad_edu.nn.functional_layers import __all__ as _layers_all  # noqa: E402

__all__ += _layers_all
