"""Draw the graph behind a tensor: Graphviz DOT text, an SVG/PNG, or a page to explore.

    y = (x * w).sigmoid().sum()
    print(to_dot(y))                  # DOT text: paste it into any Graphviz viewer
    draw_dot(y, "graph.svg")          # needs Graphviz's `dot` program (Debian: graphviz)
    to_html(y, "graph.html")          # open it in a browser: click nodes, play backward

    with record_backward() as tape:   # or record your own backward ...
        y.backward()
    to_html(y, "graph.html", recording=tape)   # ... and replay exactly that one

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

import inspect
import json
import shutil
import subprocess
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from tinygrad_edu.autograd import engine
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

    Runs Graphviz's ``dot`` program (Debian/Ubuntu: ``apt-get install graphviz``; macOS:
    ``brew install graphviz``). Without it, it writes the DOT text next to ``path`` with a
    ``.dot`` suffix, warns with the command that renders it, and returns that file's path.
    """
    if format not in FORMATS:
        raise ValueError(f"draw_dot: format must be one of {FORMATS}, got {format!r}")
    path = Path(path)
    if path.suffix != "." + format:
        path = path.with_name(path.name + "." + format)
    dot = to_dot(tensor, max_values)
    program = shutil.which("dot")
    if program is not None:
        subprocess.run(
            [program, f"-T{format}", "-o", str(path)],
            input=dot.encode(),
            capture_output=True,
            timeout=600,
            check=True,
        )
        return path
    dot_path = path.with_suffix(".dot")
    dot_path.write_text(dot)
    warnings.warn(
        f"draw_dot: the Graphviz 'dot' program was not found, so the graph was written as DOT "
        f"text to {dot_path}. Render it with: dot -T{format} {dot_path} -o {path}   "
        "(Graphviz: https://graphviz.org; Debian/Ubuntu: apt-get install graphviz)",
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


# =========================================================================== the explorer
# to_html(y, path) writes one HTML file (viz_explorer.html with the graph's data put in):
# the graph laid out top to bottom, a panel for the clicked node, and a player that steps
# through a recorded backward in the engine's own order.
#
# The recording comes from the engine itself: while record_backward() is active, engine._run
# calls the recorder after each node's backward with the node, the gradient it received and
# the gradients it returned. The recorder copies what a learner should see (values as small
# summaries) at that moment, while the node still holds its inputs.

Key = tuple[str, int]  # ("op", id(node)) for an op and the tensor it made; ("leaf", id(t))


class BackwardRecording:
    """What ``record_backward()`` saw: the graph, and each node's backward in the engine's order.

    ``steps[i]`` is the i-th node the engine ran: ``{"node": key, "grad": dL/d(its output),
    "sends": [{"to": key, "grad": what it sent there, "total": the sum there so far}]}``; all
    values are summaries (full values when small, else shape, min/mean/max and a histogram).
    ``vertices`` holds, per op node and per leaf, its op, docstring, inputs and forward value.
    """

    def __init__(self, max_values: int = 64) -> None:
        self.max_values = max_values
        self.vertices: dict[Key, dict[str, Any]] = {}
        self.steps: list[dict[str, Any]] = []
        self._order: list[Any] | None = None  # the current run's order (a new list per run)
        self._totals: dict[Key, np.ndarray] = {}  # gradient summed so far at each vertex
        self._keep: list[Any] = []  # what the keys' ids refer to stays alive, so ids stay unique

    def __call__(self, order: list[Any], node: Any, grad: Tensor, input_grads: tuple) -> None:
        """Called by the engine after ``node``'s backward (see ``engine._recorder``)."""
        if order is not self._order:  # a new backward: nothing has been freed yet, so take
            self._order = order  # the whole graph now
            self._keep.append(order)
            self._totals = {k: v for k, v in self._totals.items() if k[0] == "leaf"}
            self.add_graph(order)
        key = ("op", id(node))
        sends = []
        inputs = _inputs_of(node) or ()
        for x, gx, need, prev in zip(inputs, input_grads, node.needs_input_grad, node.next_nodes):
            if gx is None or not need or not isinstance(gx, Tensor):
                continue  # nothing sent (a wrong gradient makes the engine raise right after)
            to = ("op", id(prev)) if prev is not None else ("leaf", id(x))
            g = np.asarray(gx._data)
            total = self._totals.get(to)
            total = g.copy() if total is None or total.shape != g.shape else total + g
            self._totals[to] = total
            sends.append({"to": to, "grad": self.summary(g), "total": self.summary(total)})
        self.steps.append({"node": key, "grad": self.summary(grad._data), "sends": sends})

    def add_graph(self, nodes: list[Any]) -> None:
        """Record the op nodes ``nodes`` (and the tensors they read) as vertices."""
        for node in nodes:
            key = ("op", id(node))
            v = self._vertex(key, node, "op")
            inputs = _inputs_of(node)
            if inputs is None:
                v["freed"] = True
                continue
            if v["inputs"]:
                continue  # already recorded (a graph that is backwarded twice)
            for x, prev, need in zip(inputs, node.next_nodes, node.needs_input_grad):
                if not isinstance(x, Tensor):
                    continue
                if prev is not None:
                    in_key: Key = ("op", id(prev))
                    inv = self._vertex(in_key, prev, "op")
                else:
                    in_key = ("leaf", id(x))
                    inv = self._vertex(in_key, x, "leaf" if need else "const")
                if inv["value"] is None:  # an op's output is what its users got as input
                    inv["value"] = self.summary(x._data)
                    inv["name"] = inv["name"] or x.name
                v["inputs"].append(in_key)

    def _vertex(self, key: Key, obj: Any, kind: str) -> dict[str, Any]:
        v = self.vertices.get(key)
        if v is None:
            self._keep.append(obj)
            v = {"kind": kind, "name": None, "value": None, "inputs": [], "freed": False}
            if kind == "op":
                v["op"] = obj.name()
                v["doc"] = inspect.cleandoc(type(obj).__doc__ or "(no docstring)")
            self.vertices[key] = v
        return v

    def summary(self, a: Any) -> dict[str, Any]:
        """Shape, dtype and the values (small arrays), or min/mean/max and a histogram."""
        a = np.asarray(a)
        s: dict[str, Any] = {"shape": list(a.shape), "dtype": str(a.dtype)}
        if a.size <= self.max_values:
            s["values"] = a.tolist()
            return s
        f = a.astype(np.float64).ravel()
        finite = f[np.isfinite(f)]
        s["nonfinite"] = int(f.size - finite.size)
        if finite.size:
            counts, edges = np.histogram(finite, bins=20)
            s.update(
                min=float(finite.min()),
                mean=float(finite.mean()),
                max=float(finite.max()),
                hist=counts.tolist(),
                lo=float(edges[0]),
                hi=float(edges[-1]),
            )
        return s


@contextmanager
def record_backward(max_values: int = 64) -> Iterator[BackwardRecording]:
    """Record every backward run inside the ``with`` block, for ``to_html(..., recording=)``.

    The engine reports each node as it runs it; the recorder keeps the graph (taken before
    anything is freed), the order, and every gradient sent, summed where it arrives. Values
    with more than ``max_values`` elements are kept as summaries. Outside the block the
    engine does no recording at all.
    """
    recording = BackwardRecording(max_values)
    previous = engine._recorder
    engine._recorder = recording
    try:
        yield recording
    finally:
        engine._recorder = previous


def to_html(
    tensor: Tensor,
    path: str | Path,
    *,
    recording: BackwardRecording | None = None,
    gradient: Tensor | None = None,
    max_values: int = 64,
    layout: str = "auto",
    title: str | None = None,
) -> Path:
    """Write an interactive page of the graph behind ``tensor`` to ``path``; return the path.

    One self-contained HTML file (no network needed to open it): the graph top to bottom,
    inputs first; click a vertex for its op, derivative formula (the op's docstring), shapes,
    values and gradient; step or play through backward in the engine's own order.

    The backward shown is a real run of the engine. Without ``recording`` and while the
    graph is still there, ``to_html`` runs it itself as ``autograd.grad(tensor, <every leaf>,
    gradient, retain_graph=True)``: no ``.grad`` changes and the graph stays (tensor hooks run
    as in any backward). With ``recording`` (from ``record_backward()``) the page replays
    that backward, also after it freed the graph. ``gradient`` is dL/d(tensor), needed when
    ``tensor`` is not a scalar. ``layout``: "dot" (Graphviz's ``dot`` program), "builtin"
    (layers, NumPy only) or "auto" (dot when installed and the graph is not huge).
    """
    if not isinstance(tensor, Tensor):
        raise TypeError(f"to_html expects a Tensor, got {type(tensor).__name__}")
    if layout not in ("auto", "dot", "builtin"):
        raise ValueError(f"to_html: layout must be 'auto', 'dot' or 'builtin', got {layout!r}")
    note = ""
    node = tensor.grad_fn
    if recording is None:
        recording = BackwardRecording(max_values)
        nodes, leaves = _walk(node)
        if node is None:
            note = "a tensor made by no op: there is no graph and nothing to run backward on"
        elif _inputs_of(node) is None:
            note = (
                "the graph was freed by a backward; record that backward with "
                "viz.record_backward() to see it, or use backward(retain_graph=True)"
            )
        elif gradient is None and tensor._data.size != 1:
            note = f"not a scalar (shape {tensor.shape}): pass gradient= to see backward"
        if note:
            recording.add_graph(nodes)
        else:
            with record_backward(max_values) as recording:
                engine.grad(tensor, leaves, gradient, retain_graph=True, allow_unused=True)
    elif not recording.steps:
        note = "the recording holds no backward run"
    data = _page_data(tensor, recording, layout, note)
    data["title"] = title or f"tinygrad_edu: the tape behind {data['vertices'][0]['label'][0]}"
    path = Path(path)
    path.write_text(_fill_template(data), encoding="utf-8")
    return path


def _inputs_of(node: Any) -> tuple | None:
    """A node's inputs without any check (None once backward freed them)."""
    try:
        return node._inputs
    except AttributeError:
        return node.inputs


def _walk(root: Any) -> tuple[list[Any], list[Tensor]]:
    """The op nodes reachable from ``root`` (root first, no recursion) and the leaves that
    need a gradient."""
    nodes: list[Any] = []
    leaves: dict[int, Tensor] = {}
    seen: set[int] = set()
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        nodes.append(node)
        inputs = _inputs_of(node)
        if inputs is None:
            continue
        for x, prev, need in zip(inputs, node.next_nodes, node.needs_input_grad):
            if prev is not None:
                stack.append(prev)
            elif need and isinstance(x, Tensor):
                leaves[id(x)] = x
    return nodes, list(leaves.values())


def _page_data(tensor: Tensor, rec: BackwardRecording, layout: str, note: str) -> dict[str, Any]:
    """Everything the page shows, as plain data (vertices numbered, laid out)."""
    root: Key = ("op", id(tensor.grad_fn)) if tensor.grad_fn is not None else ("leaf", id(tensor))
    if root not in rec.vertices:
        kind = "op" if tensor.grad_fn is not None else ("leaf" if tensor.requires_grad else "const")
        rec._vertex(root, tensor.grad_fn if kind == "op" else tensor, kind)
    rv = rec.vertices[root]
    rv["value"], rv["name"] = rec.summary(tensor._data), rv["name"] or tensor.name
    keys = [root] + [k for k in rec.vertices if k != root]
    index = {k: i for i, k in enumerate(keys)}
    final: dict[Key, Any] = {}
    steps = []
    for st in rec.steps:
        final[st["node"]] = st["grad"]
        sends = []
        for s in st["sends"]:
            if s["to"][0] == "leaf":
                final[s["to"]] = s["total"]
            sends.append({**s, "to": index[s["to"]]})
        steps.append({"node": index[st["node"]], "grad": st["grad"], "sends": sends})
    vertices = []
    for k in keys:
        v = rec.vertices[k]
        value = v["value"]
        lines = []
        if v["kind"] == "op":
            lines.append(f"{v['name']} = {v['op']}" if v["name"] else v["op"])
        else:
            lines.append(v["name"] or ("leaf" if v["kind"] == "leaf" else "constant"))
        if value is not None:
            lines.append(f"{tuple(value['shape'])} {value['dtype']}")
            if "values" in value and int(np.prod(value["shape"])) <= 4:
                lines.append("data " + _values(np.array(value["values"])))
        if v["freed"]:
            lines.append("(freed)")
        vertices.append(
            {
                **{n: v.get(n) for n in ("kind", "name", "op", "doc", "value", "freed")},
                "label": lines,
                "inputs": [index[i] for i in v["inputs"]],
                "grad": final.get(k),
            }
        )
    edges = [(i, j) for j, v in enumerate(vertices) for i in v["inputs"]]
    sizes = [_box_size(v["label"], v["kind"] != "const") for v in vertices]
    used, pos, paths, width, height = _layout(sizes, edges, layout)
    for v, (w, h), (x, y) in zip(vertices, sizes, pos):
        v.update(x=round(x, 1), y=round(y, 1), w=w, h=h)
    return {
        "layout": used,
        "width": round(width, 1),
        "height": round(height, 1),
        "vertices": vertices,
        "edges": [{"from": i, "to": j, "path": p} for (i, j), p in zip(edges, paths)],
        "steps": steps,
        "note": note,
    }


_CHAR_W, _LINE_H, _PAD = 7.2, 15.0, 10.0  # the page draws labels in 12px monospace


def _box_size(lines: list[str], grad_line: bool) -> tuple[float, float]:
    """A vertex's box in pixels; one more line is kept free for the gradient."""
    n = len(lines) + grad_line
    chars = max([len(line) for line in lines] + [30 if grad_line else 0])  # "grad " + 25
    return round(chars * _CHAR_W + 2 * _PAD, 1), round(n * _LINE_H + _PAD, 1)


_DOT_MAX_VERTICES = 1500  # beyond this "auto" lays out with the built-in layout (dot is slow)


def _layout(
    sizes: list[tuple[float, float]], edges: list[tuple[int, int]], layout: str
) -> tuple[str, list[tuple[float, float]], list[str], float, float]:
    """(which layout, box centres, an SVG path per edge, width, height), top to bottom."""
    if layout == "dot" or (
        layout == "auto" and shutil.which("dot") and len(sizes) <= _DOT_MAX_VERTICES
    ):
        try:
            return ("dot", *_dot_layout(sizes, edges))
        except (OSError, subprocess.SubprocessError, ValueError, KeyError, IndexError) as err:
            if layout == "dot":
                raise RuntimeError(
                    f"to_html: Graphviz dot could not lay out the graph: {err}"
                ) from err
    return ("builtin", *_layered_layout(sizes, edges))


def _dot_layout(
    sizes: list[tuple[float, float]], edges: list[tuple[int, int]]
) -> tuple[list[tuple[float, float]], list[str], float, float]:
    """Ask Graphviz's ``dot -Tplain`` where the boxes and the edges' splines go."""
    lines = ["digraph g {", "rankdir=TB; nodesep=0.3; ranksep=0.4;"]
    lines.append('node [shape=box, fixedsize=true, label=""];')
    lines += [f"n{i} [width={w / 72:.3f}, height={h / 72:.3f}];" for i, (w, h) in enumerate(sizes)]
    lines += [f"n{i} -> n{j};" for i, j in edges]
    lines.append("}")
    out = subprocess.run(
        ["dot", "-Tplain"],
        input="\n".join(lines),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    pos: list[tuple[float, float]] = [(0.0, 0.0)] * len(sizes)
    splines: dict[tuple[int, int], list[list[tuple[float, float]]]] = {}
    height = width = 0.0
    for row in out.splitlines():
        f = row.split()
        if f[0] == "graph":
            width, height = float(f[2]) * 72, float(f[3]) * 72
        elif f[0] == "node":
            pos[int(f[1][1:])] = (float(f[2]) * 72, height - float(f[3]) * 72)
        elif f[0] == "edge":
            n = int(f[3])
            pts = [(float(f[4 + 2 * i]) * 72, height - float(f[5 + 2 * i]) * 72) for i in range(n)]
            splines.setdefault((int(f[1][1:]), int(f[2][1:])), []).append(pts)
    if len(pos) != len(sizes) or (sizes and width == 0):
        raise ValueError("unexpected output from dot -Tplain")
    paths = []
    for i, j in edges:
        pts = splines[i, j].pop(0)
        d = "M" + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts[:1])
        d += " C" + " ".join(f"{x:.1f},{y:.1f}" for x, y in pts[1:])
        # dot stops the spline where its arrowhead would start: go on to the box's edge
        paths.append(d + f" L{pts[-1][0]:.1f},{pos[j][1] - sizes[j][1] / 2:.1f}")
    return pos, paths, width, height


def _layered_layout(
    sizes: list[tuple[float, float]], edges: list[tuple[int, int]], sweeps: int = 4
) -> tuple[list[tuple[float, float]], list[str], float, float]:
    """A small layered (Sugiyama-style) layout, for when Graphviz is not installed.

    1. layers: an op one below its lowest input; a leaf just above its first user;
    2. order in each layer: a few sweeps sorting by the mean position of the neighbours;
    3. x: each box as near its neighbours' mean as the boxes beside it allow.
    """
    n = len(sizes)
    preds: list[list[int]] = [[] for _ in range(n)]
    succs: list[list[int]] = [[] for _ in range(n)]
    for i, j in edges:
        preds[j].append(i)
        succs[i].append(j)
    # 1. longest path from the sources, in a topological order (Kahn's algorithm)
    layer = [0] * n
    waiting = [len(p) for p in preds]
    ready = [i for i in range(n) if waiting[i] == 0]
    topo = []
    while ready:
        i = ready.pop()
        topo.append(i)
        for j in succs[i]:
            layer[j] = max(layer[j], layer[i] + 1)
            waiting[j] -= 1
            if waiting[j] == 0:
                ready.append(j)
    for i in range(n):
        if not preds[i] and succs[i]:
            layer[i] = min(layer[j] for j in succs[i]) - 1
    rows: list[list[int]] = [[] for _ in range(max(layer, default=0) + 1)]
    for i in range(n):  # the root is vertex 0: its inputs come first, so the order starts sane
        rows[layer[i]].append(i)
    # 2. barycentre sweeps, down (by inputs) then up (by users)
    place = [0.0] * n
    for row in rows:
        for k, i in enumerate(row):
            place[i] = k
    for sweep in range(2 * sweeps):
        down = sweep % 2 == 0
        for row in rows[1:] if down else rows[-2::-1]:
            near = preds if down else succs
            row.sort(key=lambda i: _mean([place[j] for j in near[i]], place[i]))
            for k, i in enumerate(row):
                place[i] = k
    # 3. x positions: start packed, then pull towards the neighbours without overlapping
    gap_x, gap_y = 24.0, 36.0
    x = [0.0] * n
    for row in rows:
        left = 0.0
        for i in row:
            x[i] = left + sizes[i][0] / 2
            left += sizes[i][0] + gap_x
    for sweep in range(2 * sweeps):
        for row in rows if sweep % 2 == 0 else rows[::-1]:
            want = [_mean([x[j] for j in preds[i] + succs[i]], x[i]) for i in row]
            for k, i in enumerate(row):
                x[i] = want[k]
                if k:
                    prev = row[k - 1]
                    x[i] = max(x[i], x[prev] + (sizes[prev][0] + sizes[i][0]) / 2 + gap_x)
            shift = _mean(want, 0.0) - _mean([x[i] for i in row], 0.0)
            for i in row:
                x[i] += shift
    left = min((x[i] - sizes[i][0] / 2 for i in range(n)), default=0.0)
    x = [xi - left + 4 for xi in x]
    y = [0.0] * n
    top = 4.0
    for row in rows:
        tall = max((sizes[i][1] for i in row), default=0.0)
        for i in row:
            y[i] = top + tall / 2
        top += tall + gap_y
    paths = []
    for i, j in edges:
        x1, y1 = x[i], y[i] + sizes[i][1] / 2
        x2, y2 = x[j], y[j] - sizes[j][1] / 2
        mid = (y1 + y2) / 2
        paths.append(f"M{x1:.1f},{y1:.1f} C{x1:.1f},{mid:.1f} {x2:.1f},{mid:.1f} {x2:.1f},{y2:.1f}")
    width = max((x[i] + sizes[i][0] / 2 for i in range(n)), default=0.0) + 4
    return list(zip(x, y)), paths, width, top - gap_y + 4


def _mean(values: list[float], default: float) -> float:
    return sum(values) / len(values) if values else default


_TEMPLATE = Path(__file__).with_name("viz_explorer.html")


def _fill_template(data: dict[str, Any]) -> str:
    """The page: the template with the data as a JavaScript literal (NaN and Infinity are
    valid there). ``<``, ``>`` and ``&`` are written as \\u escapes, so no name can close the
    script element; the page sets all text with textContent, never as HTML."""
    js = json.dumps(data, separators=(",", ":"))
    js = js.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    title = data["title"].replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    head, tail = _TEMPLATE.read_text(encoding="utf-8").split("/*__DATA__*/null")
    return head.replace("__TITLE__", title, 1) + js + tail
