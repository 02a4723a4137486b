"""Forward-mode automatic differentiation: dual tensors (``torch.autograd.forward_ad``).

Reverse mode (the tape, ``backward``) pulls one output's gradient back to every input:
a row of the Jacobian J per pass, as ``J^T u``. Forward mode pushes one input direction v
forward through the ops, next to the values: a column per pass, ``J v``. A *dual tensor*
is a primal value with a tangent (the directional derivative) attached::

    import tinygrad_edu.autograd.forward_ad as fwAD

    with fwAD.dual_level():
        x = fwAD.make_dual(primal, v)       # x carries the tangent v
        y = f(x)                            # every op computes y and its tangent
        value, jv = fwAD.unpack_dual(y)     # jv = J v, the Jacobian-vector product

Each op has a forward-mode rule beside its backward: ``jvp(ctx, *tangents)`` gets one
tangent per positional input (None for an input without one) and returns the output's
tangent, written with Tensor ops, e.g. for z = x * y

    backward:  dL/dx = g * y,   dL/dy = g * x          (transposed: J^T g)
    jvp:       dz = dx * y + x * dy                    (J applied to the tangents)

A rule reads the primal inputs as ``ctx.inputs`` (and ``ctx.saved_tensors``); while it
runs, ``ctx.output`` is the op's result for every op. It runs with forward mode switched
off (the tangent gets no tangent of its own) and, when the op was recorded on the tape,
with recording on, so a tangent can itself be differentiated by reverse mode. A returned
tangent may broadcast to the output's shape (``dz = dx`` for x + y when only x has one);
it is cast to the output's dtype. An op whose inputs have no tangent gives none (no rule
runs); an op without a ``jvp`` raises ``NoForwardRuleError`` naming it. Your own
``Function`` may define ``jvp`` too.

As in PyTorch there is one level: ``dual_level`` cannot be nested, ``make_dual`` outside it
raises, and leaving it drops every tangent. Unlike PyTorch, in-place operations on dual
tensors (``x.mul_(2)``, ``x[0] = 1``, ...) raise instead of updating the tangent.

Forward over reverse (``hessian(..., outer_jacobian_strategy="forward-mode")``,
``gradgradcheck(..., check_fwd_over_rev=True)``): a backward pass run inside a dual level
with ``create_graph=True`` carries tangents through the backward formulas (``ctx.output``
keeps the tangent its op computed). Without ``create_graph`` the engine sums gradients in
NumPy and the tangents are lost.

Cost when no ``dual_level`` is active: ``Function.apply`` reads one class attribute,
``ForwardAD.enabled``. Tangents live in a table keyed by tensor identity (tensors have no
slot for them), each entry dropped when its tensor dies.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from typing import Any, NamedTuple

from tinygrad_edu import dtypes
from tinygrad_edu.autograd.grad_mode import GradMode
from tinygrad_edu.tensor import Clock, Tensor

__all__ = [
    "NoForwardRuleError",
    "UnpackedDualTensor",
    "dual_level",
    "enter_dual_level",
    "exit_dual_level",
    "make_dual",
    "unpack_dual",
]


class ForwardAD:
    """Global forward-mode state (like ``GradMode``)."""

    #: True inside ``dual_level()``; ``Function.apply`` reads it after each forward.
    enabled: bool = False
    #: The current level: -1 outside ``dual_level()``, 0 inside (levels do not nest).
    level: int = -1
    #: Counts the levels entered, so a tangent left on a node by an earlier level is ignored.
    generation: int = 0


class NoForwardRuleError(NotImplementedError):
    """A dual tensor went through an op (a ``Function``) that has no ``jvp`` rule."""


class UnpackedDualTensor(NamedTuple):
    """What ``unpack_dual`` returns: the primal value and its tangent (or None)."""

    primal: Tensor
    tangent: Tensor | None


# id(tensor) -> (weak reference to the tensor, its tangent)
_tangents: dict[int, tuple[weakref.ref, Tensor]] = {}


def _tangent_of(t: Any) -> Tensor | None:
    entry = _tangents.get(id(t))
    if entry is None or entry[0]() is not t:
        return None
    return entry[1]


def _forget(key: int, ref: weakref.ref) -> None:
    entry = _tangents.get(key)
    if entry is not None and entry[0] is ref:
        del _tangents[key]


def _set_tangent(t: Tensor, tangent: Tensor) -> None:
    key = id(t)
    _tangents[key] = (weakref.ref(t, lambda ref, key=key: _forget(key, ref)), tangent)


# --------------------------------------------------------------------------- levels
def enter_dual_level() -> int:
    """Start forward mode; return the new level (0). Nesting is not supported."""
    if ForwardAD.level >= 0:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    ForwardAD.level = 0
    ForwardAD.generation += 1
    ForwardAD.enabled = True
    return 0


def exit_dual_level(*, level: int | None = None) -> None:
    """Stop forward mode and drop every tangent of the level."""
    if level is None:
        level = ForwardAD.level
    if level != ForwardAD.level or level < 0:
        raise RuntimeError(
            "Trying to exit a forward AD level that was not the last one that was created. "
            "This is not supported."
        )
    _tangents.clear()
    ForwardAD.level = -1
    ForwardAD.enabled = False


class dual_level:
    """``with dual_level():`` (or ``@dual_level()``): the scope in which tangents live."""

    def __enter__(self) -> int:
        return enter_dual_level()

    def __exit__(self, *exc: object) -> None:
        exit_dual_level()

    def __call__(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with dual_level():
                return fn(*args, **kwargs)

        return wrapper


# --------------------------------------------------------------------------- dual tensors
def make_dual(tensor: Tensor, tangent: Tensor, *, level: int | None = None) -> Tensor:
    """A new tensor sharing ``tensor``'s data, with ``tangent`` attached (as it is).

    Gradients flow back through it to ``tensor`` (it is a reshape to the same shape).
    """
    if level is None:
        level = ForwardAD.level
    if level < 0:
        raise RuntimeError(
            "Trying to create a dual Tensor for forward AD but no level exists, make sure to "
            "enter_dual_level() first."
        )
    if not isinstance(tensor, Tensor) or not isinstance(tangent, Tensor):
        raise TypeError(
            f"make_dual expects two Tensors, got {type(tensor).__name__} and "
            f"{type(tangent).__name__}"
        )
    if not dtypes.is_floating(tensor.dtype):
        raise ValueError(
            f"Expected primal to be floating point or complex, but got: {tensor.dtype}"
        )
    if not dtypes.is_floating(tangent.dtype):
        raise ValueError(
            f"Expected tangent to be floating point or complex, but got: {tangent.dtype}"
        )
    if tangent.shape != tensor.shape:
        raise RuntimeError(
            "Trying to set a forward gradient that has a different size than that of the "
            f"original Tensor, this is not supported. Tensor is of size {list(tensor.shape)} "
            f"while the given forward gradient is of size {list(tangent.shape)}."
        )
    if _tangent_of(tensor) is not None:
        raise RuntimeError(
            "Making a dual Tensor based on a Tensor that already has a forward gradient at the "
            f"same level {level} is not supported."
        )
    if tangent.dtype != tensor.dtype:
        tangent = tangent.to(tensor.dtype)
    from tinygrad_edu.ops.movement import Reshape  # (the ops import this module's users)

    dual = Reshape.apply(tensor, shape=tensor.shape)  # a new tensor on the same memory
    _set_tangent(dual, tangent)
    return dual


def unpack_dual(tensor: Tensor, *, level: int | None = None) -> UnpackedDualTensor:
    """``(primal, tangent)``: a tangent-free tensor sharing ``tensor``'s data, and the
    tangent (None if it has none, or outside ``dual_level``)."""
    if level is None:
        level = ForwardAD.level
    if level < 0:
        return UnpackedDualTensor(tensor, None)
    from tinygrad_edu.ops.movement import Reshape

    tangent = _tangent_of(tensor)
    ForwardAD.enabled = False  # the primal view must not inherit the tangent
    try:
        primal = Reshape.apply(tensor, shape=tensor.shape)
    finally:
        ForwardAD.enabled = True
    return UnpackedDualTensor(primal, tangent)


def sum_tangents(*terms: Tensor | None) -> Tensor | None:
    """The sum of the tangent contributions that exist (None stands for 0)."""
    total = None
    for t in terms:
        if t is not None:
            total = t if total is None else total + t
    return total


# --------------------------------------------------------------------------- the hook
def propagate(ctx: Any, args: tuple[Any, ...], out: Tensor) -> Tensor:
    """Called by ``Function.apply`` after forward while a dual level is active: give
    ``out`` the tangent that the op's ``jvp`` rule computes from its inputs' tangents."""
    tangents = [_tangent_of(a) if isinstance(a, Tensor) else None for a in args]
    if all(t is None for t in tangents) or not dtypes.is_floating(out.dtype):
        return out  # no input carries a tangent: neither does the output
    cls = type(ctx)
    rule = getattr(cls, "jvp", None)
    if rule is None:
        raise NoForwardRuleError(
            f"{cls.__name__} has no forward-mode rule: a dual tensor (forward-mode AD) went "
            f"through it. Define jvp(ctx, *tangents) on {cls.__name__} (beside its backward), "
            "or compute this derivative in reverse mode."
        )
    recorded = out._grad_fn is not None
    if not recorded:  # apply keeps nothing for an unrecorded op; the rule needs the inputs
        ctx._inputs = args
        ctx._clock = Clock.now
        ctx.next_nodes = (None,) * len(args)  # and ctx.output, if used, is a dead end
    temporary_output = getattr(ctx, "_output_data", None) is None
    if temporary_output:
        ctx._output_data = out._data  # ctx.output for every op while the rule runs
    grad_mode = GradMode.enabled and (
        recorded or any(t is not None and t.requires_grad for t in tangents)
    )
    previous = GradMode.enabled
    GradMode.enabled = grad_mode
    ForwardAD.enabled = False  # the rule's own ops carry no tangents
    try:
        tangent = rule(ctx, *tangents)
        if tangent is None:
            return out
        if not isinstance(tangent, Tensor):
            raise TypeError(f"{cls.__name__}.jvp returned a {type(tangent).__name__}, not a Tensor")
        if tangent.shape != out.shape:
            tangent = _broadcast_tangent(cls, tangent, out)
        if tangent.dtype != out.dtype:
            tangent = tangent.to(out.dtype)
    finally:
        GradMode.enabled = previous
        ForwardAD.enabled = True
        if temporary_output and (recorded or not grad_mode):
            ctx._output_data = None  # (kept for a dead-end node the tangent's graph reaches)
    _set_tangent(out, tangent)
    if recorded:  # for backward formulas that read ctx.output (forward over reverse)
        ctx._output_tangent = (ForwardAD.generation, tangent)
    return out


def saved_output(ctx: Any, data: Any) -> Tensor:
    """``ctx.output`` inside a dual level: the op's result with its tangent, so that a
    backward formula using it (exp' = exp) is differentiated in forward mode correctly."""
    out = Tensor._make(data, GradMode.enabled, ctx if GradMode.enabled else None)
    saved = getattr(ctx, "_output_tangent", None)
    if saved is not None and saved[0] == ForwardAD.generation:
        _set_tangent(out, saved[1])
    return out


def _broadcast_tangent(cls: type, tangent: Tensor, out: Tensor) -> Tensor:
    from tinygrad_edu.ops.movement import Expand

    try:
        return Expand.apply(tangent, shape=out.shape)
    except ValueError:
        raise RuntimeError(
            f"{cls.__name__}.jvp returned a tangent of shape {tangent.shape} for an output of "
            f"shape {out.shape}"
        ) from None


def check_inplace(t: Tensor, name: str, other: Any) -> None:
    """Called before every in-place op while a dual level is active: refuse dual tensors."""
    if _tangent_of(t) is not None or (isinstance(other, Tensor) and _tangent_of(other) is not None):
        raise RuntimeError(
            f"{name}: in-place operations on dual tensors (forward-mode AD) are not supported; "
            "write it out of place (x = x * 2 instead of x.mul_(2), torch.where or cat instead "
            "of x[i] = v)"
        )
