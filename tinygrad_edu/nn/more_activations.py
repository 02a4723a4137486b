"""More activation functions and similarity measures, in both PyTorch forms: ``F.silu(x)``
and the layer ``nn.SiLU()``. Each is a composition of existing ops, so its gradient comes
from theirs (the formula is in its docstring). ``attach()`` adds them to ``nn.functional``
and ``nn`` (a name either already has is left alone).

    silu        x * sigmoid(x)                    gelu  0.5 x (1 + tanh(c (x + 0.044715 x^3)))
    elu         x if x > 0 else a (exp(x) - 1)    selu         scale * elu(x, alpha)
    celu        max(0, x) + min(0, a (exp(x / a) - 1))
    softplus    log(1 + exp(b x)) / b             softsign     x / (1 + |x|)
    relu6       min(max(x, 0), 6)                 hardtanh     clamp(x, min, max)
    hardsigmoid clamp(x / 6 + 1/2, 0, 1)          hardswish    x * hardsigmoid(x)
    logsigmoid  -softplus(-x)                     softmin      softmax(-x)
    tanhshrink  x - tanh(x)                       mish         x * tanh(softplus(x))
    glu         a * sigmoid(b), a, b the halves of x along dim
    threshold   x if x > threshold else value
"""

from __future__ import annotations

import math
import sys
from typing import Any

from tinygrad_edu.nn.module import Module
from tinygrad_edu.tensor import Tensor, where

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


# ---------------------------------------------------------------------------- functions
def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """x * sigmoid(x) (also called swish)."""
    return input * input.sigmoid()


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """x * Phi(x). Only PyTorch's tanh approximation is available (NumPy has no erf):
    0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), within 1e-3 of the exact one."""
    if approximate != "tanh":
        raise NotImplementedError(
            "gelu(approximate='none') needs erf, which NumPy lacks; use "
            "gelu(x, approximate='tanh') or nn.GELU(approximate='tanh') (within 1e-3 of it)"
        )
    inner = math.sqrt(2 / math.pi) * (input + 0.044715 * input * input * input)
    return 0.5 * input * (1 + inner.tanh())


def _negative_part(input: Tensor) -> Tensor:
    """min(x, 0): exp of it never overflows, so the unused branch of where stays finite."""
    return input.clamp(max=0)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """x for x > 0, alpha (exp(x) - 1) otherwise."""
    return where(input > 0, input, alpha * (_negative_part(input).exp() - 1))


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """scale * elu(x, alpha) with the self-normalising constants."""
    return SELU_SCALE * elu(input, SELU_ALPHA)


def celu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """max(0, x) + min(0, alpha (exp(x / alpha) - 1))."""
    return where(input > 0, input, alpha * ((_negative_part(input) / alpha).exp() - 1))


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """log(1 + exp(beta x)) / beta; x itself where beta x > threshold (no overflow)."""
    scaled = input * beta
    safe = scaled.clamp(max=threshold)
    return where(scaled > threshold, input, (safe.exp() + 1).log() / beta)


def softsign(input: Tensor) -> Tensor:
    """x / (1 + |x|)."""
    return input / (input.abs() + 1)


def hardtanh(
    input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    """clamp(x, min_val, max_val)."""
    return input.clamp(min_val, max_val)


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """min(max(x, 0), 6)."""
    return input.clamp(0, 6)


def hardsigmoid(input: Tensor, inplace: bool = False) -> Tensor:
    """clamp(x / 6 + 1/2, 0, 1)."""
    return (input / 6 + 0.5).clamp(0, 1)


def hardswish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * hardsigmoid(x)."""
    return input * hardsigmoid(input)


def logsigmoid(input: Tensor) -> Tensor:
    """log(sigmoid(x)) = -softplus(-x), stable for large |x|."""
    return -softplus(-input)


def softmin(input: Tensor, dim: int | None = None, dtype: Any = None) -> Tensor:
    """softmax(-x) along dim."""
    from tinygrad_edu.nn import functional as F

    return F.softmax(-input, dim, dtype)


def tanhshrink(input: Tensor) -> Tensor:
    """x - tanh(x)."""
    return input - input.tanh()


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x))."""
    return input * softplus(input).tanh()


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


SiLU = _layer("SiLU", silu, (("inplace", False),))
GELU = _layer("GELU", gelu, (("approximate", "none"),))
ELU = _layer("ELU", elu, (("alpha", 1.0), ("inplace", False)))
SELU = _layer("SELU", selu, (("inplace", False),))
CELU = _layer("CELU", celu, (("alpha", 1.0), ("inplace", False)))
Softplus = _layer("Softplus", softplus, (("beta", 1.0), ("threshold", 20.0)))
Softsign = _layer("Softsign", softsign)
Hardtanh = _layer("Hardtanh", hardtanh, (("min_val", -1.0), ("max_val", 1.0), ("inplace", False)))
ReLU6 = _layer("ReLU6", relu6, (("inplace", False),))
Hardsigmoid = _layer("Hardsigmoid", hardsigmoid, (("inplace", False),))
Hardswish = _layer("Hardswish", hardswish, (("inplace", False),))
LogSigmoid = _layer("LogSigmoid", logsigmoid)
Softmin = _layer("Softmin", softmin, (("dim", None),))
Tanhshrink = _layer("Tanhshrink", tanhshrink)
Mish = _layer("Mish", mish, (("inplace", False),))
GLU = _layer("GLU", glu, (("dim", -1),))
Threshold = _layer("Threshold", threshold, (("threshold", 0.0), ("value", 0.0), ("inplace", False)))
CosineSimilarity = _layer("CosineSimilarity", cosine_similarity, (("dim", 1), ("eps", 1e-8)))
PairwiseDistance = _layer(
    "PairwiseDistance", pairwise_distance, (("p", 2.0), ("eps", 1e-6), ("keepdim", False))
)

FUNCTIONS = [silu, gelu, elu, selu, celu, softplus, softsign, hardtanh, relu6, hardsigmoid,
             hardswish, logsigmoid, softmin, tanhshrink, mish, glu, threshold, normalize,
             cosine_similarity, pairwise_distance]  # fmt: skip
LAYERS = [SiLU, GELU, ELU, SELU, CELU, Softplus, Softsign, Hardtanh, ReLU6, Hardsigmoid,
          Hardswish, LogSigmoid, Softmin, Tanhshrink, Mish, GLU, Threshold, CosineSimilarity,
          PairwiseDistance]  # fmt: skip


def attach() -> None:
    """Make them ``nn.functional.<name>`` and ``nn.<Name>`` (unless a name exists already)."""
    functional = sys.modules["tinygrad_edu.nn.functional"]
    nn = sys.modules["tinygrad_edu.nn"]
    for fn in FUNCTIONS:
        if fn.__name__ not in vars(functional):
            setattr(functional, fn.__name__, fn)
    for layer in LAYERS:
        if layer.__name__ not in vars(nn):
            setattr(nn, layer.__name__, layer)
