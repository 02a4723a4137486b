"""Capture: run one eager step and write down every NumPy call it makes.

The arrays the step reads (a batch, the parameters, their gradients) are swapped for a
``TracedArray``: a NumPy array that behaves exactly like the original (same memory, same
values) but reports every NumPy function, ufunc and array method called on it to the
active ``Tracer``. The step then runs as usual, through the ops and the engine, and what
comes out is ``Tracer.calls``: the straight list of NumPy calls that one step is, each
with its arguments written as ``Var``\\ s (a traced array) or constants. (Optimizer and
scheduler steps are kept as one call each; compiled.py arranges that.)

Each ``Var`` is one array the step touched:

    arg     an array of a tensor passed to the compiled function (new at every call)
    ext     an array of a tensor that lives across steps (a parameter, its gradient, a
            buffer): the program reads and writes it in place
    fresh   an array a call made (the program will give it a buffer of its own)
    view    an array sharing the memory of another Var (a reshape, a transpose, x[0])
    const   an array made outside the traced ones (a number the step multiplied by)

Python reading a traced value (``float(x)``, ``if x > 0:``) becomes a *value guard* when
the program can check it (``Tracer.read_value``). Whatever else would let a value escape
the record is a *graph break*: Python reading a value it cannot check, an array reaching
NumPy by a path the tracer does not see, a write into an array the trace did not see made,
an array whose shape depends on values. The tracer then stops recording and the step
finishes eagerly; the caller falls back to eager.
"""

from __future__ import annotations

import operator
import weakref
from collections.abc import Callable
from typing import Any

import numpy as np


class GraphBreak(Exception):
    """Raised where the step's Python reads a traced value (under ``fullgraph=True``)."""


class Var:
    """One array of the trace. ``array`` is the plain ndarray it was during capture: the
    program's buffer for a fresh Var, the view itself for a view, the external array."""

    __slots__ = ("array", "base", "kind", "owner", "tracer")

    def __init__(self, kind: str, array: np.ndarray, base: Var | None = None) -> None:
        self.kind = kind
        self.array = array
        self.base = base  # the Var whose memory a view shares (None for the others)
        self.tracer: Any = None  # the Tracer that made it (a Var of another capture is stale)
        self.owner: weakref.ref | None = None  # for an arg or ext: the tensor holding it

    @property
    def root(self) -> Var:
        """The Var that owns this one's memory (itself unless it is a view)."""
        v = self
        while v.base is not None:
            v = v.base
        return v

    def __repr__(self) -> str:
        return f"<Var {self.kind} {hex(id(self))} {self.array.shape}>"


class Call:
    """One recorded NumPy call: ``fn(*args, **kwargs)`` with Vars in place of arrays.

    ``style`` says how to write it back as Python: ``"call"`` (``fn(...)``), ``"method"``
    (``args[0].name(...)``), ``"getitem"`` / ``"setitem"`` (``a[key]`` / ``a[key] = v``),
    ``"rng"`` (a draw from tinygrad_edu's random generator). ``results`` are the Vars it
    made (fresh or views), ``writes`` the Vars it changed in place.
    """

    __slots__ = ("args", "fn", "initial", "kwargs", "results", "style", "writes")

    def __init__(
        self, fn: Any, style: str, args: tuple, kwargs: dict, results: list, writes: list
    ) -> None:
        self.fn, self.style, self.args, self.kwargs = fn, style, args, kwargs
        self.results: list[Var] = results
        self.writes: list[Var] = writes
        self.initial: np.ndarray | None = None  # what an array maker made (np.zeros...)

    def vars(self) -> list[Var]:
        """Every Var among the arguments (nested in tuples and lists too)."""
        found: list[Var] = []
        _collect(self.args, found)
        _collect(self.kwargs, found)
        return found


def _collect(x: Any, found: list[Var]) -> None:
    if isinstance(x, Var):
        found.append(x)
    elif isinstance(x, (tuple, list)):
        for item in x:
            _collect(item, found)
    elif isinstance(x, dict):
        for item in x.values():
            _collect(item, found)


#: The tracer of the capture in progress (None almost always: then a TracedArray left over
#: from a capture is an ordinary array).
_ACTIVE: Tracer | None = None


class Tracer:
    """Collects the Calls of one step; see the module docstring."""

    def __init__(self, fullgraph: bool = False) -> None:
        self.calls: list[Call] = []
        self.fullgraph = fullgraph
        self.broken: str | None = None  # why recording stopped (a graph break), if it did
        self.paused = 0  # > 0 while a part runs untraced (the optimizer's step)
        self._roots: dict[int, Var] = {}  # id of a memory owner -> its Var
        self._keep: list[Any] = []  # keeps the arrays whose ids are in _roots alive
        self.externals: list[tuple[weakref.ref, np.ndarray, TracedArray]] = []
        #: (Var, how, value): values Python read; the program checks them before it runs
        self.value_guards: list[tuple[Var, str, Any]] = []
        self.hoisted: set[Call] = set()  # the calls computing those values (run first)
        self._producer: dict[Var, Call] = {}  # the call that made each fresh Var or view
        self._written: set[Var] = set()  # roots written in place by some call so far
        self.side_effects = False  # has the step written anything outliving it, or drawn?
        self.literals: list[np.ndarray] = []  # arrays made from Python lists and numbers
        self.created: weakref.WeakSet = weakref.WeakSet()  # the tensors the step made
        self.grads_of: dict[int, Any] = {}  # id of a tracked gradient tensor -> its parameter
        self.versions: dict[int, int] = {}  # id of a tracked tensor -> its version then
        self.optimizer_bumps: dict[int, int] = {}  # version changes made by optimizer steps

    def append(self, call: Call) -> None:
        """Add a call to the trace (and note what it makes and writes)."""
        self.calls.append(call)
        for r in call.results:
            self._producer[r] = call
        for w in call.writes:
            self._written.add(w.root)
            if w.root.kind in ("ext", "arg"):
                self.side_effects = True
        if call.style in ("rng", "opt"):
            self.side_effects = True

    def read_value(self, var: Var | None, how: str, value: Any) -> None:
        """Python read ``var``'s value (``how``: "bool", "float", "item"...).

        If the value is computed only from the arguments and arrays nothing has changed yet
        (``target.max() >= n_classes`` on a batch of labels), the program can compute it
        first and check it against ``value`` before doing anything: a *value guard* (on a
        mismatch the call runs eagerly). Before the step has changed anything that outlives
        it (a parameter, a buffer, the random stream), the check can also stay where it is:
        a mismatch there (a max pool meeting a nan) leaves nothing to undo. Otherwise it is
        a graph break.
        """
        if self.broken is not None:
            return
        if how.endswith("(...)"):  # (a formatted or serialised value: not checkable here)
            self.graph_break(f"Python read a traced value ({how})")
            return
        if var is not None and not self.side_effects:
            self.append(Call(ValueGuard(how, value), "guard", (var,), {}, [], []))
            return
        cone = None if var is None else self._pure_cone(var)
        if cone is None:
            self.graph_break(f"Python read a traced value ({how}) that the step computed")
            return
        self.value_guards.append((var, how, value))
        self.hoisted.update(cone)

    # ------------------------------------------------------------------ inputs
    def track(self, array: np.ndarray, kind: str, owner: Any = None) -> TracedArray:
        """``array`` as a TracedArray of a new Var (an arg or an ext). ``owner``, the tensor
        holding it, gets the TracedArray as its ``_data`` until ``restore()``."""
        var = Var(kind, array)
        var.tracer = self
        traced = array.view(TracedArray)
        traced._var = var
        self._roots[id(_owner(array))] = var
        self._keep.append(array)
        if owner is not None:
            var.owner = weakref.ref(owner)  # (a constant made inside the step may die)
            self.versions[id(owner)] = owner._version
            owner._data = traced
            self.externals.append((var.owner, array, traced))
        return traced

    def track_tensor(self, tensor: Any) -> None:
        """Make a tensor that lives across steps (a parameter...) and its gradient ext Vars."""
        if self.broken is not None:
            return  # (after a graph break nothing is recorded)
        if isinstance(tensor._data, np.ndarray) and not self.owns(tensor._data):
            self.track(_plain(tensor._data), "ext", tensor)
        grad = tensor._grad
        if grad is not None and isinstance(grad._data, np.ndarray) and not self.owns(grad._data):
            self.track(_plain(grad._data), "ext", grad)
            self.grads_of[id(grad)] = tensor

    def tracked(self) -> list[tuple[Any, TracedArray]]:
        """(tensor, its TracedArray) for every tracked tensor still alive."""
        return [(ref(), traced) for ref, _original, traced in self.externals if ref() is not None]

    def owns(self, array: Any) -> bool:
        """Is ``array`` a TracedArray of this capture (not one left over from another)?"""
        var = getattr(array, "_var", None)
        return var is None or var.tracer is self if isinstance(array, TracedArray) else False

    def var_of(self, array: Any) -> Var | None:
        """The Var of a traced array, or of a tracked tensor's array after ``restore()``."""
        var = getattr(array, "_var", None)
        if var is not None and var.tracer is not self:
            var = None
        if var is None:
            for _ref, original, traced in self.externals:
                if original is array:
                    return traced._var
        return var

    def constants_made(self) -> None:
        """The tensors the step made for itself (a number it multiplied by) are constants
        of the program, even if something still holds them (a graph not backwarded)."""
        for ref, _original, traced in self.externals:
            owner = ref()
            if owner is not None and owner in self.created and traced._var.kind == "ext":
                traced._var.kind, traced._var.owner = "const", None

    def plain_grads(self) -> None:
        """The gradients the step left on tracked tensors hold plain arrays from now on (a
        TracedArray left there would look traced to the next capture)."""
        for ref, _original, _traced in self.externals:
            owner = ref()
            grad = None if owner is None else owner._grad
            if grad is not None and isinstance(grad._data, TracedArray):
                grad._data = grad._data.view(np.ndarray)

    def restore(self) -> None:
        """Give every tracked tensor back its plain array."""
        for ref, original, traced in self.externals:
            owner = ref()
            if owner is not None and owner._data is traced:
                owner._data = original

    def _pure_cone(self, var: Var) -> set[Call] | None:
        """The calls ``var`` is computed by, if they read only arguments, constants and
        arrays not yet written to, and write nothing themselves; else None."""
        cone: set[Call] = set()
        stack, seen = [var], set()
        while stack:
            v = stack.pop()
            if v in seen:
                continue
            seen.add(v)
            if v.root in self._written:
                return None
            if v.kind in ("arg", "ext", "const"):
                continue
            call = self._producer.get(v)
            if call is None or call.writes or call.style not in ("call", "method", "getitem"):
                return None
            cone.add(call)
            stack.extend(call.vars())
        return cone

    # ------------------------------------------------------------------ breaks
    def graph_break(self, why: str) -> None:
        """Stop recording: ``why`` is kept for the warning (raised under fullgraph)."""
        if self.broken is None:
            self.broken = why
            if self.fullgraph:
                raise GraphBreak(why)

    # ------------------------------------------------------------------ recording
    def record(self, fn: Any, style: str, args: tuple, kwargs: dict, result: Any) -> Any:
        """Write down ``fn(*args, **kwargs)`` (already computed: ``result``) and return
        the result as the caller should see it (TracedArrays for arrays)."""
        targs = self._template(args)
        tkwargs = self._template(kwargs)
        if self.broken is not None:
            return _plain_result(result, kwargs)
        inputs = [v for v in _vars_of(targs, tkwargs)]
        writes = [v for v in _vars_of(tkwargs.get("out", ()))]
        if "out" in kwargs and len(writes) != len(_as_tuple(kwargs["out"])):
            self.graph_break("a NumPy call wrote into an array the trace did not see made")
            return _plain_result(result, kwargs)
        if style == "setitem" or fn in _WRITES_FIRST or getattr(fn, "__name__", "") == "at":
            first = targs[0]
            if not isinstance(first, Var):
                self.graph_break("a NumPy call wrote into an array the trace did not see made")
                return result
            writes.append(first)
        if _data_dependent_shape(fn, style, targs):
            self.graph_break(f"{_name(fn)} makes an array whose shape depends on the values")
            return _plain_result(result, kwargs)
        if "out" in kwargs:  # the results are the out arrays themselves
            self.append(Call(fn, style, targs, tkwargs, [], writes))
            return _plain_result(result, kwargs)
        if result is None:
            self.append(Call(fn, style, targs, tkwargs, [], writes))
            return None
        if isinstance(result, np.generic) and isinstance(result, (np.number, np.bool_)):
            result = np.asarray(result)  # a 0-d array, so float()/bool() on it is caught
        if isinstance(result, np.ndarray):
            var, traced = self._result(result, inputs)
            self.append(Call(fn, style, targs, tkwargs, [var], writes))
            return traced
        if type(result) is tuple and result and all(isinstance(r, np.ndarray) for r in result):
            pairs = [self._result(r, inputs) for r in result]
            self.append(Call(fn, style, targs, tkwargs, [p[0] for p in pairs], writes))
            return tuple(p[1] for p in pairs)
        if isinstance(result, (np.dtype, type)) or fn in _METADATA:
            return result  # a dtype, a shape: fixed for a given input shape and dtype
        self.graph_break(f"{_name(fn)} returned a Python {type(result).__name__}")
        return result

    def _result(self, array: np.ndarray, inputs: list[Var]) -> tuple[Var, TracedArray]:
        """The Var of a call's result: a view of the input whose memory it shares (several
        parameters may share one flat buffer: the input decides, not the buffer), else
        fresh."""
        base = next((v for v in inputs if np.may_share_memory(array, v.array)), None)
        if base is None:
            base = self._roots.get(id(_owner(array)))  # (np.asarray of a traced array...)
        if base is not None:
            var = Var("view", array, base)
        else:
            var = Var("fresh", array)
            self._roots[id(_owner(array))] = var
        var.tracer = self
        self._keep.append(array)
        traced = array.view(TracedArray)
        traced._var = var
        return var, traced

    def _template(self, x: Any) -> Any:
        """``x`` with every array replaced by its Var (a constant array becomes a const Var)."""
        if isinstance(x, TracedArray) and not self.owns(x):
            x = x.view(np.ndarray)  # (left over from an earlier capture: a plain array here)
        if isinstance(x, TracedArray):
            if x._var is None:
                self.graph_break("an array was made from a traced one by a path the tracer missed")
                return Var("const", x.view(np.ndarray))
            return x._var
        if isinstance(x, np.ndarray):
            if id(_owner(x)) in self._roots:
                self.graph_break("an array sharing a traced array's memory reached NumPy untraced")
            return Var("const", x)
        if type(x) in (tuple, list):
            return type(x)(self._template(item) for item in x)
        if type(x) is dict:
            return {k: self._template(v) for k, v in x.items()}
        return x


def _data_dependent_shape(fn: Any, style: str, targs: tuple) -> bool:
    """Would the result's shape change with the values (``x[x > 0]``, ``np.nonzero``)?"""
    if style == "getitem":
        keys = targs[1] if type(targs[1]) is tuple else (targs[1],)
        return any(isinstance(k, Var) and k.kind != "const" and k.array.dtype == bool for k in keys)
    if fn is np.where:
        return len(targs) == 1
    return fn in _SHAPE_FROM_VALUES


#: NumPy functions whose result's shape depends on the values of their input.
_SHAPE_FROM_VALUES = frozenset(
    [np.nonzero, np.flatnonzero, np.argwhere, np.unique, np.extract, np.compress, np.trim_zeros]
)


def _plain(array: np.ndarray) -> np.ndarray:
    """A TracedArray left over from an earlier capture as a plain ndarray (same memory)."""
    return array.view(np.ndarray) if isinstance(array, TracedArray) else array


def _owner(array: np.ndarray) -> np.ndarray:
    """The array that owns ``array``'s memory (follows ``.base`` to its end)."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def _vars_of(*parts: Any) -> list[Var]:
    found: list[Var] = []
    for part in parts:
        _collect(part, found)
    return [v for v in found if v.kind != "const"]


def _as_tuple(x: Any) -> tuple:
    return x if type(x) is tuple else (x,)


def _plain_result(result: Any, kwargs: dict) -> Any:
    """What the caller gets back: for a call with ``out=``, the out arrays it passed."""
    if "out" not in kwargs:
        return result
    out = kwargs["out"]
    if type(result) is tuple:
        return tuple(out)
    return out[0] if type(out) is tuple else out


def _name(fn: Any) -> str:
    return getattr(fn, "__name__", type(fn).__name__)


def _unwrap(x: Any) -> Any:
    """``x`` with every TracedArray replaced by a plain view of it (nested containers too)."""
    if isinstance(x, TracedArray):
        return x.view(np.ndarray)
    if type(x) in (tuple, list):
        return type(x)(_unwrap(item) for item in x)
    if type(x) is dict:
        return {k: _unwrap(v) for k, v in x.items()}
    return x


#: NumPy functions that write into their first argument.
_WRITES_FIRST = frozenset(
    [np.copyto, np.put, np.putmask, np.place, np.fill_diagonal, np.ndarray.sort, np.ndarray.put]
)
#: NumPy functions whose non-array result depends only on shapes and dtypes.
_METADATA = frozenset(
    [np.shape, np.ndim, np.size, np.result_type, np.can_cast, np.may_share_memory, np.shares_memory]
)


def _run(fn: Any, style: str, args: tuple, kwargs: dict) -> Any:
    """Run ``fn`` on plain arrays and, while a capture is recording, record it."""
    tracer = _ACTIVE
    if tracer is None or tracer.paused:
        return _plain_result(fn(*_unwrap(args), **_unwrap(kwargs)), kwargs)
    return tracer.record(fn, style, args, kwargs, _opaque(tracer, fn, args, kwargs))


def _opaque(tracer: Tracer, fn: Any, args: tuple, kwargs: dict) -> Any:
    """``fn`` on plain arrays with recording paused: what it does inside (NumPy's own
    ``np.empty`` in a random draw...) is not part of the trace, only the call itself."""
    tracer.paused += 1
    try:
        return fn(*_unwrap(args), **_unwrap(kwargs))
    finally:
        tracer.paused -= 1


def run_creation(make: Callable, args: tuple, kwargs: dict) -> Any:
    """``np.zeros(...)`` and its kind during capture: the new array is traced (a fresh Var
    whose first value is kept in ``Call.initial``), so writes into it are recorded too."""
    tracer = _ACTIVE
    if tracer is None or tracer.paused:
        return make(*_unwrap(args), **_unwrap(kwargs))
    result = _opaque(tracer, make, args, kwargs)
    traced = tracer.record(make, "call", args, kwargs, result)
    if isinstance(traced, TracedArray) and traced._var is not None:
        tracer.calls[-1].initial = result.copy()
    return traced


def run_conversion(convert: Callable, args: tuple, kwargs: dict) -> Any:
    """``np.asarray(x)`` and its kind during capture: of a traced array, a recorded call
    (NumPy would hand back a plain ndarray, and what is done with it would go unseen); of
    anything else, the plain conversion."""
    tracer = _ACTIVE
    if tracer is None or tracer.paused or not _holds_traced((args, kwargs)):
        result = convert(*args, **kwargs)
        if tracer is not None and args and not isinstance(args[0], np.ndarray):
            tracer.literals.append(result)  # made from Python numbers: a true constant
        return result
    return _run(convert, "call", args, kwargs)


def _holds_traced(x: Any) -> bool:
    if isinstance(x, TracedArray):
        return True
    if type(x) in (tuple, list):
        return any(_holds_traced(item) for item in x)
    if type(x) is dict:
        return any(_holds_traced(item) for item in x.values())
    return False


def _read(traced: TracedArray, how: str, convert: Callable, odd: bool = False) -> Any:
    """Python reads a traced value (``float(x)``, ``if x:``): the value, and the active
    tracer is told (``Tracer.read_value``). ``odd``: a read no value guard can check
    (``f"{x:.3f}"``, ``x.item(0)``): always a graph break."""
    value = convert(traced.view(np.ndarray))
    tracer = _ACTIVE
    if tracer is not None and not tracer.paused:
        tracer.read_value(traced._var, how + "(...)" if odd else how, value)
    return value


class TracedArray(np.ndarray):
    """An ndarray that reports what is done with it to the active Tracer (module docstring).

    Ufuncs arrive at ``__array_ufunc__``, NumPy functions at ``__array_function__``; the
    array methods that bypass both are redefined below to go through one of them.
    """

    _var: Var | None

    def __array_finalize__(self, obj: Any) -> None:
        self._var = None  # made by a path that did not record it: unusable in the trace

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        fn = ufunc if method == "__call__" else getattr(ufunc, method)
        return _run(fn, "call", inputs, kwargs)

    def __array_function__(self, func: Callable, types: Any, args: tuple, kwargs: dict) -> Any:
        return _run(func, "call", args, kwargs)

    # views and copies made in C: routed through _run as methods
    def reshape(self, *shape: Any, **kwargs: Any) -> Any:
        return _run(np.ndarray.reshape, "method", (self, *shape), kwargs)

    def transpose(self, *axes: Any) -> Any:
        return _run(np.ndarray.transpose, "method", (self, *axes), {})

    @property
    def T(self) -> Any:
        return _run(np.ndarray.transpose, "method", (self,), {})

    def view(self, *args: Any, **kwargs: Any) -> Any:
        if args and isinstance(args[0], type) and issubclass(args[0], np.ndarray):
            return np.ndarray.view(self, *args, **kwargs)  # a change of class, not a view op
        return _run(np.ndarray.view, "method", (self, *args), kwargs)

    def copy(self, order: str = "C") -> Any:
        return _run(np.ndarray.copy, "method", (self, order), {})

    def astype(self, dtype: Any, *args: Any, **kwargs: Any) -> Any:
        return _run(np.ndarray.astype, "method", (self, dtype, *args), kwargs)

    def __getitem__(self, key: Any) -> Any:
        return _run(operator.getitem, "getitem", (self, key), {})

    def __setitem__(self, key: Any, value: Any) -> None:
        _run(operator.setitem, "setitem", (self, key, value), {})

    def fill(self, value: Any) -> None:
        _run(np.copyto, "call", (self, value), {})

    # Python reading a value: a value guard if it can be checked up front, else a graph break
    def item(self, *args: Any) -> Any:
        return _read(self, "item", lambda a: a.item(*args), bool(args))

    def tolist(self) -> Any:
        return _read(self, "tolist", lambda a: a.tolist())

    def __float__(self) -> float:
        return _read(self, "float", float)

    def __int__(self) -> int:
        return _read(self, "int", int)

    def __index__(self) -> int:
        return _read(self, "index", operator.index)

    def __bool__(self) -> bool:
        return _read(self, "bool", bool)

    def __complex__(self) -> complex:
        return _read(self, "complex", complex)

    def __format__(self, spec: str) -> str:
        return _read(self, "format", lambda a: format(a, spec), True)

    def __str__(self) -> str:
        return _read(self, "str", str, True)

    def __repr__(self) -> str:
        return _read(self, "repr", repr, True)

    def tobytes(self, order: str = "C") -> bytes:
        return _read(self, "tobytes", lambda a: a.tobytes(order), True)

    def __iter__(self) -> Any:
        return iter([self[i] for i in range(len(self))])


def _through_numpy(name: str) -> Callable:
    """An array method that calls ``np.<name>`` instead (one recorded call, not its parts)."""
    fn = getattr(np, name)

    def method(self: TracedArray, *args: Any, **kwargs: Any) -> Any:
        return fn(self, *args, **kwargs)

    method.__name__ = name
    return method


_THROUGH_NUMPY = (
    "all any argmax argmin argsort clip cumprod cumsum diagonal dot max mean min nonzero "
    "prod ravel repeat round searchsorted squeeze std sum swapaxes take trace var"
)
for _name_ in _THROUGH_NUMPY.split():
    setattr(TracedArray, _name_, _through_numpy(_name_))
TracedArray.sort = lambda self, *a, **k: _run(np.ndarray.sort, "method", (self, *a), k)
TracedArray.put = lambda self, *a, **k: _run(np.ndarray.put, "method", (self, *a), k)
TracedArray.flatten = lambda self, order="C": _run(np.ndarray.flatten, "method", (self, order), {})


class ValueGuard:
    """A value Python read during capture, checked at the same point of every replay."""

    def __init__(self, how: str, value: Any) -> None:
        self.how, self.value = how, value


class RngDraw:
    """A draw from a tinygrad_edu ``Generator`` (``gen.rng.random(shape)``), kept in the
    program as a call: each replay draws anew from the same stream, as eager would."""

    def __init__(self, generator: Any, method: str) -> None:
        self.generator, self.method = generator, method
        self.__name__ = method


class RecordingRNG:
    """Stands in for a Generator's NumPy ``rng`` during capture; every draw is recorded."""

    def __init__(self, generator: Any, rng: np.random.Generator) -> None:
        self._generator, self._rng = generator, rng

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._rng, name)
        if not callable(attr):
            return attr
        draw = RngDraw(self._generator, name)

        def recorded(*args: Any, **kwargs: Any) -> Any:
            tracer = _ACTIVE
            if tracer is None or tracer.paused:
                return attr(*_unwrap(args), **_unwrap(kwargs))
            return tracer.record(draw, "rng", args, kwargs, _opaque(tracer, attr, args, kwargs))

        return recorded
