"""Views, version counters and in-place ops: when two tensors share memory.

NumPy lets many arrays look at one block of memory, and so do we: ``x.view(2, 2)``,
``x[1:]``, ``x.T``, ``x.expand(...)``, ``x.detach()`` and ``x.unsqueeze(0)`` all return a
tensor whose values *are* x's values. A write through any of them changes all of them. That
is cheap and it is what PyTorch does, but it gives autograd two problems to solve:

1. **Stale saved values.** ``y = a.sin()`` keeps ``a`` for its backward (cos a). If ``a`` is
   changed in place afterwards (through ``a`` or through any view of it) the backward would
   silently use the new values. So every group of tensors sharing memory has one
   **version counter**, kept on the group's *base* (the tensor that owns the memory); every
   in-place op through any member adds 1. An op records the version of what it will read in
   backward, and backward refuses to run if it changed (``Function.saved_tensors``,
   ``Function.inputs``, ``Function.output``).

2. **History written through a view.** After ``a[0:2].mul_(3)`` the *base* ``a`` holds new
   values, so its gradient must change too: ``a.sum().backward()`` must give 3 for the first
   two elements. PyTorch rewrites the base's history with a node called ``CopySlices``:
   "the base is the old base, except that the view's region now holds this new result". We
   do the same (``CopySlices`` below). Each view remembers how it was made from its base
   (its chain of view ops: ``ViewMeta.ops``), so the view's own history can be made again
   from the base's new history (``sync_view``) the next time it is used.

``.data`` is the exception, on purpose: it shares memory but not the version counter, so
what is done through it is invisible to autograd (as in PyTorch, which documents this).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tinygrad_edu.autograd import forward_ad
from tinygrad_edu.autograd.forward_ad import ForwardAD
from tinygrad_edu.autograd.function import Function
from tinygrad_edu.autograd.grad_mode import GradMode, no_grad
from tinygrad_edu.tensor import Tensor


class ViewMeta:
    """What a differentiable view knows about itself (``Tensor._view``).

    ops      the view ops that make it from its base: ((Reshape, {"shape": ...}), ...)
    no_grad  made while recording was off (an in-place change to it can't be recorded)
    seen     the base's version when this view's grad_fn was last made
    """

    __slots__ = ("no_grad", "ops", "seen")

    def __init__(self, ops: tuple, no_grad: bool, seen: int) -> None:
        self.ops = ops
        self.no_grad = no_grad
        self.seen = seen


_NO_GRAD_VIEW = ViewMeta((), True, 0)  # shared by every view made under no_grad


def base_of(t: Tensor) -> Tensor:
    """The tensor that owns ``t``'s memory and version counter (``t`` itself if none)."""
    return t if t._base is None else t._base


def mark_view(out: Tensor, x: Tensor, cls: type, kwargs: dict) -> None:
    """Called by ``Function.apply`` after a view op: make ``out`` a view of ``x``'s base."""
    owner = out._data.base  # a NumPy view of x's array has x's array (or its owner) here
    if owner is None:
        return  # an index array made a copy: a new tensor, not a view
    mine = owner is x._data or owner is x._data.base
    if not mine and not np.may_share_memory(out._data, x._data):  # (broadcast_to hides it)
        return  # reshape had to copy
    base = x if x._base is None else x._base
    out._base = base
    if x._base is not None and x._view is None:
        return  # a view of a non-differentiable alias (detach) is one as well
    if not GradMode.enabled:  # its history can't be rewritten: nothing to remember
        out._view = _NO_GRAD_VIEW
        return
    ops = ((cls, kwargs),) if x._view is None else (*x._view.ops, (cls, kwargs))
    out._view = ViewMeta(ops, False, base._ver)


def replay(ops: tuple, t: Tensor) -> Tensor:
    """Apply a view's chain of view ops to ``t`` (the base, or a gradient of its shape)."""
    for cls, kwargs in ops:
        t = cls.apply(t, **kwargs)
    return t


def sync_view(t: Tensor) -> None:
    """Bring a view's history up to date after its base was changed in place.

    The view's ``grad_fn`` was made from the base's old ``grad_fn``; if the base has a new
    history now, the view is made again from it (same values, new graph edges).
    """
    base, meta = t._base, t._view
    if meta.seen == base._ver:
        return
    meta.seen = base._ver
    if base._requires_grad and not meta.no_grad:
        prev, GradMode.enabled = GradMode.enabled, True
        try:
            fresh = replay(meta.ops, base)
        finally:
            GradMode.enabled = prev
        t._grad_fn, t._requires_grad = fresh._grad_fn, True


# ---------------------------------------------------------------------------- in place
def inplace(
    t: Tensor,
    name: str,
    compute: Callable[[Tensor], Tensor],
    other: Any = None,
    direct: Callable[[np.ndarray], None] | None = None,
) -> Tensor:
    """Change ``t``'s values in place to ``compute(t)``: every in-place op comes here.

    ``compute`` builds the new value out of place with Tensor ops, so when gradients are
    recorded it also builds the history of the new value. ``direct``, if given, does the
    same write straight in NumPy; it is used when nothing is recorded.
    """
    if ForwardAD.enabled:  # in-place ops on dual tensors raise (forward_ad.py)
        forward_ad.check_inplace(t, name, other)
    record = _check(t, name, other)
    if not t._data.flags.writeable:
        raise RuntimeError(
            f"{name}: unsupported operation: more than one element of the written-to tensor "
            f"(shape {t.shape}) refers to a single memory location (it is an expand()ed view). "
            "Please clone() the tensor before performing the operation."
        )
    if not record:
        if direct is not None:
            direct(t._data)
        else:
            _write(t, name, compute(t))
        t._bump_version()
        return t
    old = Tensor._make(t._data.copy(), t.requires_grad, t.grad_fn)  # old values, old history
    result = compute(old)
    if t._view is None:  # a tensor of its own: its history continues with the new op
        _write(t, name, result)
        t._bump_version()
        t._grad_fn, t._requires_grad = result._grad_fn, True
        return t
    # A view: the base's history is rewritten (CopySlices), then the view's from the base.
    base = t._base
    old_base = Tensor._make(base._data, base._requires_grad, base._grad_fn)
    _write(t, name, result)
    t._bump_version()
    new_base = CopySlices.apply(old_base, result, ops=t._view.ops)
    base._grad_fn, base._requires_grad = new_base._grad_fn, True
    sync_view(t)
    return t


def _check(t: Tensor, name: str, other: Any) -> bool:
    """Refuse in-place changes autograd can't follow; return whether this one is recorded."""
    if not GradMode.enabled:
        return False
    base = base_of(t)
    if t._view is not None:
        sync_view(t)
    if t._requires_grad and t._grad_fn is None and t._base is None:
        raise RuntimeError(
            f"{name}: a leaf Variable that requires grad (shape {t.shape}) is being used in an "
            "in-place operation. Do it inside `with no_grad():`, or on a .detach()ed copy."
        )
    if t._view is not None and base._requires_grad and base._grad_fn is None:
        raise RuntimeError(
            f"{name}: a view of a leaf Variable that requires grad (view shape {t.shape}, leaf "
            f"shape {base.shape}) is being used in an in-place operation. Do it inside "
            "`with no_grad():`."
        )
    record = (
        t._requires_grad
        or (t._view is not None and base._requires_grad)
        or (isinstance(other, Tensor) and other.requires_grad)
    )
    if record and t._view is not None and t._view.no_grad:
        raise RuntimeError(
            f"{name}: a view (shape {t.shape}) was created in no_grad mode and is being "
            "modified inplace with grad mode enabled. Given that this use case is ambiguous "
            "and error-prone, it is forbidden. You can clarify your code by moving both the "
            "view and the inplace either both inside the no_grad block (if you don't want the "
            "inplace to be tracked) or both outside (if you want the inplace to be tracked)."
        )
    return record


def _write(t: Tensor, name: str, result: Tensor) -> None:
    """Copy an out-of-place result into ``t``'s memory, after checking it fits."""
    if result.shape != t.shape:
        raise RuntimeError(
            f"{name}: output with shape {t.shape} doesn't match the broadcast shape {result.shape}"
        )
    if not np.can_cast(result._data.dtype, t._data.dtype, casting="same_kind"):
        raise RuntimeError(
            f"{name}: result type {result._data.dtype} can't be cast to the desired output type "
            f"{t._data.dtype}"
        )
    np.copyto(t._data, result._data, casting="same_kind")


class CopySlices(Function):
    """base' = base with its view region replaced by ``src`` (an in-place op on a view).

    The write has already happened in memory; this node only records it, so forward returns
    the base's (already updated) array. With V the view's region of the base:

        dL/dbase = dL/dbase' with zeros in V    (those old values were overwritten)
        dL/dsrc  = dL/dbase' read through the view  (replay the view ops on the gradient)
    """

    @staticmethod
    def forward(ctx, base, src, *, ops):
        ctx.ops = ops
        ctx.shape = base.shape
        return base._data

    @staticmethod
    def backward(ctx, grad):
        gbase = gsrc = None
        if ctx.needs_input_grad[0]:
            keep = Tensor._make(np.ones(ctx.shape, dtype=bool), False, None)
            with no_grad():
                replay(ctx.ops, keep)._data[...] = False
            gbase = grad.where(keep, 0.0)
        if ctx.needs_input_grad[1]:
            gsrc = replay(ctx.ops, grad)
        return gbase, gsrc
