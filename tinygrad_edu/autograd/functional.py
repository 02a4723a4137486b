"""Whole derivatives of a function: ``torch.autograd.functional`` with PyTorch's signatures.

For ``f`` taking Tensors (one or a tuple) and returning Tensors (one or a tuple):

    vjp(f, x, v)        -> (f(x), v^T J)     reverse mode, one backward pass
    jvp(f, x, v)        -> (f(x), J v)       forward mode, one pass with dual tensors
    jacobian(f, x)      -> J                 one backward per output element ("reverse-mode"),
                                             or one forward pass per input element
                                             (strategy="forward-mode")
    hessian(f, x)       -> H                 the Jacobian of the gradient (f scalar)
    vhp(f, x, v)        -> (f(x), v^T H)     backward of the gradient (f scalar)
    hvp(f, x, v)        -> (f(x), H v)       the double-backward trick (f scalar)

Shapes follow PyTorch: ``jacobian(f, x)[i][j]`` has shape ``out_i.shape + in_j.shape``
(unnested where the inputs or outputs are a single Tensor), ``hessian(f, x)[i][j]`` shape
``in_i.shape + in_j.shape``. With ``create_graph=False`` results are detached; with True
they keep their graph and can be differentiated again. ``strict=True`` raises where an
output is independent of an input (instead of returning zeros). ``vectorize`` is accepted
and changes nothing here (there is no vmap): rows and columns are computed one by one.

Two differences from PyTorch: ``jvp`` uses forward mode (PyTorch's uses the double-backward
trick) and falls back to that trick only if an op has no ``jvp`` rule; and
``jacobian(..., strategy="forward-mode")`` works without ``vectorize=True``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from tinygrad_edu.autograd import forward_ad as fwAD
from tinygrad_edu.autograd.engine import grad as autograd_grad
from tinygrad_edu.autograd.grad_mode import GradMode, enable_grad, set_grad_enabled
from tinygrad_edu.tensor import Tensor

__all__ = ["hessian", "hvp", "jacobian", "jvp", "vhp", "vjp"]

Inputs = Tensor | tuple[Tensor, ...]


# --------------------------------------------------------------------------- helpers
def _as_tuple(x: Any, arg_name: str, fn_name: str) -> tuple[bool, tuple[Tensor, ...]]:
    """(was it a tuple, it as a tuple of Tensors)."""
    is_tuple = isinstance(x, tuple)  # as PyTorch: a list is not a tuple of Tensors
    items = x if is_tuple else (x,)
    for i, el in enumerate(items):
        if not isinstance(el, Tensor):
            where = f"the value at index {i}" if is_tuple else f"the given {arg_name}"
            raise TypeError(
                f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of "
                f"Tensors but {where} has type {type(el).__name__}."
            )
    return is_tuple, items


def _unpack(result: tuple, to_unpack: bool | tuple[bool, bool]) -> Any:
    """Undo ``_as_tuple``: unwrap the levels of nesting that were single Tensors."""
    if isinstance(to_unpack, tuple):
        outer, inner = to_unpack
        if not inner:
            result = tuple(el[0] for el in result)
        return result if outer else result[0]
    return result if to_unpack else result[0]


def _preprocess(inputs: tuple[Tensor, ...], create_graph: bool, need_graph: bool) -> tuple:
    """New tensor objects for the inputs: differentiable views of inputs that require grad
    when ``create_graph`` (so results connect to them), detached leaves otherwise."""
    out = []
    for x in inputs:
        if create_graph and x.requires_grad:
            out.append(x.reshape(x.shape))
        else:
            leaf = x.detach()
            if need_graph:
                leaf.requires_grad_(True)
            out.append(leaf)
    return tuple(out)


def _postprocess(x: Any, create_graph: bool) -> Any:
    if isinstance(x, Tensor):
        return x if create_graph else x.detach()
    return tuple(_postprocess(el, create_graph) for el in x)


def _validate_v(v: tuple[Tensor, ...], other: tuple[Tensor, ...], is_other_tuple: bool) -> None:
    if len(v) != len(other):
        if is_other_tuple:
            raise RuntimeError(
                f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}."
            )
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (el_v, el_other) in enumerate(zip(v, other)):
        if el_v.shape != el_other.shape:
            prefix = f"Entry {i} in " if is_other_tuple else ""
            raise RuntimeError(
                f"{prefix}v has invalid size: should be {list(el_other.shape)} but got "
                f"{list(el_v.shape)}."
            )


def _default_v(v: Any, refs: tuple[Tensor, ...], fn_name: str, what: str) -> Any:
    if v is None and (len(refs) != 1 or refs[0].numel() != 1):
        raise RuntimeError(
            f"The vector v can only be None if the {what} is a single Tensor with a single element."
        )
    return v


def _check_outputs(outputs: tuple[Tensor, ...], strict: bool) -> None:
    if not strict:
        return
    for i, out in enumerate(outputs):
        if not out.requires_grad:
            raise RuntimeError(
                f"Output {i} of the user-provided function does not require gradients. The "
                "outputs must be computed in a differentiable manner from the input when "
                "running in strict mode."
            )


def _grads(
    outputs: tuple[Tensor | None, ...],
    inputs: tuple[Tensor, ...],
    grad_outputs: tuple[Tensor | None, ...] | None,
    create_graph: bool,
    retain_graph: bool | None = None,
) -> tuple[Tensor | None, ...]:
    """``autograd.grad`` that skips outputs which are None or need no grad (None if none)."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(o, g) for o, g in zip(outputs, grad_outputs) if o is not None and o.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return autograd_grad(
        [o for o, _ in pairs],
        inputs,
        [g for _, g in pairs],
        retain_graph=retain_graph,
        create_graph=create_graph,
        allow_unused=True,
    )


def _fill_in_zeros(
    grads: tuple[Tensor | None, ...],
    refs: tuple[Tensor, ...],
    strict: bool,
    create_graph: bool,
    stage: str,
) -> tuple[Tensor, ...]:
    """Replace None (independent) by zeros, or raise in strict mode."""
    result = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(_STRICT_NONE[stage].format(i=i))
            g = _zeros_like(refs[i])
        elif strict and create_graph and not g.requires_grad:
            kind = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(
                f"The {kind} of the user-provided function is independent of input {i}. "
                "This is not allowed in strict mode when create_graph=True."
            )
        result.append(g)
    return tuple(result)


_STRICT_NONE = {
    "back": "The output of the user-provided function is independent of input {i}. This is "
    "not allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
    "grad_outputs when using the double backward trick to compute forward mode gradients. "
    "This is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. "
    "This is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry "
    "{i} in the grad_jacobian. This is not allowed in strict mode as it prevents from using "
    "the double backward trick to replace forward mode AD.",
}


def _zeros_like(t: Tensor, requires_grad: bool = False) -> Tensor:
    return Tensor(np.zeros(t.shape, t.dtype), requires_grad=requires_grad)


def _scalar_output(outputs: tuple[Tensor, ...], is_tuple: bool, fn_name: str) -> None:
    if is_tuple:
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if outputs[0].numel() != 1:
        raise RuntimeError(
            f"The Tensor returned by the function given to {fn_name} should contain a single "
            "element"
        )


# --------------------------------------------------------------------------- vjp, jvp
def vjp(
    func: Callable[..., Any],
    inputs: Inputs,
    v: Inputs | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """``(func(inputs), v^T J)``: one backward pass with grad_outputs ``v`` (reverse mode).

    ``v`` has the outputs' shapes; it may be left out when func returns one element.
    """
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _preprocess(inputs, create_graph, need_graph=True)
        is_outputs_tuple, outputs = _as_tuple(
            func(*inputs), "outputs of the user-provided function", "vjp"
        )
        _check_outputs(outputs, strict)
        if v is not None:
            _, v = _as_tuple(v, "v", "vjp")
            v = _preprocess(v, create_graph, need_graph=False)
            _validate_v(v, outputs, is_outputs_tuple)
        elif len(outputs) != 1 or outputs[0].numel() != 1:
            raise RuntimeError(
                "The vector v can only be None if the user-provided function returns a single "
                "Tensor with a single element."
            )
    with set_grad_enabled(create_graph or GradMode.enabled):
        grads = _grads(outputs, inputs, v, create_graph)
        result = _fill_in_zeros(grads, inputs, strict, create_graph, "back")
    return (
        _unpack(_postprocess(outputs, create_graph), is_outputs_tuple),
        _unpack(_postprocess(result, create_graph), is_inputs_tuple),
    )


def jvp(
    func: Callable[..., Any],
    inputs: Inputs,
    v: Inputs | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """``(func(inputs), J v)`` by forward mode: one pass with each input carrying its ``v``.

    ``v`` has the inputs' shapes; it may be left out when the input is one element. Falls
    back to the double-backward trick (PyTorch's method) if an op has no ``jvp`` rule.
    """
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
    if v is not None:
        _, v = _as_tuple(v, "v", "jvp")
        _validate_v(v, inputs, is_inputs_tuple)
    else:
        _default_v(v, inputs, "jvp", "input to the user-provided function")
        v = (Tensor(np.ones(inputs[0].shape, inputs[0].dtype)),)
    try:
        return _jvp_forward(func, inputs, v, is_inputs_tuple, create_graph, strict)
    except fwAD.NoForwardRuleError:
        return _jvp_double_backward(func, inputs, v, is_inputs_tuple, create_graph, strict)


def _jvp_forward(func, inputs, v, is_inputs_tuple, create_graph, strict):
    # strict needs the graph to find inputs that no output uses; create_graph to keep it
    need_graph = strict or create_graph
    with enable_grad():
        inputs = _preprocess(inputs, create_graph, need_graph=need_graph)
        v = _preprocess(v, create_graph, need_graph=False)
        with fwAD.dual_level():
            duals = tuple(fwAD.make_dual(x, t) for x, t in zip(inputs, v))
            is_outputs_tuple, outputs = _as_tuple(
                func(*duals), "outputs of the user-provided function", "jvp"
            )
            unpacked = [fwAD.unpack_dual(o) for o in outputs]
        if strict:
            _check_outputs(outputs, strict)
            zeros = tuple(_zeros_like(o) for o in outputs)
            used = _grads(outputs, inputs, zeros, create_graph=False, retain_graph=create_graph)
            _fill_in_zeros(used, inputs, strict, False, "back")
    tangents = tuple(
        t if t is not None else _zeros_like(p) for p, t in (tuple(u) for u in unpacked)
    )
    if strict and create_graph:
        _fill_in_zeros(tangents, outputs, strict, create_graph, "back_trick")
    outputs = tuple(p for p, _ in unpacked) if not create_graph else outputs
    return (
        _unpack(_postprocess(outputs, create_graph), is_outputs_tuple),
        _unpack(_postprocess(tangents, create_graph), is_outputs_tuple),
    )


def _jvp_double_backward(func, inputs, v, is_inputs_tuple, create_graph, strict):
    """J v = d/du (u^T J) v: the vjp is linear in u, so differentiating it again gives J v."""
    with enable_grad():
        inputs = _preprocess(inputs, create_graph, need_graph=True)
        v = _preprocess(v, create_graph, need_graph=False)
        is_outputs_tuple, outputs = _as_tuple(
            func(*inputs), "outputs of the user-provided function", "jvp"
        )
        _check_outputs(outputs, strict)
        us = tuple(_zeros_like(o, requires_grad=True) for o in outputs)
        grad_inputs = _grads(outputs, inputs, us, create_graph=True)
        if strict:
            _fill_in_zeros(grad_inputs, inputs, strict, False, "back")
    with set_grad_enabled(create_graph or GradMode.enabled):
        grads = _grads(grad_inputs, us, v, create_graph)
        result = _fill_in_zeros(grads, outputs, strict, create_graph, "back_trick")
    return (
        _unpack(_postprocess(outputs, create_graph), is_outputs_tuple),
        _unpack(_postprocess(result, create_graph), is_outputs_tuple),
    )


# --------------------------------------------------------------------------- jacobian
def jacobian(
    func: Callable[..., Any],
    inputs: Inputs,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
) -> Any:
    """The Jacobian of ``func`` at ``inputs``: ``J[i][j]`` of shape out_i.shape + in_j.shape.

    ``strategy="reverse-mode"``: one backward pass per output element (a row of J each);
    ``"forward-mode"``: one forward pass per input element (a column each). Pick the one
    with fewer passes: reverse for many inputs and few outputs (a loss), forward for few
    inputs and many outputs.
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise ValueError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            'function has more outputs than inputs, "forward-mode" tends to be more '
            'performant. Otherwise, prefer to use "reverse-mode".'
        )
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                "torch.autograd.functional.jacobian: `create_graph=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either '
                'set `create_graph=False` or `strategy="reverse-mode"`.'
            )
        if strict:
            raise RuntimeError(
                "torch.autograd.functional.jacobian: `strict=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either '
                'set `strict=False` or `strategy="reverse-mode"`.'
            )
        return _jacobian_forward(func, inputs)
    if vectorize and strict:
        raise RuntimeError(
            "torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are not "
            "supported together. Please either set `strict=False` or `vectorize=False`."
        )

    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _preprocess(inputs, create_graph, need_graph=True)
        is_outputs_tuple, outputs = _as_tuple(
            func(*inputs), "outputs of the user-provided function", "jacobian"
        )
        _check_outputs(outputs, strict)
        jac: list[tuple[Tensor, ...]] = []
        for i, out in enumerate(outputs):
            rows: list[list[Tensor]] = [[] for _ in inputs]  # per input: one row per out elem
            for e in range(out.numel()):
                seed = np.zeros(out.shape, out.dtype)
                seed.reshape(-1)[e] = 1
                row = _grads((out,), inputs, (Tensor(seed),), create_graph, retain_graph=True)
                for j, (g, x) in enumerate(zip(row, inputs)):
                    if g is None:
                        if strict:
                            raise RuntimeError(
                                f"Output {i} of the user-provided function is independent of "
                                f"input {j}. This is not allowed in strict mode."
                            )
                        g = _zeros_like(x)
                    elif strict and create_graph and not g.requires_grad:
                        raise RuntimeError(
                            f"The jacobian of the user-provided function is independent of "
                            f"input {i}. This is not allowed in strict mode when "
                            "create_graph=True."
                        )
                    rows[j].append(g)
            jac.append(tuple(_stack(r, out.shape + x.shape) for r, x in zip(rows, inputs)))
        result = _postprocess(tuple(jac), create_graph)
    return _unpack(result, (is_outputs_tuple, is_inputs_tuple))


def _stack(rows: list[Tensor], shape: tuple[int, ...]) -> Tensor:
    """The rows (one per output element) as one tensor of ``shape``."""
    if not rows:
        return Tensor(np.zeros(shape, np.float64))
    if GradMode.enabled and any(r.requires_grad for r in rows):
        from tinygrad_edu.functional import stack

        return stack(rows).reshape(shape)
    return Tensor(np.stack([r._data for r in rows]).reshape(shape))


def _jacobian_forward(func: Callable[..., Any], inputs: Inputs) -> Any:
    """One dual pass per input element: tangent e_k on that input, none on the others."""
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    inputs = tuple(x.detach() for x in inputs)
    columns: list[list[list[np.ndarray]]] | None = None  # [output][input] -> columns
    outputs: tuple[Tensor, ...] = ()
    is_outputs_tuple = False
    for j, x in enumerate(inputs):
        for k in range(x.numel()):
            direction = np.zeros(x.shape, x.dtype)
            direction.reshape(-1)[k] = 1
            with fwAD.dual_level():
                args = list(inputs)
                args[j] = fwAD.make_dual(x, Tensor(direction))
                is_outputs_tuple, outs = _as_tuple(
                    func(*args), "outputs of the user-provided function", "jacobian"
                )
                unpacked = [fwAD.unpack_dual(o) for o in outs]
            outputs = tuple(p for p, _ in unpacked)
            if columns is None:
                columns = [[[] for _ in inputs] for _ in outputs]
            for i, (p, t) in enumerate(unpacked):
                columns[i][j].append(
                    t._data.reshape(-1) if t is not None else np.zeros(p.numel(), p.dtype)
                )
    if columns is None:  # every input is empty: call func once for the output shapes
        is_outputs_tuple, outputs = _as_tuple(
            func(*inputs), "outputs of the user-provided function", "jacobian"
        )
        columns = [[[] for _ in inputs] for _ in outputs]
    jac = []
    for i, out in enumerate(outputs):
        row = []
        for j, x in enumerate(inputs):
            cols = columns[i][j]
            matrix = np.stack(cols, axis=-1) if cols else np.zeros((out.numel(), 0), out.dtype)
            row.append(Tensor(matrix.reshape(out.shape + x.shape)))
        jac.append(tuple(row))
    return _unpack(tuple(jac), (is_outputs_tuple, is_inputs_tuple))


# --------------------------------------------------------------------------- Hessians
def hessian(
    func: Callable[..., Any],
    inputs: Inputs,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
) -> Any:
    """The Hessian of a scalar ``func``: the Jacobian of its gradient.

    ``H[i][j]`` has shape in_i.shape + in_j.shape (one Tensor for a single input). The
    inner gradient is reverse mode; the outer Jacobian is reverse mode (one backward of the
    gradient per input element) or, with ``outer_jacobian_strategy="forward-mode"``,
    forward-over-reverse (one dual pass through the gradient's graph per input element).
    """
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise ValueError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar_func(*xs: Tensor) -> Tensor:
        out = func(*xs)
        is_tuple, outs = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _check_outputs(outs, strict)
        _scalar_output(outs, is_tuple, "hessian")
        return out.reshape(())

    def gradient(*xs: Tensor) -> tuple[Tensor, ...]:
        if outer_jacobian_strategy == "forward-mode":  # keep the duals: forward over reverse
            xs = tuple(x.requires_grad_(True) for x in xs)
        jac = jacobian(scalar_func, xs, create_graph=True)
        if strict:
            for i, g in enumerate(jac):
                if not g.requires_grad:
                    raise RuntimeError(
                        "While computing the hessian, found that the jacobian of the "
                        f"user-provided function with respect to input {i} is independent of "
                        "the input. This is not allowed in strict mode. You should ensure that "
                        "your function is twice differentiable and that the jacobian depends "
                        "on the inputs (this would be violated by a linear function for "
                        "example)."
                    )
        return jac

    result = jacobian(
        gradient,
        inputs,
        create_graph=create_graph,
        strict=strict,
        vectorize=vectorize,
        strategy=outer_jacobian_strategy,
    )
    return _unpack(result, (is_inputs_tuple, is_inputs_tuple))


def vhp(
    func: Callable[..., Any],
    inputs: Inputs,
    v: Inputs | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """``(func(inputs), v^T H)``: backward through the gradient (reverse over reverse)."""
    return _hessian_product(func, inputs, v, create_graph, strict, "vhp")


def hvp(
    func: Callable[..., Any],
    inputs: Inputs,
    v: Inputs | None = None,
    create_graph: bool = False,
    strict: bool = False,
) -> tuple[Any, Any]:
    """``(func(inputs), H v)`` by the double-backward trick, as PyTorch (equal to v^T H for
    a twice continuously differentiable func, whose Hessian is symmetric)."""
    return _hessian_product(func, inputs, v, create_graph, strict, "hvp")


def _hessian_product(func, inputs, v, create_graph, strict, name):
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", name)
        inputs = _preprocess(inputs, create_graph, need_graph=True)
        if v is not None:
            _, v = _as_tuple(v, "v", name)
            v = _preprocess(v, create_graph, need_graph=False)
            _validate_v(v, inputs, is_inputs_tuple)
        else:
            _default_v(v, inputs, name, "input to the user-provided function")
        is_outputs_tuple, outputs = _as_tuple(
            func(*inputs), "outputs of the user-provided function", name
        )
        _check_outputs(outputs, strict)
        _scalar_output(outputs, is_outputs_tuple, name)
        jac = _grads(outputs, inputs, None, create_graph=True)
        if strict:
            _check_jacobian(jac)
        if name == "hvp":  # the gradient of u^T H in u, at u = 0, applied to v: H v
            us = tuple(_zeros_like(x, requires_grad=True) for x in inputs)
            double_back = _grads(jac, inputs, us, create_graph=True)
            differentiate, wrt, stage = double_back, us, "double_back_trick"
        else:
            differentiate, wrt, stage = jac, inputs, "double_back"
    with set_grad_enabled(create_graph or GradMode.enabled):
        grads = _grads(differentiate, wrt, v, create_graph)
        result = _fill_in_zeros(grads, inputs, strict, create_graph, stage)
    return (
        _unpack(_postprocess(outputs, create_graph), is_outputs_tuple),
        _unpack(_postprocess(result, create_graph), is_inputs_tuple),
    )


def _check_jacobian(jac: tuple[Tensor | None, ...]) -> None:
    for i, g in enumerate(jac):
        if g is None:
            raise RuntimeError(
                f"The output of the user-provided function is independent of input {i}. This "
                "is not allowed in strict mode."
            )
        if not g.requires_grad:
            raise RuntimeError(
                "While computing the hessian, found that the jacobian of the user-provided "
                f"function with respect to input {i} is independent of the input. This is not "
                "allowed in strict mode. You should ensure that your function is twice "
                "differentiable and that the jacobian depends on the inputs (this would be "
                "violated by a linear function for example)."
            )
