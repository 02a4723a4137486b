"""Guards: what must still be true for a program to be replayed, checked before each replay.

A program holds arrays (the parameters', the buffers') and was written for one path through
the step's Python. PyTorch's ``torch.compile`` guards on where each value came from; this is
the same idea, kept small:

* every array the program holds is still its tensor's ``_data`` (``p.data = new`` since
  the capture fails this), and the tensor still requires grad as it did;
* each such tensor is still where the step found it: in a module's parameters or buffers,
  in a variable of the step function (a closure cell or a global, or one level down in a
  list or dict held there), or as a parameter's ``.grad``. A tensor found nowhere (read
  through an object the compiler cannot follow) is a graph break: the program could not
  tell a new tensor there from the old one;
* the numbers the step's Python may have read are unchanged: the plain attributes of the
  modules it called (``Dropout.p``), and the numbers, strings and small dicts of numbers in
  its closure cells and in the globals it names (a loss weight ``cfg["w"]``).
"""

from __future__ import annotations

import dis
import os
import types
from collections.abc import Callable
from typing import Any

import numpy as np

from tinygrad_edu.capture.trace import Var
from tinygrad_edu.nn.module import Module
from tinygrad_edu.tensor import Tensor

_SCALARS = (bool, int, float, str, type(None))


class Guards:
    """The checks of one program; ``hold()`` runs them all."""

    def __init__(self) -> None:
        self.same: list[tuple[Any, str, Any]] = []  # getattr(obj, attr) is value
        self.same_items: list[tuple[Any, Any, Any]] = []  # container[key] is value
        self.equal_attrs: list[tuple[Any, str, Any]] = []  # getattr(obj, attr) == value
        self.equal_items: list[tuple[Any, Any, Any]] = []  # container.get(key) == value
        self.checks: list[Callable[[], bool]] = []  # anything else (the flat layout)

    def hold(self) -> bool:
        for obj, attr, value in self.same:
            if getattr(obj, attr) is not value:
                return False
        for container, key, value in self.same_items:
            try:
                if container[key] is not value:
                    return False
            except (KeyError, IndexError):
                return False
        for obj, attr, value in self.equal_attrs:
            if getattr(obj, attr, _MISSING) != value:
                return False
        for container, key, value in self.equal_items:
            if container.get(key, _MISSING) != value:
                return False
        for check in self.checks:  # noqa: SIM110 (all() over a generator costs a frame)
            if not check():
                return False
        return True

    # ------------------------------------------------------------------ making them
    def path(self, steps: list[tuple]) -> None:
        """Guard each step of a path: ("attr", obj, name, value) or ("item", c, key, value)."""
        for kind, container, key, value in steps:
            if kind == "attr":
                self.same.append((container, key, value))
            else:
                self.same_items.append((container, key, value))


def build(
    fn: Any, modules: list[Module], uses: list[Var], grads_of: dict[int, Tensor]
) -> tuple[Guards, str | None]:
    """The guards of a program that holds the arrays of the ext Vars ``uses``, for the
    function ``fn`` whose step called ``modules``; ``grads_of`` maps a gradient tensor's id to
    its parameter. The second value is why the program cannot be guarded (a graph break)."""
    guards = Guards()
    sources = _sources(fn, modules, guards)
    done: set[int] = set()
    for v in uses:
        owner = None if v.owner is None else v.owner()
        if owner is None or id(owner) in done:
            continue  # (a constant the step made for itself and dropped)
        done.add(id(owner))
        guards.same.append((owner, "_data", v.array))
        if owner._grad_fn is None:
            guards.same.append((owner, "_requires_grad", owner._requires_grad))
        if id(owner) in sources:
            guards.path(sources[id(owner)])
        elif id(owner) in grads_of:
            guards.same.append((grads_of[id(owner)], "_grad", owner))
        else:
            return guards, (
                f"the step reads a tensor of shape {tuple(owner.shape)} that is not an argument, "
                "a parameter or buffer of a module it calls, nor a variable of the step "
                "function: pass it as an argument"
            )
    return guards, None


def _sources(fn: Any, modules: list[Module], guards: Guards) -> dict[int, list[tuple]]:
    """Where each tensor the step can reach lies: a path of attribute and item steps."""
    found: dict[int, list[tuple]] = {}

    def add(path: list[tuple], value: Any) -> None:
        if isinstance(value, Tensor):
            found.setdefault(id(value), path + [])
        elif type(value) in (list, tuple, dict):
            items = value.items() if type(value) is dict else enumerate(value)
            for key, item in items:
                if isinstance(item, Tensor):
                    found.setdefault(id(item), [*path, ("item", value, key, item)])

    for m in modules:
        for table in (m._parameters, m._buffers, m._modules):
            for name, value in table.items():
                if isinstance(value, Tensor):
                    found.setdefault(id(value), [("item", table, name, value)])
                elif isinstance(value, Module):  # a submodule swapped since: a new program
                    guards.same_items.append((table, name, value))
        for name, value in vars(m).items():
            add([("attr", m, name, value)], value)
    for kind, container, key in _all_variables(fn, modules):
        value = getattr(container, key) if kind == "attr" else container[key]
        add([(kind, container, key, value)], value)
    return found


def _all_variables(fn: Any, modules: list[Module]) -> list[tuple[str, Any, Any]]:
    """The variables of the step function and of the ``forward`` of the modules of your
    own code it calls (a global ``SCALE`` read in ``forward``)."""
    seen: set[int] = set()
    places = _variables(fn, seen)
    for m in modules:
        forward = type(m).forward
        if _user_function(forward):
            places += _variables(forward, seen)
    return places


def _variables(fn: Any, seen: set[int] | None = None) -> list[tuple[str, Any, Any]]:
    """The step function's variables: its closure cells, the globals it reads, its own
    attributes and, for a bound method, its object's attributes: (kind, container, key).
    The functions of your own code found there (a ``body`` the step calls) add theirs."""
    seen = set() if seen is None else seen
    if id(fn) in seen:
        return []
    seen.add(id(fn))
    places: list[tuple[str, Any, Any]] = []
    owner = getattr(fn, "__self__", None)
    if owner is not None and hasattr(owner, "__dict__"):
        places += [("item", vars(owner), name) for name in vars(owner)]
        fn = getattr(fn, "__func__", fn)
    code = getattr(fn, "__code__", None)
    if code is None:
        return places
    for cell in fn.__closure__ or ():
        try:
            cell.cell_contents  # noqa: B018 (an empty cell raises)
        except ValueError:
            continue
        places.append(("attr", cell, "cell_contents"))
    names = fn.__globals__
    places += [("item", names, name) for name in _globals_read(code) if name in names]
    places += [("item", fn.__dict__, name) for name in getattr(fn, "__dict__", {})]
    for kind, container, key in list(places):
        value = getattr(container, key) if kind == "attr" else container[key]
        if _user_function(value):
            places += _variables(value, seen)
    return places


def _user_function(value: Any) -> bool:
    """A function (or bound method) of the user's code: not of a library."""
    code = getattr(getattr(value, "__func__", value), "__code__", None)
    if code is None or not isinstance(value, (types.FunctionType, types.MethodType)):
        return False
    path = code.co_filename
    return not path.startswith(_LIBRARIES) and "site-packages" not in path


def reachable(fn: Any) -> tuple[list[Module], list[Any]]:
    """The modules (with their submodules) and optimizers in the step function's variables,
    or one level down in a list, tuple or dict held there."""
    from tinygrad_edu.optim.optimizer import Optimizer  # (optim imports nn)

    modules: list[Module] = list(fn.modules()) if isinstance(fn, Module) else []
    optimizers: list[Any] = []
    for kind, container, key in _variables(fn):
        value = getattr(container, key) if kind == "attr" else container[key]
        items = [value]
        if type(value) in (list, tuple, dict):
            items += list(value.values() if type(value) is dict else value)
        for item in items:
            if isinstance(item, Module):
                modules += [m for m in item.modules() if all(m is not n for n in modules)]
            elif isinstance(item, Optimizer) and all(item is not o for o in optimizers):
                optimizers.append(item)
    return modules, optimizers


def python_state(fn: Any, modules: list[Module]) -> dict[tuple, Any]:
    """The numbers (and strings, tuples and small dicts of them) the step's Python can read:
    in its variables and in the plain attributes of the modules it can reach, by place.
    Taken before a capture and after it: a place that changed means the step itself changes
    Python state, which no program can replay (a graph break)."""
    state: dict[tuple, Any] = {}
    reachable = list(modules)
    if isinstance(fn, Module):
        reachable += list(fn.modules())
    objects = []
    for kind, container, key in _all_variables(fn, reachable):
        value = getattr(container, key) if kind == "attr" else container[key]
        if isinstance(value, Module):
            reachable += list(value.modules())
        elif _plain(value):
            state[(kind, id(container), key)] = (container, _copy(value))
        elif _plain_object(value):  # a config object: its numbers, one level down
            objects.append(value)
    for obj in [*reachable, *objects]:
        for name, value in vars(obj).items():
            if name != "training" and _plain(value):
                state[("attr", id(obj), name)] = (obj, _copy(value))
    return state


def guard_state(guards: Guards, before: dict[tuple, Any], after: dict[tuple, Any]) -> str | None:
    """Equality guards on the state (``python_state``); why not, if the step changed it."""
    for place, (container, value) in after.items():
        kind, _id, key = place
        if place in before and before[place][1] != value:
            return f"the step changes the Python value {key!r} (the program could not replay it)"
        if kind == "attr":
            guards.equal_attrs.append((container, key, value))
        else:
            guards.equal_items.append((container, key, value))
    return None


def _globals_read(code: Any) -> set[str]:
    """The global names a function's code reads (not its attribute names: ``opt.step``
    must not make a loop variable ``step`` a guard)."""
    names = {i.argval for i in dis.get_instructions(code) if i.opname == "LOAD_GLOBAL"}
    for const in code.co_consts:  # nested functions and comprehensions
        if hasattr(const, "co_code"):
            names |= _globals_read(const)
    return names


def _plain(value: Any) -> bool:
    """A value a guard compares: a number, string or None, or a tuple, list or small dict
    of them."""
    if _scalar(value):
        return True
    if type(value) in (tuple, list):
        return len(value) <= 32 and all(_scalar(v) for v in value)
    return _small_dict_of_scalars(value)


def _scalar(value: Any) -> bool:
    return type(value) in _SCALARS or isinstance(value, np.generic)


def _plain_object(value: Any) -> bool:
    """An object of your own holding settings (a SimpleNamespace, a dataclass instance).
    Not an optimizer or a scheduler: their steps are replayed, with what they change."""
    from tinygrad_edu.optim.lr_scheduler import LRScheduler
    from tinygrad_edu.optim.optimizer import Optimizer  # (optim imports nn)

    kinds = (Tensor, Module, Optimizer, LRScheduler, type, types.ModuleType, types.FunctionType)
    if isinstance(value, kinds):
        return False
    return hasattr(value, "__dict__") and not callable(value)


def _copy(value: Any) -> Any:
    return dict(value) if type(value) is dict else list(value) if type(value) is list else value


def _small_dict_of_scalars(value: Any) -> bool:
    return (
        type(value) is dict
        and len(value) <= 32
        and all(type(v) in _SCALARS for v in value.values())
    )


_MISSING = object()
#: Where library code lives (tinygrad_edu itself, the standard library): not followed.
_LIBRARIES = (os.path.dirname(os.path.dirname(__file__)), os.path.dirname(os.__file__))
