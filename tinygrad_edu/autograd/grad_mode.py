"""Whether operations record themselves on the tape: ``no_grad``, ``enable_grad``.

One switch per thread, as in PyTorch: a thread that starts runs with recording on, whatever
another thread has switched. Inside ``no_grad()`` ops compute their result and build no
graph, which is what you want for evaluation and for optimizer updates. Used as a decorator
on a generator function, ``no_grad()`` applies each time the generator resumes.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable, Generator
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


class _GradModeState(threading.local):
    """Holds the switch of the current thread. ``enabled`` is a class attribute too, so a
    thread that never set it reads True at the cost of one attribute lookup (this is read
    on every op)."""

    enabled: bool = True


#: Read ``GradMode.enabled``; change it with the context managers.
GradMode = _GradModeState()


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
        return _decorate(fn, self.mode)


class _GradModeContext:
    mode: bool

    def __enter__(self) -> None:
        self.prev = GradMode.enabled
        GradMode.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        GradMode.enabled = self.prev

    def __call__(self, fn: F) -> F:
        return _decorate(fn, self.mode)


class _Switch:
    """Set recording to ``mode`` for a ``with`` block, then restore it."""

    def __init__(self, mode: bool) -> None:
        self.mode = mode

    def __enter__(self) -> None:
        self.prev = GradMode.enabled
        GradMode.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        GradMode.enabled = self.prev


def _decorate(fn: F, mode: bool) -> F:
    """``fn`` run with recording set to ``mode``. For a generator function the mode is set
    around each resumption (each ``next``/``send``/``throw``) and the caller's mode is back
    whenever the generator yields, as PyTorch does."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def generator(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
            gen = fn(*args, **kwargs)
            try:
                with _Switch(mode):
                    response = gen.send(None)
                while True:
                    try:
                        request = yield response
                    except GeneratorExit:
                        with _Switch(mode):
                            gen.close()
                        raise
                    except BaseException as e:  # thrown into us: pass it on, in the mode
                        with _Switch(mode):
                            response = gen.throw(e)
                    else:
                        with _Switch(mode):
                            response = gen.send(request)
            except StopIteration as stop:
                return stop.value

        return generator  # type: ignore[return-value]

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
