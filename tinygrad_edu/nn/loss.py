"""Loss modules: options in ``__init__``, the math in ``nn.functional``.

Each takes ``reduction='mean' | 'sum' | 'none'``. Class weights and ``pos_weight`` are
registered as buffers (so they appear in ``state_dict()``, as in PyTorch).

    MSELoss            (x - y)^2
    L1Loss             |x - y|
    NLLLoss            -w[y] x[y]                         x: log-probabilities
    CrossEntropyLoss   -w[y] log_softmax(x)[y]            x: logits; y: class or probabilities
    BCELoss            -w (y log x + (1 - y) log(1 - x))  x: probabilities, logs clamped at -100
    BCEWithLogitsLoss  BCELoss(sigmoid(x), y), computed stably from the logits x
    SmoothL1Loss       0.5 d^2 / beta if |d| < beta, else |d| - beta/2       d = x - y
    HuberLoss          0.5 d^2 if |d| < delta, else delta (|d| - delta/2)
"""

from __future__ import annotations

from tinygrad_edu.nn import functional as F
from tinygrad_edu.nn.module import Module
from tinygrad_edu.tensor import Tensor


class _Loss(Module):
    def __init__(
        self, size_average: bool | None = None, reduce: bool | None = None, reduction: str = "mean"
    ) -> None:
        super().__init__()
        if size_average is not None or reduce is not None:
            reduction = F._reduction(size_average, reduce, reduction)
        self.reduction = reduction


class _WeightedLoss(_Loss):
    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class MSELoss(_Loss):
    """Mean squared error: mean_i (x_i - y_i)^2 (with the default reduction='mean')."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error: mean_i |x_i - y_i|."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood of the target class, for log-probabilities (LogSoftmax).

    mean reduction: sum_n w[y_n] (-x[n, y_n]) / sum_n w[y_n], skipping ``ignore_index``.
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        ignore_index: int = -100,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.nll_loss(
            input, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction
        )


class CrossEntropyLoss(_WeightedLoss):
    """Cross-entropy from logits: NLLLoss(LogSoftmax(x), y) in one stable step.

    The target is class indices (int64, shape (N,)) or class probabilities (float, the
    input's shape). ``label_smoothing`` = e uses (1 - e) onehot(y) + e / C as the target.
    Its gradient with respect to the logits is (softmax(x) - onehot(y)) / N.
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        ignore_index: int = -100,
        reduce: bool | None = None,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.cross_entropy(
            input,
            target,
            self.weight,
            ignore_index=self.ignore_index,
            reduction=self.reduction,
            label_smoothing=self.label_smoothing,
        )


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities (e.g. a Sigmoid's output) against 0/1 targets:
    -w (y log x + (1 - y) log(1 - x)), each log clamped at -100."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy(input, target, self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Sigmoid + BCELoss in one numerically stable step, from the logits x:
    (1 - y) x + (1 + (pos_weight - 1) y) log(1 + exp(-x)), with no overflow at |x| = 1e5.

    ``pos_weight`` > 1 counts positive examples more (more recall), < 1 less.
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        pos_weight: Tensor | None = None,
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy_with_logits(
            input, target, self.weight, reduction=self.reduction, pos_weight=self.pos_weight
        )


class SmoothL1Loss(_Loss):
    """Smooth L1: 0.5 d²/β where |d| < β, else |d| - β/2, for d = x - y (``beta=0``: L1)."""

    def __init__(
        self,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        beta: float = 1.0,
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class HuberLoss(_Loss):
    """Huber: 0.5 d² where |d| < δ, else δ (|d| - δ/2), for d = x - y; δ·SmoothL1Loss(β=δ)."""

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction=reduction)
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)
