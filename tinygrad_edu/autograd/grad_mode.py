"""Whether operations record themselves on the tape: ``no_grad``, ``enable_grad``.

One global switch. Inside ``no_grad()`` ops compute their result and build no graph, which
is what you want for evaluation and for optimizer updates.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class GradMode:
    """Holds the switch. Read ``GradMode.enabled``; change it with the context managers."""

    enabled: bool = True


def is_grad_enabled() -> bool:
    """True when new operations are recorded for backward."""
    return GradMode.enabled


class set_grad_enabled:
    """Context manager (and decorator) that turns recording on or off, then restores it."""

    def __init__(self, mode: bool) -> None:
        self.mode = mode
        self.prev = GradMode.enabled
        GradMode.enabled = mode  # like PyTorch, it also works as a plain function call

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        GradMode.enabled = self.prev

    def __call__(self, fn: F) -> F:
        GradMode.enabled = self.prev  # used as a decorator: undo the switch made in __init__

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with set_grad_enabled(self.mode):
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class _GradModeContext:
    mode: bool

    def __enter__(self) -> None:
        self.prev = GradMode.enabled
        GradMode.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        GradMode.enabled = self.prev

    def __call__(self, fn: F) -> F:
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            prev = GradMode.enabled
            GradMode.enabled = mode
            try:
                return fn(*args, **kwargs)
            finally:
                GradMode.enabled = prev

        return wrapper  # type: ignore[return-value]


class no_grad(_GradModeContext):
    """Don't record operations: ``with no_grad(): ...`` or ``@no_grad()`` on a function."""

    mode = False


class enable_grad(_GradModeContext):
    """Record operations again, even inside ``no_grad``."""

    mode = True
