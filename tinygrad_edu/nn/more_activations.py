"""More activation functions and similarity measures, in both PyTorch forms: ``F.selu(x)``
and the layer ``nn.SELU()``. Each is a composition of existing ops, so its gradient comes
from theirs (the formula is in its docstring). ``attach()`` adds them to ``nn.functional``
and ``nn``. (GELU, SiLU, ELU, Softplus, Mish, Hardtanh and LogSigmoid are in
``nn/functional_layers.py``, over their own ops in ``ops/activation.py``.)

    selu        scale * elu(x, alpha)             celu   max(0, x) + min(0, a (exp(x / a) - 1))
    softsign    x / (1 + |x|)                     relu6  min(max(x, 0), 6)
    hardsigmoid clamp(x / 6 + 1/2, 0, 1)          hardswish    x * hardsigmoid(x)
    softmin     softmax(-x)                       tanhshrink   x - tanh(x)
    glu         a * sigmoid(b), a, b the halves of x along dim
    threshold   x if x > threshold else value
"""

from __future__ import annotations

import sys
from typing import Any

from tinygrad_edu.nn.functional_layers import elu
from tinygrad_edu.nn.module import Module
from tinygrad_edu.tensor import Tensor, where

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


# ---------------------------------------------------------------------------- functions


def _negative_part(input: Tensor) -> Tensor:
    """min(x, 0): exp of it never overflows, so the unused branch of where stays finite."""
    return input.clamp(max=0)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale * elu(x, alpha) with the self-normalising constants."""
    return SELU_SCALE * elu(input, SELU_ALPHA)  # elu: one ELU op (ops/activation.py)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """max(0, x) + min(0, alpha (exp(x / alpha) - 1))."""
    return where(input > 0, input, alpha * ((_negative_part(input) / alpha).exp() - 1))


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    return input / (input.abs() + 1)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6)."""
    return input.clamp(0, 6)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """clamp(x / 6 + 1/2, 0, 1)."""
    return (input / 6 + 0.5).clamp(0, 1)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * hardsigmoid(x)."""
    return input * hardsigmoid(input)


def softmin(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """softmax(-x) along dim."""
    from tinygrad_edu.nn import functional as F

    return F.softmax(-input, dim, dtype)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x)."""
    return input - input.tanh()


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """a * sigmoid(b), where a and b are the two halves of x along dim."""
    if input.shape[dim] % 2:
        raise RuntimeError(
            f"glu: Halving dimension must be even, but dimension {dim} is size {input.shape[dim]}"
        )
    a, b = input.chunk(2, dim)
    return a * b.sigmoid()


def threshold(input: Tensor, threshold: float, value: float, inplace: bool = False) -> Tensor:
    """x where x > threshold, else value."""
    return where(input > threshold, input, value)


def normalize(
    input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Any = None
) -> Tensor:
    """x / max(||x||_p, eps) along dim: unit-length rows (dim=1) by default."""
    return input / input.norm(p, dim, keepdim=True).clamp(min=eps)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """<x1, x2> / (max(||x1||, eps) max(||x2||, eps)) along dim."""
    n1 = x1.norm(2, dim, keepdim=True).clamp(min=eps)
    n2 = x2.norm(2, dim, keepdim=True).clamp(min=eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(
    x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False
) -> Tensor:
    """||x1 - x2 + eps||_p over the last dimension."""
    return (x1 - x2 + eps).norm(p, -1, keepdim)


# ---------------------------------------------------------------------------- layers
def _layer(name: str, fn: Any, params: tuple[tuple[str, Any], ...] = ()) -> type:
    """An nn.Module class whose forward is ``fn(input, **its constructor arguments)``."""

    def __init__(self: Module, *args: Any, **kwargs: Any) -> None:
        Module.__init__(self)
        names = [p for p, _ in params]
        if len(args) > len(names):
            raise TypeError(f"{name}() takes at most {len(names)} arguments ({len(args)} given)")
        values = dict(params)
        values.update(zip(names, args))
        for key, value in kwargs.items():
            if key not in values:
                raise TypeError(f"{name}() got an unexpected keyword argument '{key}'")
            values[key] = value
        self._args = values
        for key, value in values.items():
            setattr(self, key, value)

    def forward(self: Module, input: Tensor, *more: Tensor) -> Tensor:
        call = {k: v for k, v in self._args.items() if k != "inplace"}
        return fn(input, *more, **call)

    def extra_repr(self: Module) -> str:
        return ", ".join(f"{k}={v}" for k, v in self._args.items() if dict(params)[k] != v)

    doc = f"Layer form of ``F.{fn.__name__}``: {(fn.__doc__ or '').splitlines()[0]}"
    return type(name, (Module,), {"__init__": __init__, "forward": forward,
                                  "extra_repr": extra_repr, "__doc__": doc,
                                  "__module__": __name__})  # fmt: skip


SELU = _layer("SELU", selu, (("inplace", False),))
CELU = _layer("CELU", celu, (("alpha", 1.0), ("inplace", False)))
Softsign = _layer("Softsign", softsign)
ReLU6 = _layer("ReLU6", relu6, (("inplace", False),))
Hardsigmoid = _layer("Hardsigmoid", hardsigmoid, (("inplace", False),))
Hardswish = _layer("Hardswish", hardswish, (("inplace", False),))
Softmin = _layer("Softmin", softmin, (("dim", None),))
Tanhshrink = _layer("Tanhshrink", tanhshrink)
GLU = _layer("GLU", glu, (("dim", -1),))
Threshold = _layer("Threshold", threshold, (("threshold", 0.0), ("value", 0.0), ("inplace", False)))
CosineSimilarity = _layer("CosineSimilarity", cosine_similarity, (("dim", 1), ("eps", 1e-8)))
PairwiseDistance = _layer(
    "PairwiseDistance", pairwise_distance, (("p", 2.0), ("eps", 1e-6), ("keepdim", False))
)

FUNCTIONS = [selu, celu, softsign, relu6, hardsigmoid, hardswish, softmin, tanhshrink, glu,
             threshold, normalize, cosine_similarity, pairwise_distance]  # fmt: skip
LAYERS = [SELU, CELU, Softsign, ReLU6, Hardsigmoid, Hardswish, Softmin, Tanhshrink, GLU,
          Threshold, CosineSimilarity, PairwiseDistance]  # fmt: skip


def attach(functions: list[Any] = FUNCTIONS, layers: list[type] = LAYERS) -> None:
    """Make them ``nn.functional.<name>`` and ``nn.<Name>``. Each name lives in one place:
    one that exists already is an error, not a silent second definition."""
    functional = sys.modules["tinygrad_edu.nn.functional"]
    nn = sys.modules["tinygrad_edu.nn"]
    for namespace, objects in ((functional, functions), (nn, layers)):
        for obj in objects:
            if obj.__name__ in vars(namespace):
                raise RuntimeError(f"{namespace.__name__}.{obj.__name__} is defined twice")
            setattr(namespace, obj.__name__, obj)
