"""``Dropout``: randomly zero activations while training, to fight overfitting."""

from __future__ import annotations

from tinygrad_edu.nn import functional as F
from tinygrad_edu.nn.module import Module
from tinygrad_edu.tensor import Tensor


class Dropout(Module):
    """In training mode, zero each element with probability ``p`` and multiply the rest by
    1 / (1 - p) ("inverted" dropout: the expected value is unchanged). In evaluation mode
    (``model.eval()``) the input passes through untouched. Draws from the library's
    generator, so ``tinygrad_edu.manual_seed`` makes the masks reproducible."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout2d(Module):
    """Zero whole channels: each (sample, channel) map of (N, C, H, W) is kept with
    probability 1 - p (and scaled by 1 / (1 - p)) or zeroed entirely. Neighbouring pixels
    of a feature map are strongly correlated, so dropping single pixels regularises little."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout2d(input, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
