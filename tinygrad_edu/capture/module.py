"""``tinygrad_edu.compile(model)``: a module whose forward and backward are both captured.

Compiling a model (not a whole training step) leaves the loss, ``backward()`` and the
optimizer to the caller, as in PyTorch, so the backward cannot be found in the call: it is
traced on purpose. At capture, after the forward, the model's backward is run once with a
stand-in incoming gradient and traced too. That gives two programs:

    forward(x0, ...)            -> the output, and the arrays the backward will need
    backward(g0, saved...)      -> the gradient of every input and parameter

At a replay the output gets one node on the tape (``CompiledGraph``): its backward runs the
backward program, and the engine hands the gradients to the parameters as for any op. The
forward program writes into the same buffers at every call, so while one output's backward
is still to come (its node is alive and not yet released), the next call runs eagerly
instead of overwriting what that backward needs.
"""

from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from tinygrad_edu.autograd import engine
from tinygrad_edu.autograd.function import Function
from tinygrad_edu.autograd.grad_mode import GradMode
from tinygrad_edu.capture import guards as guards_
from tinygrad_edu.capture import program
from tinygrad_edu.capture.compiled import _EAGER, CompiledFunction, _Capture, _Entry
from tinygrad_edu.capture.trace import Tracer, Var
from tinygrad_edu.nn.module import Module
from tinygrad_edu.tensor import Tensor


class OptimizedModule(Module):
    """What ``tinygrad_edu.compile(model)`` returns (PyTorch's name): call it like the model.

    The model is ``_orig_mod`` (so ``state_dict()`` keys start with ``_orig_mod.``, as in
    PyTorch); attributes not found here are looked up on it. ``code`` shows the forward and
    backward programs of the latest capture.
    """

    def __init__(self, mod: Module, fullgraph: bool = False) -> None:
        super().__init__()
        self._orig_mod = mod
        self.__dict__["_compiled"] = _ModuleCall(mod, fullgraph)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self.__dict__["_compiled"](*args, **kwargs)

    @property
    def code(self) -> str:
        return self.__dict__["_compiled"].code

    @property
    def replays(self) -> int:
        return self.__dict__["_compiled"].replays

    def __getattr__(self, name: str) -> Any:
        try:
            return super().__getattr__(name)
        except AttributeError:
            return getattr(self.__dict__["_modules"]["_orig_mod"], name)


class _ModuleCall(CompiledFunction):
    """The compiled function behind an OptimizedModule (see the module docstring)."""

    def _trace_more(self, tracer: Tracer, result: Any) -> Any:
        """Trace the backward of ``result`` too (when grad mode will want it)."""
        if tracer.broken is not None or not isinstance(result, Tensor) or not result.requires_grad:
            return None
        args = self._args
        arg_index = [i for i, t in enumerate(args) if t.requires_grad]
        params = [p for p in _parameters_read(tracer) if all(p is not a for a in args)]
        wrt = [args[i] for i in arg_index] + params
        tracer.paused += 1  # (a plain array: np.ones is recorded during capture)
        seed = np.ones(result.shape, result._data.dtype)
        tracer.paused -= 1
        seed_tensor = Tensor._make(tracer.track(seed, "arg"), False, None)
        start = len(tracer.calls)
        # (retain_graph: if this capture breaks, the caller backwards through the eager graph)
        grads = engine.grad([result], wrt, [seed_tensor], retain_graph=True, allow_unused=True)
        grad_vars = [None if g is None else getattr(g._data, "_var", None) for g in grads]
        if any(g is not None and v is None for g, v in zip(grads, grad_vars)):
            tracer.graph_break("a gradient the backward did not compute with NumPy")
        return (arg_index, params), seed_tensor._data._var, start, grad_vars

    def _build(
        self, session: _Capture, result: Any, arg_vars: list[Var], extra: Any, tensors: list
    ) -> tuple:
        if extra is None:  # no backward to capture (no_grad, eval): a plain program
            return super()._build(session, result, arg_vars, extra, tensors)
        tracer = session.tracer
        tracer.constants_made()
        (arg_index, params), seed_var, start, grad_vars = extra
        forward_calls, backward_calls = tracer.calls[:start], tracer.calls[start:]
        out_var = result._data._var
        made_in_forward = {v for c in forward_calls for v in c.results} | set(arg_vars)
        saved = []
        for call in backward_calls:
            for v in call.vars():
                while v is not None:
                    if v in made_in_forward and all(v is not s for s in saved):
                        saved.append(v)
                    v = v.base
        # this call's own values, before generate() hands buffers out (the capture's arrays)
        output = out_var.array.copy()
        saved_now = [v.array for v in saved]
        forward = program.generate(forward_calls, arg_vars, [out_var, *saved], name="forward")
        computed = [v for v in grad_vars if v is not None]
        backward = program.generate(backward_calls, [seed_var, *saved], computed, name="backward")
        uses = forward.uses + backward.uses
        guards, why = guards_.build(self.fn, self._modules, uses, tracer.grads_of)
        after = guards_.python_state(self.fn, self._modules)
        why = why or guards_.guard_state(guards, session.before, after)
        if why is not None:
            tracer.graph_break(why)
        entry = _Entry(forward, guards, None)
        entry.graph = graph = _Graph(backward, arg_index, params, grad_vars)
        node_output = CompiledGraph.apply(
            *self._args, *params, graph=graph, saved=saved_now, output=output
        )
        return entry, node_output

    @property
    def code(self) -> str:
        """The forward program of the latest capture, and its backward program."""
        for entry in reversed(list(self.programs.values())):
            if entry.program is not None:
                graph = getattr(entry, "graph", None)
                backward = "" if graph is None else "\n" + graph.backward.source
                return entry.program.source + backward
        return ""

    def _capture(self, key: tuple, tensors: list[Tensor], args: tuple, kwargs: dict) -> Any:
        self._args = tensors
        try:
            return super()._capture(key, tensors, args, kwargs)
        finally:
            del self._args

    def _replay(self, entry: _Entry, tensors: list[Tensor]) -> Any:
        graph: _Graph | None = getattr(entry, "graph", None)
        if graph is None:
            return super()._replay(entry, tensors)
        if graph.waiting():
            return _EAGER  # an earlier output's backward still needs the buffers
        arrays = entry.program.run(*[t._data for t in tensors])
        output, saved = arrays[0].copy(), list(arrays[1:])
        if not GradMode.enabled:
            return Tensor._make(output, False, None)
        return CompiledGraph.apply(*tensors, *graph.params, graph=graph, saved=saved, output=output)


class _Graph:
    """The backward half of a compiled module call, and which node is waiting for it."""

    def __init__(
        self, backward: program.Program, arg_index: list[int], params: list[Tensor], grads: list
    ) -> None:
        self.backward = backward
        self.arg_index = arg_index  # the arguments that get a gradient (by position)
        self.params = params
        self.grad_vars = grads  # per argument of arg_index, then per parameter: Var or None
        self.node: weakref.ref | None = None

    def waiting(self) -> bool:
        node = None if self.node is None else self.node()
        return node is not None and node._inputs is not None


class CompiledGraph(Function):
    """The node a compiled module's output hangs from: its backward is the backward program.

    Inputs: the call's tensor arguments, then the parameters the forward read. The gradient
    of each comes from the program (None where the model's output does not depend on it).
    """

    @staticmethod
    def forward(ctx, *inputs, graph, saved, output):
        graph.node = weakref.ref(ctx)
        ctx.graph, ctx.saved_arrays = graph, saved
        return output

    @staticmethod
    def backward(ctx, grad):
        graph = ctx.graph
        arrays = iter(graph.backward.run(grad._data, *ctx.saved_arrays))
        grads = [None if v is None else _const(next(arrays)) for v in graph.grad_vars]
        n_args = len(ctx.needs_input_grad) - len(graph.params)
        per_arg: list[Tensor | None] = [None] * n_args
        for i, g in zip(graph.arg_index, grads):
            per_arg[i] = g
        return (*per_arg, *grads[len(graph.arg_index) :])


def _parameters_read(tracer: Tracer) -> list[Tensor]:
    """The leaves that require grad (the parameters) the forward read, in reading order."""
    found: list[Tensor] = []
    for owner, traced in tracer.tracked():
        leaf = isinstance(owner, Tensor) and owner._grad_fn is None and owner._requires_grad
        if leaf and traced._var.kind == "ext" and all(owner is not t for t in found):
            found.append(owner)
    return found


def _const(array: np.ndarray) -> Tensor:
    return Tensor._make(array, False, None)
