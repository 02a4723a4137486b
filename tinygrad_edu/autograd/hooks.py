"""Gradient hooks: functions that see (and may replace) a gradient during backward.

``t.register_hook(fn)`` attaches ``fn`` to a tensor. When backward computes dL/dt, it calls
``fn(grad)``; if ``fn`` returns a tensor, that tensor is used as dL/dt from then on (it is
what flows further back, and what a leaf's ``.grad`` receives). ``retain_grad()`` is a
hook too, one that always runs last and keeps the (possibly replaced) gradient in ``.grad``.

Where the hooks live:
- a non-leaf tensor's hooks hang on its node (``t.grad_fn``); the engine runs them when
  that node's turn comes, with the node's total incoming gradient;
- a leaf's hooks hang on the tensor itself; the engine sums everything that reaches the
  leaf during one backward and runs them once, before adding the result into ``.grad``.

Every ``register_*`` returns a ``RemovableHandle``; ``handle.remove()`` unregisters.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np

from tinygrad_edu.tensor import Tensor

_next_id = itertools.count()


class RemovableHandle:
    """What ``register_hook`` (and the Module ``register_*_hook``s) return.

    ``handle.remove()`` takes the hook out again; removing twice does nothing. Also a
    context manager: ``with t.register_hook(fn): ...`` removes the hook on exit.
    """

    def __init__(self, hooks: dict[int, Any]) -> None:
        self.id = next(_next_id)
        self._hooks = weakref.ref(hooks)

    def remove(self) -> None:
        hooks = self._hooks()
        if hooks is not None:
            hooks.pop(self.id, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


class HookDict(dict):
    """A dict of hooks by handle id (a plain dict cannot be weakly referenced)."""

    def add(self, fn: Any) -> RemovableHandle:
        handle = RemovableHandle(self)
        self[handle.id] = fn
        return handle


class GradHooks:
    """The hooks of one tensor: user hooks in registration order, then retain_grad."""

    __slots__ = ("hooks", "retained")

    def __init__(self) -> None:
        self.hooks = HookDict()
        self.retained: list[weakref.ref] = []  # tensors that called retain_grad()

    def run(self, grad: Any, shape: tuple[int, ...], dtype: np.dtype) -> Any:
        """Call each hook on the gradient; a returned tensor replaces it."""
        for fn in list(self.hooks.values()):
            new = fn(grad)
            if new is None:
                continue
            if not isinstance(new, Tensor):
                raise TypeError(
                    f"hook {_hook_name(fn)} returned a {type(new).__name__}; a tensor hook must "
                    "return None or a Tensor"
                )
            if new.shape != shape:
                raise RuntimeError(
                    f"hook {_hook_name(fn)} returned a gradient of shape {new.shape} for a "
                    f"tensor of shape {shape}; a hook must keep the gradient's shape"
                )
            grad = new if new.dtype == dtype else new.to(dtype)
        return grad

    def store_retained(self, grad: Any, create_graph: bool) -> None:
        """``retain_grad()``: keep the gradient in ``.grad`` of each retaining tensor."""
        for ref in self.retained:
            t = ref()
            if t is None:
                continue
            if t.grad is None:
                t._grad = (
                    grad.clone() if create_graph else Tensor._make(grad._data.copy(), False, None)
                )
            else:
                t._grad = Tensor._make(np.asarray(t.grad._data + grad._data), False, None)


def _hook_name(fn: Callable[..., Any]) -> str:
    return repr(getattr(fn, "__qualname__", None) or type(fn).__name__)
