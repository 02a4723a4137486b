"""Anomaly detection: find the op whose backward first produced a NaN or an infinity.

A NaN in a gradient spreads: once one backward returns it, every gradient behind it is NaN
too, and ``x.grad`` alone cannot tell you where it started. Under ``detect_anomaly()``

- every op records, when its forward runs, where in *your* code it was called (a short
  stack with the tinygrad_edu frames left out), and
- the engine checks each gradient a backward returns; the first one holding NaN or inf
  raises a ``RuntimeError`` naming the op's backward and that forward location:

    >>> with detect_anomaly():
    ...     x = tensor([0.0, 1.0], requires_grad=True)
    ...     x.sqrt().sum().backward()
    RuntimeError: Function 'SqrtBackward' returned inf values in its gradient for input 0 ...
    The forward op was created at:
      File "train.py", line 12, in <module>
        x.sqrt().sum().backward()

Outside of it NaNs pass silently, as in PyTorch, and ops record no stack (recording one
costs far more than the op itself; this is a debugging tool).
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import Any

import numpy as np

_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_STACK_LIMIT = 40  # frames looked at (innermost first); the report keeps the user's last 3


class AnomalyMode:
    """Holds the switch. Read ``AnomalyMode.enabled``; change it with the functions below."""

    enabled: bool = False


def is_anomaly_enabled() -> bool:
    """True inside ``detect_anomaly()`` (or after ``set_detect_anomaly(True)``)."""
    return AnomalyMode.enabled


class set_detect_anomaly:
    """Turn anomaly detection on or off; works as a call and as a context manager.

    ``set_detect_anomaly(True)`` switches it on for good; ``with set_detect_anomaly(False):``
    switches it off inside the block and restores the previous mode afterwards.
    """

    def __init__(self, mode: bool) -> None:
        self.prev = AnomalyMode.enabled
        AnomalyMode.enabled = bool(mode)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        AnomalyMode.enabled = self.prev


class detect_anomaly:
    """Context manager: inside it, a backward that returns NaN or inf raises at once,
    naming the op and the line of your code that created it."""

    def __enter__(self) -> None:
        self.prev = AnomalyMode.enabled
        AnomalyMode.enabled = True

    def __exit__(self, *exc: object) -> None:
        AnomalyMode.enabled = self.prev


def forward_stack() -> traceback.StackSummary:
    """The caller's stack without tinygrad_edu's own frames (called by ``Function.apply``)."""
    frames = traceback.extract_stack(sys._getframe(1), limit=_STACK_LIMIT)
    user = [f for f in frames if not os.path.abspath(f.filename).startswith(_PACKAGE_DIR)]
    return traceback.StackSummary.from_list(user[-3:] if user else frames[-1:])


def check_gradients(node: Any, input_grads: tuple[Any, ...]) -> None:
    """Raise if a gradient that ``node``'s backward returned holds NaN or inf."""
    for i, g in enumerate(input_grads):
        if g is None or not hasattr(g, "_data") or g._data.dtype.kind not in "fc":
            continue
        finite = np.isfinite(g._data)
        if finite.all():
            continue
        what = "nan" if np.isnan(g._data).any() else "inf"
        where = (
            "".join(node._stack.format())
            if node._stack is not None
            else ("  (not recorded: the forward ran outside detect_anomaly())\n")
        )
        raise RuntimeError(
            f"Function '{node.name()}' returned {what} values in its gradient for input {i} "
            f"(shape {g.shape}, {int((~finite).sum())} of {g._data.size} elements not "
            f"finite).\nThe forward op was created at:\n{where.rstrip()}"
        )
