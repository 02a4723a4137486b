"""Draw the graph behind a tensor: Graphviz DOT text, and an SVG/PNG when Graphviz is there.

    y = (x * w).sigmoid().sum()
    print(to_dot(y))                  # DOT text: paste it into any Graphviz viewer
    draw_dot(y, "graph.svg")          # needs `pip install graphviz` and the `dot` program

The picture has two kinds of vertices, with edges in the direction the forward ran:

- a box per tensor: its ``name`` if it has one, shape and dtype, and its values (and
  ``.grad``) when it has at most ``max_values`` elements. Leaves that require grad are
  filled, constants are dashed;
- an ellipse per op node, labelled with its backward's name (``MulBackward``), with an edge
  from each input tensor and one to the tensor it made.

The walk follows each node's ``next_nodes`` (the edges the engine uses), so what you see is
exactly what ``backward()`` will visit. After a backward without ``retain_graph=True`` the
nodes have dropped their inputs; they are drawn as "(freed)" with nothing behind them.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np

from tinygrad_edu.tensor import Tensor

FORMATS = ("svg", "png")


def to_dot(tensor: Tensor, max_values: int = 8) -> str:
    """The graph that produced ``tensor`` as Graphviz DOT text (a ``digraph``)."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"to_dot expects a Tensor, got {type(tensor).__name__}")
    ids: dict[tuple[str, int], str] = {}  # ("op"|"out"|"leaf", id) -> DOT vertex name
    lines: list[str] = []
    edges: list[str] = []

    def vertex(key: tuple[str, int], label: str, attrs: str) -> tuple[str, bool]:
        """The DOT name for ``key``; creates the vertex the first time (returns is_new)."""
        if key in ids:
            return ids[key], False
        ids[key] = f"n{len(ids)}"
        lines.append(f'  {ids[key]} [label="{_escape(label)}", {attrs}];')
        return ids[key], True

    def tensor_vertex(t: Tensor, maker: Any) -> str:
        """The box for tensor ``t``; a node's output is one box however many inputs use it."""
        key = ("out", id(maker)) if maker is not None else ("leaf", id(t))
        if maker is not None:
            attrs = "shape=box"
        elif t.requires_grad:
            attrs = 'shape=box, style=filled, fillcolor="lightblue"'
        else:
            attrs = "shape=box, style=dashed"
        return vertex(key, _tensor_label(t, max_values), attrs)[0]

    stack: list[Any] = []  # op nodes whose inputs still have to be drawn
    root = tensor_vertex(tensor, tensor.grad_fn)
    if tensor.grad_fn is not None:
        stack.append((tensor.grad_fn, root))
    while stack:
        node, out_name = stack.pop()
        freed = node._inputs is None
        label = node.name() + ("\n(freed)" if freed else "")
        op_name, new = vertex(("op", id(node)), label, "shape=ellipse")
        edges.append(f"  {op_name} -> {out_name};")
        if not new or freed:
            continue
        for x, prev in zip(node._inputs, node.next_nodes):
            if not isinstance(x, Tensor):
                continue
            name = tensor_vertex(x, prev)
            edges.append(f"  {name} -> {op_name};")
            if prev is not None and ("op", id(prev)) not in ids:
                stack.append((prev, name))
    return "\n".join(["digraph tape {", "  rankdir=LR;", *lines, *edges, "}"]) + "\n"


def draw_dot(tensor: Tensor, path: str | Path, format: str = "svg", max_values: int = 8) -> Path:
    """Render the graph behind ``tensor`` to ``path`` (``.svg`` or ``.png``).

    Needs the ``graphviz`` Python package (``pip install "tinygrad_edu[viz]"``) and the
    Graphviz ``dot`` program. Without them it writes the DOT text next to ``path`` with a
    ``.dot`` suffix, warns with the command that renders it, and returns that file's path.
    """
    if format not in FORMATS:
        raise ValueError(f"draw_dot: format must be one of {FORMATS}, got {format!r}")
    path = Path(path)
    if path.suffix != "." + format:
        path = path.with_name(path.name + "." + format)
    dot = to_dot(tensor, max_values)
    try:
        import graphviz
    except ImportError:
        reason = "the graphviz Python package is not installed"
    else:
        try:
            graphviz.Source(dot).render(outfile=str(path), format=format, cleanup=True)
            return path
        except graphviz.ExecutableNotFound:
            reason = "the Graphviz 'dot' program was not found"
    dot_path = path.with_suffix(".dot")
    dot_path.write_text(dot)
    warnings.warn(
        f"draw_dot: {reason}, so the graph was written as DOT text to {dot_path}. "
        f"Render it with: dot -T{format} {dot_path} -o {path}   (Graphviz: "
        'https://graphviz.org; Python package: pip install "tinygrad_edu[viz]")',
        stacklevel=2,
    )
    return dot_path


def _tensor_label(t: Tensor, max_values: int) -> str:
    lines = [t.name] if t.name else []
    lines.append(f"{tuple(t.shape)} {t.dtype}")
    if t._data.size <= max_values:
        lines.append("data " + _values(t._data))
        if t.grad is not None:
            lines.append("grad " + _values(t.grad._data))
    return "\n".join(lines)


def _values(a: np.ndarray) -> str:
    return " ".join(np.array2string(a, precision=4, separator=", ").split())


def _escape(label: str) -> str:
    """Quote a label for DOT: backslashes and quotes escaped, newlines as ``\\n``."""
    return label.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
