"""``compile``: run a step eagerly once, capture it the next time, replay it after that.

    call 1 of a function      eager: optimizers create their state, modules their buffers
    call 2 (or a new key)     capture: the step runs eagerly while trace.py records every
                              NumPy call; program.py writes the calls out as one function
    call 3 on                 replay: check the guards, run the generated function

**Guards** decide whether a program fits a call: the key of a call (the shapes and dtypes of
its tensor arguments, its other arguments, grad mode, the ``training`` flags of the modules
the step used) picks a program from a small cache; a new key captures a new program (the
short last batch of an epoch gets its own). Then the program's own guards (guards.py) check
that every tensor it holds is still where the step found it, with the same array, and that
the numbers the step's Python can read are unchanged; if not, the call captures again.
Optimizer hyperparameters are not guarded: the optimizer reads them from ``param_groups``
at every replay, so learning-rate schedulers keep working.

A **graph break** (Python reading a traced value: ``loss.item()``, ``if x.sum() > 0``) means
the step cannot be replayed: it finishes eagerly, a warning says why, and that key runs
eagerly from then on (under ``fullgraph=True`` it raises, as ``torch.compile`` does).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from tinygrad_edu import random as _random
from tinygrad_edu.autograd import engine
from tinygrad_edu.autograd.anomaly import AnomalyMode
from tinygrad_edu.autograd.forward_ad import ForwardAD
from tinygrad_edu.autograd.function import Function
from tinygrad_edu.autograd.grad_mode import GradMode
from tinygrad_edu.autograd.hooks import GradHooks
from tinygrad_edu.capture import flat, program, trace
from tinygrad_edu.capture import guards as guards_
from tinygrad_edu.capture.trace import Call, RecordingRNG, TracedArray, Tracer, Var
from tinygrad_edu.nn.module import Module
from tinygrad_edu.optim.lr_scheduler import LRScheduler, ReduceLROnPlateau
from tinygrad_edu.optim.optimizer import Optimizer, StepHook
from tinygrad_edu.tensor import Clock, Tensor

#: How many programs one compiled function keeps (PyTorch's ``cache_size_limit`` is 8).
CACHE_SIZE = 8
#: After this many failed value guards a program is dropped for eager (see trace.py).
MAX_MISSES = 3
_MISS = object()  # what _replay returns when a value guard failed
_EAGER = object()  # what _replay returns when this call must run eagerly
MODES = ("default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs", "max-autotune")


class CompiledFunction:
    """What ``tinygrad_edu.compile(fn)`` returns: call it as you would call ``fn``.

    ``code`` is the Python source of the program most recently captured (print it);
    ``programs`` the cache, by key.
    """

    def __init__(self, fn: Callable[..., Any], fullgraph: bool = False) -> None:
        self.fn = fn
        self.fullgraph = fullgraph
        self.programs: dict[tuple, _Entry] = {}
        self._calls = 0
        self.replays = 0  # how many calls ran the program (the others ran eagerly)
        self._modules: list[Module] = []  # the modules the step called (their training flags)
        self.__wrapped__ = fn
        self.__doc__ = getattr(fn, "__doc__", None)
        self.__name__ = getattr(fn, "__name__", type(fn).__name__)

    @property
    def code(self) -> str:
        """The generated Python of the latest program (empty before the first capture)."""
        for entry in reversed(list(self.programs.values())):
            if entry.program is not None:
                return entry.program.source
        return ""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self._calls += 1
        if self._calls == 1 or AnomalyMode.enabled or ForwardAD.enabled:
            return self.fn(*args, **kwargs)  # the first call sets up lazy state eagerly
        if kwargs or any(type(a) is not Tensor for a in args):
            tensors = _tensors_in(args, kwargs)
        else:  # (the usual call, step(x, y): no need to look inside containers)
            tensors = list(args)
        key = self._key(tensors, args, kwargs)
        entry = self.programs.get(key)
        if entry is not None and entry.program is None:
            return self.fn(*args, **kwargs)  # a graph break: this key runs eagerly
        if entry is not None and entry.guards.hold():
            result = self._replay(entry, tensors)
            if result is not _MISS and result is not _EAGER:
                self.replays += 1
                return result
            if result is _EAGER:
                return self.fn(*args, **kwargs)
            # a value guard failed (the labels now hold an ignore_index, ...): run eagerly
            entry.misses += 1
            if entry.misses == MAX_MISSES:
                warnings.warn(
                    f"tinygrad_edu.compile: {self.__name__}: the values the step's Python reads "
                    f"changed in {MAX_MISSES} calls; calls like this one will run eagerly",
                    stacklevel=2,
                )
                entry.program = None
            return self.fn(*args, **kwargs)
        return self._capture(key, tensors, args, kwargs)

    def _replay(self, entry: _Entry, tensors: list[Tensor]) -> Any:
        """Run the program: the step's result, or ``_MISS`` when a value guard failed."""
        arrays = entry.program.run(*[t._data for t in tensors])
        return _MISS if arrays is None else entry.rebuild(arrays, tensors)

    # ------------------------------------------------------------------ guards
    def _key(self, tensors: list[Tensor], args: tuple, kwargs: dict) -> tuple:
        """The shapes, dtypes and layouts of the tensor arguments, the other arguments, grad
        mode and the training flags of the modules the step uses."""
        shapes = tuple(
            [(t._data.shape, t._data.dtype, t._data.strides, t._requires_grad) for t in tensors]
        )
        if kwargs or len(tensors) != len(args) or any(a is not t for a, t in zip(args, tensors)):
            others = tuple([_constant_key(a) for a in _leaves(args, kwargs)])
        else:
            others = ()  # only distinct tensors, passed by position
        modes = tuple([m.training for m in self._modules])
        return shapes, others, GradMode.enabled, modes

    # ------------------------------------------------------------------ capture
    def _capture(self, key: tuple, tensors: list[Tensor], args: tuple, kwargs: dict) -> Any:
        tracer = Tracer(self.fullgraph)
        session = _Capture(tracer, self)
        arg_vars: list[Var] = []
        for t in tensors:
            arg_vars.append(tracer.track(t._data, "arg", t)._var)
        result = None
        session.before = guards_.python_state(self.fn, self._modules)
        # the arrays the step can reach, traced before it runs (zero_grad(set_to_none=False)
        # writes into the gradients before any op reads them)
        modules, optimizers = guards_.reachable(self.fn)
        for m in modules:
            for t in (*m._parameters.values(), *m._buffers.values()):
                if t is not None:
                    tracer.track_tensor(t)
        for opt in optimizers:
            for group in opt.param_groups:
                for p in group["params"]:
                    tracer.track_tensor(p)
        try:
            with session:
                result = self.fn(*args, **kwargs)
                extra = self._trace_more(tracer, result)
            tracer.restore()  # (before build: flat.py moves the parameters' arrays)
            if tracer.broken is None:
                built, result = self._build(session, result, arg_vars, extra, tensors)
        finally:
            tracer.restore()
            tracer.plain_grads()
            _plain_tensors(result)
        key = self._key(tensors, args, kwargs)  # (the step's modules are known now)
        if tracer.broken is not None:
            warnings.warn(
                f"tinygrad_edu.compile: graph break in {self.__name__}: {tracer.broken}; this "
                "call finished eagerly, and calls like it will run eagerly",
                stacklevel=3,
            )
            self._store(key, _Entry(None, None, None))
            return result
        self._store(key, built)
        return result

    def _trace_more(self, tracer: Tracer, result: Any) -> Any:
        """Anything to trace after the function itself (OptimizedModule: its backward)."""
        return None

    def _build(
        self, session: _Capture, result: Any, arg_vars: list[Var], extra: Any, tensors: list
    ) -> tuple:
        """The entry for the captured call, and what this call returns."""
        return session.build(result, arg_vars, tensors), result

    def _store(self, key: tuple, entry: _Entry) -> None:
        self.programs.pop(key, None)
        if len(self.programs) >= CACHE_SIZE:
            self.programs.pop(next(iter(self.programs)))
        self.programs[key] = entry


class _Entry:
    """One program, its guards (guards.py) and what to do with its results."""

    def __init__(
        self,
        program: program.Program | None,
        guards: guards_.Guards | None,
        rebuild: Callable[[tuple, list[Tensor]], Any] | None,
    ) -> None:
        self.program = program
        self.guards = guards
        self.rebuild = rebuild
        self.misses = 0


class _Capture:
    """Everything switched on for one capture, and the building of its program."""

    def __init__(self, tracer: Tracer, compiled: CompiledFunction) -> None:
        self.tracer = tracer
        self.compiled = compiled
        self.patches: list[tuple[Any, str, Any]] = []
        self.steps: list[OptimizerStep] = []
        self.before: dict[tuple, Any] = {}  # the Python state before the step (guards.py)

    # ------------------------------------------------------------------ switching on
    def __enter__(self) -> _Capture:
        tracer = self.tracer
        apply = Function.__dict__["apply"].__func__

        def traced_apply(cls: type, *args: Any, **kwargs: Any) -> Any:
            for a in (*args, *kwargs.values()):
                if isinstance(a, Tensor) and not isinstance(a._data, TracedArray):
                    if a._hooks is not None:
                        tracer.graph_break("a tensor with hooks (register_hook)")
                    tracer.track_tensor(a)
            return apply(cls, *args, **kwargs)

        engine_run = engine._run

        def traced_run(outputs: Any, grads: Any, retain: bool, create: bool, capture: Any) -> Any:
            if create:
                tracer.graph_break("backward with create_graph=True")
            return engine_run(outputs, grads, retain, create, capture)

        hooks_run = GradHooks.run

        def traced_hooks(self_: GradHooks, *args: Any) -> Any:
            tracer.graph_break("a tensor hook ran during backward")
            return hooks_run(self_, *args)

        module_call = Module.__call__
        modules = self.compiled._modules

        def traced_call(module: Module, *args: Any, **kwargs: Any) -> Any:
            if all(m is not module for m in modules):
                modules.append(module)
            for table in (module._parameters, module._buffers):  # (BatchNorm's running stats)
                for t in table.values():
                    if t is not None and not tracer.paused:
                        tracer.track_tensor(t)
            return module_call(module, *args, **kwargs)

        self._patch(Function, "apply", classmethod(traced_apply))
        self._patch(engine, "_run", traced_run)
        self._patch(GradHooks, "run", traced_hooks)
        self._patch(Module, "__call__", traced_call)
        self._patch(StepHook, "hook", self._traced_step)
        for cls in (LRScheduler, ReduceLROnPlateau):
            self._patch(cls, "step", self._replayed(cls.__dict__["step"]))
        for name, creation in _CREATIONS.items():
            self._patch(np, name, _recorded(trace.run_creation, creation))
        for name in ("array", "asarray", "asanyarray", "ascontiguousarray"):
            self._patch(np, name, _recorded(trace.run_conversion, getattr(np, name)))
        self._patch(_random.RngHook, "hook", lambda gen: RecordingRNG(gen, gen.rng))
        seed = _random.Generator.manual_seed
        self._patch(_random.Generator, "manual_seed", self._breaking("manual_seed()", seed))
        for name in _NUMPY_RANDOM:
            draw = getattr(np.random, name)
            self._patch(np.random, name, self._breaking(f"np.random.{name}()", draw))
        init = Tensor.__init__

        def traced_init(t: Tensor, data: Any, *args: Any, **kwargs: Any) -> None:
            outside = type(data) is np.ndarray and data.size > 1 and not tracer.paused
            if outside and all(data is not a for a in tracer.literals):
                tracer.graph_break(
                    "a tensor made from NumPy data inside the step (the program would keep "
                    "this call's data): pass the data as an argument"
                )
            init(t, data, *args, **kwargs)
            tracer.created.add(t)

        make = Tensor._make

        def traced_make(data: np.ndarray, requires_grad: bool, grad_fn: Any) -> Tensor:
            t = make(data, requires_grad, grad_fn)
            tracer.created.add(t)
            return t

        self._patch(Tensor, "__init__", traced_init)
        self._patch(Tensor, "_make", staticmethod(traced_make))
        trace._ACTIVE = tracer
        return self

    def __exit__(self, *exc: object) -> None:
        trace._ACTIVE = None
        for owner, name, old in reversed(self.patches):
            setattr(owner, name, old)

    def _patch(self, owner: Any, name: str, new: Any) -> None:
        self.patches.append((owner, name, owner.__dict__[name]))
        setattr(owner, name, new)

    def _traced_step(self, step: Callable, opt: Optimizer, *args: Any, **kwargs: Any) -> Any:
        """An optimizer's ``step`` (through ``StepHook``): it runs untraced and leaves one
        call in the trace, so the replay takes the step with the hyperparameters of then."""
        tracer = self.tracer
        if tracer.paused or tracer.broken is not None:  # (super().step() inside a step)
            return step(opt, *args, **kwargs)
        if args or kwargs:
            tracer.graph_break("optimizer.step(closure): the closure is Python")
            return step(opt, *args, **kwargs)
        params = [p for g in opt.param_groups for p in g["params"] if p._grad is not None]
        grads = []
        for p in params:
            var = getattr(p._grad._data, "_var", None)
            if var is None or not isinstance(p._data, TracedArray):
                tracer.graph_break("optimizer.step() on a gradient the step did not make")
                return step(opt)
            grads.append(var)
        node = OptimizerStep(opt, params, grads)
        self.steps.append(node)
        before = [p._version for p in params]
        tracer.paused += 1
        try:
            result = step(opt)
        finally:
            tracer.paused -= 1
        for p, version in zip(params, before):  # (the replayed step bumps these itself)
            bumps = tracer.optimizer_bumps
            bumps[id(p)] = bumps.get(id(p), 0) + p._version - version
        node.param_vars = [p._data._var for p in params]
        tracer.append(Call(node, "opt", tuple(grads), {}, [], node.param_vars))
        return result

    def _breaking(self, what: str, original: Callable) -> Callable:
        """``original`` as a graph break when the step calls it (reseeding, NumPy's global
        random functions): the program could not replay it."""
        tracer = self.tracer

        def breaking(*args: Any, **kwargs: Any) -> Any:
            if not tracer.paused:
                tracer.graph_break(f"{what} inside the step")
            return original(*args, **kwargs)

        return breaking

    def _replayed(self, method: Callable) -> Callable:
        """A Python method with side effects (a scheduler's ``step``) that the program calls
        again at every replay, with the same arguments."""
        tracer = self.tracer

        def replayed(obj: Any, *args: Any, **kwargs: Any) -> Any:
            if not tracer.paused and tracer.broken is None:
                if any(isinstance(a, (Tensor, np.ndarray)) for a in _leaves(args, kwargs)):
                    tracer.graph_break(f"{type(obj).__name__}.step() given a tensor")
                else:
                    call = PythonCall(method, obj, args, kwargs)
                    tracer.append(Call(call, "opt", (), {}, [], []))
            return method(obj, *args, **kwargs)

        return replayed

    # ------------------------------------------------------------------ building
    def build(self, result: Any, arg_vars: list[Var], tensors: list[Tensor]) -> _Entry:
        """The program of the captured step, its guards and the rebuilding of its result."""
        tracer = self.tracer
        tracer.constants_made()
        returned: list[Var] = []
        template = _result_template(result, returned)
        # an argument that requires grad leaves its .grad to the caller (as eager does)
        arg_grads = [
            (i, tracer.var_of(t._grad._data)) for i, t in enumerate(tensors) if t._grad is not None
        ]
        arg_grads = [(i, v) for i, v in arg_grads if v is not None]
        n_results = len(returned)
        returned += [v for _i, v in arg_grads]
        setter = GradSetter(tracer)
        steps = [c.fn for c in tracer.calls if isinstance(c.fn, OptimizerStep)]
        if steps and _same(steps[-1].params, setter.params) and not setter.cleared:
            pass  # optimizer.step() already handed out the gradients the step leaves
        elif setter.params or setter.cleared:
            tracer.append(Call(setter, "opt", tuple(setter.vars), {}, [], []))
        bumps = VersionBumps(tracer)
        if bumps.tensors:
            tracer.append(Call(bumps, "opt", (), {}, [], []))
        buffers: dict[Var, np.ndarray] = {}
        for node in self.steps:
            node.flat = flat.prepare(node, tracer.calls, buffers)
        code = program.generate(
            tracer.calls, arg_vars, returned, buffers, tracer.hoisted, tracer.value_guards
        )
        guards, why = guards_.build(
            self.compiled.fn, self.compiled._modules, code.uses, tracer.grads_of
        )
        after = guards_.python_state(self.compiled.fn, self.compiled._modules)
        why = why or guards_.guard_state(guards, self.before, after)
        if why is not None:
            tracer.graph_break(why)
        guards.checks += [node.flat.holds for node in self.steps if node.flat is not None]
        copies = [v.root.kind != "arg" for v in returned]
        grad_slots = [(i, n_results + k) for k, (i, _v) in enumerate(arg_grads)]

        def rebuild(arrays: tuple, tensors: list[Tensor]) -> Any:
            made = [Tensor._make(a.copy() if c else a, False, None) for a, c in zip(arrays, copies)]
            for i, k in grad_slots:
                tensors[i]._grad = made[k]
            return template(made)

        return _Entry(code, guards, rebuild)


class OptimizerStep:
    """``optimizer.step()`` inside a program: hands the parameters their gradients (the
    program's arrays), then takes the step, over flat buffers where ``flat.py`` could set
    them up (Adam, AdamW), else with the optimizer's own ``step()``."""

    def __init__(self, opt: Optimizer, params: list[Tensor], grad_vars: list[Var]) -> None:
        self.opt = opt
        self.params = params
        self.grad_vars = grad_vars
        self.param_vars: list[Var] = []  # the parameters' Vars (set once the step has run)
        self.holders = _holders(grad_vars)
        self.flat: flat.FlatStep | None = None
        self.__name__ = f"{type(opt).__name__.lower()}_step"

    def __call__(self, *grads: np.ndarray) -> None:
        _give_grads(self.params, grads, self.holders)
        if self.flat is not None and self.flat.uniform():
            self.flat.step()
        else:
            type(self.opt).step(self.opt)


class PythonCall:
    """A Python method a program calls as it is (a scheduler's ``step()``)."""

    def __init__(self, method: Callable, obj: Any, args: tuple, kwargs: dict) -> None:
        self.method, self.obj, self.args, self.kwargs = method, obj, args, kwargs
        self.__name__ = f"{type(obj).__name__.lower()}_{method.__name__}"

    def __call__(self) -> None:
        self.method(self.obj, *self.args, **self.kwargs)


class GradSetter:
    """The end of a program: every parameter gets the gradient the captured step left it
    (one of the program's arrays, or None after a ``zero_grad()`` at the end)."""

    def __init__(self, tracer: Tracer) -> None:
        self.params: list[Tensor] = []
        self.vars: list[Var] = []
        self.cleared: list[Tensor] = []
        for owner, traced in tracer.tracked():
            if not isinstance(owner, Tensor) or traced._var.kind != "ext":
                continue
            if owner._grad_fn is not None or not owner._requires_grad:
                continue
            var = None if owner._grad is None else tracer.var_of(owner._grad._data)
            if owner._grad is None:
                self.cleared.append(owner)
            elif var is None:
                tracer.graph_break("a gradient the step set from outside the trace")
            else:
                self.params.append(owner)
                self.vars.append(var)
        self.holders = _holders(self.vars)
        self.__name__ = "set_grads"

    def __call__(self, *grads: np.ndarray) -> None:
        _give_grads(self.params, grads, self.holders)
        for p in self.cleared:
            p._grad = None


class VersionBumps:
    """The end of a program: the version counters of the tensors the step changed in place
    (``p -= lr * p.grad`` under no_grad) move as far as they did during the capture."""

    def __init__(self, tracer: Tracer) -> None:
        self.tensors: list[tuple[Tensor, int]] = []
        for owner, _traced in tracer.tracked():
            moved = owner._version - tracer.versions[id(owner)]
            moved -= tracer.optimizer_bumps.get(id(owner), 0)
            if moved > 0:
                self.tensors.append((owner if owner._base is None else owner._base, moved))
        self.__name__ = "bump_versions"

    def __call__(self) -> None:
        for base, moved in self.tensors:
            base._ver += moved
            Clock.now += 1
            base._changed_at = Clock.now


def _holders(grad_vars: list[Var]) -> list[Tensor | None]:
    """The gradient tensors to hand out: a gradient the step accumulated into (an ext Var)
    stays the tensor it was; the others get a Tensor at the first replay."""
    return [None if v.owner is None else v.owner() for v in grad_vars]


def _give_grads(params: list[Tensor], grads: tuple, holders: list[Tensor | None]) -> None:
    """``p.grad = grads[i]``, reusing the Tensor of the previous replay for the same array."""
    for i, (p, g) in enumerate(zip(params, grads)):
        holder = holders[i]
        if holder is None or holder._data is not g:
            holder = holders[i] = Tensor._make(g, False, None)
        p._grad = holder


# ---------------------------------------------------------------------------- helpers
#: NumPy's array makers, recorded during capture (``np.zeros`` then ``a[i] = 1`` must be
#: replayed, not frozen as a constant): program.py refills their buffers at every replay.
_CREATIONS = {
    name: getattr(np, name)
    for name in [
        "zeros",
        "ones",
        "empty",
        "full",
        "eye",
        "identity",
        "arange",
        "zeros_like",
        "ones_like",
        "empty_like",
        "full_like",
    ]
}


def _recorded(run: Callable, fn: Callable) -> Callable:
    """NumPy's ``fn`` as the capture calls it: through ``run`` (trace.run_creation...)."""

    def recorded(*args: Any, **kwargs: Any) -> Any:
        return run(fn, args, kwargs)

    recorded.__name__ = fn.__name__
    return recorded


#: NumPy's global random functions: a step calling one cannot be replayed (its draws would
#: be constants of the program).
_NUMPY_RANDOM = [
    "rand",
    "randn",
    "random",
    "random_sample",
    "randint",
    "normal",
    "uniform",
    "choice",
    "permutation",
    "shuffle",
    "seed",
    "standard_normal",
    "binomial",
    "poisson",
    "exponential",
    "beta",
    "gamma",
    "default_rng",
]


def _same(a: list, b: list) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b))


def _leaves(args: tuple, kwargs: dict) -> list[Any]:
    out: list[Any] = []

    def walk(x: Any) -> None:
        if type(x) in (tuple, list):
            for item in x:
                walk(item)
        elif type(x) is dict:
            for item in x.values():
                walk(item)
        else:
            out.append(x)

    walk(args)
    walk(kwargs)
    return out


def _tensors_in(args: tuple, kwargs: dict) -> list[Tensor]:
    """The distinct tensors among the arguments (in tuples, lists and dicts too)."""
    seen: list[Tensor] = []
    for x in _leaves(args, kwargs):
        if isinstance(x, Tensor) and all(x is not t for t in seen):
            seen.append(x)
    return seen


def _constant_key(x: Any) -> Any:
    if isinstance(x, Tensor):
        return None
    try:
        hash(x)
    except TypeError:
        return (type(x), id(x))
    return (type(x), x)


def _result_template(result: Any, returned: list[Var]) -> Callable[[list[Tensor]], Any]:
    """A function rebuilding ``result``'s structure from new tensors; the Vars of its
    tensors are appended to ``returned``. Anything else in it is returned as it was."""
    if isinstance(result, Tensor):
        var = getattr(result._data, "_var", None)
        if var is None:
            return lambda made: result
        index = len(returned)
        returned.append(var)
        return lambda made: made[index]
    if type(result) in (tuple, list):
        parts = [_result_template(r, returned) for r in result]
        kind = type(result)
        return lambda made: kind(p(made) for p in parts)
    if type(result) is dict:
        items = {k: _result_template(v, returned) for k, v in result.items()}
        return lambda made: {k: p(made) for k, p in items.items()}
    return lambda made: result


def _plain_tensors(result: Any) -> None:
    """The tensors a captured step returns hold plain arrays of their own (their arrays
    become the program's buffers, which the replays overwrite)."""
    for x in _leaves((result,), {}):
        if isinstance(x, Tensor) and isinstance(x._data, TracedArray):
            x._data = x._data.view(np.ndarray).copy()
            if x._grad is not None and isinstance(x._grad._data, TracedArray):
                x._grad._data = x._grad._data.view(np.ndarray).copy()


def compile(
    model: Callable[..., Any] | None = None,
    *,
    fullgraph: bool = False,
    dynamic: bool | None = None,
    backend: str | Callable = "inductor",
    mode: str | None = None,
    options: dict[str, Any] | None = None,
    disable: bool = False,
) -> Any:
    """Compile a training step (or a model) into straight-line NumPy (``torch.compile``).

    ``compile(step)`` returns a function that runs ``step`` eagerly on its first call,
    captures it on the next (every NumPy call of forward, loss, backward and
    ``optimizer.step()``) and from then on replays the captured program: no tensors, no
    graph, no per-op Python, temporaries in preallocated buffers and Adam over one flat
    buffer. Print ``compiled.code`` to read the program. See ``tinygrad_edu/capture/``.

    ``fullgraph=True`` turns a graph break into an error. ``dynamic``, ``backend``,
    ``mode`` and ``options`` are accepted for compatibility: there is one backend, and
    every new input shape gets its own program. ``disable=True`` returns ``model`` itself.
    Used as ``@compile`` or ``@compile(...)``.
    """
    if mode is not None and mode not in MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: {', '.join(MODES)}")
    if mode is not None and options is not None:
        raise RuntimeError(
            "Either mode or options can be specified, but both can't be specified at the same time."
        )
    if model is None:
        options_ = {"dynamic": dynamic, "backend": backend, "mode": mode, "options": options}
        return lambda fn: compile(fn, fullgraph=fullgraph, disable=disable, **options_)
    if not callable(model):  # (PyTorch asserts)
        raise AssertionError(f"A callable function is expected, but {type(model)} is provided.")
    if disable:
        return model
    if isinstance(model, Module):
        from tinygrad_edu.capture.module import OptimizedModule  # (it imports this module)

        return OptimizedModule(model, fullgraph)
    return CompiledFunction(model, fullgraph)
