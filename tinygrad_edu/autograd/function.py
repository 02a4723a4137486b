"""``Function``: one differentiable operation, and the node it leaves on the tape.

Every op in tinygrad_edu is a subclass with two static methods, as in PyTorch:

    class Exp(Function):
        '''y = exp(x);   dy/dx = exp(x) = y'''
        saves_output = True

        @staticmethod
        def forward(ctx, x):             # x is a Tensor; return a NumPy array (or a Tensor)
            return np.exp(x._data)

        @staticmethod
        def backward(ctx, grad):         # grad = dL/dy, a Tensor; return dL/dx
            return grad * ctx.output

``Exp.apply(x)`` runs ``forward`` and, when gradients are being recorded, keeps the
instance ``ctx`` as the output's ``grad_fn``: the node of the graph. ``ctx.inputs`` are the
op's inputs and ``ctx.next_nodes`` the edges back to the nodes that made them, taken when the
op runs (an in-place op later gives an input a new ``grad_fn``; this op must still send its
gradient to the old one). Whatever ``backward`` needs is put away on ``ctx`` during forward.

PyTorch 2.x's *new style* works too: ``forward(*args)`` without ctx, plus a static
``setup_context(ctx, inputs, output)`` that puts away what backward needs (see
``Function.__init_subclass__``). ``backward`` is the same in both styles.

``backward`` is written with Tensor operations, not raw NumPy. Normally the engine runs it
with recording switched off, so those operations cost little more than NumPy; with
``create_graph=True`` it runs with recording on, so the gradient itself gets a graph and can
be differentiated again (higher-order gradients) with no extra code per op.
"""

from __future__ import annotations

import inspect
import traceback
from typing import Any

import numpy as np

from tinygrad_edu.autograd import big_graphs
from tinygrad_edu.autograd import forward_ad as _forward_ad
from tinygrad_edu.autograd.anomaly import AnomalyMode, forward_stack
from tinygrad_edu.autograd.big_graphs import BigGraphs
from tinygrad_edu.autograd.forward_ad import ForwardAD
from tinygrad_edu.autograd.grad_mode import GradMode
from tinygrad_edu.autograd.hooks import GradHooks
from tinygrad_edu.tensor import Clock, Tensor


class Function:
    """Base class of every differentiable op (and of your own custom ops).

    Subclasses define ``forward(ctx, *args, **kwargs)`` and ``backward(ctx, grad_output)``
    as static methods; call the op with ``MyOp.apply(*args, **kwargs)``. ``forward`` gets
    the tensors themselves and returns one NumPy array or one Tensor (computed with Tensor
    ops if you like: recording is off inside forward). ``backward`` returns one gradient
    per positional argument of forward (None where there is none), as Tensors.

    Attributes a backward can use:
        ctx.inputs            the positional arguments given to ``apply`` (reading them
                              raises if one was changed in place since forward)
        ctx.input_shapes      their shapes (always safe to read)
        ctx.next_nodes        per argument: the node that made it (None for a leaf or
                              an argument that needs no gradient)
        ctx.needs_input_grad  one bool per positional argument
        ctx.saved_tensors     what forward passed to ``ctx.save_for_backward``
        ctx.output            the result (only when the class sets ``saves_output = True``)

    New style (PyTorch 2.x): define ``forward(*args)`` without ctx and a static
    ``setup_context(ctx, inputs, output)``; apply then calls ``forward(*inputs)`` and
    ``setup_context(ctx, inputs, output)``, where ``inputs`` are apply's arguments (keyword
    arguments and forward's defaults bound into place, as PyTorch does), and backward must
    return one gradient per input.
    """

    #: Set to True in ops whose backward reads ``ctx.output`` (exp, tanh, softmax ...).
    saves_output: bool = False
    #: Set to True in view ops: their output shares the input's memory (see views.py).
    is_view: bool = False
    #: Set to True in ops whose backward returns only new arrays of its own: never the incoming
    #: gradient or a view of it, nothing kept on ctx, no array twice. The engine then stores
    #: such a gradient as a leaf's ``.grad`` as it is, instead of copying it (see engine.py).
    fresh_grads: bool = False
    #: True in ops whose forward uses NumPy only, no Tensor ops: ``apply`` then need not
    #: switch recording off around it (two writes of the thread-local grad mode saved per
    #: op). ``__init_subclass__`` sets it for the ops of the modules in ``_NUMPY_FORWARDS``
    #: (checked: their forwards are NumPy only); other ops keep False unless they set it.
    numpy_forward: bool = False
    #: The output tensor's register_hook / retain_grad hooks (created on first use).
    _hooks: GradHooks | None = None
    #: Where forward was called, kept only under ``detect_anomaly()`` (see anomaly.py).
    _stack: traceback.StackSummary | None = None
    #: What forward passed to ``ctx.mark_non_differentiable`` (see ``_wrap``).
    _non_differentiable: tuple[Tensor, ...] = ()
    #: New-style classes only (see ``__init_subclass__``).
    _node_class: type[Function]
    _forward_signature: inspect.Signature

    _inputs: tuple[Any, ...] | None
    next_nodes: tuple[Function | None, ...] | None
    needs_input_grad: tuple[bool, ...]

    @staticmethod
    def forward(ctx: Function, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("subclasses of Function must implement forward")

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> Tensor | tuple[Tensor | None, ...] | None:
        raise NotImplementedError("subclasses of Function must implement backward")

    # ------------------------------------------------------ new style: setup_context
    @staticmethod
    def setup_context(ctx: Function, inputs: tuple[Any, ...], output: Any) -> None:
        """New-style Functions override this (and define ``forward`` without ctx): save what
        backward needs on ctx, from forward's ``inputs`` and its ``output``."""
        raise NotImplementedError("setup_context is defined by new-style Functions only")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Mark the ops of ``_NUMPY_FORWARDS`` modules ``numpy_forward``, and give a new-style
        subclass (one with its own ``setup_context``) its ``apply``.

        ``apply`` below calls ``forward(ctx, *args)``. A new-style class gets a hidden
        subclass of itself whose forward does ``output = forward(*args);
        setup_context(ctx, args, output)``, and an ``apply`` that runs the usual one on that
        subclass. Old-style classes (all of the built-in ops) are left exactly as they are,
        so their ``apply`` costs nothing extra.
        """
        super().__init_subclass__(**kwargs)
        if "numpy_forward" not in cls.__dict__ and cls.__module__ in _NUMPY_FORWARDS:
            cls.numpy_forward = True
        if "_user_class" in vars(cls) or cls.setup_context is Function.setup_context:
            return
        user_forward = cls.forward
        user_setup = cls.setup_context

        def forward(ctx: Function, *args: Any) -> Any:
            output = user_forward(*args)
            user_setup(ctx, args, output)
            return output

        namespace = {"forward": staticmethod(forward), "_user_class": cls}
        namespace.update(__module__=cls.__module__, __qualname__=cls.__qualname__)
        cls._node_class = type(cls.__name__, (cls,), namespace)
        cls._forward_signature = inspect.signature(user_forward)
        cls.apply = classmethod(_apply_new_style)  # type: ignore[assignment]

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Tensor:
        """Run ``forward`` and, if any input requires grad, record this call on the tape.

        A tensor may be passed by keyword too (``MyOp.apply(x, weight=w)``): it is bound by
        forward's signature, so it counts as that positional argument and gets its gradient.
        """
        if kwargs:  # (a plain loop: any() over a generator costs a frame per op)
            for value in kwargs.values():
                if isinstance(value, Tensor):
                    args, kwargs = _bind(cls, args, kwargs)
                    break
        ctx = cls()
        needs = None
        if GradMode.enabled:
            # (a view reads requires_grad through the property: see views.sync_view)
            needs = tuple(
                [
                    isinstance(a, Tensor)
                    and (a._requires_grad if a._view is None else a.requires_grad)
                    for a in args
                ]
            )
            if True not in needs:
                needs = None
        if needs is None:  # nothing to record (no_grad, or no input requires grad): no node
            ctx.needs_input_grad = (False,) * len(args)
            out = cls.forward(ctx, *args, **kwargs)
            t = _make_tensor(out, False, None) if type(out) is np.ndarray else _wrap(cls, out)
            if cls.is_view:
                views.mark_view(t, args[0], cls, kwargs)
            if ForwardAD.enabled:  # forward-mode AD (autograd/forward_ad.py): tangents ride along
                _forward_ad.propagate(ctx, args, t)
            return t
        ctx.needs_input_grad = needs
        if cls.numpy_forward:
            out = cls.forward(ctx, *args, **kwargs)
        else:
            GradMode.enabled = False  # forward itself is never recorded
            try:
                out = cls.forward(ctx, *args, **kwargs)
            finally:
                GradMode.enabled = True
        t = _make_tensor(out, True, ctx) if type(out) is np.ndarray else _wrap(cls, out, ctx)
        ctx._inputs = args
        ctx._clock = Clock.now  # ctx.inputs refuses inputs changed in place after now
        ctx.next_nodes = tuple([a._grad_fn if n else None for a, n in zip(args, needs)])
        if cls.saves_output:
            ctx._output_data = t._data
        if AnomalyMode.enabled:
            ctx._stack = forward_stack()
        if cls.is_view:
            views.mark_view(t, args[0], cls, kwargs)
        if ForwardAD.enabled:  # forward-mode AD (autograd/forward_ad.py): tangents ride along
            _forward_ad.propagate(ctx, args, t)
        BigGraphs.countdown -= 1
        if BigGraphs.countdown == 0:  # keep the garbage collector off a growing graph
            big_graphs.freeze_for(ctx)
        return t

    # ----------------------------------------------------------------- saving state
    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep tensors for backward; an in-place change to one of them is caught there."""
        self._saved = tensors
        self._saved_versions = tuple(
            [0 if t is None else t._ver if t._base is None else t._base._ver for t in tensors]
        )

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        """Declare the output not differentiable (an index, a count...): it will not
        require grad, and no gradient flows back through it. Call it from forward (or
        setup_context) with the output Tensor that forward returns."""
        for t in tensors:
            if not isinstance(t, Tensor):
                raise TypeError(
                    "mark_non_differentiable takes the output Tensor; got a "
                    f"{type(t).__name__} (return a Tensor from forward to mark it)"
                )
        self._non_differentiable = tensors

    @property
    def saved_tensors(self) -> tuple[Tensor | None, ...]:
        """The tensors given to ``save_for_backward``, checked for in-place modification."""
        saved = getattr(self, "_saved", None)
        if saved is None:
            if self._inputs is None:
                raise RuntimeError(_FREED_MESSAGE)
            return ()
        for i, (t, version) in enumerate(zip(saved, self._saved_versions)):
            if t is not None and (t._ver if t._base is None else t._base._ver) != version:
                raise _modified_error(self, f"saved tensor {i}", t, version)
        return saved

    @property
    def inputs(self) -> tuple[Any, ...] | None:
        """The arguments of forward (None once freed), checked: reading them raises if one
        was changed in place since forward, since backward would see the new values."""
        inputs = self._inputs
        if inputs is not None:
            for i, a in enumerate(inputs):
                if isinstance(a, Tensor) and a._changed_after(self._clock):
                    raise RuntimeError(
                        "one of the variables needed for gradient computation has been modified "
                        f"by an inplace operation: {self.name()}'s input {i} (shape {a.shape}, "
                        f"dtype {a.dtype}) is at version {a._version}, changed in place after "
                        f"{self.name()[: -len('Backward')]} used it. Use a copy (.clone()) "
                        "before changing it in place."
                    )
        return inputs

    @property
    def input_shapes(self) -> tuple[tuple[int, ...] | None, ...]:
        """The shapes of forward's arguments (None for a non-tensor): a backward that only
        needs shapes reads these, so a later in-place change to an input does not matter."""
        return tuple([a.shape if isinstance(a, Tensor) else None for a in self._inputs])

    @property
    def output(self) -> Tensor:
        """This op's result as a Tensor, for backward formulas such as exp' = exp.

        With recording on (``create_graph=True``) the returned tensor is attached to this very
        node, so a gradient that uses it can itself be differentiated.
        """
        data = getattr(self, "_output_data", None)
        if data is None:
            raise RuntimeError(
                _FREED_MESSAGE if self._inputs is None else f"{self.name()} did not save its output"
            )
        version = getattr(self, "_output_version", 0)
        if version:
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: {self.name()}'s output 0 (shape {data.shape}, dtype "
                f"{data.dtype}) is at version {version}; expected version 0 instead. Use a copy "
                "(.clone()) before changing it in place."
            )
        if ForwardAD.enabled:  # forward over reverse: the output keeps its tangent
            return _forward_ad.saved_output(self, data)
        if GradMode.enabled:
            return _make_tensor(data, True, self)
        return _make_tensor(data, False, None)

    # ----------------------------------------------------------------- for people
    def name(self) -> str:
        """The node's name as PyTorch prints it, e.g. ``MulBackward``."""
        return type(self).__name__ + "Backward"

    @property
    def next_functions(self) -> tuple[tuple[Any, int], ...]:
        """The nodes that gradients flow to next: one per input, like PyTorch's."""
        if self._inputs is None:
            return ()
        result: list[tuple[Any, int]] = []
        for a in self._inputs:
            if isinstance(a, Tensor) and a.requires_grad:
                result.append((a.grad_fn if a.grad_fn is not None else AccumulateGrad(a), 0))
            elif isinstance(a, Tensor):
                result.append((None, 0))
        return tuple(result)

    def release(self) -> None:
        """Drop everything this node holds (called by the engine after backward)."""
        self._inputs = None
        self.next_nodes = None
        self._saved = None
        self._output_data = None

    def __repr__(self) -> str:
        return f"<{self.name()} object at {id(self):#x}>"


class AccumulateGrad:
    """The graph's end point for a leaf tensor: where its ``.grad`` is accumulated."""

    def __init__(self, variable: Tensor) -> None:
        self.variable = variable
        self.next_functions: tuple[Any, ...] = ()

    def name(self) -> str:
        return "AccumulateGrad"

    def __repr__(self) -> str:
        return f"<AccumulateGrad object at {id(self):#x}>"


def _apply_new_style(cls: type[Function], *args: Any, **kwargs: Any) -> Tensor:
    """``apply`` of a new-style Function: keyword arguments and forward's defaults are
    bound into positional ones (setup_context sees them all, as in PyTorch), then the
    usual ``apply`` runs on the hidden subclass made by ``__init_subclass__``."""
    if kwargs or len(args) < len(cls._forward_signature.parameters):
        try:
            bound = cls._forward_signature.bind(*args, **kwargs)
        except TypeError as e:
            raise TypeError(f"{cls.__name__}.apply: {e}") from None
        bound.apply_defaults()
        args = bound.args
    return Function.apply.__func__(cls._node_class, *args)  # type: ignore[attr-defined]


def _bind(cls: type, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    """``args`` and ``kwargs`` with every argument forward can take by position moved into
    ``args`` (in forward's order); keyword-only ones stay keywords."""
    try:
        bound = inspect.signature(cls.forward).bind(None, *args, **kwargs)  # None: the ctx
    except TypeError as e:
        raise TypeError(f"{cls.__name__}.apply: {e}") from None
    return bound.args[1:], bound.kwargs


def _wrap(cls: type, out: Any, ctx: Function | None = None) -> Tensor:
    """The output tensor for what ``forward`` returned when it is not a NumPy array.

    A Tensor returned by forward (``result = x.exp(); ctx.save_for_backward(result)``) keeps
    its version counter: the output shares it, so changing the output in place is caught
    by a backward that saved ``result``.
    """
    if isinstance(out, Tensor):
        if ctx is not None and any(t is out for t in ctx._non_differentiable):
            ctx = None  # marked non-differentiable: the output records no node
        t = _make_tensor(out._data, ctx is not None, ctx)
        t._base = views.base_of(out)
        return t
    if out is None or isinstance(out, (tuple, list, dict)):
        raise TypeError(
            f"{cls.__name__}.forward returned {type(out).__name__}; it must return one "
            "Tensor or NumPy array (a Function has exactly one output)"
        )
    if isinstance(out, np.ndarray):  # a subclass (tinygrad_edu.compile's TracedArray): kept
        return _make_tensor(out, ctx is not None, ctx)
    return _make_tensor(np.asarray(out), ctx is not None, ctx)


def _modified_error(node: Function, what: str, t: Tensor, version: int) -> RuntimeError:
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: {node.name()}'s {what} (shape {t.shape}, dtype {t.dtype}) is at version "
        f"{t._version}; expected version {version} instead. Use a copy (.clone()) before "
        "changing it in place."
    )


_FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)
_make_tensor = Tensor._make
#: The modules whose ops all compute forward in NumPy alone (see ``numpy_forward``): a new
#: op module joins only once that is true of every op in it.
_NUMPY_FORWARDS = frozenset(
    f"tinygrad_edu.ops.{name}"
    for name in ("elementwise", "loss", "matmul", "movement", "nn", "reduce")
)

from tinygrad_edu.autograd import views  # noqa: E402  (views.py builds on Function)
