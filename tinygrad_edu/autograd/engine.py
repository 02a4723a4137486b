"""The engine: walk the tape backwards and apply the chain rule.

``y.backward()`` starts at y's node with dL/dy = 1 and visits every node once, in
reverse topological order (a node only after every node that sends it gradient), so each
node's incoming gradients are all summed before it runs. The order comes from an
iterative depth-first search with an explicit stack, so a graph a million nodes deep needs
no recursion, and the walk costs time linear in the size of the graph.

At each node the engine calls ``backward(ctx, grad)`` and hands each returned gradient to
the matching input: a node's gradient is summed in a dict until that node's turn; a leaf's
is added into ``leaf.grad`` (across calls too, as in PyTorch). A leaf's first gradient is
copied, since the same array may also go elsewhere (a + b sends it to both), unless the op
promises it is a new array of its own (``Function.fresh_grads``, set by matmul and linear):
copying a 784x128 weight gradient every step can cost more than the product itself. After
the walk the nodes drop what they held (inputs, saved tensors), unless ``retain_graph=True``.

Hooks (``autograd/hooks.py``) run on a node's total gradient before its backward; a leaf
with hooks has its gradients summed over the walk and its hooks run once at the end. Under
``detect_anomaly()`` each returned gradient is checked for NaN/inf (``autograd/anomaly.py``).
Without hooks or anomaly mode, each costs one attribute read per node.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tinygrad_edu.autograd.anomaly import AnomalyMode, check_gradients
from tinygrad_edu.autograd.function import _FREED_MESSAGE, Function
from tinygrad_edu.autograd.grad_mode import GradMode
from tinygrad_edu.tensor import Tensor


def backward(
    tensors: Tensor | Sequence[Tensor],
    grad_tensors: Tensor | Sequence[Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
) -> None:
    """Accumulate d(tensors)/d(leaf) into every leaf's ``.grad`` (``torch.autograd.backward``)."""
    outputs = _as_tuple(tensors)
    grads = _make_grad_outputs(outputs, grad_tensors)
    if retain_graph is None:
        retain_graph = create_graph
    _run(outputs, grads, retain_graph, create_graph, capture=None)


def grad(
    outputs: Tensor | Sequence[Tensor],
    inputs: Tensor | Sequence[Tensor],
    grad_outputs: Tensor | Sequence[Tensor | None] | None = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    allow_unused: bool = False,
) -> tuple[Tensor | None, ...]:
    """Return d(outputs)/d(inputs) without touching any ``.grad`` (``torch.autograd.grad``).

    With ``create_graph=True`` the returned gradients are part of a new graph, so they can be
    differentiated again: that is how second derivatives (``gradgradcheck``) are computed.
    """
    outs = _as_tuple(outputs)
    ins = _as_tuple(inputs)
    for i, t in enumerate(ins):
        if not isinstance(t, Tensor):
            raise TypeError(f"grad: inputs[{i}] must be a Tensor, got {type(t).__name__}")
        if not t.requires_grad:
            raise RuntimeError(
                f"grad: inputs[{i}] (shape {t.shape}) does not require grad; "
                "set requires_grad=True on it before computing outputs from it"
            )
    grads = _make_grad_outputs(outs, grad_outputs)
    if retain_graph is None:
        retain_graph = create_graph
    captured = _run(outs, grads, retain_graph, create_graph, capture=ins)
    result = []
    for i in range(len(ins)):
        g = captured[i]
        if g is not None and any(g is r for r in result):  # a + b hands both one gradient
            g = g.clone() if create_graph else Tensor._make(g._data.copy(), False, None)
        result.append(g)
    for i, g in enumerate(result):
        if g is None and not allow_unused:
            raise RuntimeError(
                f"grad: inputs[{i}] (shape {ins[i].shape}) appears to not have been used in the "
                "graph of the outputs. Set allow_unused=True if this is the desired behavior."
            )
    return tuple(result)


# --------------------------------------------------------------------------- recording
#: ``tinygrad_edu.viz.record_backward()`` sets this to a callable while it is active. After
#: each node's backward, ``_run`` calls it as ``recorder(order, node, grad, input_grads)``:
#: the walk's whole order (the same list for every node of one run), the node, the total
#: gradient it received and what its backward returned, before any of it is delivered.
#: None (the default) costs one local check per node.
_recorder = None


# --------------------------------------------------------------------------- internals
def _as_tuple(x: Tensor | Sequence[Tensor]) -> tuple[Tensor, ...]:
    return (x,) if isinstance(x, Tensor) else tuple(x)


def _make_grad_outputs(
    outputs: tuple[Tensor, ...], grad_outputs: Tensor | Sequence[Tensor | None] | None
) -> list[Tensor]:
    """dL/d(output) for each output: given, or 1 for a scalar output."""
    if grad_outputs is None or isinstance(grad_outputs, Tensor):
        given: Sequence[Tensor | None] = [grad_outputs] * len(outputs)
    else:
        given = list(grad_outputs)
    if len(given) != len(outputs):
        raise RuntimeError(f"got {len(given)} grad_outputs for {len(outputs)} outputs")
    result = []
    for i, (out, g) in enumerate(zip(outputs, given)):
        if not isinstance(out, Tensor):
            raise TypeError(f"outputs[{i}] must be a Tensor, got {type(out).__name__}")
        if not out.requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )
        if g is None:
            if out._data.size != 1:
                raise RuntimeError(
                    f"grad can be implicitly created only for scalar outputs; this output has "
                    f"shape {out.shape}: pass gradient= (a tensor of that shape)"
                )
            g = Tensor._make(np.ones(out._data.shape, out._data.dtype), False, None)
        elif not isinstance(g, Tensor):
            g = Tensor(np.asarray(g, dtype=out.dtype))
        if g.shape != out.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] "
                f"has a shape of {out.shape}."
            )
        result.append(g)
    return result


def _topological_order(roots: list[Function]) -> list[Function]:
    """Every node reachable from ``roots``, each before all the nodes it sends gradient to.

    Depth-first search with an explicit stack; a node is appended after all of its inputs'
    nodes (post-order), and the reversed list is the order backward needs.
    """
    order: list[Function] = []
    seen: set[Function] = set()
    stack: list[tuple[Function, bool]] = [(r, False) for r in roots]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:
            order.append(node)
            continue
        if node in seen:
            continue
        seen.add(node)
        if node._inputs is None:
            raise RuntimeError(_FREED_MESSAGE)
        stack.append((node, True))
        for n in node.next_nodes:
            if n is not None and n not in seen:
                stack.append((n, False))
    order.reverse()
    return order


def _run(
    outputs: tuple[Tensor, ...],
    grad_outputs: list[Tensor],
    retain_graph: bool,
    create_graph: bool,
    capture: tuple[Tensor, ...] | None,
) -> dict[int, Tensor | None]:
    """Backpropagate. With ``capture`` set, return the gradients of those tensors (by
    position) instead of accumulating into leaves."""
    # Where captured gradients are collected: non-leaf tensors by their node, leaves by id.
    captured: dict[int, Tensor | None] = {}
    capture_node: dict[Function, int] = {}
    capture_leaf: dict[int, int] | None = None
    if capture is not None:
        capture_leaf = {}
        for i, t in enumerate(capture):
            captured[i] = None
            if t.grad_fn is not None:
                capture_node[t.grad_fn] = i
            else:
                capture_leaf[id(t)] = i

    node_grads: dict[Function, Tensor] = {}  # gradients summed per node until its turn
    # Leaves with hooks: their gradient is summed over the walk, the hooks run once at the end.
    hooked_leaves: dict[int, tuple[Tensor, Tensor]] = {}
    roots: list[Function] = []
    anomaly = AnomalyMode.enabled
    recorder = _recorder
    prev_mode = GradMode.enabled
    GradMode.enabled = create_graph
    try:
        for out, g in zip(outputs, grad_outputs):
            if out.grad_fn is None:  # backward() called on a leaf itself
                _deliver_to_leaf(out, g, create_graph, capture_leaf, captured, hooked_leaves)
            else:
                node_grads[out.grad_fn] = _add(node_grads.get(out.grad_fn), g)
                roots.append(out.grad_fn)
        order = _topological_order(roots)  # raises before any change if the graph was freed

        for node in order:
            g = node_grads.pop(node, None)
            if g is None:
                continue
            hooks = node._hooks
            if hooks is not None:  # the output tensor's register_hook / retain_grad
                g = hooks.run(g, g.shape, g.dtype)
                hooks.store_retained(g, create_graph)
            if capture_node and node in capture_node:
                i = capture_node[node]
                captured[i] = _add(captured[i], g)
            input_grads = type(node).backward(node, g)
            if type(input_grads) is not tuple:
                input_grads = (input_grads,)
            inputs = node._inputs
            if len(input_grads) != len(inputs):
                input_grads = _pad_grads(node, input_grads, len(inputs))
            if anomaly:
                check_gradients(node, input_grads)
            if recorder is not None:  # viz.record_backward(): see _recorder above
                recorder(order, node, g, input_grads)
            fresh = node.fresh_grads and not create_graph
            # The edges taken at forward time, not x.grad_fn now: an in-place op since then
            # may have given x a new grad_fn (or made it require grad).
            for x, gx, need, prev in zip(
                inputs, input_grads, node.needs_input_grad, node.next_nodes
            ):
                if gx is None or not need:
                    continue
                if type(gx) is not Tensor or gx._data.shape != x._data.shape:
                    gx = _check_grad(node, x, gx)
                if gx._data.dtype != x._data.dtype:
                    gx = gx.to(x._data.dtype)
                if prev is None:
                    if x._grad is None and fresh and x._hooks is None and capture is None:
                        x._grad = gx  # a new array no one else holds: no copy needed
                        continue
                    _deliver_to_leaf(x, gx, create_graph, capture_leaf, captured, hooked_leaves)
                else:
                    node_grads[prev] = _add(node_grads.get(prev), gx)
            if not retain_graph:
                node.release()
        for leaf, g in hooked_leaves.values():
            g = leaf._hooks.run(g, leaf.shape, leaf.dtype)
            _deliver_to_leaf(leaf, g, create_graph, capture_leaf, captured, None)
    finally:
        GradMode.enabled = prev_mode
    return captured


def _add(acc: Tensor | None, g: Tensor) -> Tensor:
    """Sum of gradients arriving at the same place (recorded when create_graph is on)."""
    if acc is None:
        return g
    if GradMode.enabled:
        return acc + g
    return Tensor._make(np.asanyarray(acc._data + g._data), False, None)


def _check_grad(node: Function, x: Tensor, g: object) -> Tensor:
    """A gradient must be a Tensor of its input's shape; a wrong one names the op."""
    if not isinstance(g, Tensor):
        raise TypeError(f"{node.name()} returned a {type(g).__name__} as a gradient, not a Tensor")
    if g.shape != x.shape:
        raise RuntimeError(
            f"{node.name()} returned a gradient of shape {g.shape} for an input of shape {x.shape}"
        )
    return g


def _pad_grads(node: Function, grads: tuple, n_inputs: int) -> tuple:
    """Fill a short tuple of gradients with None; refuse a long one."""
    if len(grads) > n_inputs:
        raise RuntimeError(
            f"function {node.name()} returned an incorrect number of gradients (expected "
            f"{n_inputs}, one per argument of forward, got {len(grads)})"
        )
    return grads + (None,) * (n_inputs - len(grads))


def _deliver_to_leaf(
    leaf: Tensor,
    g: Tensor,
    create_graph: bool,
    capture_leaf: dict[int, int] | None,
    captured: dict[int, Tensor | None],
    hooked_leaves: dict[int, tuple[Tensor, Tensor]] | None,
) -> None:
    if leaf._hooks is not None and hooked_leaves is not None:  # hooks run once, at the end
        if capture_leaf is not None and id(leaf) not in capture_leaf:
            return  # autograd.grad() does not want this leaf: no gradient, no hooks
        held = hooked_leaves.get(id(leaf))
        hooked_leaves[id(leaf)] = (leaf, g if held is None else _add(held[1], g))
        return
    if capture_leaf is not None:  # autograd.grad(): collect, never touch .grad
        i = capture_leaf.get(id(leaf))
        if i is not None:
            captured[i] = _add(captured[i], g)
        return
    if leaf._grad is None:
        # A fresh copy: the same gradient array may reach several leaves (a + b gives both
        # the incoming gradient), and .grad is later changed in place (+=, zero_, clipping).
        # With create_graph the copy is a recorded clone, so the gradient keeps its graph.
        leaf._grad = g.clone() if create_graph else Tensor._make(g._data.copy(), False, None)
    elif create_graph or leaf._grad.requires_grad:
        leaf._grad = leaf._grad + g
    else:
        np.add(leaf._grad._data, g._data, out=leaf._grad._data)
