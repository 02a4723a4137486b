"""Code generation: a recorded step written out as one Python function of NumPy calls.

The recorded calls (``trace.py``) become straight-line Python, in these passes:

1. **Dead code**: walking backwards from what the step leaves behind (the returned values,
   the gradients, every array that outlives the step), keep a call only if something kept
   reads what it made, or it writes into memory that is read later or outlives the step.
   Draws from the random generator, optimizer steps and value guards are always kept.
2. **Constants**: a call whose inputs are all constants (a number the step multiplied by)
   is not replayed: its result from the capture is a constant too.
3. **Buffers**: every array a call makes is given a buffer once, at compile time: the
   array that call made during capture (or a slot of a flat gradient buffer), so replaying
   it is ``np.matmul(a, b, out=buf)``, with no allocation. An elementwise call whose input
   no later call reads takes that input's buffer, under its name
   (``np.maximum(t0, 0, out=t0)``). Calls NumPy cannot point at an ``out=`` (fancy
   indexing, random draws) still allocate, as they did in eager mode.
4. **Views**: a reshape or transpose of a buffer is the same view at every replay, so it
   is made once at compile time and the program uses it by name: it costs nothing.

Names in the generated code: ``x0, x1`` the compiled function's tensor arguments, ``p0``
the arrays that live across steps (parameters, gradients, buffers), ``t0`` buffers,
``v0`` views, ``c0`` constants, ``k0`` other values (a shape, a value a guard expects),
``r0`` random generators; ``adam_step0(...)``, ``set_grads0(...)`` and the like are the
Python the program calls (compiled.py).
"""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

from tinygrad_edu.capture.trace import Call, RngDraw, Var

#: NumPy functions (not ufuncs) that take ``out=`` and fill it exactly as they would fill a
#: new array.
_OUT_FUNCTIONS = frozenset(
    [np.sum, np.prod, np.max, np.min, np.mean, np.any, np.all, np.dot, np.cumsum, np.clip]
)
#: NumPy's reductions as the ufunc methods they call (the same arithmetic, less Python).
_REDUCTIONS = {
    np.sum: np.add.reduce,
    np.prod: np.multiply.reduce,
    np.max: np.maximum.reduce,
    np.min: np.minimum.reduce,
}
_UFUNC_METHODS_WITH_OUT = frozenset(["reduce", "accumulate", "outer"])
_PREFIX = {"arg": "x", "ext": "p", "fresh": "t", "view": "v", "const": "c"}


class Program:
    """A replayable step: ``source`` (the Python text) and ``run(*arg_arrays)``."""

    def __init__(self, source: str, run: Any, namespace: dict[str, Any], uses: list[Var]) -> None:
        self.source = source
        self.run = run
        self.namespace = namespace
        self.uses = uses  # the ext Vars the program reads or writes, directly or by a view


def generate(
    calls: list[Call],
    args: list[Var],
    outputs: list[Var],
    buffers: dict[Var, np.ndarray] | None = None,
    hoisted: set[Call] | frozenset = frozenset(),
    value_guards: list[tuple[Var, str, Any]] | None = None,
    name: str = "step",
) -> Program:
    """The program of ``calls``: a function of the ``args`` arrays returning the ``outputs``
    arrays. ``buffers`` gives some fresh Vars a buffer of their own (the flat gradient
    slots); the rest keep the arrays their calls made during capture.

    ``value_guards`` are values the step's Python read, made by the ``hoisted`` calls: those
    run first, and if a value differs from the captured one the program returns None
    before anything else has happened (the caller then runs the step eagerly)."""
    buffers = buffers or {}
    value_guards = value_guards or []
    checked = [v for v, _how, _value in value_guards]
    kept_out = outputs + checked  # (their buffers are never handed to another Var)
    kept = _live_calls(calls, kept_out)
    kept = [c for c in kept if c in hoisted] + [c for c in kept if c not in hoisted]
    dynamic: set[Var] = set(args)  # Vars whose array is new at every replay
    namespace: dict[str, Any] = {"np": np, "inf": math.inf, "nan": math.nan}
    names = _Names(namespace)
    for i, v in enumerate(args):
        names.by_var[v] = f"x{i}"
    # the last call reading each buffer (through a view too): after it, the buffer is free
    last_use: dict[int, list[Var]] = {}
    last_reader: dict[Var, Call] = {}
    for call in kept:
        for v in call.vars():
            last_reader[v.root] = call
    for root, call in last_reader.items():
        last_use.setdefault(id(call), []).append(root)
    written = {w.root for call in kept for w in call.writes}
    lines: list[str] = []
    first_unhoisted = next((c for c in kept if c not in hoisted), None)
    for call in kept:
        if call is first_unhoisted and value_guards:
            lines.append(_guard_line(value_guards, names))
        inputs = call.vars()
        if call.style == "guard":  # a value Python read (see Tracer.read_value)
            lines.append(_guard_line([(inputs[0], call.fn.how, call.fn.value)], names))
            continue
        if call.style == "opt":  # optimizer.step(), scheduler.step(): see compiled.py
            called = names.static(call.fn, call.fn.__name__)
            lines.append(f"{called}({', '.join(names.of(v) for v in inputs)})")
            continue
        results = call.results
        if call.initial is not None:  # np.zeros(...) and its kind
            made = results[0]
            if made.root not in written:  # never changed: a constant, made once
                made.kind = "const"
                names.bind(made, made.array)
            else:  # refilled at every replay, then written into by later calls
                made.array = buffers.get(made, made.array)
                names.bind(made, made.array)
                lines.append(f"np.copyto({names.of(made)}, {names.static(call.initial, 'k')})")
            continue
        if results and call.style != "rng" and all(_constant(v, written) for v in inputs):
            for r in results:  # made from constants alone: computed once, at capture
                r.kind = "const"
                names.bind(r, r.array)
            continue
        if results and all(r.kind == "view" for r in results):
            if any(v in dynamic for v in inputs):
                dynamic.update(results)
                lines.append(f"{_targets(results, names)} = {_render(call, names)}")
            else:  # a view of buffers: made now, once
                made = _apply(call)
                for r, array in zip(results, made if type(made) is tuple else (made,)):
                    r.array = array
                    names.bind(r, array)
            continue
        if results and takes_out(call):
            for r in results:
                if r in buffers:
                    r.array = buffers[r]
                else:
                    reused = _dead_input(
                        call, r, last_use.get(id(call)), dynamic, kept_out, buffers
                    )
                    if reused is not None:  # the same buffer, under the same name
                        r.array = reused.array
                        names.alias(r, reused)
                names.bind(r, r.array)
            lines.append(_render(call, names, out=results))
            continue
        if results:
            dynamic.update(results)
            lines.append(f"{_targets(results, names)} = {_render(call, names)}")
            continue
        lines.append(_render(call, names))
    if first_unhoisted is None and value_guards:
        lines.append(_guard_line(value_guards, names))
    params = ", ".join(names.of(v) for v in args)
    returned = ", ".join(names.of(v) for v in outputs)
    body = "\n".join(f"    {line}" for line in lines) or "    pass"
    source = f"def {name}({params}):\n{body}\n    return ({returned}{',' if outputs else ''})\n"
    exec(compile(source, f"<tinygrad_edu.compile {name}>", "exec"), namespace)
    uses = list({id(v.root): v.root for v in names.named if v.root.kind == "ext"}.values())
    return Program(source, namespace[name], namespace, uses)


_READS = {
    "bool": "bool({})",
    "int": "int({})",
    "float": "float({})",
    "index": "operator.index({})",
    "complex": "complex({})",
    "item": "{}.item()",
    "tolist": "{}.tolist()",
}


def _guard_line(value_guards: list[tuple[Var, str, Any]], names: _Names) -> str:
    """``if bool(t3) != False or ...: return None``: the value guards, checked up front."""
    tests = []
    for var, how, value in value_guards:
        names.namespace.setdefault("operator", operator)
        tests.append(f"{_READS[how].format(names.of(var))} != {names.static(value, 'k')}")
    return f"if {' or '.join(tests)}:\n        return None  # a value guard failed: run eagerly"


def _dead_input(
    call: Call, result: Var, dying: list[Var] | None, dynamic: set, outputs: list, buffers: dict
) -> Var | None:
    """An input of an elementwise call that no later call reads, whose buffer the result can
    take over (``np.exp(a, out=a)``), as hand-written NumPy would do; None if there is none.
    Pass 2 of the module docstring, with buffers reused like this: fewer bytes to keep in
    the caches."""
    if not dying or not isinstance(call.fn, np.ufunc) or call.fn.signature is not None:
        return None
    if len(call.results) != 1:
        return None
    for v in call.args:
        if (
            isinstance(v, Var)
            and v.kind == "fresh"
            and v in dying
            and v not in dynamic
            and v not in buffers
            and all(v is not o.root for o in outputs)  # (nor under a view of an output)
            and v.array.shape == result.array.shape
            and v.array.dtype == result.array.dtype
            and v.array.strides == result.array.strides
        ):
            dying.remove(v)
            return v
    return None


def _constant(v: Var, written: set[Var]) -> bool:
    """Is ``v`` the same at every replay? A constant, or the array of a tensor the step
    made for itself (a number it multiplied by: it died with the step), never written."""
    if v.root in written:
        return False
    return v.kind == "const" or (v.kind == "ext" and v.owner is not None and v.owner() is None)


def _live_calls(calls: list[Call], outputs: list[Var]) -> list[Call]:
    """The calls the outputs and the lasting arrays depend on (pass 1 of the docstring)."""
    used: set[Var] = set(outputs)
    live_roots: set[Var] = {v.root for v in outputs}
    kept: list[Call] = []
    for call in reversed(calls):
        needed = (
            call.style in ("rng", "opt", "guard")
            or any(r in used for r in call.results)
            or any(w.root in live_roots or w.root.kind in ("ext", "arg") for w in call.writes)
        )
        if not needed:
            continue
        kept.append(call)
        for v in call.vars():
            used.add(v)
            live_roots.add(v.root)
            while v.base is not None:  # a view needs the call that made its base
                v = v.base
                used.add(v)
    kept.reverse()
    return kept


def takes_out(call: Call) -> bool:
    """Can this call write its result into a buffer given as ``out=``?"""
    fn = call.fn
    if call.style == "method":
        return fn in (np.ndarray.copy, np.ndarray.astype)
    if call.style != "call":
        return False
    if isinstance(fn, np.ufunc):
        return True
    if isinstance(getattr(fn, "__self__", None), np.ufunc):
        return fn.__name__ in _UFUNC_METHODS_WITH_OUT
    return fn in _OUT_FUNCTIONS


def _apply(call: Call) -> Any:
    """Run a call on the Vars' arrays now (for views made once, at compile time)."""
    return call.fn(*_arrays(call.args), **_arrays(call.kwargs))


def _arrays(x: Any) -> Any:
    if isinstance(x, Var):
        return x.array
    if type(x) in (tuple, list):
        return type(x)(_arrays(item) for item in x)
    if type(x) is dict:
        return {k: _arrays(v) for k, v in x.items()}
    return x


class _Names:
    """Gives every Var and every non-literal constant a name in the program's namespace."""

    def __init__(self, namespace: dict[str, Any]) -> None:
        self.namespace = namespace
        self.counts: dict[str, int] = {}
        self.by_id: dict[int, str] = {}
        self.named: list[Var] = []
        self.by_var: dict[Var, str] = {}

    def fresh(self, prefix: str) -> str:
        n = self.counts.get(prefix, 0)
        self.counts[prefix] = n + 1
        return f"{prefix}{n}"

    def bind(self, var: Var, array: Any) -> None:
        """Name ``var`` and put its array in the namespace (a Var fixed at compile time)."""
        name = self.by_var.get(var)
        if name is None:
            name = self.by_var[var] = self.fresh(_PREFIX[var.kind])
            self.named.append(var)
        self.namespace[name] = array

    def of(self, var: Var) -> str:
        """``var``'s name in this program (Vars are named per program: the forward and
        backward programs of a compiled model share Vars)."""
        name = self.by_var.get(var)
        if name is None:
            if var.kind in ("ext", "const"):
                self.bind(var, var.array)
            else:
                self.by_var[var] = self.fresh(_PREFIX[var.kind])
                self.named.append(var)
            name = self.by_var[var]
        return name

    def alias(self, var: Var, other: Var) -> None:
        """``var`` lives in ``other``'s buffer: the program calls it by that name."""
        self.by_var[var] = self.by_var[other]

    def static(self, obj: Any, prefix: str) -> str:
        """A name for an object the program calls or reads (an optimizer step, a dtype)."""
        name = self.by_id.get(id(obj))
        if name is None:
            name = self.by_id[id(obj)] = self.fresh(prefix)
            self.namespace[name] = obj
        return name


def _targets(results: list[Var], names: _Names) -> str:
    return ", ".join(names.of(r) for r in results)


def _render(call: Call, names: _Names, out: list[Var] | None = None) -> str:
    """One call as Python source (with ``out=`` the given buffers)."""
    fn, args, kwargs = call.fn, call.args, dict(call.kwargs)
    if call.style == "getitem":
        return f"{_value(args[0], names)}[{_index(args[1], names)}]"
    if call.style == "setitem":
        return f"{_value(args[0], names)}[{_index(args[1], names)}] = {_value(args[2], names)}"
    if call.style == "method" and out is not None:  # copy / astype into a buffer
        return f"np.copyto({names.of(out[0])}, {_value(args[0], names)}, casting='unsafe')"
    if out is not None:
        kwargs["out"] = out[0] if len(out) == 1 else tuple(out)
    if call.style == "call" and fn in _REDUCTIONS and len(args) <= 2:
        if len(args) == 2:  # np.sum(a, 1) -> np.add.reduce(a, axis=1)
            kwargs = {"axis": args[1], **kwargs}
        kwargs.setdefault("axis", None)  # (np.sum's default is every axis, reduce's is 0)
        fn, args = _REDUCTIONS[fn], args[:1]
    rendered = [_value(a, names) for a in args]
    rendered += [f"{k}={_value(v, names)}" for k, v in kwargs.items()]
    if call.style == "method":
        return f"{rendered[0]}.{fn.__name__}({', '.join(rendered[1:])})"
    if call.style == "rng":
        assert isinstance(fn, RngDraw)
        generator = names.static(fn.generator, "r")
        return f"{generator}.rng.{fn.method}({', '.join(rendered)})"
    return f"{_callable(fn, names)}({', '.join(rendered)})"


def _callable(fn: Any, names: _Names) -> str:
    """``np.add``, ``np.add.reduce``, ``np.sum``...; anything else by a namespace name."""
    owner = getattr(fn, "__self__", None)
    if isinstance(owner, np.ufunc) and getattr(np, owner.__name__, None) is owner:
        return f"np.{owner.__name__}.{fn.__name__}"
    name = getattr(fn, "__name__", None)
    if name is not None and getattr(np, name, None) is fn:
        return f"np.{name}"
    return names.static(fn, "f")


def _value(x: Any, names: _Names) -> str:
    if isinstance(x, Var):
        return names.of(x)
    if x is None or isinstance(x, (bool, int, str)):
        return repr(x)
    if isinstance(x, float):
        return repr(x) if math.isfinite(x) else ("-inf" if x < 0 else "inf" if x > 0 else "nan")
    if isinstance(x, tuple) and not hasattr(x, "_fields"):  # (a shape: Size is a tuple)
        inner = ", ".join(_value(item, names) for item in x)
        return f"({inner},)" if len(x) == 1 else f"({inner})"
    if type(x) is list:
        return "[" + ", ".join(_value(item, names) for item in x) + "]"
    if x is Ellipsis:
        return "..."
    if isinstance(x, type) and getattr(np, x.__name__, None) is x:
        return f"np.{x.__name__}"
    if isinstance(x, np.dtype) and getattr(np, x.name, None) is x.type:
        return f"np.{x.name}"
    return names.static(x, "k")


def _index(key: Any, names: _Names) -> str:
    """An indexing key as Python source (``a[0, 1:3, ...]``)."""
    if type(key) is tuple and key:
        return ", ".join(_index_item(k, names) for k in key)
    return _index_item(key, names)


def _index_item(k: Any, names: _Names) -> str:
    if isinstance(k, slice):
        parts = ["" if p is None else _value(p, names) for p in (k.start, k.stop, k.step)]
        return ":".join(parts[:2]) + (f":{parts[2]}" if k.step is not None else "")
    if k is None:
        return "None"
    return _value(k, names)
