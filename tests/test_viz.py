"""viz.to_dot: one box per tensor, one ellipse per op node, edges along the tape;
draw_dot: renders with Graphviz's dot program, else writes the .dot file and says how."""

from __future__ import annotations

import re
import shutil
import struct

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu.viz import draw_dot, to_dot


def parse(dot: str):
    """(labels by vertex, attrs by vertex, edges) of DOT text written by to_dot."""
    assert dot.startswith("digraph tape {") and dot.rstrip().endswith("}")
    found = re.findall(r'^  (n\d+) \[label="((?:[^"\\]|\\.)*)", (.*)\];$', dot, re.M)
    labels = {v: lab for v, lab, _ in found}
    attrs = {v: a for v, _, a in found}
    edges = re.findall(r"^  (n\d+) -> (n\d+);$", dot, re.M)
    return labels, attrs, edges


def graph():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    x.name = "x"
    w = tg.tensor([3.0, 4.0], requires_grad=True)
    c = tg.tensor([1.0, 1.0])
    y = (x * w + x + c).sum()
    return x, w, y


def test_counts_labels_and_edges():
    _, _, y = graph()
    labels, attrs, edges = parse(to_dot(y))
    ops = sorted(lab for lab in labels.values() if lab.endswith("Backward"))
    assert ops == ["AddBackward", "AddBackward", "MulBackward", "SumBackward"]
    # tensors: x, w, c, x*w, x*w+x, +c, y
    assert len(labels) - len(ops) == 7
    # each op: one edge per tensor input and one to its output
    assert len(edges) == 2 + 1 + 2 + 1 + 2 + 1 + 1 + 1
    by_label = {lab: v for v, lab in labels.items()}
    xv = by_label[r"x\n(2,) float32\ndata [1., 2.]"]
    assert "lightblue" in attrs[xv]  # a leaf that requires grad
    cv = by_label[r"(2,) float32\ndata [1., 1.]"]
    assert "dashed" in attrs[cv]  # a constant
    assert sum(1 for a, _ in edges if a == xv) == 2  # x feeds Mul and the first Add
    root = by_label[r"() float32\ndata 16."]
    assert [a for a, b in edges if b == root] == [by_label["SumBackward"]]


def test_grads_show_after_backward_with_retain_graph_and_big_tensors_hide_values():
    _, _, y = graph()
    y.backward(retain_graph=True)
    dot = to_dot(y)
    assert r"x\n(2,) float32\ndata [1., 2.]\ngrad [4., 5.]" in dot
    big = tg.ones(3, 4, requires_grad=True)
    labels, _, _ = parse(to_dot(big.sum(), max_values=8))
    assert r"(3, 4) float32" in labels.values()  # no data line for 12 elements


def test_freed_graph_and_a_leaf_alone():
    _, _, y = graph()
    y.backward()
    labels, _, edges = parse(to_dot(y))
    assert sorted(labels.values()) == [r"() float32\ndata 16.", r"SumBackward\n(freed)"]
    assert len(edges) == 1
    labels, _, edges = parse(to_dot(tg.tensor(2.0)))
    assert list(labels.values()) == [r"() float32\ndata 2."] and edges == []


def test_quotes_in_names_are_escaped():
    t = tg.tensor([1.0])
    t.name = 'say "hi"'
    assert r'label="say \"hi\"\n(1,) float32\ndata [1.]"' in to_dot(t)


def test_deep_graph_is_walked_without_recursion():
    x = tg.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(3000):
        y = y * 1.0
    labels, _, edges = parse(to_dot(y))
    assert len(edges) == 3000 * 3  # each step: constant -> op, input -> op, op -> output
    assert len(labels) == 3000 * 3 + 1  # each step: op, its output, its constant 1.0


def test_draw_dot_without_graphviz_writes_dot_and_says_how(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    _, _, y = graph()
    with pytest.warns(UserWarning, match=r"Render it with: dot -Tpng .*graph\.dot -o .*graph\.png"):
        written = draw_dot(y, tmp_path / "graph", format="png")
    assert written == tmp_path / "graph.dot"
    assert written.read_text() == to_dot(y)


needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None,
    reason="Graphviz's dot program is not installed (Debian: apt-get install graphviz)",
)


@needs_dot
def test_draw_dot_renders_svg_with_the_real_dot(tmp_path):
    _x, w, y = graph()
    w.name = 'w <&> "q"'  # every character that SVG text must escape
    path = draw_dot(y, tmp_path / "g.svg")
    assert path == tmp_path / "g.svg"
    svg = path.read_text()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert texts.count("MulBackward") == 1 and texts.count("AddBackward") == 2
    assert "w &lt;&amp;&gt; &quot;q&quot;" in texts and "x" in texts
    assert svg.count('class="node"') == 11 and svg.count('class="edge"') == 11


@needs_dot
def test_draw_dot_renders_png_with_the_real_dot(tmp_path):
    _, _, y = graph()
    path = draw_dot(y, tmp_path / "g", format="png")
    assert path == tmp_path / "g.png"
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert 50 < height < width < 4000  # rankdir=LR: the graph runs left to right


def test_error_messages():
    with pytest.raises(TypeError, match="to_dot expects a Tensor, got ndarray"):
        to_dot(np.ones(2))
    with pytest.raises(
        ValueError, match=r"draw_dot: format must be one of \('svg', 'png'\), got 'pdf'"
    ):
        draw_dot(tg.tensor(1.0), "g", format="pdf")
