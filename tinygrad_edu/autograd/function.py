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

``backward`` is written with Tensor operations, not raw NumPy. Normally the engine runs it
with recording switched off, so those operations cost little more than NumPy; with
``create_graph=True`` it runs with recording on, so the gradient itself gets a graph and can
be differentiated again (higher-order gradients) with no extra code per op.
"""

from __future__ import annotations

import traceback
from typing import Any

import numpy as np

from tinygrad_edu.autograd import forward_ad as _forward_ad
from tinygrad_edu.autograd.anomaly import AnomalyMode, forward_stack
from tinygrad_edu.autograd.forward_ad import ForwardAD
from tinygrad_edu.autograd.grad_mode import GradMode
from tinygrad_edu.autograd.hooks import GradHooks
from tinygrad_edu.tensor import Tensor


class Function:
    """Base class of every differentiable op (and of your own custom ops).

    Subclasses define ``forward(ctx, *args, **kwargs)`` and ``backward(ctx, grad_output)``
    as static methods; call the op with ``MyOp.apply(*args, **kwargs)``. ``forward`` gets
    the tensors themselves and returns one NumPy array or one Tensor (computed with Tensor
    ops if you like: recording is off inside forward). ``backward`` returns one gradient
    per positional argument of forward (None where there is none), as Tensors.

    Attributes a backward can use:
        ctx.inputs            the positional arguments given to ``apply``
        ctx.next_nodes        per argument: the node that made it (None for a leaf or
                              an argument that needs no gradient)
        ctx.needs_input_grad  one bool per positional argument
        ctx.saved_tensors     what forward passed to ``ctx.save_for_backward``
        ctx.output            the result (only when the class sets ``saves_output = True``)
    """

    #: Set to True in ops whose backward reads ``ctx.output`` (exp, tanh, softmax ...).
    saves_output: bool = False
    #: Set to True in ops whose backward returns only new arrays of its own: never the incoming
    #: gradient or a view of it, nothing kept on ctx, no array twice. The engine then stores
    #: such a gradient as a leaf's ``.grad`` as it is, instead of copying it (see engine.py).
    fresh_grads: bool = False
    #: The output tensor's register_hook / retain_grad hooks (created on first use).
    _hooks: GradHooks | None = None
    #: Where forward was called, kept only under ``detect_anomaly()`` (see anomaly.py).
    _stack: traceback.StackSummary | None = None

    inputs: tuple[Any, ...] | None
    next_nodes: tuple[Function | None, ...] | None
    needs_input_grad: tuple[bool, ...]

    @staticmethod
    def forward(ctx: Function, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError("subclasses of Function must implement forward")

    @staticmethod
    def backward(ctx: Function, grad_output: Tensor) -> Tensor | tuple[Tensor | None, ...] | None:
        raise NotImplementedError("subclasses of Function must implement backward")

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Tensor:
        """Run ``forward`` and, if any input requires grad, record this call on the tape."""
        ctx = cls()
        needs = None
        if GradMode.enabled:
            needs = tuple([isinstance(a, Tensor) and a._requires_grad for a in args])
            if True not in needs:
                needs = None
        if needs is None:  # nothing to record (no_grad, or no input requires grad): no node
            ctx.needs_input_grad = (False,) * len(args)
            out = cls.forward(ctx, *args, **kwargs)
            if type(out) is not np.ndarray:
                out = _forward_result(cls, out)
            if ForwardAD.enabled:  # forward-mode AD (autograd/forward_ad.py): tangents ride along
                return _forward_ad.propagate(ctx, args, _make_tensor(out, False, None))
            return _make_tensor(out, False, None)
        ctx.needs_input_grad = needs
        GradMode.enabled = False  # forward itself is never recorded
        try:
            out = cls.forward(ctx, *args, **kwargs)
        finally:
            GradMode.enabled = True
        if type(out) is not np.ndarray:
            out = _forward_result(cls, out)
        ctx.inputs = args
        ctx.next_nodes = tuple([a.grad_fn if n else None for a, n in zip(args, needs)])
        if cls.saves_output:
            ctx._output_data = out
        if AnomalyMode.enabled:
            ctx._stack = forward_stack()
        if ForwardAD.enabled:  # forward-mode AD (autograd/forward_ad.py): tangents ride along
            return _forward_ad.propagate(ctx, args, _make_tensor(out, True, ctx))
        return _make_tensor(out, True, ctx)

    # ----------------------------------------------------------------- saving state
    def save_for_backward(self, *tensors: Tensor | None) -> None:
        """Keep tensors for backward; an in-place change to one of them is caught there."""
        self._saved = tensors
        self._saved_versions = tuple(t._version if t is not None else 0 for t in tensors)

    @property
    def saved_tensors(self) -> tuple[Tensor | None, ...]:
        """The tensors given to ``save_for_backward``, checked for in-place modification."""
        saved = getattr(self, "_saved", None)
        if saved is None:
            if self.inputs is None:
                raise RuntimeError(_FREED_MESSAGE)
            return ()
        for i, (t, version) in enumerate(zip(saved, self._saved_versions)):
            if t is not None and t._version != version:
                raise RuntimeError(
                    f"one of the variables needed for gradient computation has been modified by "
                    f"an inplace operation: {self.name()}'s saved tensor {i} "
                    f"(shape {t.shape}, dtype {t.dtype}) is at version {t._version}; expected "
                    f"version {version} instead. Use a copy (.clone()) before changing it in place."
                )
        return saved

    @property
    def output(self) -> Tensor:
        """This op's result as a Tensor, for backward formulas such as exp' = exp.

        With recording on (``create_graph=True``) the returned tensor is attached to this very
        node, so a gradient that uses it can itself be differentiated.
        """
        data = getattr(self, "_output_data", None)
        if data is None:
            raise RuntimeError(
                _FREED_MESSAGE if self.inputs is None else f"{self.name()} did not save its output"
            )
        if getattr(self, "_output_modified", False):
            raise RuntimeError(
                f"one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: the output of {self.name()} (shape {data.shape}) was changed "
                f"in place after it was computed. Use .clone() before changing it in place."
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
        if self.inputs is None:
            return ()
        result: list[tuple[Any, int]] = []
        for a in self.inputs:
            if isinstance(a, Tensor) and a.requires_grad:
                result.append((a.grad_fn if a.grad_fn is not None else AccumulateGrad(a), 0))
            elif isinstance(a, Tensor):
                result.append((None, 0))
        return tuple(result)

    def release(self) -> None:
        """Drop everything this node holds (called by the engine after backward)."""
        self.inputs = None
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


def _forward_result(cls: type, out: Any) -> np.ndarray:
    """The array behind what ``forward`` returned: an array, a Tensor, or a number."""
    if isinstance(out, Tensor):
        return out._data
    if out is None or isinstance(out, (tuple, list, dict)):
        raise TypeError(
            f"{cls.__name__}.forward returned {type(out).__name__}; it must return one "
            "Tensor or NumPy array (a Function has exactly one output)"
        )
    return np.asarray(out)


_FREED_MESSAGE = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)
_make_tensor = Tensor._make
